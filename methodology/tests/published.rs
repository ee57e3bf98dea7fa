//! Published methodology versions are permanent: their files and parse results are pinned here.

use courtwatch_methodology::{AnswerType, Registry, Scope, published_source};
use sha2::{Digest, Sha256};

/// SHA-256 of `versions/v1.toml` as published. If this test fails, v1 was edited: revert the edit
/// and publish the change as a new version instead.
const V1_SHA256: &str = include_str!("fixtures/v1.sha256");

fn summary_line(question: &courtwatch_methodology::Question) -> String {
    let kind = match &question.answer_type {
        AnswerType::YesNo {
            not_applicable: true,
        } => "yes_no+na".to_owned(),
        AnswerType::Number {
            min, max, integer, ..
        } => format!("number[{min},{max}]{}", if *integer { "int" } else { "" }),
        AnswerType::Text { max_length } => format!("text({max_length})"),
        other => match other.vocabulary() {
            Some(vocabulary) => format!("{}:{vocabulary}", other.code()),
            None => other.code().to_owned(),
        },
    };
    let when = question
        .when
        .as_ref()
        .map(|w| format!(" when {} in {}", w.question, w.any_of.join("|")))
        .unwrap_or_default();
    format!(
        "{} {} {} {}{}{}{}",
        question.scope.as_str(),
        question.section,
        question.code,
        kind,
        if question.required { " required" } else { "" },
        question
            .field
            .as_ref()
            .map(|f| format!(" field={f}"))
            .unwrap_or_default(),
        when
    )
}

#[test]
fn v1_file_is_unchanged() {
    let content = published_source(1).expect("v1 is published");
    let digest = Sha256::digest(content.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        V1_SHA256.trim(),
        "methodology v1 was edited; publish a new version instead"
    );
}

#[test]
fn v1_parses_to_the_pinned_model() {
    let registry = Registry::load_published().expect("published versions load");
    let v1 = registry.get(1).expect("v1");
    let actual: Vec<String> = v1.questions.iter().map(summary_line).collect();
    let expected: Vec<&str> = include_str!("fixtures/v1.questions.txt").lines().collect();
    assert_eq!(actual, expected);
    let vocabularies: Vec<String> = v1
        .vocabularies
        .values()
        .map(|v| {
            format!(
                "{}: {}",
                v.code,
                v.terms
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .collect();
    let expected_vocabularies: Vec<&str> = include_str!("fixtures/v1.vocabularies.txt")
        .lines()
        .collect();
    assert_eq!(vocabularies, expected_vocabularies);
}

#[test]
fn v1_is_a_complete_instrument() {
    let v1 = Registry::published().get(1).expect("v1");
    assert!(
        v1.questions.len() > 60,
        "only {} questions",
        v1.questions.len()
    );
    for scope in [Scope::Case, Scope::Observation, Scope::Ruling] {
        assert!(
            v1.questions_for(scope).count() >= 15,
            "scope {scope:?} is thin"
        );
    }
    for section in ["fair_trial", "discrimination_indicators", "hearing_facts"] {
        assert!(
            v1.questions.iter().filter(|q| q.section == section).count() >= 8,
            "section {section} is thin"
        );
    }
    let grounds = v1.vocabulary("ground").expect("ground vocabulary");
    for jurisdiction in ["XK", "RS", "ME"] {
        let listed = grounds
            .terms
            .iter()
            .filter(|t| t.jurisdictions.iter().any(|j| j == jurisdiction))
            .count();
        assert!(listed >= 15, "{jurisdiction} lists only {listed} grounds");
    }
    // Kosovo-only and Serbia-only grounds stay distinct, as the laws differ.
    assert_eq!(
        grounds
            .term("pregnancy_maternity")
            .expect("term")
            .jurisdictions,
        vec!["XK"]
    );
    assert_eq!(
        grounds.term("appearance").expect("term").jurisdictions,
        vec!["RS"]
    );
    assert!(
        v1.questions
            .iter()
            .all(|q| !q.label.sq.is_empty() && !q.help.sr.is_empty())
    );
}

#[test]
fn registry_latest_is_the_highest_version() {
    let registry = Registry::published();
    assert_eq!(
        registry.latest().version,
        registry
            .all()
            .iter()
            .map(|m| m.version)
            .max()
            .expect("some")
    );
}
