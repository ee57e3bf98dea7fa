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
