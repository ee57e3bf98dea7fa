//! Fictional monitoring data in bulk, written straight through sea-orm (not the API): for the
//! export benchmark and for tests that need more rows than the API would write in time. Every
//! case title is marked `[DEMO – fictional]`.

use chrono::{DateTime, TimeZone, Utc};
use courtwatch_api::entities::{case, case_ground, court, hearing, observation, party, ruling};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, Statement};
use serde_json::json;

/// Observations per hearing, hearings per case.
pub const PER_HEARING: usize = 2;
pub const PER_CASE: usize = 25;
const INSERT_BATCH: usize = 1000;

trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Ctx<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// Deterministic ids that sort in creation order, identical on every backend.
pub fn id(kind: u32, i: usize) -> String {
    format!("{kind:08x}-0000-7000-8000-{i:012x}")
}

pub fn at(seconds: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
        + chrono::Duration::seconds(seconds as i64)
}

/// Answers that vary with `i` and exercise the export: conditions met and not (NA), multiple
/// choice, numbers, and a few unanswered questions.
pub fn answers(i: usize) -> String {
    let excluded = i.is_multiple_of(7);
    let needed = i.is_multiple_of(5);
    let hate = i.is_multiple_of(11);
    let mut a = json!({
        "public_admitted": "yes", "public_excluded": if excluded { "yes" } else { "no" },
        "grounds_discussed": if i.is_multiple_of(3) { "yes" } else { "no" },
        "hate_speech_in_courtroom": if hate { "yes" } else { "no" },
        "hostile_groups_present": "no", "interpreter_needed": if needed { "yes" } else { "no" },
        "duration_minutes": 20 + i % 140, "persons_present": ["judge", "defendant", "public"],
        "panel_complete": if i.is_multiple_of(2) { "yes" } else { "no" },
    });
    if excluded {
        a["exclusion_reason"] = json!("morals");
    }
    if i.is_multiple_of(3) {
        a["grounds_discussed_list"] = json!(["ethnicity", "roma_ashkali_egyptian"]);
    }
    if needed {
        a["interpreter_provided"] = json!(if i.is_multiple_of(10) { "yes" } else { "no" });
    }
    if hate {
        a["hate_speech_by"] = json!(["public"]);
        a["judge_reaction"] = json!("warned_or_stopped");
    }
    a.to_string()
}

/// Writes `observations` observations (with their hearings, cases and courts) through sea-orm,
/// and two parties per case and rulings: one for every fourth case (every third of them a draft,
/// so not released) and a stand-alone one for every tenth case (every fifth of them a draft).
pub async fn generate(
    db: &DatabaseConnection,
    user: &str,
    observations: usize,
) -> Result<(), String> {
    let hearings = observations.div_ceil(PER_HEARING);
    let cases = hearings.div_ceil(PER_CASE);
    let org: String = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT organisation_id FROM users LIMIT 1",
        ))
        .await
        .ctx("organisation")?
        .and_then(|r| r.try_get::<String>("", "organisation_id").ok())
        .ok_or("no user")?;
    let jurisdictions = ["XK", "RS", "ME"];
    court::Entity::insert_many((0..30).map(|i| court::ActiveModel {
        id: Set(id(1, i)),
        name: Set(format!("Fictional Basic Court {i}")),
        level: Set("basic".into()),
        jurisdiction: Set(jurisdictions[i % 3].into()),
        municipality: Set(None),
        created_at: Set(at(0)),
        updated_at: Set(at(0)),
        created_by: Set(user.into()),
        updated_by: Set(user.into()),
    }))
    .exec(db)
    .await
    .ctx("courts")?;
    for start in (0..cases).step_by(INSERT_BATCH) {
        let range = start..(start + INSERT_BATCH).min(cases);
        case::Entity::insert_many(range.clone().map(|i| case::ActiveModel {
            id: Set(id(2, i)),
            court_id: Set(id(1, i % 30)),
            organisation_id: Set(org.clone()),
            case_number: Set(format!("C {i}/24")),
            title: Set(format!("[DEMO – fictional] benchmark case {i}")),
            proceeding_type: Set("civil_antidiscrimination".into()),
            status: Set("monitoring".into()),
            filing_date: Set(chrono::NaiveDate::from_ymd_opt(
                2020 + (i % 5) as i32,
                1 + (i % 12) as u32,
                1,
            )),
            summary: Set(None),
            methodology_version: Set(1),
            answers: Set("{}".into()),
            review_status: Set("published".into()),
            review_comments: Set(None),
            fairness_grade: Set(None),
            grade_justification: Set(None),
            graded_by: Set(None),
            graded_at: Set(None),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
            created_by: Set(user.into()),
            updated_by: Set(user.into()),
        }))
        .exec(db)
        .await
        .ctx("cases")?;
        case_ground::Entity::insert_many(range.map(|i| case_ground::ActiveModel {
            case_id: Set(id(2, i)),
            ground: Set(["ethnicity", "disability", "sexual_orientation"][i % 3].into()),
        }))
        .exec(db)
        .await
        .ctx("grounds")?;
    }
    parties_and_rulings(db, user, &org, cases).await?;
    for start in (0..hearings).step_by(INSERT_BATCH) {
        let range = start..(start + INSERT_BATCH).min(hearings);
        hearing::Entity::insert_many(range.map(|i| {
            hearing::ActiveModel {
                id: Set(id(3, i)),
                case_id: Set(id(2, i / PER_CASE)),
                scheduled_at: Set(at(i * 60)),
                started_at: Set(Some(at(i * 60 + 600))),
                ended_at: Set(Some(at(i * 60 + 3600))),
                hearing_type: Set("main_evidentiary".into()),
                outcome: Set(if i.is_multiple_of(4) {
                    "held_then_adjourned"
                } else {
                    "held"
                }
                .into()),
                next_hearing_date: Set(None),
                courtroom: Set(Some(format!("Room {}", i % 9))),
                created_at: Set(at(i)),
                updated_at: Set(at(i)),
                created_by: Set(user.into()),
                updated_by: Set(user.into()),
            }
        }))
        .exec(db)
        .await
        .ctx("hearings")?;
    }
    for start in (0..observations).step_by(INSERT_BATCH) {
        let range = start..(start + INSERT_BATCH).min(observations);
        observation::Entity::insert_many(range.map(|i| observation::ActiveModel {
            id: Set(id(4, i)),
            hearing_id: Set(id(3, i / PER_HEARING)),
            monitor_id: Set(user.into()),
            methodology_version: Set(1),
            answers: Set(answers(i)),
            notes: Set(Some(format!(
                "Fictional benchmark note {i}: the judge \"warned\" the public, then continued."
            ))),
            status: Set("published".into()),
            review_comments: Set(None),
            submitted_at: Set(Some(at(i + 7200))),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
            created_by: Set(user.into()),
            updated_by: Set(user.into()),
            version: Set(1),
        }))
        .exec(db)
        .await
        .ctx("observations")?;
    }
    Ok(())
}

/// The parties and rulings of [`generate`].
async fn parties_and_rulings(
    db: &DatabaseConnection,
    user: &str,
    org: &str,
    cases: usize,
) -> Result<(), String> {
    let parties = cases * 2;
    for start in (0..parties).step_by(INSERT_BATCH) {
        let range = start..(start + INSERT_BATCH).min(parties);
        party::Entity::insert_many(range.map(|i| party::ActiveModel {
            id: Set(id(5, i)),
            case_id: Set(id(2, i / 2)),
            role: Set(["claimant", "respondent"][i % 2].into()),
            kind: Set(["natural_person", "group_of_persons"][i % 2].into()),
            pseudonym: Set(format!("Party {}", ["A", "B"][i % 2])),
            characteristics: Set(if i.is_multiple_of(2) {
                r#"["ethnicity","roma_ashkali_egyptian"]"#.into()
            } else {
                "[]".into()
            }),
            representation: Set(["private_lawyer", "ngo_lawyer"][i % 2].into()),
            created_at: Set(at(i)),
            updated_at: Set(at(i + 1)),
            created_by: Set(user.into()),
            updated_by: Set(user.into()),
        }))
        .exec(db)
        .await
        .ctx("parties")?;
    }
    let attached = cases.div_ceil(4);
    let alone = cases.div_ceil(10);
    let rulings = attached + alone;
    for start in (0..rulings).step_by(INSERT_BATCH) {
        let range = start..(start + INSERT_BATCH).min(rulings);
        ruling::Entity::insert_many(range.map(|i| {
            let case = (i < attached).then(|| id(2, i * 4));
            let draft = if case.is_some() {
                i.is_multiple_of(3)
            } else {
                i.is_multiple_of(5)
            };
            ruling::ActiveModel {
                id: Set(id(6, i)),
                court_id: Set(case.as_ref().map(|_| id(1, (i * 4) % 30))),
                external_id: Set(case.is_none().then(|| format!("FICT-{i}/24"))),
                court_name: Set(format!("Fictional Court {}", i % 30)),
                jurisdiction: Set(Some(["XK", "RS", "ME"][i % 3].into())),
                title: Set(format!("[DEMO – fictional] ruling {i}, \"quoted\", with a comma")),
                decision_date: Set(chrono::NaiveDate::from_ymd_opt(2023, 1 + (i % 12) as u32, 9)),
                instance: Set(Some(["first", "appeal"][i % 2].into())),
                outcome: Set((!i.is_multiple_of(7)).then(|| "claim_upheld".into())),
                language: Set(["sq", "sr", "en"][i % 3].into()),
                full_text: Set(format!(
                    "Fictional judgment {i}.\nThe court finds; \"discrimination\" = {}.",
                    i % 2
                )),
                source: Set(case.is_none().then(|| "fictional generator".into())),
                metadata: Set(case.is_none().then(|| format!(r#"{{"articles":["14"],"n":{i}}}"#))),
                methodology_version: Set(1),
                answers: Set(r#"{"decision_type":"judgment","remedies_claimed":["declaration","prohibition"]}"#.into()),
                organisation_id: Set(Some(org.into())),
                review_status: Set(if draft { "draft" } else { "published" }.into()),
                review_comments: Set(None),
                case_id: Set(case),
                created_at: Set(at(i)),
                updated_at: Set(at(i + 2)),
                created_by: Set(user.into()),
                updated_by: Set(user.into()),
            }
        }))
        .exec(db)
        .await
        .ctx("rulings")?;
    }
    Ok(())
}
