//! The fictional demo data set: 42 cases in Kosovo, Serbia and Montenegro with parties, hearings,
//! observations and rulings. Every name, number and event is invented and marked as such; it is
//! loaded through the same services as real data, so it passes the same validation.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{
    entities::case as case_entity,
    error::ServiceError,
    services::{
        auth,
        case::{self, CaseInput},
        court::{self, CourtInput},
        hearing::{self, HearingInput},
        observation::{self, ObservationInput, ObservationStatus},
        organisation,
        party::{self, PartyInput},
        review::{ReviewAction, ReviewInput},
        ruling::{self, RulingInput},
    },
    state::AppState,
};

/// The marker carried by every demo record.
pub const DEMO_MARK: &str = "[DEMO – fictional]";

/// The demo data's organisation.
pub const DEMO_ORGANISATION: &str = "Demo Coalition (fictional demo data)";

/// The demo data's admin, whose token `serve --demo-data` prints so that a new user can get in.
pub const DEMO_ADMIN: &str = "Demo Admin (fictional)";

struct Scenario {
    ground: &'static str,
    proceeding_type: &'static str,
    area: &'static str,
    title: &'static str,
    summary: &'static str,
    respondent_kind: &'static str,
    bias: Option<&'static str>,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        ground: "roma_ashkali_egyptian",
        proceeding_type: "civil_antidiscrimination",
        area: "education",
        title: "Separate classes for Roma pupils",
        summary: "Roma pupils of a primary school are taught in a separate building with fewer teaching hours.",
        respondent_kind: "public_authority",
        bias: None,
    },
    Scenario {
        ground: "sexual_orientation",
        proceeding_type: "criminal_hate_aggravation",
        area: "public_space_violence",
        title: "Assault on two men leaving a café",
        summary: "Two men were beaten after leaving a café; the attackers shouted homophobic insults.",
        respondent_kind: "natural_person",
        bias: Some("anti_lgbti"),
    },
    Scenario {
        ground: "gender_identity",
        proceeding_type: "civil_antidiscrimination",
        area: "housing",
        title: "Trans woman refused a rental flat",
        summary: "A landlord withdrew a rental offer after learning that the tenant is a trans woman.",
        respondent_kind: "natural_person",
        bias: None,
    },
    Scenario {
        ground: "sex",
        proceeding_type: "labour_dispute",
        area: "employment",
        title: "Dismissal after return from maternity leave",
        summary: "An employee was dismissed two weeks after returning from maternity leave.",
        respondent_kind: "private_legal_person",
        bias: None,
    },
    Scenario {
        ground: "language",
        proceeding_type: "administrative_dispute",
        area: "justice_administration",
        title: "Decision served only in the majority language",
        summary: "A municipal decision was served only in the majority language despite a request for the minority language.",
        respondent_kind: "public_authority",
        bias: None,
    },
    Scenario {
        ground: "disability",
        proceeding_type: "civil_antidiscrimination",
        area: "goods_services",
        title: "Wheelchair user denied access to a bank branch",
        summary: "A bank branch has no step-free access and refused to serve a wheelchair user at the door.",
        respondent_kind: "private_legal_person",
        bias: None,
    },
    Scenario {
        ground: "ethnicity",
        proceeding_type: "criminal_incitement",
        area: "media",
        title: "Online posts calling for violence against a minority",
        summary: "Posts on a local news portal called for the expulsion of a minority community.",
        respondent_kind: "natural_person",
        bias: Some("racist_xenophobic"),
    },
];

struct Jurisdiction {
    code: &'static str,
    courts: &'static [&'static str],
    case_prefix: &'static str,
    notes_held: &'static [&'static str],
    notes_adjourned: &'static str,
    ruling_text: &'static str,
    ruling_language: &'static str,
    currency: &'static str,
}

const JURISDICTIONS: &[Jurisdiction] = &[
    Jurisdiction {
        code: "XK",
        courts: &[
            "Basic Court of Prishtina",
            "Basic Court of Prizren",
            "Basic Court of Mitrovica",
        ],
        case_prefix: "C.nr.",
        notes_held: &[
            "Seanca filloi me vonesë. Gjyqtari i lejoi të dy palët të paraqesin prova dhe përkthyesi ishte i pranishëm. (Të dhëna fiktive demonstruese.)",
            "Dëshmitari i palës së paditur bëri komente fyese për komunitetin rom; gjyqtari nuk reagoi. (Të dhëna fiktive demonstruese.)",
        ],
        notes_adjourned: "Seanca u shty sepse i padituri nuk u paraqit dhe ftesa nuk ishte dorëzuar rregullisht. (Të dhëna fiktive demonstruese.)",
        ruling_text: "AKTGJYKIM. Gjykata, duke vendosur në çështjen kontestimore, konstaton se i padituri ka diskriminuar paditësin. (Tekst fiktiv demonstrues.)",
        ruling_language: "sq",
        currency: "EUR",
    },
    Jurisdiction {
        code: "RS",
        courts: &[
            "Higher Court in Belgrade",
            "Basic Court in Novi Sad",
            "Higher Court in Niš",
        ],
        case_prefix: "P",
        notes_held: &[
            "Рочиште је почело са закашњењем. Судија је опоменуо публику због увредљивих коментара о оштећеном. (Измишљени демо подаци.)",
            "Ročište je održano. Sudija je obema stranama omogućio da izvedu dokaze; tumač za romski jezik je bio prisutan. (Izmišljeni demo podaci.)",
        ],
        notes_adjourned: "Ročište je odloženo jer veštak nije pristupio, a spisi nisu bili kompletni. (Izmišljeni demo podaci.)",
        ruling_text: "ПРЕСУДА. Суд утврђује да је тужени дискриминисао тужиоца и забрањује понављање таквог понашања. (Измишљени демо текст.)",
        ruling_language: "sr-Cyrl",
        currency: "RSD",
    },
    Jurisdiction {
        code: "ME",
        courts: &[
            "Basic Court in Podgorica",
            "Basic Court in Bijelo Polje",
            "Higher Court in Podgorica",
        ],
        case_prefix: "K",
        notes_held: &[
            "Ročište je počelo na vrijeme. Iz publike su se čuli uvredljivi komentari; sudija je opomenuo prisutne. (Izmišljeni demo podaci.)",
            "Pretres je održan; oštećeni je svjedočio putem video-veze. (Izmišljeni demo podaci.)",
        ],
        notes_adjourned: "Ročište je odloženo zbog odsustva branioca. (Izmišljeni demo podaci.)",
        ruling_text: "PRESUDA. Sud utvrđuje da je okrivljeni kriv i uzima pobudu mržnje kao otežavajuću okolnost. (Izmišljeni demo tekst.)",
        ruling_language: "sr-Latn-ME",
        currency: "EUR",
    },
];

const CASES_PER_JURISDICTION: usize = 14;

fn answers(value: Value) -> BTreeMap<String, Value> {
    value
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn held_answers(i: usize, hate_speech: bool) -> BTreeMap<String, Value> {
    let mut a = json!({
        "public_admitted": if i.is_multiple_of(5) { "no" } else { "yes" },
        "schedule_posted": if i.is_multiple_of(4) { "no" } else { "yes" },
        "public_excluded": "no",
        "equal_treatment": if i.is_multiple_of(6) { "no" } else { "yes" },
        "equality_of_arms": "yes",
        "grounds_discussed": if i.is_multiple_of(3) { "no" } else { "yes" },
        "hate_speech_in_courtroom": if hate_speech { "yes" } else { "no" },
        "hostile_groups_present": if i.is_multiple_of(7) { "yes" } else { "no" },
        "interpreter_needed": if i.is_multiple_of(2) { "yes" } else { "no" },
        "minutes_kept": "yes",
        "audio_recorded": if i % 3 == 1 { "yes" } else { "no" },
        "duration_minutes": 30 + (i * 7) % 90,
        "monitors_present": 1 + i % 2,
        "persons_present": ["judge", "defendant", "claimant_victim", "public"],
    });
    if i.is_multiple_of(2) {
        a["interpreter_provided"] = json!(if i.is_multiple_of(4) { "no" } else { "yes" });
        if !i.is_multiple_of(4) {
            a["interpretation_quality"] = json!("adequate");
        }
    }
    if hate_speech {
        a["hate_speech_by"] = json!(["public"]);
        let reaction = ["warned_or_stopped", "no_reaction", "noted_in_minutes"][i % 3];
        a["judge_reaction"] = json!(reaction);
    }
    if i.is_multiple_of(7) {
        a["hostile_groups_description"] =
            json!("About ten young men in matching T-shirts stood by the door. (fictional)");
    }
    answers(a)
}

/// Loads the demo data into a database that has no cases yet; returns a summary, or `None` when
/// the database already has cases.
pub async fn load(state: &AppState) -> Result<Option<String>, ServiceError> {
    if case_entity::Entity::find().count(&state.db).await? > 0 {
        return Ok(None);
    }
    organisation::ensure(&state.db, DEMO_ORGANISATION).await?;
    let user = auth::create_user(
        &state.db,
        "Demo Monitor (fictional)",
        DEMO_ORGANISATION,
        "monitor",
        None,
    )
    .await?;
    auth::create_user(&state.db, DEMO_ADMIN, DEMO_ORGANISATION, "admin", Some(1)).await?;
    let actor = auth::actor_of(user.user)?;
    let reviewer = auth::create_user(
        &state.db,
        "Demo Coordinator (fictional)",
        DEMO_ORGANISATION,
        "coordinator",
        None,
    )
    .await?;
    let reviewer = auth::actor_of(reviewer.user)?;
    // What the coordinator publishes at the end: most cases with their submitted observations and
    // rulings; every fourth case stays under review, to show the workflow.
    let (mut to_publish_cases, mut to_publish_observations, mut to_publish_rulings) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut cases, mut hearings, mut observations, mut rulings) = (0, 0, 0, 0);
    for jurisdiction in JURISDICTIONS {
        let mut court_ids = Vec::new();
        for name in jurisdiction.courts {
            let level = if name.starts_with("Higher") {
                "higher"
            } else {
                "basic"
            };
            let created = court::create(
                state,
                &actor,
                CourtInput {
                    name: (*name).to_owned(),
                    level: level.to_owned(),
                    jurisdiction: jurisdiction.code.to_owned(),
                    municipality: None,
                },
            )
            .await?;
            court_ids.push(created.id);
        }
        for i in 0..CASES_PER_JURISDICTION {
            let scenario = &SCENARIOS[i % SCENARIOS.len()];
            let filed = NaiveDate::from_ymd_opt(
                2021 + (i % 5) as i32,
                1 + (i % 12) as u32,
                1 + (i * 3 % 27) as u32,
            )
            .unwrap_or_default();
            let selection = [
                "vulnerable_group",
                "strategic_importance",
                "public_interest",
            ][i % 3];
            let mut case_answers = json!({
                "area_of_life": scenario.area,
                "selection_reasons": [selection],
                "filing_date_precision": "day",
                "ngo_involved": if i % 2 == 0 { "yes" } else { "no" },
            });
            if i % 2 == 0 {
                case_answers["ngo_roles"] = json!(["represents_party"]);
            }
            if let Some(bias) = scenario.bias {
                case_answers["bias_categories"] = json!([bias]);
            }
            if scenario.proceeding_type == "civil_antidiscrimination" {
                case_answers["discrimination_forms"] = json!([if scenario.area == "education" {
                    "segregation"
                } else {
                    "direct"
                }]);
            }
            let record = case::create(
                state,
                &actor,
                CaseInput {
                    court_id: court_ids[i % court_ids.len()].clone(),
                    case_number: format!(
                        "{} {}/{}",
                        jurisdiction.case_prefix,
                        100 + i,
                        filed.format("%y")
                    ),
                    title: format!("{DEMO_MARK} {}", scenario.title),
                    proceeding_type: scenario.proceeding_type.to_owned(),
                    grounds: vec![scenario.ground.to_owned()],
                    status: Some(
                        if i % 4 == 3 {
                            "concluded"
                        } else {
                            "monitoring"
                        }
                        .to_owned(),
                    ),
                    filing_date: Some(filed),
                    summary: Some(format!("{DEMO_MARK} {}", scenario.summary)),
                    methodology_version: None,
                    answers: answers(case_answers),
                },
            )
            .await?;
            cases += 1;
            let case_id = record.case.id.clone();
            for (role, kind, pseudonym) in [
                ("claimant", "natural_person", "Claimant A"),
                ("respondent", scenario.respondent_kind, "Respondent B"),
            ] {
                party::create(
                    state,
                    &actor,
                    PartyInput {
                        case_id: case_id.clone(),
                        role: role.to_owned(),
                        kind: kind.to_owned(),
                        pseudonym: pseudonym.to_owned(),
                        characteristics: if role == "claimant" {
                            vec![scenario.ground.to_owned()]
                        } else {
                            vec![]
                        },
                        representation: if role == "claimant" {
                            "ngo_lawyer"
                        } else {
                            "private_lawyer"
                        }
                        .to_owned(),
                    },
                )
                .await?;
            }

            let first = Utc.from_utc_datetime(&filed.and_hms_opt(8, 0, 0).unwrap_or_default())
                + Duration::days(90);
            let adjourned = hearing::create(
                state,
                &actor,
                HearingInput {
                    case_id: case_id.clone(),
                    scheduled_at: first.fixed_offset(),
                    started_at: None,
                    ended_at: None,
                    hearing_type: "preparatory".to_owned(),
                    outcome: "adjourned_before_start".to_owned(),
                    next_hearing_date: Some((first + Duration::days(45)).date_naive()),
                    courtroom: Some(format!("{}", 1 + i % 9)),
                },
            )
            .await?;
            let held = hearing::create(
                state,
                &actor,
                HearingInput {
                    case_id: case_id.clone(),
                    scheduled_at: (first + Duration::days(45)).fixed_offset(),
                    started_at: Some(
                        (first + Duration::days(45) + Duration::minutes((i as i64 * 13) % 70))
                            .fixed_offset(),
                    ),
                    ended_at: None,
                    hearing_type: "main_evidentiary".to_owned(),
                    outcome: "held".to_owned(),
                    next_hearing_date: None,
                    courtroom: Some(format!("{}", 1 + i % 9)),
                },
            )
            .await?;
            hearings += 2;
            let reasons = [
                ["defendant_absent", "improper_summons"],
                ["witness_expert_absent", "evidence_not_ready"],
                ["counsel_absent", "party_request"],
            ][i % 3];
            let publish = i % 4 != 3;
            if publish {
                to_publish_cases.push(record.case.id.clone());
            }
            let (first_observation, _) = observation::create(
                state,
                &actor,
                ObservationInput {
                    id: None,
                    hearing_id: adjourned.id,
                    methodology_version: None,
                    answers: answers(json!({
                        "adjournment_reasons": reasons, "public_admitted": "yes", "public_excluded": "no",
                        "grounds_discussed": "no", "hate_speech_in_courtroom": "no", "hostile_groups_present": "no",
                    })),
                    notes: Some(jurisdiction.notes_adjourned.to_owned()),
                    status: Some(ObservationStatus::Submitted),
                },
            )
            .await?;
            let hate_speech = i % 4 == 1;
            let (second_observation, _) = observation::create(
                state,
                &actor,
                ObservationInput {
                    id: None,
                    hearing_id: held.id,
                    methodology_version: None,
                    answers: held_answers(i, hate_speech),
                    notes: Some(
                        jurisdiction.notes_held[i % jurisdiction.notes_held.len()].to_owned(),
                    ),
                    status: Some(if i % 5 == 4 {
                        ObservationStatus::Draft
                    } else {
                        ObservationStatus::Submitted
                    }),
                },
            )
            .await?;
            observations += 2;
            if publish {
                to_publish_observations.push(first_observation.id);
                if second_observation.status == "submitted" {
                    to_publish_observations.push(second_observation.id);
                }
            }

            if i % 3 == 0 {
                let criminal = scenario.proceeding_type.starts_with("criminal");
                let mut ruling_answers = json!({"decision_type": "judgment", "reasoned_judgment": "yes", "echr_art14_cited": if i % 2 == 0 { "yes" } else { "no" }});
                let outcome = if criminal {
                    ruling_answers["sanction"] = json!("suspended_sentence");
                    ruling_answers["sentence_months"] = json!(6 + i % 12);
                    ruling_answers["bias_aggravation_applied"] =
                        json!(if scenario.bias.is_some() {
                            "yes"
                        } else {
                            "not_applicable"
                        });
                    "conviction"
                } else {
                    ruling_answers["remedies_claimed"] =
                        json!(["declaration", "non_material_damages"]);
                    ruling_answers["remedies_awarded"] =
                        json!(["declaration", "non_material_damages"]);
                    ruling_answers["non_material_damages_amount"] = json!(500 + 250 * (i % 5));
                    ruling_answers["damages_currency"] = json!(jurisdiction.currency);
                    "claim_upheld"
                };
                let created = ruling::create(
                    state,
                    &actor,
                    RulingInput {
                        case_id: Some(case_id),
                        court_id: None,
                        external_id: None,
                        court_name: None,
                        jurisdiction: None,
                        title: format!("{DEMO_MARK} {}", record.case.case_number),
                        decision_date: Some((first + Duration::days(200)).date_naive()),
                        instance: Some("first".to_owned()),
                        outcome: Some(outcome.to_owned()),
                        language: jurisdiction.ruling_language.to_owned(),
                        full_text: jurisdiction.ruling_text.to_owned(),
                        source: Some("courtwatch demo data (fictional)".to_owned()),
                        metadata: Default::default(),
                        methodology_version: None,
                        answers: answers(ruling_answers),
                    },
                )
                .await?;
                rulings += 1;
                if publish {
                    to_publish_rulings.push(created.id);
                }
            }
        }
    }
    let submit = || ReviewInput {
        action: ReviewAction::Submit,
        comments: BTreeMap::new(),
    };
    let publish = || ReviewInput {
        action: ReviewAction::Publish,
        comments: BTreeMap::new(),
    };
    let published = to_publish_cases.len();
    for id in &to_publish_cases {
        case::review(state, &actor, id, submit()).await?;
        case::review(state, &reviewer, id, publish()).await?;
    }
    for id in &to_publish_observations {
        observation::review(state, &reviewer, id, publish(), None).await?;
    }
    for id in &to_publish_rulings {
        ruling::review(state, &actor, id, submit()).await?;
        ruling::review(state, &reviewer, id, publish()).await?;
    }
    Ok(Some(format!(
        "loaded fictional demo data: {cases} cases ({published} published), {hearings} hearings, {observations} observations, {rulings} rulings in XK, RS and ME"
    )))
}

/// A new token for the demo admin (valid 30 days), when the demo data is loaded: what
/// `serve --demo-data` prints at the end of its start-up output. `None` when this database has no
/// demo admin (it had records of its own, so no demo data was loaded).
pub async fn admin_access(state: &AppState) -> Result<Option<DemoAccess>, ServiceError> {
    use crate::entities::user;
    use sea_orm::{ColumnTrait, QueryFilter};
    let Some(organisation) = organisation::find(&state.db, DEMO_ORGANISATION).await? else {
        return Ok(None);
    };
    let Some(admin) = user::Entity::find()
        .filter(user::Column::OrganisationId.eq(organisation.id))
        .filter(user::Column::DisplayName.eq(DEMO_ADMIN))
        .filter(user::Column::DeactivatedAt.is_null())
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let email = match &admin.email {
        Some(email) => email.clone(),
        None => {
            crate::services::accounts::set_email(&state.db, &admin.id, DEMO_ADMIN_EMAIL).await?;
            DEMO_ADMIN_EMAIL.to_owned()
        }
    };
    let purpose = if admin.password_hash.is_some() {
        crate::services::accounts::LinkPurpose::Reset
    } else {
        crate::services::accounts::LinkPurpose::Invite
    };
    let link = crate::services::accounts::create_link(&state.db, &admin.id, purpose, None).await?;
    let actor = auth::actor_of(admin)?;
    let (_, secret) = auth::create_token(&state.db, &actor, None, "serve --demo-data", 30).await?;
    Ok(Some(DemoAccess {
        token: secret,
        email,
        link,
    }))
}

/// The demo admin's e-mail address (a reserved example domain).
const DEMO_ADMIN_EMAIL: &str = "demo.admin@example.org";

/// How a new user gets in after `serve --demo-data`.
#[derive(Debug)]
pub struct DemoAccess {
    /// A new API token of the demo admin.
    pub token: String,
    /// The demo admin's sign-in name.
    pub email: String,
    /// A one-time sign-in link's secret (`/welcome/…`): the demo admin chooses a password.
    pub link: String,
}
