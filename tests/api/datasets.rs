//! `/datasets`: streamed CSV exports and the codebook. Files are read back with the `csv` crate
//! (RFC 4180, as Python's csv module and pandas read them). Fictional data.

use std::process::Command;

use courtwatch_methodology::{Registry, Scope};
use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

/// Notes with everything that breaks naive CSV: quotes, commas, line breaks, Cyrillic, a BOM-like
/// character, leading spaces.
const NOTES: &str =
    " The judge said \"enough\", twice;\nthen\r\nadjourned. Судија је прекинуо. \u{feff}";

async fn fetch(app: &TestApp, query: &str) -> (u16, String, String) {
    let response = app
        .client
        .get(app.api(&format!("/datasets/{query}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("get dataset");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, response.text().await.expect("body"))
}

/// [`fetch`] until the file has `rows` data rows (at most 10 s): a file restricted by `q=` follows
/// the search index, which applies the published state of a record a moment after the write.
async fn fetch_rows(app: &TestApp, query: &str, rows: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, _, text) = fetch(app, query).await;
        assert_eq!(status, 200, "{text}");
        if parse(&text).1.len() == rows || std::time::Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}

async fn observations_round_trip(app: &TestApp) {
    let (case_id, _) = app.case("ME", "P 77/26", &["roma_ashkali_egyptian"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let answers = json!({
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "yes",
        "grounds_discussed_list": ["roma_ashkali_egyptian", "ethnicity"],
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "unknown",
        "interpreter_needed": "no", "duration_minutes": 95,
        "persons_present": ["judge", "defendant", "public"]
    });
    let (status, submitted) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": answers, "notes": NOTES, "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 201, "{submitted}");
    app.publish(&format!("/cases/{case_id}")).await;
    app.publish(&format!(
        "/observations/{}",
        submitted["id"].as_str().expect("id")
    ))
    .await;
    let (status, draft) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": {"public_admitted": "no"}, "notes": "draft"}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");

    let (status, content_type, text) = fetch(app, "observations.csv").await;
    assert_eq!(status, 200, "{}: {text}", app.backend);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert!(text.contains("\r\n"), "CRLF line ends");
    let (header, rows) = parse(&text);

    // Column order: fixed fields, then every observation question in methodology order, then times.
    let methodology = Registry::published().latest();
    let questions: Vec<&str> = methodology
        .questions_for(Scope::Observation)
        .map(|q| q.code.as_str())
        .collect();
    let fixed = [
        "observation_id",
        "hearing_id",
        "case_id",
        "methodology_version",
        "status",
        "submitted_at",
        "notes",
    ];
    let expected: Vec<&str> = fixed
        .iter()
        .copied()
        .chain(questions.iter().copied())
        .chain(["created_at", "updated_at"])
        .collect();
    assert_eq!(header, expected, "{}", app.backend);

    // Only the published observation; the draft stays out.
    assert_eq!(rows.len(), 1, "{}: {rows:?}", app.backend);
    let row = &rows[0];
    assert_eq!(cell(&header, row, "observation_id"), submitted["id"]);
    assert_eq!(cell(&header, row, "case_id"), case_id);
    assert_eq!(cell(&header, row, "hearing_id"), hearing_id);
    assert_eq!(
        cell(&header, row, "notes"),
        NOTES,
        "notes survive byte for byte"
    );
    assert_eq!(
        cell(&header, row, "grounds_discussed_list"),
        "roma_ashkali_egyptian|ethnicity"
    );
    assert_eq!(cell(&header, row, "duration_minutes"), "95");
    assert_eq!(cell(&header, row, "public_admitted"), "yes");
    // The hearing's own fields answer the field-bound questions.
    assert_eq!(cell(&header, row, "hearing_outcome"), "held");
    // Applies (interpreter_needed = no makes interpreter_provided inapplicable): not asked = NA.
    assert_eq!(cell(&header, row, "interpreter_provided"), "NA");
    // Applies but unanswered: empty.
    assert_eq!(cell(&header, row, "panel_complete"), "");

    // Labels instead of codes.
    let (status, _, text) = fetch(app, "observations.csv?labels=en").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(cell(&header, &rows[0], "public_admitted"), "Yes");
    let (status, _, text) = fetch(app, "observations.csv?labels=sq").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(cell(&header, &rows[0], "public_admitted"), "Po");
    // Every labelled cell says what the methodology says of its code (v1's "unknown" is
    // "Unknown / could not observe", not a label of the export's own).
    let (_, _, codes) = fetch(app, "observations.csv").await;
    let (code_header, code_rows) = parse(&codes);
    let methodology = app.state.methodology.latest();
    let mut compared = 0;
    for (labels, pick) in [
        (
            "en",
            (|t: &courtwatch_methodology::Text| t.en.clone()) as fn(&_) -> String,
        ),
        ("sq", |t| t.sq.clone()),
        ("sr", |t| t.sr.clone()),
    ] {
        let (_, _, text) = fetch(app, &format!("observations.csv?labels={labels}")).await;
        let (header, rows) = parse(&text);
        assert_eq!(header, code_header);
        for (column, code_cell) in code_header.iter().zip(&code_rows[0]) {
            let Some(question) = methodology.question(column) else {
                continue;
            };
            let terms = methodology.answer_terms(question);
            if terms.is_empty() || code_cell.is_empty() || code_cell == "NA" {
                continue;
            }
            let expected: Vec<String> = code_cell
                .split('|')
                .map(|code| {
                    let term = terms
                        .iter()
                        .find(|t| t.code == code)
                        .unwrap_or_else(|| panic!("{column}: {code} is no term"));
                    pick(&term.label)
                })
                .collect();
            assert_eq!(
                cell(&header, &rows[0], column),
                expected.join("|"),
                "{column} in labels={labels}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 3 * 5, "labelled cells compared: {compared}");
    assert_eq!(
        cell(&header, &rows[0], "hostile_groups_present"),
        "E panjohur / nuk u vëzhgua dot"
    );

    // Excel: a byte-order mark first, the rest unchanged.
    let (_, _, with_bom) = fetch(app, "observations.csv?bom=true").await;
    let (_, _, plain) = fetch(app, "observations.csv").await;
    assert_eq!(with_bom.strip_prefix('\u{feff}'), Some(plain.as_str()));

    // Filters select by the case.
    let (_, _, other) = fetch(app, "observations.csv?jurisdiction=RS").await;
    assert_eq!(parse(&other).1.len(), 0, "{other}");
    let (_, _, same) = fetch(
        app,
        "observations.csv?jurisdiction=ME&ground=roma_ashkali_egyptian",
    )
    .await;
    assert_eq!(parse(&same).1.len(), 1);

    // Hearings link to the same case.
    let (status, _, text) = fetch(app, "hearings.csv").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(cell(&header, &rows[0], "hearing_id"), hearing_id);
    assert_eq!(cell(&header, &rows[0], "case_id"), case_id);
}

/// The codebook's codes and labels are the methodology's, for every question column of every
/// file (the same `answer_terms` the forms and figures use).
async fn codebook_labels_are_the_methodologys(app: &TestApp) {
    let (status, codebook) = app.get("/datasets/codebook.json").await;
    assert_eq!(status, 200, "{codebook}");
    let methodology = app.state.methodology.latest();
    let mut compared = 0;
    for column in codebook.as_array().expect("list") {
        let code = column["column"].as_str().expect("column");
        if column["answer_type"].is_null() {
            continue;
        }
        let question = methodology.question(code).expect("a question column");
        let expected: Vec<Value> = methodology
            .answer_terms(question)
            .iter()
            .map(|t| json!({"code": t.code, "en": t.label.en, "sq": t.label.sq, "sr": t.label.sr}))
            .collect();
        assert_eq!(column["codes"], Value::Array(expected), "{code}");
        compared += 1;
    }
    assert!(compared > 50, "question columns compared: {compared}");
}
on_each_backend!(
    codebook_labels_are_the_methodologys_on_each_backend,
    codebook_labels_are_the_methodologys
);

async fn codebook_describes_every_column(app: &TestApp) {
    let (status, codebook) = app.get("/datasets/codebook.json").await;
    assert_eq!(status, 200, "{codebook}");
    let columns = codebook.as_array().expect("list");
    let (_, _, text) = fetch(app, "observations.csv").await;
    let (header, _) = parse(&text);
    let described: Vec<&str> = columns
        .iter()
        .filter(|c| c["file"] == "observations")
        .map(|c| c["column"].as_str().expect("column"))
        .collect();
    assert_eq!(described, header);
    let public_admitted = columns
        .iter()
        .find(|c| c["column"] == "public_admitted")
        .expect("question column");
    assert_eq!(public_admitted["answer_type"], "yes_no");
    assert_eq!(public_admitted["methodology_version"], 1);
    assert!(
        public_admitted["question_sr"]
            .as_str()
            .is_some_and(|q| !q.is_empty())
    );
    let codes: Vec<&Value> = public_admitted["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .collect();
    assert!(codes.iter().any(|c| c["code"] == "yes" && c["sq"] == "Po"));
    let multi = columns
        .iter()
        .find(|c| c["column"] == "grounds_discussed_list")
        .expect("multi column");
    assert_eq!(multi["multiple"], true);
    assert!(multi["codes"].as_array().is_some_and(|c| c.len() > 5));

    let (status, content_type, text) = fetch(app, "codebook.csv").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    let (header, rows) = parse(&text);
    assert_eq!(header[0], "file");
    assert_eq!(rows.len(), columns.len());
}

async fn bad_requests_are_refused_before_streaming(app: &TestApp) {
    let (status, body) = app
        .get("/datasets/observations.csv?methodology_version=99")
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("methodology_version 99")),
        "{body}"
    );
    let (status, body) = app.get("/datasets/people.csv").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app.get("/datasets/observations.csv?labels=fr").await;
    assert_eq!(status, 400, "{body}");
    let response = app
        .client
        .get(app.api("/datasets/observations.csv"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

/// A case with a party, a hearing with an observation, a ruling on the case and stand-alone case
/// law; returns (case, hearing, observation, case ruling, stand-alone ruling) ids.
async fn linked_records(app: &TestApp) -> (String, String, String, String, String) {
    let (case_id, _) = app
        .case("XK", "C.nr. 81/26", &["disability", "ethnicity"])
        .await;
    let (status, party) = app
        .post(
            "/parties",
            &json!({"case_id": case_id, "role": "claimant", "kind": "natural_person", "pseudonym": "Claimant A",
                    "characteristics": ["disability", "ethnicity"], "representation": "ngo_lawyer"}),
        )
        .await;
    assert_eq!(status, 201, "{party}");
    let hearing_id = app.hearing(&case_id).await;
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "status": "submitted", "notes": NOTES, "answers": {
                "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
                "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
                "duration_minutes": 40, "persons_present": ["judge", "public"]}}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let (status, ruling) = app
        .post(
            "/rulings",
            &json!({"case_id": case_id, "title": "Judgment C.nr. 81/26", "language": "sq",
                    "full_text": "Gjykata aprovon padinë, \"pjesërisht\".\nFictional.", "outcome": "claim_upheld",
                    "instance": "first", "decision_date": "2026-05-04",
                    "answers": {"remedies_awarded": ["declaration", "non_material_damages"],
                                "non_material_damages_amount": 1500, "damages_currency": "EUR"}}),
        )
        .await;
    assert_eq!(status, 201, "{ruling}");
    let (status, standalone) = app
        .post(
            "/rulings",
            &json!({"external_id": "test:datasets-1", "court_name": "Osnovni sud (fictional)", "jurisdiction": "ME",
                    "title": "K 9/21", "decision_date": "2021-02-03", "language": "sr-Latn-ME",
                    "full_text": "Fictional case law.", "outcome": "conviction"}),
        )
        .await;
    assert_eq!(status, 201, "{standalone}");
    let id = |v: &Value| v["id"].as_str().expect("id").to_string();
    // Datasets hold published records only.
    app.publish(&format!("/cases/{case_id}")).await;
    for path in [
        format!("/observations/{}", id(&observation)),
        format!("/rulings/{}", id(&ruling)),
        format!("/rulings/{}", id(&standalone)),
    ] {
        app.publish(&path).await;
    }
    (
        case_id,
        hearing_id,
        id(&observation),
        id(&ruling),
        id(&standalone),
    )
}

async fn linked_files_round_trip(app: &TestApp) {
    let (case_id, hearing_id, observation_id, ruling_id, standalone_id) = linked_records(app).await;

    let (status, _, text) = fetch(app, "cases.csv").await;
    assert_eq!(status, 200, "{text}");
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1, "{text}");
    let case = &rows[0];
    assert_eq!(cell(&header, case, "case_id"), case_id);
    assert_eq!(cell(&header, case, "jurisdiction"), "XK");
    assert_eq!(
        cell(&header, case, "grounds_alleged"),
        "disability|ethnicity"
    );
    assert_eq!(
        cell(&header, case, "proceeding_type"),
        "civil_antidiscrimination"
    );
    assert_eq!(cell(&header, case, "monitoring_status"), "monitoring");
    // Case questions follow the fixed fields in methodology order.
    let methodology = Registry::published().latest();
    let questions: Vec<&str> = methodology
        .questions_for(Scope::Case)
        .map(|q| q.code.as_str())
        .collect();
    assert_eq!(&header[7..7 + questions.len()], questions.as_slice());

    let (_, _, text) = fetch(app, "parties.csv?labels=sq").await;
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(cell(&header, &rows[0], "case_id"), case_id);
    assert_eq!(cell(&header, &rows[0], "role"), "Paditësi");
    assert_eq!(cell(&header, &rows[0], "pseudonym"), "Claimant A");
    let (_, _, text) = fetch(app, "parties.csv").await;
    let (header, rows) = parse(&text);
    assert_eq!(
        cell(&header, &rows[0], "characteristics"),
        "disability|ethnicity"
    );

    let (_, _, text) = fetch(app, "rulings.csv").await;
    let (header, rows) = parse(&text);
    assert!(!header.iter().any(|h| h == "full_text"), "{header:?}");
    assert_eq!(rows.len(), 2, "{text}");
    let attached = rows
        .iter()
        .find(|r| cell(&header, r, "ruling_id") == ruling_id)
        .expect("case ruling");
    assert_eq!(cell(&header, attached, "case_id"), case_id);
    assert_eq!(cell(&header, attached, "ruling_outcome"), "claim_upheld");
    assert_eq!(cell(&header, attached, "decision_date"), "2026-05-04");
    assert_eq!(
        cell(&header, attached, "remedies_awarded"),
        "declaration|non_material_damages"
    );
    assert_eq!(
        cell(&header, attached, "non_material_damages_amount"),
        "1500"
    );
    let standalone = rows
        .iter()
        .find(|r| cell(&header, r, "ruling_id") == standalone_id)
        .expect("stand-alone ruling");
    assert_eq!(cell(&header, standalone, "case_id"), "");
    assert_eq!(cell(&header, standalone, "external_id"), "test:datasets-1");

    // Full text on request, byte for byte.
    let (_, _, text) = fetch(app, "rulings.csv?full_text=true").await;
    let (header, rows) = parse(&text);
    let attached = rows
        .iter()
        .find(|r| cell(&header, r, "ruling_id") == ruling_id)
        .expect("case ruling");
    assert_eq!(
        cell(&header, attached, "full_text"),
        "Gjykata aprovon padinë, \"pjesërisht\".\nFictional."
    );

    // Jurisdiction selects stand-alone case law too; a case filter selects the case's ruling only.
    let (_, _, text) = fetch(app, "rulings.csv?jurisdiction=ME").await;
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(cell(&header, &rows[0], "ruling_id"), standalone_id);
    let (_, _, text) = fetch(app, "rulings.csv?ground=disability").await;
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(cell(&header, &rows[0], "ruling_id"), ruling_id);
    let (_, _, text) = fetch(app, "cases.csv?ground=sex").await;
    assert_eq!(parse(&text).1.len(), 0);

    // The search query selects records, on top of the filters.
    app.search_until("q=pjesërisht&limit=1&facets=false&snippets=false", |p| {
        p["total"].as_u64() == Some(1)
    })
    .await;
    app.search_until(
        "q=adjourned&kind=observation&limit=1&facets=false&snippets=false",
        |p| p["total"].as_u64() == Some(1),
    )
    .await;
    let text = fetch_rows(app, "rulings.csv?q=pjesërisht", 1).await;
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(cell(&header, &rows[0], "ruling_id"), ruling_id);
    let text = fetch_rows(app, "observations.csv?q=adjourned", 1).await;
    assert_eq!(parse(&text).1.len(), 1, "{text}");
    let (_, _, text) = fetch(app, "observations.csv?q=adjourned&jurisdiction=RS").await;
    assert_eq!(parse(&text).1.len(), 0, "{text}");
    let (_, _, text) = fetch(app, "observations.csv?q=zebracrossing").await;
    assert_eq!(parse(&text).1.len(), 0, "{text}");
    let (status, problem) = app.get("/datasets/parties.csv?q=anything").await;
    assert_eq!(status, 400, "{problem}");
    let (status, problem) = app.get("/datasets/observations.csv?q=%22unclosed").await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("q: ")),
        "{problem}"
    );

    // The observation links to the hearing and the case.
    let (_, _, text) = fetch(app, "observations.csv").await;
    let (header, rows) = parse(&text);
    assert_eq!(cell(&header, &rows[0], "observation_id"), observation_id);
    assert_eq!(cell(&header, &rows[0], "hearing_id"), hearing_id);
    assert_eq!(cell(&header, &rows[0], "case_id"), case_id);
}

/// The real `courtwatch export` writes a package that Frictionless validates and pandas reads with
/// the declared types (tests/python/check_package.py; its tools are pinned in
/// tests/python/requirements.txt and are required, not optional).
async fn exported_package_validates(app: &TestApp) {
    linked_records(app).await;
    let dir = std::env::temp_dir().join(format!(
        "courtwatch-package-{}",
        uuid::Uuid::now_v7().simple()
    ));
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--index-dir")
        .arg(&app.index_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .arg("export")
        .arg(dir.join("release"))
        .output()
        .expect("courtwatch export");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", app.backend);
    for file in [
        "cases.csv",
        "parties.csv",
        "hearings.csv",
        "observations.csv",
        "rulings.csv",
        "datapackage.json",
        "codebook.csv",
        "codebook.json",
        "SHA256SUMS",
    ] {
        assert!(dir.join("release").join(file).is_file(), "{file}: {stderr}");
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/check_package.py");
    let python = std::env::var("COURTWATCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let checked = Command::new(&python)
        .arg(script)
        .arg(dir.join("release"))
        .arg(NOTES)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} (set COURTWATCH_PYTHON): {e}"));
    assert!(
        checked.status.success(),
        "{}: check_package.py failed (pip install -r tests/python/requirements.txt):\n{}\n{}",
        app.backend,
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // The zip from the server holds exactly the files `courtwatch export` wrote, byte for byte,
    // with the default options and with labels and the byte-order mark.
    package_zip_equals_the_folder(app, &dir.join("release"), "").await;
    let labelled = dir.join("labelled");
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--index-dir")
        .arg(&app.index_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .args(["export", "--labels", "sr", "--bom"])
        .arg(&labelled)
        .output()
        .expect("courtwatch export");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    package_zip_equals_the_folder(app, &labelled, "?labels=sr&bom=true").await;
    let (status, problem) = app
        .get("/datasets/package.zip?methodology_version=99")
        .await;
    assert_eq!(status, 400, "{problem}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `GET /datasets/package.zip{query}` unzipped (by Python's zipfile, which checks every CRC)
/// gives the files of `folder`, in the same order, byte for byte.
async fn package_zip_equals_the_folder(app: &TestApp, folder: &std::path::Path, query: &str) {
    let response = app
        .client
        .get(app.api(&format!("/datasets/package.zip{query}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("package.zip");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.expect("zip");
    let unzipped = folder.with_extension("unzipped");
    let zip = folder.with_extension("zip");
    std::fs::write(&zip, &bytes).expect("zip saved");
    let python = std::env::var("COURTWATCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let listed = Command::new(&python)
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
             bad = z.testzip(); assert bad is None, bad; \
             print('\\n'.join(z.namelist())); z.extractall(sys.argv[2])",
        ])
        .arg(&zip)
        .arg(&unzipped)
        .output()
        .expect("python3");
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        names,
        [
            "cases.csv",
            "parties.csv",
            "hearings.csv",
            "observations.csv",
            "rulings.csv",
            "datapackage.json",
            "codebook.csv",
            "codebook.json",
            "SHA256SUMS",
        ]
    );
    let mut in_folder: Vec<String> = std::fs::read_dir(folder)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    in_folder.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(in_folder, sorted, "the same files");
    // Byte for byte, but for the moment each release was made (`created` in datapackage.json,
    // and so that file's line of SHA256SUMS); the zip's SHA256SUMS then holds for its own files.
    let without_created = |bytes: &[u8]| -> Value {
        let mut package: Value = serde_json::from_slice(bytes).expect("datapackage.json");
        assert!(package["created"].is_string(), "{package}");
        package["created"] = Value::Null;
        package
    };
    for name in &names {
        let exported = std::fs::read(folder.join(name)).expect("exported file");
        let zipped = std::fs::read(unzipped.join(name)).expect("zipped file");
        assert!(!exported.is_empty(), "{name}");
        match name.as_str() {
            "datapackage.json" => assert_eq!(without_created(&exported), without_created(&zipped)),
            "SHA256SUMS" => {
                let lines = |b: &[u8]| -> Vec<String> {
                    String::from_utf8_lossy(b)
                        .lines()
                        .filter(|l| !l.ends_with("  datapackage.json"))
                        .map(str::to_owned)
                        .collect()
                };
                assert_eq!(lines(&exported), lines(&zipped));
                assert_eq!(lines(&zipped).len(), 7);
            }
            _ => assert!(
                exported == zipped,
                "{name} differs ({}: {} bytes exported, {} zipped)",
                app.backend,
                exported.len(),
                zipped.len()
            ),
        }
    }
    let checked = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&unzipped)
        .output()
        .expect("sha256sum");
    assert!(
        checked.status.success(),
        "the zip's checksums: {}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

async fn datapackage_matches_the_files(app: &TestApp) {
    let (status, package) = app.get("/datasets/datapackage.json").await;
    assert_eq!(status, 200, "{package}");
    let resources = package["resources"].as_array().expect("resources");
    let names: Vec<&str> = resources
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["cases", "parties", "hearings", "observations", "rulings"]
    );
    for resource in resources {
        let path = resource["path"].as_str().expect("path");
        let (status, _, text) = fetch(app, path).await;
        assert_eq!(status, 200);
        let (header, _) = parse(&text);
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        assert_eq!(fields, header, "{path}");
    }
    let observations = &resources[3]["schema"];
    assert_eq!(observations["missingValues"], json!(["", "NA"]));
    assert_eq!(observations["primaryKey"], json!(["observation_id"]));
    assert_eq!(
        observations["foreignKeys"][0],
        json!({"fields": ["hearing_id"], "reference": {"resource": "hearings", "fields": ["hearing_id"]}})
    );
    let field = |name: &str| {
        observations["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("field {name}"))
    };
    assert_eq!(field("duration_minutes")["type"], "integer");
    assert_eq!(field("scheduled_start")["type"], "datetime");
    assert_eq!(
        field("public_admitted")["constraints"]["enum"],
        json!(["yes", "no", "unknown"])
    );
    assert!(
        field("persons_present")["constraints"]["pattern"]
            .as_str()
            .is_some_and(|p| p.contains("judge")),
        "{}",
        field("persons_present")
    );
    // With labels the constraints list labels.
    let (_, package) = app
        .get("/datasets/datapackage.json?labels=sr&full_text=true")
        .await;
    let rulings = &package["resources"][4]["schema"]["fields"];
    assert!(
        rulings
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["name"] == "full_text"))
    );
    let observations = &package["resources"][3]["schema"]["fields"];
    let public_admitted = observations
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "public_admitted"))
        .expect("public_admitted");
    // The methodology's own labels (before issue 20 the export had its own "Nepoznato").
    assert_eq!(
        public_admitted["constraints"]["enum"],
        json!(["Da", "Ne", "Nepoznato / nije moglo biti uočeno"])
    );
}

/// A client that reads one chunk of a large export and then stops reading holds only its own
/// export: reads, searches and writes (SQLite's single writer included) go on meanwhile, and the
/// export then completes whole.
async fn slow_client_blocks_nobody(app: &TestApp) {
    use futures_util::StreamExt;
    // 450 rulings of 40 KB: an 18 MB file, more than the kernel's socket buffers hold.
    const RULINGS: usize = 450;
    for batch in 0..3 {
        let body: String = (batch * 150..(batch + 1) * 150)
            .map(|i| {
                format!(
                    "{}\n",
                    json!({"id": format!("test:slow-{i}"), "title": format!("Fictional judgment {i}"),
                        "court": "Fictional Basic Court", "date": "2024-05-01", "lang": "en",
                        "text": "The court heard the parties, \"twice\".\n".repeat(1000)})
                )
            })
            .collect();
        let response = app.import_rulings(body).await;
        assert_eq!(response.status().as_u16(), 200);
    }

    let export = app
        .client
        .get(app.api("/datasets/rulings.csv?full_text=true"))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("export");
    assert_eq!(export.status(), 200);
    let mut chunks = export.bytes_stream();
    let mut received = chunks
        .next()
        .await
        .expect("first chunk")
        .expect("bytes")
        .to_vec();

    // The export is open and unread (about 18 MB waiting); everything else still answers.
    for i in 0..10 {
        let (status, page) = app.get("/rulings?limit=5").await;
        assert_eq!(status, 200, "{page}");
        let (status, hits) = app.get("/search?q=court&limit=3").await;
        assert_eq!(status, 200, "{hits}");
        let (status, court) = app
            .post(
                "/courts",
                &json!({"name": format!("Fictional court {i} during export"), "level": "basic", "jurisdiction": "XK"}),
            )
            .await;
        assert_eq!(
            status, 201,
            "{}: write during a held export: {court}",
            app.backend
        );
    }

    while let Some(chunk) = chunks.next().await {
        received.extend_from_slice(&chunk.expect("chunk"));
    }
    let text = String::from_utf8(received).expect("utf-8");
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), RULINGS, "the held export completes whole");
    assert!(
        rows.iter()
            .all(|r| cell(&header, r, "full_text").ends_with("\"twice\".\n"))
    );
}

/// An export of several keyset batches (1,000 rows each) has every published row exactly once,
/// in id order, with the answers of its own record: the batches are read ahead of the one being
/// written, and on SQLite each arrives as one aggregated row.
async fn exports_span_batches(app: &TestApp) {
    use courtwatch_tests::generated::{self, generate};
    use sea_orm::ConnectionTrait;
    const ROWS: usize = 2_345;
    let user: String = app
        .state
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT id FROM users LIMIT 1",
        ))
        .await
        .expect("user")
        .and_then(|r| r.try_get::<String>("", "id").ok())
        .expect("a user");
    generate(&app.state.db, &user, ROWS)
        .await
        .expect("generate");
    let (status, _, text) = fetch(app, "observations.csv").await;
    assert_eq!(status, 200, "{text}");
    let (header, rows) = parse(&text);
    let generated: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| cell(&header, r, "observation_id").starts_with("00000004-"))
        .collect();
    assert_eq!(generated.len(), ROWS, "{}", app.backend);
    for (i, row) in generated.iter().enumerate() {
        assert_eq!(cell(&header, row, "observation_id"), generated::id(4, i));
        assert_eq!(
            cell(&header, row, "hearing_id"),
            generated::id(3, i / generated::PER_HEARING)
        );
        assert_eq!(
            cell(&header, row, "duration_minutes"),
            (20 + i % 140).to_string(),
            "{}: row {i}",
            app.backend
        );
        // Times pass through each database's JSON and back: the same instant, in UTC.
        assert_eq!(
            cell(&header, row, "submitted_at"),
            generated::at(i + 7200).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "{}: row {i}",
            app.backend
        );
        let excluded = i % 7 == 0;
        assert_eq!(
            cell(&header, row, "exclusion_reason"),
            if excluded { "morals" } else { "NA" },
            "{}: row {i}",
            app.backend
        );
    }
}

on_each_backend!(
    observations_round_trip_on_each_backend,
    observations_round_trip
);
on_each_backend!(exports_span_batches_on_each_backend, exports_span_batches);
on_each_backend!(
    codebook_describes_every_column_on_each_backend,
    codebook_describes_every_column
);
on_each_backend!(
    bad_requests_are_refused_before_streaming_on_each_backend,
    bad_requests_are_refused_before_streaming
);
on_each_backend!(
    linked_files_round_trip_on_each_backend,
    linked_files_round_trip
);
on_each_backend!(
    exported_package_validates_on_each_backend,
    exported_package_validates
);
on_each_backend!(
    datapackage_matches_the_files_on_each_backend,
    datapackage_matches_the_files
);
on_each_backend!(
    slow_client_blocks_nobody_on_each_backend,
    slow_client_blocks_nobody
);
