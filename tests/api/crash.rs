//! kill -9 in the middle of a stream of writes: after a restart every acknowledged write is in the
//! database and searchable, and the index holds exactly the database's documents.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use courtwatch_tests::{Backend, backends, get_json};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub(crate) fn command(data_dir: &std::path::Path, database_url: &Option<String>) -> Command {
    let mut cmd = Command::new(BIN);
    // schemathesis sends many refused tokens on purpose; `hardening.rs` tests the limit itself.
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env("COURTWATCH_AUTH_FAILURES_PER_MINUTE", "1000000");
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    cmd
}

pub(crate) async fn start(data_dir: &std::path::Path, database_url: &Option<String>) -> Server {
    let port = free_port();
    let child = command(data_dir, database_url)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base }
}

pub(crate) async fn post(
    client: &reqwest::Client,
    token: &str,
    url: String,
    body: Value,
) -> Option<Value> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ok()?;
    if response.status().as_u16() != 201 {
        return None;
    }
    response.json().await.ok()
}

/// A fresh data directory and, on PostgreSQL, a fresh database (dropped by [`cleanup`]).
pub(crate) async fn fresh(
    backend: &Backend,
    tag: &str,
) -> (
    std::path::PathBuf,
    Option<String>,
    Option<(sea_orm::DatabaseConnection, String)>,
) {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let data_dir = std::env::temp_dir().join(format!("courtwatch-{tag}-{unique}"));
    match backend {
        Backend::Sqlite => (data_dir, None, None),
        Backend::Postgres(admin_url) => {
            let name = format!("courtwatch_{tag}_{unique}");
            let admin = Database::connect(admin_url).await.expect("postgres");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create db");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .expect("url");
            (
                data_dir,
                Some(format!("{base}/{name}")),
                Some((admin, name)),
            )
        }
    }
}

pub(crate) async fn cleanup(
    data_dir: &std::path::Path,
    admin: Option<(sea_orm::DatabaseConnection, String)>,
) {
    let _ = std::fs::remove_dir_all(data_dir);
    if let Some((admin, name)) = admin {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

/// Adds a monitor through the CLI and returns their token.
pub(crate) fn add_user(data_dir: &std::path::Path, database_url: &Option<String>) -> String {
    let org = command(data_dir, database_url)
        .args(["org", "add", "Crash Org (fictional)"])
        .output();
    assert!(
        org.as_ref().is_ok_and(|o| o.status.success()),
        "org add: {org:?}"
    );
    let output = command(data_dir, database_url)
        .args([
            "user",
            "add",
            "--name",
            "Crash Monitor (fictional)",
            "--org",
            "Crash Org (fictional)",
        ])
        .output()
        .expect("user add");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("token")
        .trim()
        .to_string()
}

/// Lines of the bulk import that runs while the server is killed.
const IMPORT_LINES: usize = 400;

/// Adds a coordinator (who may import case law) in the same organisation; returns the token.
fn add_coordinator(data_dir: &std::path::Path, database_url: &Option<String>) -> String {
    let output = command(data_dir, database_url)
        .args([
            "user",
            "add",
            "--name",
            "Crash Coordinator (fictional)",
            "--org",
            "Crash Org (fictional)",
            "--role",
            "coordinator",
        ])
        .output()
        .expect("user add");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .expect("token")
        .trim()
        .to_string()
}

/// The search total of rulings matching `q`, polled until it is `expected` (at most 20 s); the
/// last total seen.
async fn ruling_total_until(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    q: &str,
    expected: i64,
) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url =
            format!("{base}/api/v1/search?q={q}&kind=ruling&limit=1&facets=false&snippets=false");
        let page = get_json(client, &url, token).await;
        let total = page["total"].as_i64().expect("total");
        if total == expected || Instant::now() > deadline {
            return total;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `SELECT COUNT(*) AS n …` on the database directly.
async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .expect("count")
    .expect("row")
    .try_get::<i64>("", "n")
    .expect("n")
}

/// The database the server used, opened directly.
async fn open_database(
    data_dir: &std::path::Path,
    database_url: &Option<String>,
) -> sea_orm::DatabaseConnection {
    let url = database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rw",
            data_dir.join("courtwatch.db").display()
        )
    });
    Database::connect(url).await.expect("open database")
}

/// Creates a court, a case and a held hearing through the API; returns the hearing's id.
pub(crate) async fn seed_hearing(
    client: &reqwest::Client,
    token: &str,
    base: &str,
    tag: &str,
) -> Value {
    let api = |path: &str| format!("{base}/api/v1{path}");
    let court = post(
        client,
        token,
        api("/courts"),
        json!({"name": format!("{tag} Court (fictional)"), "level": "basic", "jurisdiction": "XK"}),
    )
    .await
    .expect("court");
    let case = post(
        client,
        token,
        api("/cases"),
        json!({"court_id": court["id"], "case_number": format!("{tag} 1/26"),
        "title": format!("{tag} case (fictional)"), "proceeding_type": "civil_antidiscrimination",
        "grounds": ["roma_ashkali_egyptian"]}),
    )
    .await
    .expect("case");
    let hearing = post(client, token, api("/hearings"), json!({"case_id": case["id"],
        "scheduled_at": "2026-01-10T09:00:00+01:00", "hearing_type": "main_evidentiary", "outcome": "held"}))
        .await
        .expect("hearing");
    hearing["id"].clone()
}

/// Writers streaming observations (notes `"{mark} w{writer}n{i} fictional note"`) until the
/// server stops answering or [`Writers::finish`] is called.
pub(crate) struct Writers {
    acknowledged: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Writers {
    /// Starts `count` writers. With `must_succeed`, a failed write panics the writer (and so
    /// [`Writers::finish`]); otherwise it ends the writer (the server is gone).
    pub(crate) fn start(
        client: &reqwest::Client,
        token: &str,
        base: &str,
        hearing_id: &Value,
        count: usize,
        mark: &str,
        must_succeed: bool,
    ) -> Self {
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let handles = (0..count)
            .map(|w| {
                let (client, token, url, hearing_id, acknowledged, stop, mark) = (
                    client.clone(),
                    token.to_owned(),
                    format!("{base}/api/v1/observations"),
                    hearing_id.clone(),
                    acknowledged.clone(),
                    stop.clone(),
                    mark.to_owned(),
                );
                tokio::spawn(async move {
                    for i in 0.. {
                        if stop.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        let note = format!("{mark} w{w}n{i} fictional note");
                        let body = json!({"hearing_id": hearing_id, "notes": note});
                        match post(&client, &token, url.clone(), body).await {
                            Some(created) => acknowledged
                                .lock()
                                .expect("lock")
                                .push(created["id"].as_str().expect("id").to_string()),
                            None if must_succeed => panic!("a write failed"),
                            None => break, // the server is gone
                        }
                    }
                })
            })
            .collect();
        Writers {
            acknowledged,
            stop,
            handles,
        }
    }

    /// The ids acknowledged so far.
    pub(crate) fn so_far(&self) -> Vec<String> {
        self.acknowledged.lock().expect("lock").clone()
    }

    /// Stops the writers (those still running) and returns every acknowledged id.
    pub(crate) async fn finish(self) -> Vec<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for h in self.handles {
            h.await.expect("writer");
        }
        self.acknowledged.lock().expect("lock").clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_and_are_searchable() {
    for backend in backends() {
        let (data_dir, database_url, admin) = fresh(&backend, "crash").await;
        let token = add_user(&data_dir, &database_url);

        let mut server = start(&data_dir, &database_url).await;
        let client = reqwest::Client::new();
        let api = |base: &str, path: &str| format!("{base}/api/v1{path}");
        let hearing_id = seed_hearing(&client, &token, &server.base, "Crash").await;
        let coordinator = add_coordinator(&data_dir, &database_url);

        // Two writers stream observations, and a bulk import of case law runs beside them; the
        // server is killed while they run.
        let writers = Writers::start(
            &client,
            &token,
            &server.base,
            &hearing_id,
            2,
            "crashmark",
            false,
        );
        // An import acknowledged before the kill (it must survive whole and be searchable).
        let small: String = (0..10)
            .map(|i| {
                format!(
                    "{}\n",
                    json!({"id": format!("crash-small-{i}"), "title": format!("Fictional ruling {i}"),
                           "lang": "en", "text": format!("smallmark ruling {i}.")})
                )
            })
            .collect();
        let response = client
            .post(api(&server.base, "/rulings/import"))
            .bearer_auth(&coordinator)
            .header("content-type", "application/x-ndjson")
            .body(small)
            .send()
            .await
            .expect("small import");
        assert_eq!(response.status().as_u16(), 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let import = {
            let client = client.clone();
            let url = api(&server.base, "/rulings/import");
            let coordinator = coordinator.clone();
            let body: String = (0..IMPORT_LINES)
                .map(|i| {
                    format!(
                        "{}\n",
                        json!({"id": format!("crash-import-{i}"), "title": format!("Fictional judgment {i}"),
                               "court": "Fictional Basic Court", "date": "2024-05-01", "lang": "en",
                               "text": format!("importmark judgment {i}. {}", "The court heard the parties. ".repeat(60))})
                    )
                })
                .collect();
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(coordinator)
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await
                    .ok()?;
                (response.status().as_u16() == 200).then_some(())
            })
        };
        // At least 800 ms of writes, and more than 20 acknowledged (a loaded machine is slower).
        tokio::time::sleep(Duration::from_millis(800)).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while writers.so_far().len() <= 20 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
        server.child.wait().expect("reap");
        let acknowledged = writers.finish().await;
        let import_acknowledged = import.await.expect("import task").is_some();
        assert!(
            acknowledged.len() > 20,
            "too few writes before the kill: {}",
            acknowledged.len()
        );

        let mut server = start(&data_dir, &database_url).await;
        for id in &acknowledged {
            let response = client
                .get(api(&server.base, &format!("/observations/{id}")))
                .bearer_auth(&token)
                .send()
                .await
                .expect("get");
            assert_eq!(
                response.status().as_u16(),
                200,
                "acknowledged observation {id} lost"
            );
        }
        // Every observation in the database (acknowledged or not) is searchable, and nothing else.
        let deadline = Instant::now() + Duration::from_secs(20);
        let (in_db, found) = loop {
            let list = get_json(
                &client,
                &api(&server.base, "/observations?limit=500"),
                &token,
            )
            .await;
            let in_db: std::collections::BTreeSet<String> = list["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["id"].as_str().expect("id").to_string())
                .collect();
            let mut found = std::collections::BTreeSet::new();
            let mut cursor = String::new();
            loop {
                let page: Value = client.get(api(&server.base, &format!("/search?q=crashmark&kind=observation&limit=100&facets=false&snippets=false{cursor}"))).bearer_auth(&token).send().await.expect("search").json().await.expect("json");
                found.extend(
                    page["hits"]
                        .as_array()
                        .expect("hits")
                        .iter()
                        .map(|h| h["id"].as_str().expect("id").to_string()),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = format!("&cursor={c}"),
                    None => break,
                }
            }
            if in_db == found || Instant::now() > deadline {
                break (in_db, found);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(acknowledged.iter().all(|id| in_db.contains(id)));
        assert_eq!(
            in_db, found,
            "the index must hold exactly the database's observations"
        );
        // No half-written record: every observation that is there is whole.
        let db = open_database(&data_dir, &database_url).await;
        let torn = count(
            &db,
            "SELECT COUNT(*) AS n FROM observations WHERE notes IS NULL OR notes NOT LIKE '%crashmark%'",
        )
        .await;
        assert_eq!(torn, 0, "observations without their notes");

        // The import is one transaction: all of it or none of it, acknowledged means all; every
        // imported ruling is whole and the index holds exactly the database's rulings.
        let imported = count(
            &db,
            "SELECT COUNT(*) AS n FROM rulings WHERE external_id LIKE 'crash-import-%'",
        )
        .await;
        let whole = count(
            &db,
            "SELECT COUNT(*) AS n FROM rulings WHERE external_id LIKE 'crash-import-%' AND full_text LIKE 'importmark judgment %The court heard the parties.%'",
        )
        .await;
        let small = count(
            &db,
            "SELECT COUNT(*) AS n FROM rulings WHERE external_id LIKE 'crash-small-%' AND full_text LIKE 'smallmark ruling %'",
        )
        .await;
        assert_eq!(
            small, 10,
            "the import acknowledged before the kill is not whole"
        );
        drop(db);
        eprintln!(
            "{backend:?}: {} observations acknowledged; import {} ({imported} rulings after restart)",
            acknowledged.len(),
            if import_acknowledged {
                "acknowledged"
            } else {
                "cut off"
            }
        );
        assert!(
            imported == 0 || imported == IMPORT_LINES as i64,
            "a partial import: {imported} of {IMPORT_LINES}"
        );
        assert!(
            !import_acknowledged || imported == IMPORT_LINES as i64,
            "acknowledged import lost"
        );
        assert_eq!(whole, imported, "imported rulings without their text");
        let total = ruling_total_until(&client, &server.base, &coordinator, "smallmark", 10).await;
        assert_eq!(total, 10, "the acknowledged import is not searchable");
        let total =
            ruling_total_until(&client, &server.base, &coordinator, "importmark", imported).await;
        assert_eq!(
            total, imported,
            "index has {total} imported rulings, the database {imported}"
        );
        server.child.kill().ok();
        server.child.wait().ok();
        cleanup(&data_dir, admin).await;
    }
}

/// SIGTERM in the middle of a stream of writes: the server stops accepting, answers what it
/// accepted, flushes the search index (the outbox is empty) and exits 0; every acknowledged
/// write is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_flushes_the_index_and_exits_0() {
    for backend in backends() {
        let (data_dir, database_url, admin) = fresh(&backend, "sigterm").await;
        let token = add_user(&data_dir, &database_url);
        let mut server = start(&data_dir, &database_url).await;
        let client = reqwest::Client::new();
        let api = |base: &str, path: &str| format!("{base}/api/v1{path}");
        let hearing_id = seed_hearing(&client, &token, &server.base, "Term").await;
        let writers = Writers::start(
            &client,
            &token,
            &server.base,
            &hearing_id,
            2,
            "termmark",
            false,
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let pid = server.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(40);
        let status = loop {
            if let Some(status) = server.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(status.code(), Some(0), "exit status after SIGTERM");
        let acknowledged = writers.finish().await;
        assert!(
            acknowledged.len() > 10,
            "too few writes: {}",
            acknowledged.len()
        );

        // The index was flushed before exit: nothing is left in the outbox.
        let db = open_database(&data_dir, &database_url).await;
        let pending = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM search_outbox",
            ))
            .await
            .expect("count")
            .expect("row")
            .try_get::<i64>("", "n")
            .expect("n");
        assert_eq!(pending, 0, "outbox not flushed on shutdown");
        drop(db);

        let mut server = start(&data_dir, &database_url).await;
        for id in &acknowledged {
            let response = client
                .get(api(&server.base, &format!("/observations/{id}")))
                .bearer_auth(&token)
                .send()
                .await
                .expect("get");
            assert_eq!(
                response.status().as_u16(),
                200,
                "acknowledged observation {id} lost"
            );
        }
        let url = api(
            &server.base,
            "/search?q=termmark&kind=observation&limit=1&facets=false",
        );
        let page = get_json(&client, &url, &token).await;
        assert!(
            page["total"].as_u64().expect("total") >= acknowledged.len() as u64,
            "searchable right after restart: {page}"
        );
        server.child.kill().ok();
        server.child.wait().ok();
        cleanup(&data_dir, admin).await;
    }
}
