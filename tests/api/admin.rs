//! A coalition's admin at the command line, through the real CLI: organisations are created on
//! purpose (a typo in `user add --org` is refused, naming the ones there are), users are listed
//! and deactivated (their tokens refused at once), a bad role says what is allowed, `restore`
//! cannot run beside a server and no process starts during a restore, `backup` names a missing
//! folder, and a PostgreSQL database that does not exist is created on first start.

use std::process::Output;

use courtwatch_tests::{Backend, backends};
use sea_orm::{ConnectionTrait, Database};

use super::crash::{Server, cleanup, command, fresh, start};

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run_ok(data_dir: &std::path::Path, database_url: &Option<String>, args: &[&str]) -> String {
    let output = command(data_dir, database_url)
        .args(args)
        .output()
        .expect("run courtwatch");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{args:?}: {stderr}");
    stdout
}

fn run_err(data_dir: &std::path::Path, database_url: &Option<String>, args: &[&str]) -> String {
    let output = command(data_dir, database_url)
        .args(args)
        .output()
        .expect("run courtwatch");
    let (_, stderr) = text(&output);
    assert!(!output.status.success(), "{args:?} should fail: {stderr}");
    stderr
}

fn kill(mut server: Server) {
    let _ = server.child.kill();
    let _ = server.child.wait();
}

async fn status_of(base: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/cases"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_and_users_are_managed_on_purpose() {
    for backend in backends() {
        let (data_dir, url, admin) = fresh(&backend, "admin").await;
        let org = "Roma Rights Monitors (fictional)";
        let org_id = run_ok(&data_dir, &url, &["org", "add", org]);
        assert_eq!(org_id.len(), 36, "prints the new id: {org_id}");
        // The same name in other case or spacing is the same organisation: refused.
        let refused = run_err(
            &data_dir,
            &url,
            &["org", "add", "roma rights  monitors (fictional)"],
        );
        assert!(refused.contains("exists already"), "{refused}");
        // A user of an organisation that does not exist: refused, naming those there are.
        let refused = run_err(
            &data_dir,
            &url,
            &[
                "user",
                "add",
                "--name",
                "Typo (fictional)",
                "--org",
                "Roma Rights Monitor",
            ],
        );
        assert!(
            refused.contains("there is no organisation 'Roma Rights Monitor'")
                && refused.contains(org),
            "{refused}"
        );
        // A bad role says which problem it is and what is allowed.
        let refused = run_err(
            &data_dir,
            &url,
            &[
                "user",
                "add",
                "--name",
                "P (fictional)",
                "--org",
                org,
                "--role",
                "paralegal",
            ],
        );
        assert!(
            refused.contains("paralegal") && refused.contains("coordinator"),
            "{refused}"
        );
        // The organisation by another spelling finds the one that exists.
        let token = run_ok(
            &data_dir,
            &url,
            &[
                "user",
                "add",
                "--name",
                "Monitor A (fictional)",
                "--org",
                "ROMA RIGHTS MONITORS (fictional)",
            ],
        );
        assert!(token.starts_with("cw_"), "{token}");
        let listed = run_ok(&data_dir, &url, &["user", "list", "--org", org]);
        let line = listed
            .lines()
            .find(|l| l.contains("Monitor A (fictional)"))
            .unwrap_or_else(|| panic!("user list: {listed}"));
        assert!(line.contains(org) && line.contains("active"), "{line}");
        let user_id = line.split('\t').next().expect("id").to_owned();
        let orgs = run_ok(&data_dir, &url, &["org", "list"]);
        assert_eq!(
            orgs.lines().filter(|l| l.contains(org)).count(),
            1,
            "{orgs}"
        );
        assert!(orgs.contains("1 users"), "{orgs}");

        // Deactivation refuses the user's tokens from the next request on, also in a running server.
        let server = start(&data_dir, &url).await;
        assert_eq!(status_of(&server.base, &token).await, 200);
        run_ok(&data_dir, &url, &["user", "deactivate", &user_id]);
        assert_eq!(status_of(&server.base, &token).await, 401);
        let listed = run_ok(&data_dir, &url, &["user", "list"]);
        assert!(listed.contains("deactivated"), "{listed}");
        // Renaming keeps the id, and the audit trail names who did what.
        run_ok(
            &data_dir,
            &url,
            &["org", "rename", org, "Roma Rights Watch (fictional)"],
        );
        let admin_token = run_ok(
            &data_dir,
            &url,
            &[
                "user",
                "add",
                "--name",
                "Admin B (fictional)",
                "--org",
                &org_id,
                "--role",
                "admin",
            ],
        );
        let client = reqwest::Client::new();
        let case_court: serde_json::Value = client
            .post(format!("{}/api/v1/courts", server.base))
            .bearer_auth(&admin_token)
            .json(&serde_json::json!({"name": "Basic Court Admin (fictional)", "level": "basic", "jurisdiction": "XK"}))
            .send()
            .await
            .expect("court")
            .json()
            .await
            .expect("json");
        let court_id = case_court["id"].as_str().expect("court id");
        let trail: serde_json::Value = client
            .get(format!(
                "{}/api/v1/audit?resource=court&resource_id={court_id}",
                server.base
            ))
            .bearer_auth(&admin_token)
            .send()
            .await
            .expect("audit")
            .json()
            .await
            .expect("json");
        let entry = &trail["items"][0];
        assert_eq!(entry["user_name"], "Admin B (fictional)", "{trail}");
        assert_eq!(
            entry["user_organisation"], "Roma Rights Watch (fictional)",
            "{trail}"
        );
        kill(server);
        cleanup(&data_dir, admin).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_never_runs_beside_another_process_of_the_data_directory() {
    let (data_dir, url, admin) = fresh(&Backend::Sqlite, "lock").await;
    run_ok(&data_dir, &url, &["org", "add", "Lock Org (fictional)"]);
    let backup = data_dir.join("before.db");
    run_ok(&data_dir, &url, &["backup", &backup.display().to_string()]);
    // A server runs: restore refuses and changes nothing.
    let server = start(&data_dir, &url).await;
    let database = data_dir.join("courtwatch.db");
    let before = std::fs::metadata(&database).expect("db").len();
    let refused = run_err(&data_dir, &url, &["restore", &backup.display().to_string()]);
    assert!(refused.contains("stop it first"), "{refused}");
    assert!(
        std::fs::read_dir(&data_dir).expect("dir").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .contains("replaced")),
        "nothing was moved aside"
    );
    assert_eq!(std::fs::metadata(&database).expect("db").len(), before);
    // A user added after the refused restore is accepted by the running server.
    let token = run_ok(
        &data_dir,
        &url,
        &[
            "user",
            "add",
            "--name",
            "After (fictional)",
            "--org",
            "Lock Org (fictional)",
        ],
    );
    assert_eq!(status_of(&server.base, &token).await, 200);
    kill(server);
    // While a restore holds the directory, nothing else starts (the lock is the one restore takes).
    let held = courtwatch_api::datalock::exclusive(&data_dir).expect("the server has stopped");
    let refused = run_err(&data_dir, &url, &["serve", "--bind", "127.0.0.1:0"]);
    assert!(refused.contains("a restore is replacing"), "{refused}");
    let refused = run_err(&data_dir, &url, &["backup", "x.db"]);
    assert!(refused.contains("a restore is replacing"), "{refused}");
    drop(held);
    // With no server, the restore runs.
    let restored = command(&data_dir, &url)
        .args(["restore", &backup.display().to_string()])
        .output()
        .expect("restore");
    assert!(restored.status.success(), "{:?}", text(&restored));
    cleanup(&data_dir, admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_into_a_missing_folder_says_so() {
    let (data_dir, url, admin) = fresh(&Backend::Sqlite, "bfolder").await;
    let target = data_dir.join("no-such-folder").join("x.db");
    std::fs::create_dir_all(&data_dir).expect("dir");
    let refused = run_err(&data_dir, &url, &["backup", &target.display().to_string()]);
    assert!(
        refused.contains("does not exist") && refused.contains("no-such-folder"),
        "{refused}"
    );
    cleanup(&data_dir, admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_postgres_database_is_created_on_first_start() {
    for backend in backends() {
        let Backend::Postgres(admin_url) = backend else {
            continue;
        };
        let name = format!("courtwatch_create_{}", uuid::Uuid::now_v7().simple());
        let base = admin_url.rsplit_once('/').expect("url").0.to_owned();
        let url = Some(format!("{base}/{name}"));
        let data_dir = std::env::temp_dir().join(&name);
        let migrated = run_ok(&data_dir, &url, &["migrate"]);
        let _ = migrated;
        let admin = Database::connect(&admin_url).await.expect("postgres");
        let found = admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .expect("query");
        assert!(found.is_some(), "{name} was not created");
        // A second start finds it and changes nothing.
        run_ok(&data_dir, &url, &["org", "list"]);
        admin
            .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .await
            .expect("drop");
        // A user that may not create databases is told what to run.
        let role = format!("cw_nocreate_{}", uuid::Uuid::now_v7().simple());
        admin
            .execute_unprepared(&format!("CREATE ROLE \"{role}\" LOGIN NOCREATEDB"))
            .await
            .expect("role");
        let host = base.rsplit_once('@').expect("user@host").1;
        let url = Some(format!("postgres://{role}@{host}/{name}"));
        let refused = run_err(&data_dir, &url, &["migrate"]);
        assert!(
            refused.contains("may not create databases") && refused.contains("createdb"),
            "{refused}"
        );
        admin
            .execute_unprepared(&format!("DROP ROLE \"{role}\""))
            .await
            .expect("drop role");
        let _ = std::fs::remove_dir_all(&data_dir);
    }
}
