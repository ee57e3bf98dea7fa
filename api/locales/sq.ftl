skip-to-content = Kalo te përmbajtja
language = Gjuha
nav-home = Ballina
nav-sign-out = Dil
sign-in-title = Hyr
sign-in-name = Adresa e email-it
sign-in-password = Fjalëkalimi
sign-in-submit = Hyr
sign-in-wrong = Adresa e email-it ose fjalëkalimi është i gabuar.
sign-in-too-many = { $minutes ->
    [one] Shumë përpjekje të dështuara. Provoni sërish pas { $minutes } minute.
   *[other] Shumë përpjekje të dështuara. Provoni sërish pas { $minutes } minutash.
}
sign-in-first-admin = Server i ri? Administratori i parë merr një lidhje hyrjeje nga linja e komandës së serverit:
signed-out = Keni dalë.
welcome-title = Vendosni fjalëkalimin
welcome-intro = Mirë se vini, { $name }. Zgjidhni një fjalëkalim për të hyrë me { $email }.
welcome-password = Fjalëkalimi i ri
welcome-password-help = Të paktën { $min } shenja. Disa fjalë pa lidhje mes tyre mbahen mend lehtë dhe gjenden vështirë.
welcome-again = I njëjti fjalëkalim përsëri
welcome-submit = Vendos fjalëkalimin
welcome-invalid = Kjo lidhje nuk vlen: është përdorur, ka skaduar ose është zëvendësuar nga një më e re. Kërkoni një lidhje të re nga koordinatori ose administratori.
welcome-done = Fjalëkalimi u vendos. Hyni tani me të.
password-too-short = Fjalëkalimi është shumë i shkurtër: duhen të paktën { $min } shenja.
password-too-long = Fjalëkalimi është shumë i gjatë: më së shumti { $max } shenja.
password-different = Dy fjalëkalimet nuk janë të njëjta.
home-title = Mirë se vini, { $name }
home-role = Keni hyrë si { $role } i { $organisation }.
role-admin = administrator
role-coordinator = koordinator
role-monitor = monitorues
role-researcher = studiues
home-next = Këtu do të shfaqen faqet tuaja për rastet, seancat, kërkimet dhe të dhënat.
form-expired = Ky formular ka skaduar. Ju lutemi dërgojeni përsëri.
origin-refused = Ky formular u dërgua nga një faqe tjetër, prandaj u refuzua.
error-title = Diçka shkoi keq
error-internal = Diçka shkoi keq në server. U regjistrua; ju lutemi provoni përsëri.
field-error = Gabim
menu = Menyja
nav-users = Përdoruesit
nav-organisations = Organizatat
nav-account = Llogaria ime
page-forbidden = Roli juaj nuk mund ta hapë këtë faqe.
done-title = U krye
users-title = Përdoruesit
users-list = Përdoruesit që menaxhoni
user-active = aktiv
user-invited = i ftuar, ende pa fjalëkalim
user-deactivated = i çaktivizuar
user-reset = Lidhje e re hyrjeje
user-deactivate = Çaktivizo
user-deactivate-done = Përdoruesi është çaktivizuar: seancat dhe tokenët e tij kanë përfunduar.
invite-title = Ftoni dikë
invite-help = Ai merr një lidhje hyrjeje njëpërdorimshe, të vlefshme për 72 orë, me të cilën zgjedh fjalëkalimin. Nuk dërgohet asnjë e-mail: jepjani lidhjen vetë, privatisht.
invite-name = Emri
invite-email = Adresa e e-mailit (emri i tij i hyrjes)
invite-role = Roli
invite-organisation = Organizata
invite-submit = Fto
link-title = Lidhja e hyrjes
invite-done = { $name } është ftuar. Jepjani këtë lidhje privatisht; funksionon një herë, për 72 orë, për { $email }.
reset-done = Një lidhje e re hyrjeje për { $name }. Lidhjet e mëparshme nuk funksionojnë më. Fjalëkalimi ndryshon dhe seancat përfundojnë kur ta përdorë.
organisations-title = Organizatat
organisations-list = Organizatat e koalicionit
organisation-new = Organizatë e re
organisation-name = Emri
organisation-create = Krijo
organisation-created = Organizata është krijuar.
organisation-deactivated = e çaktivizuar
organisation-deactivate = Çaktivizo
organisation-deactivate-done = Organizata dhe të gjithë përdoruesit e saj janë çaktivizuar.
active-users = { $count ->
    [one] { $count } përdorues aktiv
   *[other] { $count } përdorues aktivë
}
account-title = Llogaria ime
account-password = Fjalëkalimi
account-password-current = Fjalëkalimi i tanishëm
account-password-submit = Ndrysho fjalëkalimin
account-password-wrong = Fjalëkalimi i tanishëm është i gabuar.
account-password-done = Fjalëkalimi juaj është ndryshuar. Seancat tuaja të tjera kanë përfunduar.
account-sessions = Seancat
account-other-sessions = { $count ->
    [0] Jeni i kyçur vetëm këtu.
    [one] Jeni i kyçur edhe në { $count } vend tjetër.
   *[other] Jeni i kyçur edhe në { $count } vende të tjera.
}
account-sessions-end = Dil kudo tjetër
account-sessions-done = Seancat tuaja të tjera kanë përfunduar.
account-tokens = Tokenët e API-së
account-tokens-help = Për skripte dhe programe statistikore: dërgoni tokenin si "Authorization: Bearer …". Shfaqet vetëm një herë, kur krijohet.
token-label = Për çfarë është
token-days = Ditë deri në skadim (1–366)
token-create = Krijo një token
token-label-wrong = Shkruani për çfarë është tokeni, me jo më shumë se 200 shenja.
token-days-wrong = Numri i ditëve duhet të jetë një numër i plotë nga 1 deri në { $max }.
token-title = Token i ri i API-së
token-created = Kopjojeni tokenin tani: nuk shfaqet më.
token-live = i vlefshëm deri më { $date }
token-live-forever = i vlefshëm pa datë përfundimi
token-expired = ka skaduar
token-revoked = i revokuar
token-revoke = Revoko
token-revoke-done = Tokeni është revokuar.
token-not-found = Nuk keni një token të tillë.
two-factor-title = Hyrja me dy faktorë
two-factor-code = Kodi nga aplikacioni i vërtetimit
two-factor-code-help = Gjashtë shifra, ose një nga kodet tuaja të rikuperimit.
two-factor-wrong = Ky kod nuk është i saktë, ose është përdorur tashmë. Provoni kodin e radhës nga aplikacioni.
two-factor-expired = Hyrja zgjati shumë. Ju lutemi hyni përsëri.
two-factor-off = Hyrja me dy faktorë është e fikur. Kur është e ndezur, një fjalëkalim i vjedhur vetëm nuk mjafton për të hapur llogarinë tuaj.
two-factor-set-up = Konfiguroni hyrjen me dy faktorë
two-factor-setup-title = Konfiguroni hyrjen me dy faktorë
two-factor-step-app = Hapni një aplikacion vërtetimi në telefon (çdo aplikacion për kode TOTP).
two-factor-step-key = Shtoni një llogari në aplikacion dhe shkruani këtë çelës:
two-factor-uri = Çelësi si adresë otpauth
two-factor-step-code = Shkruani kodin me gjashtë shifra që shfaq aplikacioni.
two-factor-turn-on = Ndizni hyrjen me dy faktorë
two-factor-on-title = Hyrja me dy faktorë është e ndezur
two-factor-recovery = Ruajini këto kode rikuperimi në një vend të sigurt, larg telefonit. Secili ju fut një herë nëse telefoni humbet. Nuk shfaqen më.
two-factor-on = { $count ->
    [one] Hyrja me dy faktorë është e ndezur. Ju ka mbetur { $count } kod rikuperimi.
   *[other] Hyrja me dy faktorë është e ndezur. Ju kanë mbetur { $count } kode rikuperimi.
}
two-factor-turn-off = Fikni hyrjen me dy faktorë
two-factor-off-done = Hyrja me dy faktorë është e fikur.
nav-settings = Cilësimet
settings-title = Cilësimet
settings-anonymous-stats = Statistikat të hapura për këdo
settings-anonymous-stats-help = Kushdo mund t'i lexojë statistikat e të dhënave të publikuara, pa hyrë. Asnjë e dhënë nuk hapet kurrë.
settings-two-factor = Hyrja me dy faktorë e detyrueshme për administratorët dhe koordinatorët
settings-two-factor-help = Derisa ta konfigurojnë, çdo faqe i dërgon te konfigurimi. Tokenët e API-së nuk preken.
settings-save = Ruaj cilësimet
settings-saved = Cilësimet janë ruajtur.
two-factor-required = Një administrator e kërkon hyrjen me dy faktorë për rolin tuaj. Konfigurojeni për të vazhduar.
