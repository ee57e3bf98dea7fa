//! The access matrix: every operation of the spec × every role (and no token) × a record of the
//! caller's own organisation, of another organisation (unpublished) and of another organisation
//! (published). The expectations are written here from the issue, independently of the service's
//! table (`courtwatch_api::access::RULES`), and the two are compared too.

use std::collections::{BTreeMap, BTreeSet};

use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

const ALL: &[&str] = &["admin", "coordinator", "monitor", "researcher"];
const RECORDERS: &[&str] = &["admin", "coordinator", "monitor"];
const REVIEWERS: &[&str] = &["admin", "coordinator"];
const ADMIN: &[&str] = &["admin"];

/// What an operation acts on, which decides the expected answer for an allowed role.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// No token needed.
    Public,
    /// A collection (list, search, dataset, create of a top-level record, ...).
    Collection,
    /// Reads one record: 200 if the caller may see it, else 404.
    Read,
    /// Changes one record: 404 if the caller may not see it, 403 if they see but may not change it.
    Write,
    /// Creates a record under a case or hearing named in the body: an invisible parent is "no
    /// such id" (422), a visible one of another organisation 403.
    CreateUnder,
    /// Revokes a token: one's own is allowed, another user's is 404 except for an admin.
    Token,
    /// Changes a fresh organisation: admins only.
    Organisation,
    /// Acts on a fresh user account: of the caller's organisation (a monitor, a coordinator) or
    /// of another (a monitor). Admins manage all; coordinators see their own organisation's
    /// accounts and manage its monitors; another organisation's account is 404.
    Account,
}

/// The expected table: operation → (roles, kind).
fn expected() -> BTreeMap<&'static str, (&'static [&'static str], Kind)> {
    use Kind::*;
    BTreeMap::from([
        ("list_methodology_versions", (ALL, Public)),
        ("get_methodology", (ALL, Public)),
        ("get_glossary", (ALL, Public)),
        ("create_court", (RECORDERS, Collection)),
        ("list_courts", (ALL, Collection)),
        ("get_court", (ALL, Collection)),
        ("update_court", (RECORDERS, Collection)),
        ("create_case", (RECORDERS, Collection)),
        ("list_cases", (ALL, Collection)),
        ("get_case", (ALL, Read)),
        ("update_case", (RECORDERS, Write)),
        ("review_case", (RECORDERS, Write)),
        ("grade_case", (REVIEWERS, Write)),
        // Sensitive terms: only the case's own organisation (and admins), also for reading.
        ("get_sensitive_terms", (RECORDERS, Write)),
        ("replace_sensitive_terms", (RECORDERS, Write)),
        ("create_party", (RECORDERS, CreateUnder)),
        ("list_parties", (ALL, Collection)),
        ("get_party", (ALL, Read)),
        ("update_party", (RECORDERS, Write)),
        ("create_hearing", (RECORDERS, CreateUnder)),
        ("list_hearings", (ALL, Collection)),
        ("get_hearing", (ALL, Read)),
        ("update_hearing", (RECORDERS, Write)),
        ("create_observation", (RECORDERS, CreateUnder)),
        ("list_observations", (ALL, Collection)),
        ("get_observation", (ALL, Read)),
        ("update_observation", (RECORDERS, Write)),
        ("review_observation", (RECORDERS, Write)),
        ("import_rulings", (REVIEWERS, Collection)),
        ("create_ruling", (RECORDERS, Collection)),
        ("list_rulings", (ALL, Collection)),
        ("get_ruling", (ALL, Read)),
        ("update_ruling", (RECORDERS, Write)),
        ("review_ruling", (RECORDERS, Write)),
        ("search", (ALL, Collection)),
        ("export_dataset", (ALL, Collection)),
        ("dataset_codebook", (ALL, Collection)),
        ("dataset_package", (ALL, Collection)),
        ("export_package", (ALL, Collection)),
        ("dataset_codebook_csv", (ALL, Collection)),
        ("stats_cases", (ALL, Collection)),
        ("stats_hearings", (ALL, Collection)),
        ("stats_durations", (ALL, Collection)),
        ("stats_crosstab", (ALL, Collection)),
        ("create_token", (ALL, Collection)),
        ("list_tokens", (ALL, Collection)),
        ("revoke_token", (ALL, Token)),
        ("list_audit", (REVIEWERS, Collection)),
        ("get_settings", (ADMIN, Collection)),
        ("update_settings", (ADMIN, Collection)),
        ("list_organisations", (ALL, Collection)),
        ("create_organisation", (ADMIN, Collection)),
        ("update_organisation", (ADMIN, Organisation)),
        ("deactivate_organisation", (ADMIN, Organisation)),
        ("list_users", (REVIEWERS, Collection)),
        ("invite_user", (REVIEWERS, Collection)),
        ("get_user", (REVIEWERS, Account)),
        ("update_user", (REVIEWERS, Account)),
        ("deactivate_user", (REVIEWERS, Account)),
        ("reset_user", (REVIEWERS, Account)),
    ])
}

/// One organisation's records.
#[derive(Debug, Clone)]
struct Records {
    court: String,
    case: String,
    case_body: Value,
    party: String,
    party_body: Value,
    hearing: String,
    hearing_body: Value,
    observation: String,
    ruling: String,
    ruling_body: Value,
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: &Value) -> Value {
    let (status, body) = app.call(method, path, Some(token), Some(body)).await;
    assert!(status < 300, "{path}: {status} {body}");
    body
}

/// Records of `token`'s organisation; published (by `reviewer`) when given.
async fn records(app: &TestApp, token: &str, reviewer: Option<&str>, tag: &str) -> Records {
    let court = call(
        app,
        token,
        Method::POST,
        "/courts",
        &json!({"name": format!("Basic Court {tag}"), "level": "basic", "jurisdiction": "XK"}),
    )
    .await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let case_body = json!({"court_id": court, "case_number": format!("C {tag}"), "title": "Fictional matrix case",
                           "proceeding_type": "civil_antidiscrimination", "grounds": ["ethnicity"],
                           "answers": {"selection_reasons": ["public_interest"]}});
    let case = call(app, token, Method::POST, "/cases", &case_body).await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let party_body = json!({"case_id": case, "role": "victim", "kind": "natural_person", "pseudonym": "Victim A",
                            "characteristics": ["ethnicity"], "representation": "ngo_lawyer"});
    let party = call(app, token, Method::POST, "/parties", &party_body).await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let hearing_body = json!({"case_id": case, "scheduled_at": "2025-03-14T09:00:00+01:00",
                              "started_at": "2025-03-14T09:40:00+01:00", "hearing_type": "main_evidentiary", "outcome": "held"});
    let hearing = call(app, token, Method::POST, "/hearings", &hearing_body).await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let observation = call(
        app,
        token,
        Method::POST,
        "/observations",
        &json!({"hearing_id": hearing, "notes": "Fictional matrix note.", "answers": {
            "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
            "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
            "duration_minutes": 30, "persons_present": ["judge"]}}),
    )
    .await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let ruling_body = json!({"case_id": case, "title": "Fictional matrix ruling", "language": "sq",
                             "full_text": "Fictional ruling text."});
    let ruling = call(app, token, Method::POST, "/rulings", &ruling_body).await["id"]
        .as_str()
        .expect("present")
        .to_owned();
    if let Some(reviewer) = reviewer {
        for path in [
            format!("/cases/{case}"),
            format!("/rulings/{ruling}"),
            format!("/observations/{observation}"),
        ] {
            let review = format!("{path}/review");
            call(
                app,
                token,
                Method::POST,
                &review,
                &json!({"action": "submit"}),
            )
            .await;
            call(
                app,
                reviewer,
                Method::POST,
                &review,
                &json!({"action": "publish"}),
            )
            .await;
        }
    }
    Records {
        court,
        case,
        case_body,
        party,
        party_body,
        hearing,
        hearing_body,
        observation,
        ruling,
        ruling_body,
    }
}

/// The request for `operation` against `r`: method, path, body (JSON, or NDJSON text).
fn request(operation: &str, r: &Records, n: usize) -> (Method, String, Option<Value>) {
    let get = |p: String| (Method::GET, p, None);
    let submit = json!({"action": "submit"});
    match operation {
        "list_methodology_versions" => get("/methodology".into()),
        "get_methodology" => get("/methodology/1".into()),
        "get_glossary" => get("/glossary".into()),
        "create_court" => (
            Method::POST,
            "/courts".into(),
            Some(
                json!({"name": format!("Matrix court {n}"), "level": "basic", "jurisdiction": "RS"}),
            ),
        ),
        "list_courts" => get("/courts".into()),
        "get_court" => get(format!("/courts/{}", r.court)),
        "update_court" => (
            Method::PUT,
            format!("/courts/{}", r.court),
            Some(
                json!({"name": format!("Renamed court {n}"), "level": "basic", "jurisdiction": "XK"}),
            ),
        ),
        "create_case" => {
            let mut body = r.case_body.clone();
            body["case_number"] = json!(format!("New {n}"));
            (Method::POST, "/cases".into(), Some(body))
        }
        "list_cases" => get("/cases".into()),
        "get_case" => get(format!("/cases/{}", r.case)),
        "update_case" => (
            Method::PUT,
            format!("/cases/{}", r.case),
            Some(r.case_body.clone()),
        ),
        "review_case" => (
            Method::POST,
            format!("/cases/{}/review", r.case),
            Some(submit),
        ),
        "grade_case" => (
            Method::PUT,
            format!("/cases/{}/grade", r.case),
            Some(json!({"grade": "B", "justification": "Fictional grade for the matrix."})),
        ),
        "get_sensitive_terms" => get(format!("/cases/{}/sensitive-terms", r.case)),
        "replace_sensitive_terms" => (
            Method::PUT,
            format!("/cases/{}/sensitive-terms", r.case),
            Some(json!({"terms": [{"term": format!("Fictional Name{n}"), "kind": "name"}]})),
        ),
        "create_party" => {
            let mut body = r.party_body.clone();
            body["pseudonym"] = json!(format!("Witness {n}"));
            (Method::POST, "/parties".into(), Some(body))
        }
        "list_parties" => get("/parties".into()),
        "get_party" => get(format!("/parties/{}", r.party)),
        "update_party" => (
            Method::PUT,
            format!("/parties/{}", r.party),
            Some(r.party_body.clone()),
        ),
        "create_hearing" => (Method::POST, "/hearings".into(), Some(r.hearing_body.clone())),
        "list_hearings" => get("/hearings".into()),
        "get_hearing" => get(format!("/hearings/{}", r.hearing)),
        "update_hearing" => (
            Method::PUT,
            format!("/hearings/{}", r.hearing),
            Some(r.hearing_body.clone()),
        ),
        "create_observation" => (
            Method::POST,
            "/observations".into(),
            Some(json!({"hearing_id": r.hearing})),
        ),
        "list_observations" => get("/observations".into()),
        "get_observation" => get(format!("/observations/{}", r.observation)),
        "update_observation" => (
            Method::PUT,
            format!("/observations/{}", r.observation),
            Some(json!({"hearing_id": r.hearing, "notes": "Changed note."})),
        ),
        "review_observation" => (
            Method::POST,
            format!("/observations/{}/review", r.observation),
            Some(submit),
        ),
        "import_rulings" => (
            Method::POST,
            "/rulings/import".into(),
            Some(Value::String(
                json!({"id": format!("matrix-{n}"), "title": "Fictional imported ruling", "court": "Fictional Court",
                       "date": "2024-01-02", "lang": "en", "text": "Fictional text."})
                .to_string(),
            )),
        ),
        "create_ruling" => (
            Method::POST,
            "/rulings".into(),
            Some(json!({"title": "Fictional case law", "court_name": "Fictional Court", "language": "en",
                        "full_text": "Fictional text."})),
        ),
        "list_rulings" => get("/rulings".into()),
        "get_ruling" => get(format!("/rulings/{}", r.ruling)),
        "update_ruling" => (
            Method::PUT,
            format!("/rulings/{}", r.ruling),
            Some(r.ruling_body.clone()),
        ),
        "review_ruling" => (
            Method::POST,
            format!("/rulings/{}/review", r.ruling),
            Some(submit),
        ),
        "search" => get("/search?q=fictional".into()),
        "export_dataset" => get("/datasets/cases.csv".into()),
        "dataset_codebook" => get("/datasets/codebook.json".into()),
        "dataset_package" => get("/datasets/datapackage.json".into()),
        "export_package" => get("/datasets/package.zip".into()),
        "dataset_codebook_csv" => get("/datasets/codebook.csv".into()),
        "stats_cases" => get("/stats/cases".into()),
        "stats_hearings" => get("/stats/hearings".into()),
        "stats_durations" => get("/stats/durations".into()),
        "stats_crosstab" => get("/stats/crosstab?question=hearing_outcome&by=jurisdiction".into()),
        "create_token" => (
            Method::POST,
            "/tokens".into(),
            Some(json!({"label": "matrix"})),
        ),
        "list_tokens" => get("/tokens".into()),
        "list_audit" => get("/audit".into()),
        "get_settings" => get("/settings".into()),
        "update_settings" => (
            Method::PUT,
            "/settings".into(),
            Some(json!({"anonymous_stats": false})),
        ),
        "list_organisations" => get("/organisations".into()),
        "create_organisation" => (
            Method::POST,
            "/organisations".into(),
            Some(json!({"name": format!("Matrix organisation {n} (fictional)")})),
        ),
        "list_users" => get("/users".into()),
        "invite_user" => (
            Method::POST,
            "/users".into(),
            Some(json!({"display_name": format!("Invited {n}"), "email": format!("invited{n}@example.org"),
                        "role": "monitor"})),
        ),
        // Called below with a token, an organisation or a user made for the purpose.
        "revoke_token" | "update_organisation" | "deactivate_organisation" | "get_user"
        | "update_user" | "deactivate_user" | "reset_user" => (Method::POST, String::new(), None),
        other => panic!("the matrix does not know how to call {other}: add it"),
    }
}

async fn send(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> u16 {
    let mut request = app.client.request(method, app.api(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match body {
        Some(Value::String(ndjson)) => request
            .header("content-type", "application/x-ndjson")
            .body(ndjson.clone()),
        Some(json) => request.json(json),
        None => request,
    };
    request.send().await.expect("request").status().as_u16()
}

fn spec_operations() -> BTreeSet<String> {
    include_str!("../../openapi.yaml")
        .lines()
        .filter_map(|line| line.trim().strip_prefix("operationId: "))
        .map(str::to_owned)
        .collect()
}

async fn matrix(app: &TestApp) {
    // The spec, this test's table and the service's table name the same operations, with the
    // same roles.
    let expected = expected();
    let named: BTreeSet<String> = expected.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        spec_operations(),
        named,
        "operations in openapi.yaml vs this test"
    );
    for rule in courtwatch_api::access::RULES {
        let (roles, kind) = expected[rule.operation];
        let declared: Vec<&str> = match rule.callers {
            courtwatch_api::access::Callers::Anyone => ALL.to_vec(),
            courtwatch_api::access::Callers::Roles(r)
            | courtwatch_api::access::Callers::RolesOrOpenStats(r) => {
                r.iter().map(|role| role.as_str()).collect()
            }
        };
        assert_eq!(declared, roles, "roles of {}", rule.operation);
        assert_eq!(
            rule.callers == courtwatch_api::access::Callers::Anyone,
            kind == Kind::Public,
            "{}",
            rule.operation
        );
    }
    assert_eq!(courtwatch_api::access::RULES.len(), expected.len());

    // Organisation A (the harness's monitor and coordinator), a researcher of A, an admin of an
    // operators' organisation, and a monitor and coordinator of organisation B.
    let own_org = "Test Coalition (fictional)";
    let mut tokens: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        (
            "admin",
            Some(app.user("admin", "Operators (fictional)").await),
        ),
        ("coordinator", Some(app.reviewer_token.clone())),
        ("monitor", Some(app.token.clone())),
        ("researcher", Some(app.user("researcher", own_org).await)),
    ];
    let other_monitor = app.user("monitor", "Other Coalition (fictional)").await;
    let other_reviewer = app.user("coordinator", "Other Coalition (fictional)").await;
    let admin = tokens[1].1.clone().expect("the admin's token");
    let own_org_id = app
        .call(Method::GET, "/organisations", Some(&app.token), None)
        .await
        .1[0]["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let other_org_id = app
        .call(Method::GET, "/organisations", Some(&other_monitor), None)
        .await
        .1[0]["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let mut n = 0;
    let mut checked = 0;
    for (operation, (roles, kind)) in &expected {
        // Fresh records for each operation that changes something; reads share one set.
        n += 1;
        let own = records(app, &app.token, None, &format!("own {n}")).await;
        let other = records(app, &other_monitor, None, &format!("other {n}")).await;
        let published = records(
            app,
            &other_monitor,
            Some(&other_reviewer),
            &format!("published {n}"),
        )
        .await;
        for (role, token) in tokens.iter_mut() {
            let targets: Vec<(&str, &Records)> = match kind {
                Kind::Read | Kind::Write | Kind::CreateUnder => vec![
                    ("own", &own),
                    ("other unpublished", &other),
                    ("other published", &published),
                ],
                _ => vec![("own", &own)],
            };
            for (target, records) in targets {
                n += 1;
                let (method, path, body) = request(operation, records, n);
                if *kind == Kind::Organisation {
                    let created = call(
                        app,
                        &admin,
                        Method::POST,
                        "/organisations",
                        &json!({"name": format!("Matrix organisation {n} (fictional)")}),
                    )
                    .await;
                    let id = created["id"].as_str().expect("present");
                    let (method, path, body) = if *operation == "update_organisation" {
                        (
                            Method::PUT,
                            format!("/organisations/{id}"),
                            Some(json!({"name": format!("Renamed organisation {n} (fictional)")})),
                        )
                    } else {
                        (
                            Method::POST,
                            format!("/organisations/{id}/deactivate"),
                            None,
                        )
                    };
                    let status = send(app, token.as_deref(), method, &path, body.as_ref()).await;
                    let want = match *role {
                        "anonymous" => 401,
                        "admin" => 200,
                        _ => 403,
                    };
                    assert_eq!(status, want, "{operation} as {role} ({})", app.backend);
                    checked += 1;
                    continue;
                }
                if *kind == Kind::Account {
                    for (whose, organisation, target_role) in [
                        ("own monitor", &own_org_id, "monitor"),
                        ("own coordinator", &own_org_id, "coordinator"),
                        ("other monitor", &other_org_id, "monitor"),
                    ] {
                        n += 1;
                        let invited = call(
                            app,
                            &admin,
                            Method::POST,
                            "/users",
                            &json!({"display_name": format!("Matrix user {n}"),
                                    "email": format!("matrix{n}@example.org"),
                                    "role": target_role, "organisation_id": organisation}),
                        )
                        .await;
                        let id = invited["user"]["id"].as_str().expect("present");
                        let (method, path, body, done) = match *operation {
                            "get_user" => (Method::GET, format!("/users/{id}"), None, 200),
                            "update_user" => (
                                Method::PUT,
                                format!("/users/{id}"),
                                Some(json!({"display_name": format!("Renamed user {n}")})),
                                200,
                            ),
                            "deactivate_user" => {
                                (Method::POST, format!("/users/{id}/deactivate"), None, 200)
                            }
                            _ => (Method::POST, format!("/users/{id}/sign-in-link"), None, 201),
                        };
                        let status =
                            send(app, token.as_deref(), method, &path, body.as_ref()).await;
                        let want = match (*role, whose) {
                            ("anonymous", _) => 401,
                            ("monitor" | "researcher", _) => 403,
                            ("admin", _) => done,
                            ("coordinator", "other monitor") => 404,
                            ("coordinator", "own coordinator") if *operation != "get_user" => 403,
                            _ => done,
                        };
                        assert_eq!(
                            status, want,
                            "{operation} as {role} on {whose} ({})",
                            app.backend
                        );
                        checked += 1;
                    }
                    continue;
                }
                if *kind == Kind::Token {
                    // Revoke a fresh token of the harness's monitor: the monitor's own, anyone
                    // else's.
                    let victim = call(
                        app,
                        &app.token,
                        Method::POST,
                        "/tokens",
                        &json!({"label": "victim"}),
                    )
                    .await;
                    let path =
                        format!("/tokens/{}/revoke", victim["id"].as_str().expect("present"));
                    let status = send(app, token.as_deref(), Method::POST, &path, None).await;
                    let want: &[u16] = match *role {
                        "anonymous" => &[401],
                        "admin" | "monitor" => &[200],
                        _ => &[404],
                    };
                    assert!(
                        want.contains(&status),
                        "{operation} as {role}: {status}, want {want:?} ({})",
                        app.backend
                    );
                    checked += 1;
                    continue;
                }
                let status = send(app, token.as_deref(), method, &path, body.as_ref()).await;
                let allowed_role = roles.contains(role);
                let own_org = target == "own";
                let released = target == "other published";
                let sees = *role == "admin"
                    || released
                    || (own_org && matches!(*role, "coordinator" | "monitor"));
                let changes =
                    *role == "admin" || (own_org && matches!(*role, "coordinator" | "monitor"));
                let ok = |s: u16| !matches!(s, 401 | 403 | 404) && s < 500;
                let pass = match (kind, *role) {
                    (Kind::Public, _) => status == 200,
                    (_, "anonymous") => status == 401,
                    _ if !allowed_role => status == 403,
                    (Kind::Collection, _) => ok(status),
                    (Kind::Read, _) if sees => status == 200,
                    (Kind::Read, _) => status == 404,
                    (Kind::Write, _) if !sees => status == 404,
                    (Kind::Write, _) if !changes => status == 403,
                    (Kind::Write, _) => ok(status),
                    (Kind::CreateUnder, _) if !sees => status == 422,
                    (Kind::CreateUnder, _) if !changes => status == 403,
                    (Kind::CreateUnder, _) => ok(status) && status != 422,
                    (Kind::Token | Kind::Organisation | Kind::Account, _) => unreachable!(),
                };
                assert!(
                    pass,
                    "{operation} {path} as {role} on {target} record: got {status} ({})",
                    app.backend
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "only {checked} combinations checked");
}

on_each_backend!(role_matrix, matrix);

async fn anonymous(app: &TestApp) {
    // Statistics are closed to anonymous callers until an admin opens them; nothing else opens.
    let admin = app.user("admin", "Operators (fictional)").await;
    assert_eq!(
        send(app, None, Method::GET, "/stats/cases", None).await,
        401
    );
    let (status, body) = app
        .call(
            Method::PUT,
            "/settings",
            Some(&app.token),
            Some(&json!({"anonymous_stats": true})),
        )
        .await;
    assert_eq!(status, 403, "a monitor may not open statistics: {body}");
    let (status, body) = app
        .call(
            Method::PUT,
            "/settings",
            Some(&admin),
            Some(&json!({"anonymous_stats": true})),
        )
        .await;
    assert_eq!(
        (status, body["anonymous_stats"].clone()),
        (200, json!(true))
    );
    for path in ["/stats/cases", "/stats/hearings", "/stats/durations"] {
        assert_eq!(
            send(app, None, Method::GET, path, None).await,
            200,
            "{path}"
        );
    }
    for path in [
        "/cases",
        "/search?q=x",
        "/datasets/cases.csv",
        "/observations",
        "/audit",
    ] {
        assert_eq!(
            send(app, None, Method::GET, path, None).await,
            401,
            "{path}"
        );
    }
    let (_, trail) = app
        .call(Method::GET, "/audit?resource=settings", Some(&admin), None)
        .await;
    assert_eq!(
        trail["items"][0]["after"],
        json!({"anonymous_stats": true, "two_factor_required": false})
    );
    assert_eq!(
        trail["items"][0]["before"],
        json!({"anonymous_stats": false, "two_factor_required": false})
    );
    app.call(
        Method::PUT,
        "/settings",
        Some(&admin),
        Some(&json!({"anonymous_stats": false})),
    )
    .await;
    assert_eq!(
        send(app, None, Method::GET, "/stats/cases", None).await,
        401
    );
}

on_each_backend!(anonymous_statistics_only_when_opened, anonymous);
