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
menu = Menu
nav-users = Users
nav-organisations = Organisations
nav-account = My account
page-forbidden = Your role cannot open this page.
done-title = Done
users-title = Users
users-list = Users you manage
user-active = active
user-invited = invited, no password yet
user-deactivated = deactivated
user-reset = New sign-in link
user-deactivate = Deactivate
user-deactivate-done = The user is deactivated: their sessions and tokens have ended.
invite-title = Invite someone
invite-help = They get a one-time sign-in link, valid for 72 hours, with which they choose their password. No e-mail is sent: pass the link on yourself, privately.
invite-name = Name
invite-email = E-mail address (their sign-in name)
invite-role = Role
invite-organisation = Organisation
invite-submit = Invite
link-title = Sign-in link
invite-done = { $name } is invited. Give them this link privately; it works once, for 72 hours, for { $email }.
reset-done = A new sign-in link for { $name }. Earlier links no longer work. Their password changes, and their sessions end, when they use it.
organisations-title = Organisations
organisations-list = Organisations of the coalition
organisation-new = New organisation
organisation-name = Name
organisation-create = Create
organisation-created = The organisation is created.
organisation-deactivated = deactivated
organisation-deactivate = Deactivate
organisation-deactivate-done = The organisation and all its users are deactivated.
active-users = { $count ->
    [one] { $count } active user
   *[other] { $count } active users
}
account-title = My account
account-password = Password
account-password-current = Current password
account-password-submit = Change the password
account-password-wrong = The current password is wrong.
account-password-done = Your password is changed. Your other sessions have ended.
account-sessions = Sessions
account-other-sessions = { $count ->
    [0] You are signed in here only.
    [one] You are also signed in { $count } other place.
   *[other] You are also signed in { $count } other places.
}
account-sessions-end = Sign out everywhere else
account-sessions-done = Your other sessions have ended.
account-tokens = API tokens
account-tokens-help = For scripts and statistics software: send a token as "Authorization: Bearer …". It is shown once, when it is made.
token-label = What it is for
token-days = Days until it expires (1–366)
token-create = Make a token
token-label-wrong = Say what the token is for, in at most 200 characters.
token-days-wrong = The number of days must be a whole number from 1 to { $max }.
token-title = New API token
token-created = Copy the token now: it is not shown again.
token-live = valid until { $date }
token-live-forever = valid with no end date
token-expired = expired
token-revoked = revoked
token-revoke = Revoke
token-revoke-done = The token is revoked.
token-not-found = There is no such token of yours.
two-factor-title = Two-factor sign-in
two-factor-code = Code from your authenticator app
two-factor-code-help = Six digits, or one of your recovery codes.
two-factor-wrong = That code is not right, or it was used already. Try the next code from your app.
two-factor-expired = The sign-in took too long. Please sign in again.
two-factor-off = Two-factor sign-in is off. With it on, a stolen password alone cannot open your account.
two-factor-set-up = Set up two-factor sign-in
two-factor-setup-title = Set up two-factor sign-in
two-factor-step-app = Open an authenticator app on your phone (any app for TOTP codes).
two-factor-step-key = Add an account in the app and type this key:
two-factor-uri = The key as an otpauth address
two-factor-step-code = Type the six-digit code the app shows.
two-factor-turn-on = Turn two-factor sign-in on
two-factor-on-title = Two-factor sign-in is on
two-factor-recovery = Keep these recovery codes somewhere safe, away from your phone. Each one signs you in once if the phone is lost. They are not shown again.
two-factor-on = { $count ->
    [one] Two-factor sign-in is on. You have { $count } recovery code left.
   *[other] Two-factor sign-in is on. You have { $count } recovery codes left.
}
two-factor-turn-off = Turn two-factor sign-in off
two-factor-off-done = Two-factor sign-in is off.
nav-settings = Settings
settings-title = Settings
settings-anonymous-stats = Statistics open to everyone
settings-anonymous-stats-help = Anyone may read the statistics of published records, without signing in. No record is ever opened.
settings-two-factor = Two-factor sign-in required for administrators and coordinators
settings-two-factor-help = Until they set it up, every page sends them to the set-up. API tokens are not affected.
settings-save = Save the settings
settings-saved = The settings are saved.
two-factor-required = An administrator requires two-factor sign-in for your role. Set it up to go on.
