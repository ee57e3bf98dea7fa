//! The property the `methodology_validate` fuzz target (`fuzz/`) checks, kept here so that the
//! committed corpus also runs as an ordinary test on stable Rust (`tests/fuzz_corpus.rs`).

use serde_json::{Map, Value};

use crate::{Context, Mode, Registry, Scope};

/// Feeds `data` (a JSON object of answers, as a client would send) to the validator of every
/// published methodology, for every scope, mode and jurisdiction, and panics if a property does
/// not hold:
/// - validation never panics and is deterministic;
/// - a submitted record has at least the problems of the same draft (submitting only adds
///   required-question checks);
/// - every problem names a question code that was answered or exists in the methodology;
/// - whether a question applies is the same asked whole (`applies`) or through its chain of
///   conditions (`conditions_of`, what exports use).
pub fn check_answers(data: &[u8]) {
    let Ok(Value::Object(answers)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    check_answer_map(&answers);
}

/// [`check_answers`] on an already parsed answer map.
pub fn check_answer_map(answers: &Map<String, Value>) {
    for methodology in Registry::published().all() {
        for question in &methodology.questions {
            let chain = methodology.conditions_of(question);
            assert_eq!(
                methodology.applies(question, answers),
                chain.iter().all(|c| c.holds(answers)),
                "applies and conditions_of disagree on {}",
                question.code
            );
        }
        for scope in [Scope::Case, Scope::Observation, Scope::Ruling] {
            for jurisdiction in [None, Some("XK"), Some("RS"), Some("ME"), Some("??")] {
                let context = Context { jurisdiction };
                let draft = methodology.validate(scope, answers, context, Mode::Draft);
                let again = methodology.validate(scope, answers, context, Mode::Draft);
                assert_eq!(draft, again, "validation is not deterministic");
                let submitted = methodology.validate(scope, answers, context, Mode::Submitted);
                for problem in &draft {
                    assert!(
                        submitted.contains(problem),
                        "a draft problem vanished on submit: {problem:?}"
                    );
                    assert!(
                        answers.contains_key(&problem.question)
                            || methodology.question(&problem.question).is_some(),
                        "a problem names neither an answer nor a question: {problem:?}"
                    );
                }
            }
        }
    }
}
