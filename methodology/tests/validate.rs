//! Answer validation against methodology v1.

use courtwatch_methodology::{Context, Methodology, Mode, Registry, Scope};
use serde_json::{Map, Value, json};

fn v1() -> &'static Methodology {
    Registry::published().get(1).expect("v1")
}

fn answers(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

/// A complete, valid observation of a hearing that was held.
fn held_hearing() -> Map<String, Value> {
    answers(json!({
        "hearing_type": "main_evidentiary",
        "hearing_outcome": "held",
        "scheduled_start": "2025-03-14T09:00:00+01:00",
        "actual_start": "2025-03-14T09:40:00+01:00",
        "public_admitted": "yes",
        "public_excluded": "no",
        "grounds_discussed": "yes",
        "grounds_discussed_list": ["roma_ashkali_egyptian"],
        "hate_speech_in_courtroom": "no",
        "hostile_groups_present": "no",
        "interpreter_needed": "yes",
        "interpreter_provided": "no"
    }))
}

const XK: Context<'static> = Context {
    jurisdiction: Some("XK"),
};

#[test]
fn complete_observation_is_valid_for_submission() {
    let problems = v1().validate(Scope::Observation, &held_hearing(), XK, Mode::Submitted);
    assert_eq!(problems, vec![]);
}

#[test]
fn draft_may_be_incomplete_but_submission_lists_every_missing_answer() {
    let partial = answers(json!({ "hearing_type": "preparatory", "hearing_outcome": "held" }));
    assert_eq!(
        v1().validate(Scope::Observation, &partial, XK, Mode::Draft),
        vec![]
    );
    let problems = v1().validate(Scope::Observation, &partial, XK, Mode::Submitted);
    let codes: Vec<&str> = problems.iter().map(|p| p.question.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "scheduled_start",
            "actual_start",
            "public_admitted",
            "public_excluded",
            "grounds_discussed",
            "hate_speech_in_courtroom",
            "hostile_groups_present"
        ]
    );
    assert!(problems.iter().all(|p| p.message.contains("required")));
}

#[test]
fn every_problem_is_reported_at_once_in_methodology_order() {
    let mut bad = held_hearing();
    bad.insert("duration_minutes".into(), json!(12.5));
    bad.insert("monitors_present".into(), json!(0));
    bad.insert(
        "persons_present".into(),
        json!(["judge", "judge", "astronaut"]),
    );
    bad.insert("public_admitted".into(), json!(true));
    bad.insert("no_such_question".into(), json!("yes"));
    bad.insert("remedies_awarded".into(), json!([]));
    bad.insert("next_hearing_date".into(), json!("14.03.2025"));
    bad.insert("hostile_groups_description".into(), json!("a group"));
    let problems = v1().validate(Scope::Observation, &bad, XK, Mode::Submitted);
    let pairs: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.question.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("duration_minutes", "must be a whole number, got 12.5"),
            (
                "next_hearing_date",
                "must be a date written YYYY-MM-DD, got \"14.03.2025\""
            ),
            ("persons_present", "lists 'judge' more than once"),
            (
                "persons_present",
                "'astronaut' is not a term of vocabulary 'person_role'; expected one of: judge, panel_member, prosecutor, defendant, defence_counsel, claimant_victim, claimant_counsel, witness, expert, interpreter, equality_body, ngo_monitor, media, public, court_staff"
            ),
            ("monitors_present", "must be between 1 and 20, got 0"),
            (
                "public_admitted",
                "must be one of yes, no, unknown, got true"
            ),
            (
                "hostile_groups_description",
                "does not apply here (it applies only when 'hostile_groups_present' is one of: yes); leave it out"
            ),
            (
                "remedies_awarded",
                "this is a ruling question; it cannot be answered in observation answers"
            ),
            (
                "no_such_question",
                "no question with this code in methodology version 1"
            ),
        ]
    );
}

#[test]
fn conditions_follow_chains_and_multiple_choice_membership() {
    let mut adjourned = held_hearing();
    adjourned.insert("hearing_outcome".into(), json!("adjourned_before_start"));
    adjourned.remove("actual_start");
    adjourned.insert(
        "adjournment_reasons".into(),
        json!(["no_interpreter", "other"]),
    );
    let problems = v1().validate(Scope::Observation, &adjourned, XK, Mode::Submitted);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].question, "adjournment_reason_other");
    adjourned.insert(
        "adjournment_reason_other".into(),
        json!("Court building evacuated"),
    );
    assert_eq!(
        v1().validate(Scope::Observation, &adjourned, XK, Mode::Submitted),
        vec![]
    );

    // The hearing did not take place, so an actual start time is inconsistent.
    adjourned.insert("actual_start".into(), json!("2025-03-14T09:40:00+01:00"));
    let problems = v1().validate(Scope::Observation, &adjourned, XK, Mode::Draft);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("hearing_outcome"),
        "{}",
        problems[0].message
    );
}

#[test]
fn grounds_are_checked_against_the_case_jurisdiction() {
    let case = answers(json!({ "grounds_alleged": ["appearance", "sexual_orientation"] }));
    assert_eq!(
        v1().validate(
            Scope::Case,
            &case,
            Context {
                jurisdiction: Some("RS")
            },
            Mode::Draft
        ),
        vec![]
    );
    let problems = v1().validate(Scope::Case, &case, XK, Mode::Draft);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "'appearance' is not listed for jurisdiction XK (it applies in RS)"
    );
}

#[test]
fn null_empty_text_and_oversize_text_are_refused_not_dropped() {
    let mut observation = held_hearing();
    observation.insert("schedule_posted".into(), Value::Null);
    observation.insert("hate_speech_in_courtroom".into(), json!("yes"));
    observation.insert("hate_speech_by".into(), json!(["public"]));
    observation.insert("judge_reaction".into(), json!("no_reaction"));
    observation.insert("hate_speech_quote".into(), json!("x".repeat(2001)));
    observation.insert("hostile_groups_present".into(), json!("yes"));
    observation.insert("hostile_groups_description".into(), json!("   "));
    let problems = v1().validate(Scope::Observation, &observation, XK, Mode::Submitted);
    let messages: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.question, p.message))
        .collect();
    assert_eq!(
        messages,
        vec![
            "schedule_posted: null is not an answer; leave the question out to leave it unanswered",
            "hate_speech_quote: is 2001 characters long; the limit is 2000",
            "hostile_groups_description: is empty; leave the question out to leave it unanswered",
        ]
    );
}

#[test]
fn not_applicable_only_where_the_question_allows_it() {
    let mut observation = held_hearing();
    observation.insert("presumption_of_innocence".into(), json!("not_applicable"));
    assert_eq!(
        v1().validate(Scope::Observation, &observation, XK, Mode::Submitted),
        vec![]
    );
    observation.insert("public_admitted".into(), json!("not_applicable"));
    let problems = v1().validate(Scope::Observation, &observation, XK, Mode::Submitted);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].question, "public_admitted");
}

#[test]
fn broken_files_are_rejected_with_every_problem() {
    let broken = r#"
[methodology]
version = 9
published = "2026-13-01"
title = { en = "t", sq = "t", sr = "t" }
description = { en = "d", sq = "d", sr = "" }

[[section]]
code = "s"
scope = "case"
label = { en = "s", sq = "s", sr = "s" }

[[question]]
code = "a"
scope = "case"
section = "s"
type = "single_choice"
vocabulary = "missing"
label = { en = "a", sq = "a", sr = "a" }
help = { en = "a", sq = "a", sr = "a" }

[[question]]
code = "b"
scope = "case"
section = "s"
type = "text"
when = { question = "c", any_of = ["x"] }
label = { en = "b", sq = "b", sr = "b" }
help = { en = "b", sq = "b", sr = "b" }
"#;
    let err = Methodology::from_toml("broken.toml", broken).expect_err("broken file");
    let text = err.to_string();
    for expected in [
        "published date '2026-13-01'",
        "unknown vocabulary 'missing'",
        "needs a positive max_length",
        "names 'c', which is not an earlier question",
        "methodology description: text in 'sr' is empty",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    let unknown_field = "[methodology]\nversion = 1\npublished = \"2026-01-01\"\ncolour = 1\n";
    assert!(Methodology::from_toml("x.toml", unknown_field).is_err());
}
