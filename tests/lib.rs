//! Test support: a real courtwatch server on a random local port over a fresh database built by
//! the real migrations, on SQLite always and on PostgreSQL when `COURTWATCH_TEST_POSTGRES` names a
//! server (each test creates its own database there and drops it afterwards).

pub mod chromium;
pub mod generated;

use std::path::PathBuf;

use courtwatch_api::{app, db, services::auth, state::AppState};
use poem::listener::{Acceptor, TcpAcceptor};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

/// A database backend under test.
#[derive(Debug, Clone)]
pub enum Backend {
    /// An SQLite file in a fresh temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server at this admin URL.
    Postgres(String),
}

/// The environment variable naming a PostgreSQL server for the tests.
pub const POSTGRES_ENV: &str = "COURTWATCH_TEST_POSTGRES";

/// SQLite, plus PostgreSQL when configured. In CI (`CI=true`) PostgreSQL is mandatory, so that a
/// missing server fails the run instead of silently testing less.
/// GETs `url` with a bearer token and reads the body as JSON, for tests that run the server as a
/// process rather than through [`TestApp`].
pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => backends.push(Backend::Postgres(url)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{POSTGRES_ENV} must be set in CI so that every test also runs on PostgreSQL")
        }
        _ => {}
    }
    backends
}

/// Removes the test database when the test ends, even when it panics.
#[derive(Debug)]
enum Cleanup {
    Directory(PathBuf),
    Database { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // A fresh runtime on its own thread: Drop cannot await, and the test's runtime may be gone.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A running courtwatch with an admin token.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The HTTP client.
    pub client: reqwest::Client,
    /// A monitor's bearer token.
    pub token: String,
    /// The bearer token of a coordinator of the same organisation (the reviewer).
    pub reviewer_token: String,
    /// The backend name, for assertion messages.
    pub backend: &'static str,
    /// The application state (for tests that look at the database directly).
    pub state: AppState,
    /// The database URL (for commands run against the same database).
    pub database_url: String,
    /// The search index directory the server uses.
    pub index_dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
    indexer: tokio::task::JoinHandle<()>,
    _index_dir: Cleanup,
    _cleanup: Cleanup,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.indexer.abort();
    }
}

/// Body size limit used by the test servers, small enough to test 413 cheaply.
pub const TEST_MAX_BODY: usize = 256 * 1024;
/// Refused tokens per minute and client address of test servers (the service's default).
pub const TEST_AUTH_FAILURES: u32 = 30;
/// The import body limit of test servers (the service's default is 256 MiB).
pub const TEST_MAX_IMPORT: usize = 8 * 1024 * 1024;

impl TestApp {
    /// Starts a server over a fresh, migrated database.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, courtwatch_methodology::Registry::published()).await
    }

    /// Starts a server whose methodology versions are `registry`'s (a test's own version).
    pub async fn spawn_with(
        backend: Backend,
        registry: &'static courtwatch_methodology::Registry,
    ) -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let (url, cleanup, name) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("courtwatch-test-{unique}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                (db::sqlite_url(&dir), Cleanup::Directory(dir), "sqlite")
            }
            Backend::Postgres(admin_url) => {
                let name = format!("courtwatch_test_{unique}");
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("PostgreSQL reachable at COURTWATCH_TEST_POSTGRES");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .expect("URL with a database path");
                (
                    format!("{base}/{name}"),
                    Cleanup::Database { admin_url, name },
                    "postgres",
                )
            }
        };
        let database_url = url.clone();
        let connection = db::connect(&url).await.expect("connect");
        db::migrate(&connection).await.expect("migrations");
        let index_dir = std::env::temp_dir().join(format!("courtwatch-test-index-{unique}"));
        let search = courtwatch_api::search::Search::open(&index_dir).expect("search index");
        let mut state = AppState::new(connection).with_search(search);
        state.methodology = registry;
        let indexer = tokio::spawn(courtwatch_api::search::sync::run(state.clone()));
        courtwatch_api::services::organisation::ensure(&state.db, "Test Coalition (fictional)")
            .await
            .expect("organisation");
        let user = auth::create_user(
            &state.db,
            "Test Monitor (fictional)",
            "Test Coalition (fictional)",
            "monitor",
            None,
        )
        .await
        .expect("user");
        let reviewer = auth::create_user(
            &state.db,
            "Test Coordinator (fictional)",
            "Test Coalition (fictional)",
            "coordinator",
            None,
        )
        .await
        .expect("reviewer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let acceptor = TcpAcceptor::from_tokio(listener).expect("acceptor");
        let address = acceptor.local_addr().remove(0);
        let port = address.as_socket_addr().expect("tcp").port();
        let endpoint = app::build(
            state.clone(),
            app::Limits {
                body_bytes: TEST_MAX_BODY,
                import_bytes: TEST_MAX_IMPORT,
                auth_failures_per_minute: TEST_AUTH_FAILURES,
                web: Default::default(),
            },
        );
        let server = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor)
                .run(endpoint)
                .await;
        });
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            token: user.token,
            reviewer_token: reviewer.token,
            backend: name,
            state,
            database_url,
            index_dir: index_dir.clone(),
            server,
            indexer,
            _index_dir: Cleanup::Directory(index_dir),
            _cleanup: cleanup,
        }
    }

    /// Imports rulings as JSON lines (`POST /rulings/import`, as the reviewer); returns the
    /// response.
    pub async fn import_rulings(&self, lines: String) -> reqwest::Response {
        self.client
            .post(self.api("/rulings/import"))
            .bearer_auth(&self.reviewer_token)
            .header("content-type", "application/x-ndjson")
            .body(lines)
            .send()
            .await
            .expect("import")
    }

    /// Searches until `done` accepts the page or 10 s pass; returns the last page. The index
    /// applies writes in the background, so a test waits for it the way a user would.
    pub async fn search_until(&self, query: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (status, page) = self.get(&format!("/search?{query}")).await;
            assert_eq!(status, 200, "{page}");
            if done(&page) || std::time::Instant::now() > deadline {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Status and body text of a GET under `/api/v1` with `token` (for bodies that are not JSON, or
    /// that a test searches as text).
    pub async fn get_text_as(&self, token: &str, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.api(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// An absolute URL for a path under `/api/v1`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// GET with the token; returns status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(self.api(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        Self::read(response).await
    }

    /// POST JSON with the token.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.api(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request");
        Self::read(response).await
    }

    /// PUT JSON with the token.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .put(self.api(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request");
        Self::read(response).await
    }

    /// A request with `token` (None: without one); returns status and JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, self.api(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::read(request.send().await.expect("request")).await
    }

    /// A new user with `role` in `organisation`; returns their token.
    pub async fn user(&self, role: &str, organisation: &str) -> String {
        courtwatch_api::services::organisation::ensure(&self.state.db, organisation)
            .await
            .expect("organisation");
        auth::create_user(
            &self.state.db,
            &format!("Test {role} (fictional)"),
            organisation,
            role,
            None,
        )
        .await
        .expect("user")
        .token
    }

    /// A user of `organisation` with `role`, an e-mail address and `password` (an invitation
    /// accepted), for the browser: returns `email`.
    pub async fn person(
        &self,
        name: &str,
        organisation: &str,
        role: &str,
        email: &str,
        password: &str,
    ) -> String {
        use courtwatch_api::services::accounts;
        courtwatch_api::services::organisation::ensure(&self.state.db, organisation)
            .await
            .expect("organisation");
        let made = auth::create_user(&self.state.db, name, organisation, role, None)
            .await
            .expect("user");
        accounts::set_email(&self.state.db, &made.user.id, email)
            .await
            .expect("e-mail");
        let link = accounts::create_link(
            &self.state.db,
            &made.user.id,
            accounts::LinkPurpose::Invite,
            None,
        )
        .await
        .expect("link");
        accounts::redeem_link(&self.state.db, &link, password)
            .await
            .expect("redeem")
            .expect("password set");
        email.to_owned()
    }

    /// A signed-in web session of `email` (its password `password`): the `Cookie` header to send
    /// with [`TestApp::page`].
    pub async fn web_session(&self, email: &str, password: &str) -> String {
        use courtwatch_api::services::accounts;
        match accounts::sign_in(&self.state.db, email, password, "127.0.0.1", None)
            .await
            .expect("sign in")
            .expect("signed in")
        {
            accounts::SignedIn::Session(new) => format!("cw_session={}", new.secret),
            accounts::SignedIn::SecondFactor { .. } => panic!("{email} has two-factor sign-in"),
        }
    }

    /// Status and body of a web page (no redirect followed) read with the session `cookie`.
    pub async fn page(&self, cookie: &str, path: &str) -> (u16, String) {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("page");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Takes the record through review to published: the monitor submits (unless it is
    /// submitted already) and the coordinator publishes. `path` is e.g. `/cases/ID`.
    pub async fn publish(&self, path: &str) {
        let review = format!("{path}/review");
        let (status, body) = self
            .post(&review, &serde_json::json!({"action": "submit"}))
            .await;
        assert!(
            status == 200
                || (status == 409
                    && body["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains("submitted record"))),
            "{status} {body}"
        );
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &review,
                Some(&self.reviewer_token),
                Some(&serde_json::json!({"action": "publish"})),
            )
            .await;
        assert_eq!(status, 200, "publish {path}: {body}");
        assert_eq!(
            body["review_status"].as_str().or(body["status"].as_str()),
            Some("published")
        );
    }

    /// Status and JSON body of a response (Null when the body is not JSON).
    pub async fn read(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a court and returns its id.
    pub async fn court(&self, name: &str, jurisdiction: &str) -> String {
        let (status, body) = self
            .post(
                "/courts",
                &serde_json::json!({"name": name, "level": "basic", "jurisdiction": jurisdiction}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Creates a case at a new court and returns (case id, court id).
    pub async fn case(
        &self,
        jurisdiction: &str,
        case_number: &str,
        grounds: &[&str],
    ) -> (String, String) {
        let court = self
            .court(&format!("Basic Court {case_number}"), jurisdiction)
            .await;
        let (status, body) = self
            .post(
                "/cases",
                &serde_json::json!({
                    "court_id": court, "case_number": case_number, "title": "Fictional test case",
                    "proceeding_type": "civil_antidiscrimination", "grounds": grounds,
                    "answers": {"selection_reasons": ["public_interest"]},
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        (body["id"].as_str().expect("id").to_owned(), court)
    }

    /// Creates a held hearing of a case and returns its id.
    pub async fn hearing(&self, case_id: &str) -> String {
        let (status, body) = self
            .post(
                "/hearings",
                &serde_json::json!({
                    "case_id": case_id, "scheduled_at": "2025-03-14T09:00:00+01:00",
                    "started_at": "2025-03-14T09:40:00+01:00", "hearing_type": "main_evidentiary", "outcome": "held",
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_each_backend {
    ($name:ident, $body:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::backends() {
                let app = $crate::TestApp::spawn(backend).await;
                $body(&app).await;
            }
        }
    };
}
