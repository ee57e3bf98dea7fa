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
