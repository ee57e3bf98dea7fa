//! schemathesis (pinned in `tests/python/requirements.txt`) against the real server built from
//! this commit, driven by the committed `openapi.yaml`, with an admin token over the fictional
//! demo data: every operation, positive and negative cases, all of its checks (no 5xx, responses
//! and status codes as documented, schema-valid requests accepted and invalid ones refused; see
//! `tests/schemathesis/schemathesis.toml` for what counts as accepted). Fixed seed and a bounded
//! number of examples per operation, so a run is repeatable and takes a minute or two.
//!
//! By hand, against a server you started: `python3 -m schemathesis.cli --config-file
//! tests/schemathesis/schemathesis.toml run openapi.yaml --url http://127.0.0.1:8080/api/v1
//! -H "Authorization: Bearer $TOKEN" --checks all --max-examples 25 --workers 1` (drop the
//! fixed seed to explore further).

use std::process::{Command, Stdio};

use courtwatch_tests::backends;

use crate::crash::{cleanup, command, fresh, start};

/// Examples per operation and phase; ~1 minute per backend on the 2-core machine.
const MAX_EXAMPLES: &str = "25";

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_departure_from_the_spec() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf();
    let probe = Command::new("python3")
        .args(["-m", "schemathesis.cli", "--version"])
        .output();
    let installed = probe.as_ref().is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "schemathesis is not installed: python3 -m pip install -r tests/python/requirements.txt ({probe:?})"
    );

    for backend in backends() {
        let (data_dir, database_url, admin) = fresh(&backend, "schemathesis").await;
        let org = command(&data_dir, &database_url)
            .args(["org", "add", "Demo Coalition (fictional)"])
            .output();
        assert!(
            org.as_ref().is_ok_and(|o| o.status.success()),
            "org add: {org:?}"
        );
        let output = command(&data_dir, &database_url)
            .args([
                "user",
                "add",
                "--name",
                "Schemathesis Admin (fictional)",
                "--org",
                "Demo Coalition (fictional)",
                "--role",
                "admin",
            ])
            .output()
            .expect("user add");
        assert!(output.status.success(), "{output:?}");
        let token = String::from_utf8(output.stdout)
            .expect("token")
            .trim()
            .to_owned();
        let demo = command(&data_dir, &database_url)
            .arg("demo-data")
            .output()
            .expect("demo-data");
        assert!(demo.status.success(), "{demo:?}");
        let mut server = start(&data_dir, &database_url).await;

        let run = Command::new("python3")
            .current_dir(&data_dir)
            .args(["-m", "schemathesis.cli", "--config-file"])
            .arg(repo.join("tests/schemathesis/schemathesis.toml"))
            .arg("run")
            .arg(repo.join("openapi.yaml"))
            .args(["--url", &format!("{}/api/v1", server.base)])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all", "--max-examples", MAX_EXAMPLES])
            .args(["--seed", "1", "--workers", "1", "--no-color"])
            .stdin(Stdio::null())
            .output()
            .expect("run schemathesis");
        let report = String::from_utf8_lossy(&run.stdout);
        let alive = server.child.try_wait().expect("server state").is_none();
        let _ = server.child.kill();
        let _ = server.child.wait();
        cleanup(&data_dir, admin).await;

        let tail: String = {
            let lines: Vec<&str> = report.lines().collect();
            lines[lines.len().saturating_sub(150)..].join("\n")
        };
        assert!(alive, "{backend:?}: the server died during the run\n{tail}");
        assert!(
            run.status.success(),
            "{backend:?}: schemathesis failed\n{tail}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        // Not a vacuous pass: every operation of the spec was exercised.
        let operations = spec_operation_count(&repo.join("openapi.yaml"));
        assert!(
            report.contains(&format!("Tested: {operations}")),
            "{backend:?}: not every one of the {operations} operations was tested\n{tail}"
        );
        assert!(report.contains(" passed"), "{backend:?}\n{tail}");
    }
}

/// How many operations `openapi.yaml` declares (lines `operationId:`).
fn spec_operation_count(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .expect("openapi.yaml")
        .lines()
        .filter(|line| line.trim_start().starts_with("operationId:"))
        .count()
}
