//! The web interface's sign-in, over real HTTP against the real server on each backend: a
//! one-time link sets a password, sign-in and its refusals (wrong password, unknown account, the
//! rate limit), CSRF and origin checks, the session cookie, the language switch (Cyrillic
//! included), sign-out, and deactivation ending a live session.

use courtwatch_api::services::{accounts, auth, users};
use courtwatch_tests::{TestApp, backends};
use reqwest::{StatusCode, header, redirect::Policy};
use sea_orm::EntityTrait;

struct Browser {
    base: String,
    client: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

impl Browser {
    fn new(base: &str) -> Self {
        Browser {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("web test"),
            cookies: Default::default(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) -> Vec<String> {
        let mut set = Vec::new();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().expect("web test").to_owned();
            let (pair, _) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').expect("web test");
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            set.push(text);
        }
        set
    }

    async fn get(&mut self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("web test");
        self.keep(&response);
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.text().await.expect("web test"))
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .form(form);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.expect("web test");
        self.keep(&response);
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.text().await.expect("web test"))
    }
}

/// The value of hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').expect("web test")].to_owned()
}

#[tokio::test]
async fn sign_in_with_a_link_a_password_and_a_session_on_each_backend() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let b = app.backend;
        let origin = app.base.clone();
        let user = auth::create_user(
            &app.state.db,
            "Ana Test (fictional)",
            "Test Coalition (fictional)",
            "coordinator",
            None,
        )
        .await
        .expect("web test");
        accounts::set_email(&app.state.db, &user.user.id, "Ana@Example.org")
            .await
            .expect("web test");
        let link = accounts::create_link(
            &app.state.db,
            &user.user.id,
            accounts::LinkPurpose::Invite,
            None,
        )
        .await
        .expect("web test");
        let mut browser = Browser::new(&app.base);

        // A fresh server says how the first administrator gets a link; pages are locked down.
        let (status, headers, html) = browser.get("/sign-in").await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert!(
            html.contains("courtwatch user add"),
            "{b}: first-admin hint"
        );
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("web test");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(browser.cookies.contains_key("cw_form"), "{b}: form cookie");

        // The link: a page with a form; a short password and a form from elsewhere are refused.
        let (status, _, html) = browser.get(&format!("/welcome/{link}")).await;
        assert_eq!(status, StatusCode::OK, "{b}: {html}");
        assert!(
            html.contains("Ana Test (fictional)") && html.contains("ana@example.org"),
            "{html}"
        );
        let form = hidden(&html, "form");
        let path = format!("/welcome/{link}");
        let (status, _, html) = browser
            .post(
                &path,
                &[("form", &form), ("password", "short"), ("again", "short")],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            html.contains("at least 10 characters") && html.contains("aria-invalid=\"true\""),
            "{html}"
        );
        let password = "a long fictional passphrase";
        let (status, _, _) = browser
            .post(
                &path,
                &[("form", &form), ("password", password), ("again", password)],
                Some("http://evil.example"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}: another origin");
        let (status, _, _) = browser
            .post(
                &path,
                &[
                    ("form", "forged"),
                    ("password", password),
                    ("again", password),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}: no CSRF token");
        let (status, _, html) = browser
            .post(
                &path,
                &[("form", &form), ("password", password), ("again", password)],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{b}: {html}");
        assert!(html.contains("Your password is set"), "{html}");
        let (status, _, _) = browser.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{b}: a link works once");
        let stored = courtwatch_api::entities::user::Entity::find_by_id(user.user.id.clone())
            .one(&app.state.db)
            .await
            .expect("web test")
            .expect("web test");
        assert!(
            stored
                .password_hash
                .expect("web test")
                .starts_with("$argon2id$"),
            "{b}"
        );

        // Signing in: a wrong password and an unknown account get the same answer.
        let (_, _, html) = browser.get("/sign-in").await;
        assert!(
            !html.contains("courtwatch user add"),
            "{b}: no hint once someone can sign in"
        );
        let form = hidden(&html, "form");
        let (status, _, wrong) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "ana@example.org"),
                    ("password", "not it at all"),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");
        let (status, _, unknown) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "nobody@example.org"),
                    ("password", "not it at all"),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");
        let message = "The e-mail address or the password is wrong.";
        assert!(wrong.contains(message) && unknown.contains(message), "{b}");
        let (status, _, _) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "ana@example.org"),
                    ("password", password),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}: no Origin, no Referer");

        // The right password: a session cookie, then the home page.
        let (status, headers, _) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", " ANA@example.org "),
                    ("password", password),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        let set: Vec<&str> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("web test"))
            .collect();
        let session = set
            .iter()
            .find(|c| c.starts_with("cw_session="))
            .expect("session cookie");
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );
        assert!(
            !session.contains("Secure"),
            "not Secure over plain http: {session}"
        );
        let (status, headers, html) = browser.get("/").await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(
            html.contains("Welcome, Ana Test (fictional)") && html.contains("coordinator"),
            "{html}"
        );

        // The language switch, remembered for the user; Cyrillic by transliteration, names kept.
        let (_, _, html) = browser.get("/?lang=sr-Cyrl").await;
        assert!(
            html.contains("Добро дошли, Ana Test (fictional)"),
            "{b}: {html}"
        );
        assert!(html.contains("lang=\"sr-Cyrl\""), "{b}");
        browser.cookies.remove("cw_lang");
        let (_, _, html) = browser.get("/").await;
        assert!(
            html.contains("Одјави се"),
            "{b}: the user's language is remembered: {html}"
        );
        let (_, _, html) = browser.get("/?lang=sq").await;
        assert!(html.contains("Mirë se vini"), "{b}");

        // Signing out needs the session's CSRF token.
        let csrf = hidden(&html, "csrf");
        let (status, _, _) = browser
            .post("/sign-out", &[("csrf", "forged")], Some(&origin))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
        let (status, _, _) = browser
            .post("/sign-out", &[("csrf", &csrf)], Some(&origin))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        let (status, headers, _) = browser.get("/").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}: signed out");
        assert_eq!(headers[header::LOCATION], "/sign-in");

        // Deactivation ends a live session at once.
        let (_, _, html) = browser.get("/sign-in").await;
        let form = hidden(&html, "form");
        let (status, _, _) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "ana@example.org"),
                    ("password", password),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(browser.get("/").await.0, StatusCode::OK, "{b}");
        users::deactivate(&app.state.db, None, &user.user.id)
            .await
            .expect("web test");
        assert_eq!(
            browser.get("/").await.0,
            StatusCode::SEE_OTHER,
            "{b}: deactivated"
        );
        let (status, _, html) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "ana@example.org"),
                    ("password", password),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{b}: a deactivated user cannot sign in: {html}"
        );
    }
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_without_saying_it_exists() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let b = app.backend;
        let origin = app.base.clone();
        let user = auth::create_user(
            &app.state.db,
            "Rate Test (fictional)",
            "Test Coalition (fictional)",
            "monitor",
            None,
        )
        .await
        .expect("web test");
        accounts::set_email(&app.state.db, &user.user.id, "rate@example.org")
            .await
            .expect("web test");
        let link = accounts::create_link(
            &app.state.db,
            &user.user.id,
            accounts::LinkPurpose::Invite,
            None,
        )
        .await
        .expect("web test");
        let password = "another fictional passphrase";
        accounts::redeem_link(&app.state.db, &link, password)
            .await
            .expect("web test")
            .expect("link works");
        let mut browser = Browser::new(&app.base);
        let (_, _, html) = browser.get("/sign-in").await;
        let form = hidden(&html, "form");
        for name in ["rate@example.org", "ghost@example.org"] {
            for attempt in 0..accounts::FAILURES_PER_ACCOUNT {
                let (status, _, _) = browser
                    .post(
                        "/sign-in",
                        &[
                            ("form", &form),
                            ("name", name),
                            ("password", "wrong guess 123"),
                        ],
                        Some(&origin),
                    )
                    .await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{b}: {name} attempt {attempt}"
                );
            }
            // Past the limit even the right password is refused, with the same words for an
            // account that exists and one that does not.
            let (status, _, html) = browser
                .post(
                    "/sign-in",
                    &[("form", &form), ("name", name), ("password", password)],
                    Some(&origin),
                )
                .await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{b}: {name}");
            assert!(
                html.contains("Too many failed sign-ins. Try again in 15 minutes."),
                "{b}: {html}"
            );
        }
        // Another account from the same address is not locked out by these ten.
        let other = auth::create_user(
            &app.state.db,
            "Other (fictional)",
            "Test Coalition (fictional)",
            "monitor",
            None,
        )
        .await
        .expect("web test");
        accounts::set_email(&app.state.db, &other.user.id, "other@example.org")
            .await
            .expect("web test");
        let link = accounts::create_link(
            &app.state.db,
            &other.user.id,
            accounts::LinkPurpose::Reset,
            None,
        )
        .await
        .expect("web test");
        accounts::redeem_link(&app.state.db, &link, password)
            .await
            .expect("web test")
            .expect("link works");
        let (status, _, _) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", "other@example.org"),
                    ("password", password),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
    }
}

#[tokio::test]
async fn every_page_of_the_access_table_answers_as_it_says() {
    use courtwatch_api::access::{PAGES, Role, Visitors};
    let app = TestApp::spawn(courtwatch_tests::Backend::Sqlite).await;
    let origin = app.base.clone();
    let mut signed_in = std::collections::BTreeMap::new();
    for role in Role::ALL {
        let user = auth::create_user(
            &app.state.db,
            &format!("{} (fictional)", role.as_str()),
            "Test Coalition (fictional)",
            role.as_str(),
            None,
        )
        .await
        .expect("web test");
        let email = format!("{}@example.org", role.as_str());
        accounts::set_email(&app.state.db, &user.user.id, &email)
            .await
            .expect("web test");
        let link = accounts::create_link(
            &app.state.db,
            &user.user.id,
            accounts::LinkPurpose::Invite,
            None,
        )
        .await
        .expect("web test");
        accounts::redeem_link(&app.state.db, &link, "a fictional passphrase")
            .await
            .expect("web test")
            .expect("web test");
        let mut browser = Browser::new(&app.base);
        let (_, _, html) = browser.get("/sign-in").await;
        let form = hidden(&html, "form");
        let (status, _, _) = browser
            .post(
                "/sign-in",
                &[
                    ("form", &form),
                    ("name", &email),
                    ("password", "a fictional passphrase"),
                ],
                Some(&origin),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{role:?}");
        signed_in.insert(role.as_str(), browser);
    }
    assert_eq!(signed_in.len(), Role::ALL.len());
    // A real record for the recording pages: the organisation's observation of a hearing.
    let (case_id, _) = app
        .case("XK", "C.nr. 77/26", &["roma_ashkali_egyptian"])
        .await;
    let hearing_id = app.hearing(&case_id).await;
    let (status, observation) = app
        .post(
            "/observations",
            &serde_json::json!({"hearing_id": hearing_id}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let observation_id = observation["id"].as_str().expect("id").to_owned();
    // The codebook browser finds a column by words of its question in any language.
    let researcher = signed_in.get_mut("researcher").expect("researcher");
    for words in [
        "interpreter provided",
        "sigurua p%C3%ABrkthyes",
        "obezbe%C4%91en tuma%C4%8D",
    ] {
        let (status, _, html) = researcher.get(&format!("/codebook?q={words}")).await;
        assert_eq!(status, StatusCode::OK, "{words}");
        assert!(
            html.contains("<code>interpreter_provided</code>"),
            "{words}: the column is found"
        );
        assert!(
            !html.contains("<code>duration_minutes</code>"),
            "{words}: only matching columns"
        );
    }
    // A released case and a ruling for the reading pages.
    let (released_case, _) = app.case("XK", "C.nr. 78/26", &["ethnicity"]).await;
    app.publish(&format!("/cases/{released_case}")).await;
    let response = app
        .client
        .post(app.api("/rulings/import"))
        .bearer_auth(&app.reviewer_token)
        .header("content-type", "application/x-ndjson")
        .body(
            "{\"id\": \"web:1\", \"title\": \"Fictional ruling\", \"court\": \"Fictional Court\", \"date\": \"2020-01-02\", \"lang\": \"en\", \"text\": \"A fictional judgment on segregation.\"}\n",
        )
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), StatusCode::OK);
    let (_, rulings) = app.get("/rulings?limit=1").await;
    let ruling_id = rulings["items"][0]["id"]
        .as_str()
        .expect("ruling")
        .to_owned();
    for (method, path, visitors) in PAGES {
        let path = if path.starts_with("/library/rulings/") {
            path.replace("{id}", &ruling_id)
        } else if path.starts_with("/library/cases/") {
            path.replace("{id}", &released_case)
        } else if path.contains("/statistics/figures/") {
            path.replace("{file}", "cases-by-year.csv")
        } else if path.starts_with("/search/") {
            path.replace("{file}", "rulings.csv")
        } else if path.starts_with("/observations/") || path.starts_with("/review/observations/") {
            path.replace("{id}", &observation_id)
                .replace("/new", &format!("/new?hearing={hearing_id}"))
        } else if path.starts_with("/review/cases/") || path.starts_with("/cases/") {
            path.replace("{id}", &case_id)
        } else {
            path.to_string()
        };
        let path = path
            .replace("{file}", "rulings.csv")
            .replace("{secret}", "not-a-link")
            .replace("{id}", "not-an-id");
        if *method == "GET" {
            let mut anonymous = Browser::new(&app.base);
            let (status, headers, _) = anonymous.get(&path).await;
            match visitors {
                Visitors::Anyone => assert!(
                    status == StatusCode::OK
                        || (path.starts_with("/welcome/") && status == StatusCode::NOT_FOUND)
                        // A feed's address that is no feed's.
                        || (path.starts_with("/feeds/") && status == StatusCode::NOT_FOUND)
                        // Public statistics are closed until an admin opens them.
                        || (path.starts_with("/public/") && status == StatusCode::NOT_FOUND)
                        // The code step without the password step: back to the sign-in page.
                        || (path == "/sign-in/two-factor" && status == StatusCode::SEE_OTHER),
                    "anonymous GET {path}: {status}"
                ),
                Visitors::SignedIn(_) => {
                    assert_eq!(status, StatusCode::SEE_OTHER, "anonymous GET {path}");
                    assert_eq!(headers[header::LOCATION], "/sign-in");
                }
            }
            for (role, browser) in signed_in.iter_mut() {
                let (status, _, _) = browser.get(&path).await;
                let allowed = match visitors {
                    Visitors::Anyone => true,
                    Visitors::SignedIn(roles) => roles.iter().any(|r| r.as_str() == *role),
                };
                if allowed && path.starts_with("/saved-searches/") {
                    // Nobody's saved search: the same answer as another person's.
                    assert_eq!(status, StatusCode::NOT_FOUND, "{role} GET {path}");
                } else if allowed && path.starts_with("/observations/new") {
                    // A new form is given its id, then opened.
                    assert_eq!(status, StatusCode::SEE_OTHER, "{role} GET {path}");
                } else if allowed
                    && !path.starts_with("/welcome/")
                    && !path.starts_with("/sign-in")
                    && !path.starts_with("/feeds/")
                    && !path.starts_with("/public/")
                {
                    assert_eq!(status, StatusCode::OK, "{role} GET {path}");
                } else if !allowed {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{role} GET {path}");
                }
            }
        } else {
            // A POST without a token or from another site is refused whoever sends it.
            let mut anonymous = Browser::new(&app.base);
            let (status, _, _) = anonymous
                .post(&path, &[], Some("http://evil.example"))
                .await;
            assert!(
                status == StatusCode::FORBIDDEN
                    || status == StatusCode::SEE_OTHER
                    || status == StatusCode::NOT_FOUND,
                "anonymous POST {path}: {status}"
            );
            // Signed in, every form is refused from another site, and from this site without
            // the session's CSRF token (or a wrong one); nothing is changed.
            for (role, browser) in signed_in.iter_mut() {
                let (status, _, _) = browser.post(&path, &[], Some("http://evil.example")).await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} POST {path} from elsewhere"
                );
                let fields: &[(&str, &str)] = &[("csrf", "forged"), ("form", "forged")];
                let (status, _, _) = browser.post(&path, fields, Some(&origin)).await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} POST {path} without the CSRF token"
                );
            }
        }
    }
}
