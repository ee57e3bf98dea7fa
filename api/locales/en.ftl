skip-to-content = Skip to the content
language = Language
nav-home = Home
nav-sign-out = Sign out
sign-in-title = Sign in
sign-in-name = E-mail address
sign-in-password = Password
sign-in-submit = Sign in
sign-in-wrong = The e-mail address or the password is wrong.
sign-in-too-many = { $minutes ->
    [one] Too many failed sign-ins. Try again in { $minutes } minute.
   *[other] Too many failed sign-ins. Try again in { $minutes } minutes.
}
sign-in-first-admin = A new server? The first administrator gets a sign-in link from the server's command line:
signed-out = You are signed out.
welcome-title = Set your password
welcome-intro = Welcome, { $name }. Choose a password to sign in with { $email }.
welcome-password = New password
welcome-password-help = At least { $min } characters. A few unrelated words are easy to remember and hard to guess.
welcome-again = The same password again
welcome-submit = Set the password
welcome-invalid = This link is not valid: it has been used, it has expired, or it was replaced by a newer one. Ask your coordinator or administrator for a new link.
welcome-done = Your password is set. Sign in with it now.
password-too-short = The password is too short: it needs at least { $min } characters.
password-too-long = The password is too long: at most { $max } characters.
password-different = The two passwords are not the same.
home-title = Welcome, { $name }
home-role = You are signed in as { $role } of { $organisation }.
role-admin = administrator
role-coordinator = coordinator
role-monitor = monitor
role-researcher = researcher
home-next = Your pages for cases, hearings, searches and datasets will appear here.
form-expired = This form has expired. Please send it again.
origin-refused = This form was sent from another site, so it was refused.
error-title = Something went wrong
error-internal = Something went wrong on the server. It has been logged; please try again.
field-error = Error
