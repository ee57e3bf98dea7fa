//! Checking a record's answers against the methodology version it names.

use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{AnswerType, Condition, Methodology, Question, Scope};

/// How complete a record must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A draft: every answer given must be valid, but required questions may be missing.
    Draft,
    /// Submitted: in addition, every required question that applies must be answered.
    Submitted,
}

/// Facts about the record that some checks depend on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The jurisdiction (XK, RS, ME) of the case; grounds are checked against its list.
    pub jurisdiction: Option<&'a str>,
}

/// One thing wrong with a record's answers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// The question code the problem is about.
    pub question: String,
    /// What is wrong, in one sentence a monitor can act on.
    pub message: String,
}

impl Problem {
    fn new(question: &str, message: impl Into<String>) -> Self {
        Self {
            question: question.to_owned(),
            message: message.into(),
        }
    }
}

impl Condition {
    /// Whether these answers meet this condition alone (see [`Methodology::conditions_of`]).
    pub fn holds(&self, answers: &Map<String, Value>) -> bool {
        self.holds_for(answers.get(&self.question))
    }

    /// Whether this answer to the condition's question is one of its codes (for callers that
    /// have already looked the answer up).
    pub fn holds_for(&self, answer: Option<&Value>) -> bool {
        match answer {
            Some(Value::String(code)) => self.any_of.iter().any(|a| a == code),
            Some(Value::Array(codes)) => codes.iter().any(|c| {
                c.as_str()
                    .is_some_and(|c| self.any_of.iter().any(|a| a == c))
            }),
            _ => false,
        }
    }
}

/// Whether the answer to a condition's question is one of its codes.
fn condition_holds(condition: &Condition, answers: &Map<String, Value>) -> bool {
    condition.holds(answers)
}

impl Methodology {
    /// Checks `answers` (question code → answer) for a record of `scope` and returns every
    /// problem found, in methodology order; an empty list means the answers are valid.
    pub fn validate(
        &self,
        scope: Scope,
        answers: &Map<String, Value>,
        context: Context<'_>,
        mode: Mode,
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (code, value) in answers {
            match self.question(code) {
                None => problems.push(Problem::new(
                    code,
                    format!(
                        "no question with this code in methodology version {}",
                        self.version
                    ),
                )),
                Some(question) if question.scope != scope => problems.push(Problem::new(
                    code,
                    format!(
                        "this is a {} question; it cannot be answered in {} answers",
                        question.scope.as_str(),
                        scope.as_str()
                    ),
                )),
                Some(question) => self.check_value(question, value, context, &mut problems),
            }
        }
        for question in self.questions_for(scope) {
            let answered = answers.contains_key(&question.code);
            match self.inapplicable_because(question, answers) {
                Some(reason) if answered => problems.push(Problem::new(
                    &question.code,
                    format!("does not apply here ({reason}); leave it out"),
                )),
                Some(_) => {}
                None if !answered && question.required && mode == Mode::Submitted => {
                    problems.push(Problem::new(
                        &question.code,
                        "is required before the record can be submitted",
                    ))
                }
                None => {}
            }
        }
        problems.sort_by_key(|p| self.position(&p.question));
        problems
    }

    fn position(&self, code: &str) -> usize {
        self.questions
            .iter()
            .position(|q| q.code == code)
            .unwrap_or(usize::MAX)
    }

    /// The conditions that must all hold for `question` to apply, those of the questions it
    /// depends on first: [`applies`](Methodology::applies) is all of them holding. For callers
    /// that ask the same question of many records (exports) and look the chain up once.
    pub fn conditions_of<'a>(&'a self, question: &'a Question) -> Vec<&'a Condition> {
        let Some(condition) = question.when.as_ref() else {
            return Vec::new();
        };
        let Some(target) = self.question(&condition.question) else {
            return Vec::new();
        };
        let mut chain = self.conditions_of(target);
        chain.push(condition);
        chain
    }

    /// Whether the question applies to a record with these (merged) answers: its `when` condition,
    /// and that of the question it depends on, hold. A question that does not apply was not asked.
    pub fn applies(&self, question: &Question, answers: &Map<String, Value>) -> bool {
        // The same rule as `inapplicable_because`, without building the reason (exports ask
        // this for every cell).
        let Some(condition) = question.when.as_ref() else {
            return true;
        };
        let Some(target) = self.question(&condition.question) else {
            return true;
        };
        self.applies(target, answers) && condition_holds(condition, answers)
    }

    /// Why the question does not apply to these answers, or `None` when it applies.
    fn inapplicable_because(
        &self,
        question: &Question,
        answers: &Map<String, Value>,
    ) -> Option<String> {
        let condition = question.when.as_ref()?;
        let target = self.question(&condition.question)?;
        if let Some(reason) = self.inapplicable_because(target, answers) {
            return Some(reason);
        }
        if condition_holds(condition, answers) {
            None
        } else {
            Some(format!(
                "it applies only when '{}' is one of: {}",
                condition.question,
                condition.any_of.join(", ")
            ))
        }
    }

    fn check_value(
        &self,
        question: &Question,
        value: &Value,
        context: Context<'_>,
        problems: &mut Vec<Problem>,
    ) {
        let code = question.code.as_str();
        let mut fail = |message: String| problems.push(Problem::new(code, message));
        if value.is_null() {
            fail("null is not an answer; leave the question out to leave it unanswered".to_owned());
            return;
        }
        match &question.answer_type {
            AnswerType::YesNo { not_applicable } => {
                let allowed: &[&str] = if *not_applicable {
                    &["yes", "no", "unknown", "not_applicable"]
                } else {
                    &["yes", "no", "unknown"]
                };
                match value.as_str() {
                    Some(answer) if allowed.contains(&answer) => {}
                    _ => fail(format!(
                        "must be one of {}, got {value}",
                        allowed.join(", ")
                    )),
                }
            }
            AnswerType::SingleChoice { vocabulary } => match value.as_str() {
                Some(term) => {
                    if let Some(message) = self.term_problem(vocabulary, term, context) {
                        fail(message);
                    }
                }
                None => fail(format!(
                    "must be one term code of vocabulary '{vocabulary}' as a string, got {value}"
                )),
            },
            AnswerType::MultipleChoice { vocabulary } => {
                let Some(items) = value.as_array() else {
                    fail(format!(
                        "must be a list of term codes of vocabulary '{vocabulary}', got {value}"
                    ));
                    return;
                };
                let mut seen = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(term) if seen.contains(&term) => {
                            fail(format!("lists '{term}' more than once"))
                        }
                        Some(term) => {
                            seen.push(term);
                            if let Some(message) = self.term_problem(vocabulary, term, context) {
                                fail(message);
                            }
                        }
                        None => fail(format!(
                            "list items must be term codes as strings, got {item}"
                        )),
                    }
                }
            }
            AnswerType::Number {
                min, max, integer, ..
            } => match value.as_f64() {
                Some(number) if *integer && number.fract() != 0.0 => {
                    fail(format!("must be a whole number, got {value}"))
                }
                Some(number) if number < *min || number > *max => {
                    fail(format!("must be between {min} and {max}, got {value}"))
                }
                Some(_) => {}
                None => fail(format!("must be a number, got {value}")),
            },
            AnswerType::Date => match value.as_str() {
                Some(text)
                    if text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() => {}
                _ => fail(format!("must be a date written YYYY-MM-DD, got {value}")),
            },
            AnswerType::DateTime => match value.as_str() {
                Some(text) if DateTime::parse_from_rfc3339(text).is_ok() => {}
                _ => fail(format!(
                    "must be a date and time in RFC 3339 form (2025-03-14T09:30:00+01:00), got {value}"
                )),
            },
            AnswerType::Text { max_length } => match value.as_str() {
                Some(text) if text.trim().is_empty() => {
                    fail("is empty; leave the question out to leave it unanswered".to_owned())
                }
                Some(text) => {
                    let length = text.chars().count();
                    if length > *max_length as usize {
                        fail(format!(
                            "is {length} characters long; the limit is {max_length}"
                        ));
                    }
                }
                None => fail(format!("must be text, got {value}")),
            },
        }
    }

    fn term_problem(&self, vocabulary: &str, term: &str, context: Context<'_>) -> Option<String> {
        let vocabulary = self.vocabulary(vocabulary)?;
        let Some(found) = vocabulary.term(term) else {
            let allowed: Vec<&str> = vocabulary
                .terms
                .iter()
                .filter(|t| {
                    context.jurisdiction.is_none_or(|j| {
                        t.jurisdictions.is_empty() || t.jurisdictions.iter().any(|x| x == j)
                    })
                })
                .map(|t| t.code.as_str())
                .collect();
            return Some(format!(
                "'{term}' is not a term of vocabulary '{}'; expected one of: {}",
                vocabulary.code,
                allowed.join(", ")
            ));
        };
        match context.jurisdiction {
            Some(jurisdiction)
                if !found.jurisdictions.is_empty()
                    && !found.jurisdictions.iter().any(|j| j == jurisdiction) =>
            {
                Some(format!(
                    "'{term}' is not listed for jurisdiction {jurisdiction} (it applies in {})",
                    found.jurisdictions.join(", ")
                ))
            }
            _ => None,
        }
    }
}
