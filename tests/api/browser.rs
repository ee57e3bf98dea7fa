//! The web interface in a real browser: Debian's Chromium, headless, driven through
//! chromedriver (WebDriver) against the real server, step by step as people would use it, on
//! each backend, in a 360 px wide phone window. axe-core (installed at test time into
//! `target/browser-tools`, never committed) checks every page; a screenshot of every page goes to
//! `target/screenshots/<backend>-<step>.png`.
//!
//! The story: a fresh server tells its first visitor how to get a link; the first admin sets a
//! password, signs in by keyboard (after a wrong password), creates a second organisation and
//! invites its coordinator, who invites a monitor; the monitor signs in, switches languages
//! (Cyrillic too), makes and revokes an API token, is refused the Users page; a form without its
//! CSRF token is refused; failed sign-ins hit the rate limit; deactivation ends the monitor's
//! live session.

use std::{path::PathBuf, time::Duration};

use courtwatch_api::services::{accounts, auth, two_factor};
use courtwatch_tests::{Backend, TestApp, backends};
use fantoccini::{Client, Locator, key::Key};
use serde_json::{Value, json};

pub(crate) const PASSWORD: &str = "a long fictional passphrase";

fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target")
}

pub(crate) fn axe_source() -> String {
    let path = target_dir().join("browser-tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed at {} ({e}): npm install --prefix target/browser-tools \
             --no-save axe-core@4.10.3 (.ci/run does this)",
            path.display()
        )
    })
}

pub(crate) use courtwatch_tests::chromium::{Driver, driver};

/// One browser window (its own cookies), phone-sized.
pub(crate) struct Window {
    pub(crate) client: Client,
    pub(crate) base: String,
    pub(crate) backend: &'static str,
    axe: String,
}

pub(crate) async fn window(driver: &Driver, app: &TestApp, axe: &str) -> Window {
    let client = courtwatch_tests::chromium::phone(driver).await;
    Window {
        client,
        base: app.base.clone(),
        backend: app.backend,
        axe: axe.to_owned(),
    }
}

impl Window {
    pub(crate) async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("page opens");
    }

    /// The page's text (read by script, so a page being replaced is not an error: it is read
    /// again by the waits).
    pub(crate) async fn text(&self) -> String {
        self.client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub(crate) async fn wait_for_text(&self, wanted: &str) -> String {
        let mut text = String::new();
        for _ in 0..50 {
            text = self.text().await;
            if text.contains(wanted) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "'{wanted}' never appeared ({}); the page says:\n{text}",
            self.backend
        )
    }

    pub(crate) async fn fill(&self, id: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("field #{id}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    pub(crate) async fn select(&self, id: &str, value: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("select #{id}: {e}"))
            .select_by_value(value)
            .await
            .expect("select");
    }

    pub(crate) async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Presses Tab until the element with `id` has the focus (keyboard only).
    pub(crate) async fn tab_to(&self, id: &str) {
        for _ in 0..30 {
            let focused = self
                .client
                .execute(
                    "return document.activeElement && document.activeElement.id",
                    vec![],
                )
                .await
                .expect("script");
            if focused == json!(id) {
                return;
            }
            self.client
                .active_element()
                .await
                .expect("focus")
                .send_keys(&char::from(Key::Tab).to_string())
                .await
                .expect("tab");
        }
        panic!("Tab never reached #{id}");
    }

    pub(crate) async fn type_here(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("focus")
            .send_keys(text)
            .await
            .expect("type");
    }

    /// The page's checks: no serious or critical axe-core violation, no horizontal scrolling at
    /// 360 px; then its screenshot.
    pub(crate) async fn check(&self, step: &str) {
        let script = format!(
            "{}\nconst done = arguments[arguments.length - 1];\
             axe.run(document, {{resultTypes: ['violations']}}).then(r => done(JSON.stringify(\
             r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,\
             nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}}))))).catch(e => done('error: ' + e));",
            self.axe
        );
        let found = self
            .client
            .execute_async(&script, vec![])
            .await
            .expect("axe runs");
        let text = found.as_str().expect("axe answers");
        assert!(!text.starts_with("error"), "{step}: axe failed: {text}");
        let violations: Vec<Value> = serde_json::from_str(text).expect("axe JSON");
        let serious: Vec<&Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{step} ({}): accessibility violations {serious:#?}",
            self.backend
        );
        for v in &violations {
            eprintln!("{step}: axe (minor) {}: {}", v["id"], v["help"]);
        }
        let widths = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .expect("script");
        assert!(
            widths[0].as_i64() <= widths[1].as_i64(),
            "{step}: the page scrolls sideways at 360 px: {widths}"
        );
        let png = self.client.screenshot().await.expect("screenshot");
        let width = u32::from_be_bytes(png[16..20].try_into().expect("PNG header"));
        assert_eq!(width, 360, "{step}: the screenshot is {width} px wide");
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{}-{step}.png", self.backend)), png).expect("saved");
    }

    pub(crate) async fn sign_in(&self, email: &str, password: &str) {
        self.open("/sign-in").await;
        self.fill("name", email).await;
        self.fill("password", password).await;
        self.click("form.card button[type=submit]").await;
    }

    /// Opens a one-time link and chooses the password.
    pub(crate) async fn accept(&self, link: &str, step: &str) {
        self.client.goto(link).await.expect("link opens");
        self.wait_for_text("Set your password").await;
        self.check(step).await;
        self.fill("password", PASSWORD).await;
        self.fill("again", PASSWORD).await;
        self.click("form button[type=submit]").await;
        self.wait_for_text("Your password is set").await;
    }

    /// The link or token shown on a message page.
    pub(crate) async fn shown_code(&self) -> String {
        self.client
            .find(Locator::Css("p.copy code"))
            .await
            .expect("a code to copy")
            .text()
            .await
            .expect("text")
    }

    pub(crate) async fn status_of_page(&self) -> String {
        self.client
            .find(Locator::Css("h1"))
            .await
            .expect("h1")
            .text()
            .await
            .expect("text")
    }
}

async fn story(backend: Backend, driver: &Driver, axe: &str) {
    let app = TestApp::spawn(backend).await;
    let admin = window(driver, &app, axe).await;

    // A fresh server: nobody has a password yet, so the sign-in page says how to get a link.
    admin.open("/sign-in").await;
    admin.wait_for_text("courtwatch user add").await;
    admin.check("sign-in-fresh-server").await;

    // The first admin, as `courtwatch user add --role admin --email …` makes them.
    courtwatch_api::services::organisation::ensure(&app.state.db, "Operators (fictional)")
        .await
        .expect("organisation");
    let first = auth::create_user(
        &app.state.db,
        "First Admin (fictional)",
        "Operators (fictional)",
        "admin",
        None,
    )
    .await
    .expect("admin");
    accounts::set_email(&app.state.db, &first.user.id, "admin@example.org")
        .await
        .expect("email");
    let secret = accounts::create_link(
        &app.state.db,
        &first.user.id,
        accounts::LinkPurpose::Invite,
        None,
    )
    .await
    .expect("link");
    admin
        .accept(&format!("{}/welcome/{secret}", app.base), "welcome")
        .await;
    admin.check("welcome-done").await;

    // A wrong password, then the right one, by keyboard only.
    admin.sign_in("admin@example.org", "not the password").await;
    admin.wait_for_text("is wrong").await;
    admin.check("sign-in-wrong-password").await;
    admin.open("/sign-in").await;
    admin.tab_to("name").await;
    admin.type_here("admin@example.org").await;
    admin.tab_to("password").await;
    admin.type_here(PASSWORD).await;
    admin.type_here(&char::from(Key::Enter).to_string()).await;
    admin.wait_for_text("Welcome, First Admin").await;
    admin.check("home-admin").await;

    // A second organisation and its coordinator.
    admin.open("/organisations").await;
    admin.fill("name", "Second Coalition (fictional)").await;
    admin.click("form[action='/organisations'] button").await;
    admin.wait_for_text("The organisation is created").await;
    admin.check("organisations").await;
    admin.open("/users").await;
    admin.check("users-admin").await;
    admin
        .fill("display_name", "Coordinator B (fictional)")
        .await;
    admin.fill("email", "coordinator.b@example.org").await;
    admin.select("role", "coordinator").await;
    let second =
        courtwatch_api::services::organisation::find(&app.state.db, "Second Coalition (fictional)")
            .await
            .expect("found")
            .expect("created");
    admin.select("organisation_id", &second.id).await;
    admin.click("form[action='/users'] button").await;
    admin.wait_for_text("is invited").await;
    admin.check("invitation-link").await;
    let coordinator_link = admin.shown_code().await;
    assert!(
        coordinator_link.starts_with(&format!("{}/welcome/", app.base)),
        "{coordinator_link}"
    );

    // An invitation with a bad address is refused next to its field, keeping what was typed.
    admin.open("/users").await;
    admin.fill("display_name", "Typo (fictional)").await;
    admin.fill("email", "no-at-sign").await;
    admin.click("form[action='/users'] button").await;
    admin.wait_for_text("is not an e-mail address").await;
    let invalid = admin
        .client
        .find(Locator::Css("#email[aria-invalid=true]"))
        .await
        .expect("the field is marked");
    assert_eq!(
        invalid.prop("value").await.expect("value"),
        Some("no-at-sign".into())
    );
    admin.check("invitation-refused").await;

    // The coordinator accepts and invites a monitor of their organisation.
    let coordinator = window(driver, &app, axe).await;
    coordinator
        .accept(&coordinator_link, "welcome-coordinator")
        .await;
    coordinator
        .sign_in("coordinator.b@example.org", PASSWORD)
        .await;
    coordinator.wait_for_text("Welcome, Coordinator B").await;
    coordinator.check("home-coordinator").await;
    coordinator.open("/users").await;
    let roles = coordinator
        .client
        .find_all(Locator::Css("#role option"))
        .await
        .expect("roles");
    assert_eq!(roles.len(), 1, "a coordinator invites monitors only");
    coordinator
        .fill("display_name", "Monitor B (fictional)")
        .await;
    coordinator.fill("email", "monitor.b@example.org").await;
    coordinator.click("form[action='/users'] button").await;
    coordinator.wait_for_text("is invited").await;
    let monitor_link = coordinator.shown_code().await;
    coordinator.open("/users").await;
    coordinator.check("users-coordinator").await;
    coordinator.open("/organisations").await;
    coordinator
        .wait_for_text("Your role cannot open this page")
        .await;

    // The monitor signs in and switches language: Albanian, Serbian Latin and Cyrillic.
    let monitor = window(driver, &app, axe).await;
    monitor.accept(&monitor_link, "welcome-monitor").await;
    monitor.sign_in("monitor.b@example.org", PASSWORD).await;
    monitor.wait_for_text("Welcome, Monitor B").await;
    for (code, greeting, step) in [
        ("sq", "Mirë se vini", "home-monitor-sq"),
        ("sr-Latn", "Dobro došli", "home-monitor-sr-latn"),
        ("sr-Cyrl", "Добро дошли", "home-monitor-sr-cyrl"),
        ("en", "Welcome", "home-monitor-en"),
    ] {
        monitor.click(&format!("a[hreflang='{code}']")).await;
        let text = monitor.wait_for_text(greeting).await;
        let lang = monitor
            .client
            .find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("lang")
            .await
            .expect("lang");
        assert_eq!(lang.as_deref(), Some(code), "{text}");
        monitor.check(step).await;
    }
    // The monitor turns on two-factor sign-in with an authenticator app (here: the same RFC 6238
    // computation), keeps the recovery codes, and signs in again with a code.
    monitor.open("/account").await;
    monitor.click("a[href='/account/two-factor']").await;
    monitor.wait_for_text("type this key").await;
    monitor.check("two-factor-setup").await;
    let secret = monitor
        .client
        .find(Locator::Id("secret"))
        .await
        .expect("the key")
        .text()
        .await
        .expect("text");
    let now = chrono::Utc::now().timestamp();
    monitor.fill("code", "000000").await;
    monitor
        .click("form[action='/account/two-factor'] button")
        .await;
    monitor.wait_for_text("not right").await;
    monitor.check("two-factor-setup-wrong-code").await;
    let code = two_factor::code_at(&secret, now).expect("code");
    monitor.fill("code", &code).await;
    monitor
        .click("form[action='/account/two-factor'] button")
        .await;
    monitor.wait_for_text("recovery codes").await;
    monitor.check("two-factor-recovery-codes").await;
    let recovery = monitor.shown_code().await;
    let first_recovery = recovery
        .split_whitespace()
        .next()
        .expect("a code")
        .to_owned();
    monitor.click("form.signout button").await;
    monitor.wait_for_text("You are signed out").await;
    monitor.sign_in("monitor.b@example.org", PASSWORD).await;
    monitor.wait_for_text("authenticator app").await;
    monitor.check("two-factor-sign-in").await;
    // The next step's code (the app's clock may be ahead by one step); the set-up's code was
    // used already and would be refused.
    let next = two_factor::code_at(&secret, now + 30).expect("code");
    monitor.fill("code", &next).await;
    monitor
        .click("form[action='/sign-in/two-factor'] button")
        .await;
    monitor.wait_for_text("Welcome, Monitor B").await;
    // The same code again is refused (replay); a recovery code works once.
    monitor.click("form.signout button").await;
    monitor.wait_for_text("You are signed out").await;
    monitor.sign_in("monitor.b@example.org", PASSWORD).await;
    monitor.wait_for_text("authenticator app").await;
    monitor.fill("code", &next).await;
    monitor
        .click("form[action='/sign-in/two-factor'] button")
        .await;
    monitor.wait_for_text("used already").await;
    monitor.check("two-factor-replay-refused").await;
    monitor.fill("code", &first_recovery).await;
    monitor
        .click("form[action='/sign-in/two-factor'] button")
        .await;
    monitor.wait_for_text("Welcome, Monitor B").await;
    monitor.open("/account").await;
    monitor.wait_for_text("9 recovery codes left").await;

    // Remembered for the account: a new page without ?lang= keeps the last choice.
    monitor.click("a[hreflang='sr-Cyrl']").await;
    monitor.open("/account").await;
    monitor.wait_for_text("Мој налог").await;
    monitor.check("account-sr-cyrl").await;
    monitor.open("/account?lang=en").await;

    // An API token for scripts: made, shown once, revoked.
    monitor.fill("label", "R scripts").await;
    monitor.click("form[action='/account/tokens'] button").await;
    monitor.wait_for_text("not shown again").await;
    let token = monitor.shown_code().await;
    assert!(token.starts_with("cw_"), "{token}");
    monitor.check("token-created").await;
    let (status, _) = app
        .call(reqwest::Method::GET, "/cases", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    monitor.open("/account").await;
    monitor.wait_for_text("R scripts").await;
    monitor.check("account").await;
    monitor.click("form[action$='/revoke'] button").await;
    monitor.wait_for_text("The token is revoked").await;
    let (status, _) = app
        .call(reqwest::Method::GET, "/cases", Some(&token), None)
        .await;
    assert_eq!(status, 401);

    // A monitor may not open the Users page.
    monitor.open("/users").await;
    monitor
        .wait_for_text("Your role cannot open this page")
        .await;
    monitor.check("forbidden").await;

    // A form without its CSRF token is refused (a page of another site could send one).
    monitor.open("/account").await;
    monitor
        .client
        .execute(
            "const f = document.createElement('form'); f.method = 'post'; \
             f.action = '/account/sessions'; document.body.append(f); f.submit();",
            vec![],
        )
        .await
        .expect("script");
    monitor.wait_for_text("This form has expired").await;
    monitor.check("form-refused").await;

    // Deactivation ends the monitor's live session at once.
    coordinator.open("/users").await;
    coordinator
        .click("form[action$='/deactivate'] button.danger")
        .await;
    coordinator.wait_for_text("The user is deactivated").await;
    monitor.open("/account").await;
    assert_eq!(
        monitor.status_of_page().await,
        "Sign in",
        "a deactivated user's session ends"
    );
    monitor.sign_in("monitor.b@example.org", PASSWORD).await;
    monitor.wait_for_text("is wrong").await;

    // Failed sign-ins are limited per account, with the same message whether it exists or not.
    let stranger = window(driver, &app, axe).await;
    for _ in 0..accounts::FAILURES_PER_ACCOUNT {
        stranger.sign_in("nobody@example.org", "guess").await;
        stranger.wait_for_text("is wrong").await;
    }
    stranger.sign_in("nobody@example.org", "guess").await;
    stranger.wait_for_text("Too many failed sign-ins").await;
    stranger.check("sign-in-rate-limited").await;

    // The audit trail: who did what, each change as before → after; a coordinator sees their
    // organisation's records only.
    admin.open("/audit?resource=user").await;
    let trail = admin.wait_for_text("deactivate").await;
    assert!(
        trail.contains("invite") && trail.contains("Coordinator B (fictional)"),
        "{trail}"
    );
    admin.check("audit-admin").await;
    admin.open("/audit?from=2026-13-45").await;
    admin.wait_for_text("year-month-day").await;
    admin.check("audit-bad-date").await;
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/organisations",
            Some(&first.token),
            Some(&json!({"name": "Third Coalition (fictional)"})),
        )
        .await;
    assert_eq!(status, 201);
    // An admin renames an organisation and changes a user's role on the pages.
    let third =
        courtwatch_api::services::organisation::find(&app.state.db, "Third Coalition (fictional)")
            .await
            .expect("found")
            .expect("created");
    let (_, invited) = app
        .call(
            reqwest::Method::POST,
            "/users",
            Some(&first.token),
            Some(
                &json!({"display_name": "Analyst C (fictional)", "email": "analyst.c@example.org",
                         "role": "monitor", "organisation_id": third.id}),
            ),
        )
        .await;
    let analyst = invited["user"]["id"].as_str().expect("id").to_owned();
    admin.open("/users").await;
    admin.select(&format!("role-{analyst}"), "researcher").await;
    admin
        .click(&format!("form[action='/users/{analyst}/role'] button"))
        .await;
    admin.wait_for_text("The role is changed").await;
    let (_, changed) = app
        .call(
            reqwest::Method::GET,
            &format!("/users/{analyst}"),
            Some(&first.token),
            None,
        )
        .await;
    assert_eq!(changed["role"], "researcher");
    admin.open("/organisations").await;
    admin
        .fill(
            &format!("rename-{}", third.id),
            "Third Coalition, renamed (fictional)",
        )
        .await;
    admin
        .click(&format!(
            "form[action='/organisations/{}/rename'] button",
            third.id
        ))
        .await;
    admin.wait_for_text("The organisation is renamed").await;
    admin
        .wait_for_text("Third Coalition, renamed (fictional)")
        .await;
    admin.check("organisations-renamed").await;
    admin.open("/audit?resource=organisation").await;
    admin.wait_for_text("Third Coalition (fictional)").await;
    coordinator.open("/audit").await;
    let trail = coordinator.wait_for_text("Monitor B (fictional)").await;
    assert!(
        !trail.contains("Third Coalition"),
        "another organisation's entry shown to a coordinator: {trail}"
    );
    coordinator.check("audit-coordinator").await;
    admin.open("/status").await;
    admin.wait_for_text("Search index").await;
    admin.check("status").await;

    // An admin requires two-factor sign-in: the coordinator, who has none, is sent to set it up.
    admin.open("/settings").await;
    admin.check("settings").await;
    admin.click("#two_factor_required").await;
    admin.click("form[action='/settings'] button").await;
    admin.wait_for_text("requires two-factor sign-in").await;
    coordinator.open("/users").await;
    coordinator
        .wait_for_text("requires two-factor sign-in for your role")
        .await;
    coordinator.check("two-factor-required").await;
    let (_, settings) = app
        .call(reqwest::Method::GET, "/settings", Some(&first.token), None)
        .await;
    assert_eq!(settings["two_factor_required"], true);

    // Signing out.
    admin.click("form.signout button").await;
    admin.wait_for_text("You are signed out").await;
    admin.check("signed-out").await;

    for window in [admin, coordinator, monitor, stranger] {
        window.client.close().await.expect("closed");
    }
}

#[tokio::test]
async fn people_use_courtwatch_in_chromium() {
    let axe = axe_source();
    let driver = driver().await;
    for backend in backends() {
        story(backend, &driver, &axe).await;
    }
}
