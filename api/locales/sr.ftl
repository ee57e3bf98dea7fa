skip-to-content = Pređi na sadržaj
language = Jezik
nav-home = Početna
nav-sign-out = Odjavi se
sign-in-title = Prijava
sign-in-name = Adresa e-pošte
sign-in-password = Lozinka
sign-in-submit = Prijavi se
sign-in-wrong = Adresa e-pošte ili lozinka nije tačna.
sign-in-too-many = { $minutes ->
    [one] Previše neuspelih prijava. Pokušajte ponovo za { $minutes } minut.
    [few] Previše neuspelih prijava. Pokušajte ponovo za { $minutes } minuta.
   *[other] Previše neuspelih prijava. Pokušajte ponovo za { $minutes } minuta.
}
sign-in-first-admin = Novi server? Prvi administrator dobija link za prijavu iz komandne linije servera:
signed-out = Odjavljeni ste.
welcome-title = Postavite lozinku
welcome-intro = Dobro došli, { $name }. Izaberite lozinku za prijavu sa { $email }.
welcome-password = Nova lozinka
welcome-password-help = Najmanje { $min } znakova. Nekoliko nepovezanih reči lako se pamti, a teško pogađa.
welcome-again = Ista lozinka ponovo
welcome-submit = Postavi lozinku
welcome-invalid = Ovaj link ne važi: iskorišćen je, istekao je ili ga je zamenio noviji. Zatražite novi link od koordinatora ili administratora.
welcome-done = Lozinka je postavljena. Sada se prijavite njome.
password-too-short = Lozinka je prekratka: potrebno je najmanje { $min } znakova.
password-too-long = Lozinka je predugačka: najviše { $max } znakova.
password-different = Dve lozinke nisu iste.
home-title = Dobro došli, { $name }
home-role = Prijavljeni ste kao { $role } organizacije { $organisation }.
role-admin = administrator
role-coordinator = koordinator
role-monitor = monitor
role-researcher = istraživač
home-next = Ovde će se pojaviti vaše stranice za predmete, ročišta, pretrage i skupove podataka.
form-expired = Ovaj obrazac je istekao. Pošaljite ga ponovo.
origin-refused = Ovaj obrazac je poslat sa drugog sajta, pa je odbijen.
error-title = Nešto nije u redu
error-internal = Nešto nije u redu na serveru. Zabeleženo je; pokušajte ponovo.
field-error = Greška
menu = Meni
nav-users = Korisnici
nav-organisations = Organizacije
nav-account = Moj nalog
page-forbidden = Vaša uloga ne može da otvori ovu stranicu.
done-title = Gotovo
users-title = Korisnici
users-list = Korisnici kojima upravljate
user-active = aktivan
user-invited = pozvan, još bez lozinke
user-deactivated = deaktiviran
user-reset = Novi link za prijavu
user-deactivate = Deaktiviraj
user-deactivate-done = Korisnik je deaktiviran: njegove sesije i tokeni su prestali da važe.
invite-title = Pozovite nekoga
invite-help = Dobija jednokratni link za prijavu, koji važi 72 sata, kojim bira lozinku. Nikakva e-pošta se ne šalje: link prosledite sami, privatno.
invite-name = Ime
invite-email = Adresa e-pošte (ime za prijavu)
invite-role = Uloga
invite-organisation = Organizacija
invite-submit = Pozovi
link-title = Link za prijavu
invite-done = { $name } je pozvan. Prosledite mu ovaj link privatno; važi jednom, 72 sata, za { $email }.
reset-done = Novi link za prijavu za { $name }. Raniji linkovi više ne važe. Lozinka se menja, a sesije prestaju, kada ga iskoristi.
organisations-title = Organizacije
organisations-list = Organizacije koalicije
organisation-new = Nova organizacija
organisation-name = Naziv
organisation-create = Napravi
organisation-created = Organizacija je napravljena.
organisation-deactivated = deaktivirana
organisation-deactivate = Deaktiviraj
organisation-deactivate-done = Organizacija i svi njeni korisnici su deaktivirani.
active-users = { $count ->
    [one] { $count } aktivan korisnik
    [few] { $count } aktivna korisnika
   *[other] { $count } aktivnih korisnika
}
account-title = Moj nalog
account-password = Lozinka
account-password-current = Trenutna lozinka
account-password-submit = Promeni lozinku
account-password-wrong = Trenutna lozinka nije tačna.
account-password-done = Lozinka je promenjena. Vaše ostale sesije su prestale.
account-sessions = Sesije
account-other-sessions = { $count ->
    [0] Prijavljeni ste samo ovde.
    [one] Prijavljeni ste i na još { $count } mestu.
    [few] Prijavljeni ste i na još { $count } mesta.
   *[other] Prijavljeni ste i na još { $count } mesta.
}
account-sessions-end = Odjavi me svuda drugde
account-sessions-done = Vaše ostale sesije su prestale.
account-tokens = API tokeni
account-tokens-help = Za skripte i statističke programe: token šaljite kao "Authorization: Bearer …". Prikazuje se samo jednom, kada se napravi.
token-label = Čemu služi
token-days = Dana do isteka (1–366)
token-create = Napravi token
token-label-wrong = Navedite čemu token služi, u najviše 200 znakova.
token-days-wrong = Broj dana mora biti ceo broj od 1 do { $max }.
token-title = Novi API token
token-created = Kopirajte token sada: više se neće prikazati.
token-live = važi do { $date }
token-live-forever = važi bez krajnjeg datuma
token-expired = istekao
token-revoked = opozvan
token-revoke = Opozovi
token-revoke-done = Token je opozvan.
token-not-found = Nemate takav token.
two-factor-title = Prijava u dva koraka
two-factor-code = Kod iz aplikacije za autentifikaciju
two-factor-code-help = Šest cifara, ili jedan od vaših kodova za oporavak.
two-factor-wrong = Taj kod nije tačan, ili je već iskorišćen. Pokušajte sa sledećim kodom iz aplikacije.
two-factor-expired = Prijava je trajala predugo. Prijavite se ponovo.
two-factor-off = Prijava u dva koraka je isključena. Kada je uključena, ukradena lozinka sama nije dovoljna da se otvori vaš nalog.
two-factor-set-up = Podesite prijavu u dva koraka
two-factor-setup-title = Podesite prijavu u dva koraka
two-factor-step-app = Otvorite aplikaciju za autentifikaciju na telefonu (bilo koju aplikaciju za TOTP kodove).
two-factor-step-key = Dodajte nalog u aplikaciji i upišite ovaj ključ:
two-factor-uri = Ključ kao otpauth adresa
two-factor-step-code = Upišite šestocifreni kod koji aplikacija prikazuje.
two-factor-turn-on = Uključi prijavu u dva koraka
two-factor-on-title = Prijava u dva koraka je uključena
two-factor-recovery = Čuvajte ove kodove za oporavak na sigurnom mestu, odvojeno od telefona. Svaki vas jednom prijavljuje ako izgubite telefon. Više se neće prikazati.
two-factor-on = { $count ->
    [one] Prijava u dva koraka je uključena. Ostao vam je { $count } kod za oporavak.
    [few] Prijava u dva koraka je uključena. Ostala su vam { $count } koda za oporavak.
   *[other] Prijava u dva koraka je uključena. Ostalo vam je { $count } kodova za oporavak.
}
two-factor-turn-off = Isključi prijavu u dva koraka
two-factor-off-done = Prijava u dva koraka je isključena.
nav-settings = Podešavanja
settings-title = Podešavanja
settings-anonymous-stats = Statistika otvorena za sve
settings-anonymous-stats-help = Svako može da čita statistiku objavljenih zapisa, bez prijave. Nijedan zapis se nikada ne otvara.
settings-two-factor = Prijava u dva koraka obavezna za administratore i koordinatore
settings-two-factor-help = Dok je ne podese, svaka stranica ih šalje na podešavanje. API tokeni nisu pogođeni.
settings-save = Sačuvaj podešavanja
settings-saved = Podešavanja su sačuvana.
two-factor-required = Administrator zahteva prijavu u dva koraka za vašu ulogu. Podesite je da biste nastavili.
nav-audit = Revizijski trag
nav-status = Stanje sistema
audit-title = Revizijski trag
audit-filters = Filteri
audit-resource = Vrsta zapisa
audit-any = bilo koja
audit-action = Radnja (create, update, publish, deactivate …)
audit-record = Id zapisa
audit-from = Od (dan)
audit-to = Do (dan, uključujući)
audit-show = Prikaži
audit-none = Nijedan unos ne odgovara.
audit-more = Kasniji unosi
audit-operator = operater (komandna linija)
audit-date-wrong = Dan se piše kao godina-mesec-dan, na primer 2026-12-01.
status-title = Stanje sistema
status-ready = Sve radi.
status-not-ready = Nešto zahteva pažnju.
status-database = Baza podataka
status-migrations = Migracije
status-index = Indeks pretrage
status-outbox = Izmene koje čekaju indeks
status-lag = Najstarija izmena na čekanju
user-role = Uloga
user-role-submit = Promeni ulogu
user-role-done = Uloga je promenjena.
organisation-new-name = Naziv
organisation-rename = Preimenuj
organisation-renamed = Organizacija je preimenovana.
two-factor-step-scan = Skenirajte ovaj kod aplikacijom, sa drugog ekrana, ili:
two-factor-qr = QR kod ključa za prijavu u dva koraka
