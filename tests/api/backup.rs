//! `courtwatch backup` / `courtwatch restore` on SQLite: an online backup taken during a stream of
//! writes holds every write acknowledged before it began; an offline round trip restores every
//! table row for row (compared with `sqlite3 .dump`); the restored database serves, with the index
//! rebuilt. On PostgreSQL the commands refuse and point to pg_dump.

use std::{
    path::Path,
    process::Command as Process,
    time::{Duration, Instant},
};

use courtwatch_tests::{Backend, backends, get_json};

use super::crash::{Server, Writers, add_user, cleanup, command, fresh, seed_hearing, start};

fn run(data_dir: &Path, args: &[&str]) -> (bool, String) {
    let output = command(data_dir, &None)
        .args(args)
        .output()
        .expect("run courtwatch");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every table's rows as sorted `INSERT` lines, plus the schema.
fn dump(db: &Path) -> Vec<String> {
    let output = Process::new("sqlite3")
        .arg(db)
        .arg(".dump")
        .output()
        .expect("sqlite3 is needed by this test (.ci/run installs it)");
    assert!(output.status.success(), "sqlite3 .dump failed");
    let mut lines: Vec<String> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

async fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    assert!(
        Process::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    while server.child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "server did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn search_total(client: &reqwest::Client, base: &str, token: &str) -> u64 {
    let url = format!("{base}/api/v1/search?q=fictional&limit=1&facets=false");
    get_json(client, &url, token).await["total"]
        .as_u64()
        .expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_round_trip() {
    for backend in backends() {
        if let Backend::Postgres(_) = backend {
            let (data_dir, database_url, admin) = fresh(&backend, "pgbackup").await;
            let output = command(&data_dir, &database_url)
                .args(["backup", &data_dir.join("x.db").display().to_string()])
                .output()
                .expect("backup");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                !output.status.success() && stderr.contains("pg_dump"),
                "{stderr}"
            );
            cleanup(&data_dir, admin).await;
            continue;
        }
        let (source, _, _) = fresh(&backend, "backup-source").await;
        let (target, _, _) = fresh(&backend, "backup-target").await;
        let (online_target, _, _) = fresh(&backend, "backup-online").await;
        let files = std::env::temp_dir().join(format!(
            "courtwatch-backups-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&files).expect("dir");
        let (online, offline) = (files.join("online.db"), files.join("offline.db"));

        let (ok, err) = run(&source, &["demo-data"]);
        assert!(ok, "{err}");
        let token = add_user(&source, &None);
        let server = start(&source, &None).await;
        let client = reqwest::Client::new();
        let hearing_id = seed_hearing(&client, &token, &server.base, "Backup").await;

        // A writer streams observations while the online backup runs.
        let writers = Writers::start(
            &client,
            &token,
            &server.base,
            &hearing_id,
            1,
            "backupmark",
            true,
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before_backup = writers.so_far();
        let (ok, err) = run(&source, &["backup", &online.display().to_string()]);
        assert!(ok, "online backup: {err}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let written = writers.finish().await.len();
        assert!(
            before_backup.len() > 5 && written > before_backup.len(),
            "writes went on during the backup: {} before, {written} in all",
            before_backup.len()
        );
        // Never overwrites.
        let (ok, err) = run(&source, &["backup", &online.display().to_string()]);
        assert!(!ok && err.contains("already exists"), "{err}");

        // The online backup restores and holds every write acknowledged before it began.
        let (ok, err) = run(&online_target, &["restore", &online.display().to_string()]);
        assert!(ok, "restore online backup: {err}");
        let restored = start(&online_target, &None).await;
        for id in &before_backup {
            let status = client
                .get(format!("{}/api/v1/observations/{id}", restored.base))
                .bearer_auth(&token)
                .send()
                .await
                .expect("get")
                .status()
                .as_u16();
            assert_eq!(
                status, 200,
                "observation {id} acknowledged before the backup is missing"
            );
        }
        stop(restored).await;

        // Offline round trip: every table, row for row.
        stop(server).await;
        let server = start(&source, &None).await;
        let total = search_total(&client, &server.base, &token).await;
        assert!(total > 0);
        stop(server).await;
        let (ok, err) = run(&source, &["backup", &offline.display().to_string()]);
        assert!(ok, "offline backup: {err}");
        // The target already has a database of its own: it is kept aside, not lost.
        let _ = add_user(&target, &None);
        let (ok, err) = run(&target, &["restore", &offline.display().to_string()]);
        assert!(ok, "restore: {err}");
        assert!(err.contains("search index rebuilt"), "{err}");
        let kept = std::fs::read_dir(&target)
            .expect("dir")
            .filter_map(Result::ok)
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("courtwatch.db.replaced-")
            });
        assert!(kept, "the replaced database is kept");
        let (original, copy) = (
            dump(&source.join("courtwatch.db")),
            dump(&target.join("courtwatch.db")),
        );
        assert!(original.len() > 100, "a populated database");
        assert_eq!(
            original.len(),
            copy.len(),
            "same number of rows and schema lines"
        );
        assert!(original == copy, "every table restored row for row");
        let restored = start(&target, &None).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while search_total(&client, &restored.base, &token).await != total {
            assert!(Instant::now() < deadline, "the rebuilt index differs");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop(restored).await;

        // Bad input: a file that is not a courtwatch backup changes nothing.
        let before = dump(&target.join("courtwatch.db"));
        let junk = files.join("junk.db");
        std::fs::write(&junk, "not a database").expect("write");
        let (ok, err) = run(&target, &["restore", &junk.display().to_string()]);
        assert!(!ok, "{err}");
        assert!(
            before == dump(&target.join("courtwatch.db")),
            "nothing changed"
        );

        for dir in [&source, &target, &online_target, &files] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
