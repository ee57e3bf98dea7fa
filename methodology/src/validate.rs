//! Checking a record's answers against the methodology version it names.

use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    messages::Message,
    model::{AnswerType, Condition, Methodology, Question, Scope},
};

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
    /// What is wrong, in one sentence a monitor can act on (English).
    pub message: String,
    /// The same, with its particulars, to be said in another language.
    pub said: Message,
}

impl Problem {
    fn new(question: &str, said: Message) -> Self {
        Self {
            question: question.to_owned(),
            message: said.to_string(),
            said,
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
            Some(Value::String(code)) => self.holds_for_codes([code.as_str()]),
            Some(Value::Array(items)) => {
                self.holds_for_codes(items.iter().filter_map(Value::as_str))
            }
            _ => false,
        }
    }

    /// The rule itself: whether one of an answer's codes (one for a single choice or yes/no, each
    /// item for a multiple choice; items that are not codes left out) is one of the condition's.
    /// For callers that read answers in their own form (exports, without building JSON values).
    pub fn holds_for_codes<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> bool {
        codes
            .into_iter()
            .any(|code| self.any_of.iter().any(|a| a == code))
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
                    Message::NoSuchQuestion {
                        version: self.version.to_string(),
                    },
                )),
                Some(question) if question.scope != scope => problems.push(Problem::new(
                    code,
                    Message::WrongScope {
                        question_scope: question.scope.as_str().to_owned(),
                        record_scope: scope.as_str().to_owned(),
                    },
                )),
                Some(question) => self.check_value(question, value, context, &mut problems),
            }
        }
        for question in self.questions_for(scope) {
            let answered = answers.contains_key(&question.code);
            match self.inapplicable_because(question, answers) {
                Some(reason) if answered => {
                    problems.push(Problem::new(&question.code, reason));
                }
                Some(_) => {}
                None if !answered && question.required && mode == Mode::Submitted => {
                    problems.push(Problem::new(&question.code, Message::Required));
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
    ) -> Option<Message> {
        let condition = question.when.as_ref()?;
        let target = self.question(&condition.question)?;
        if let Some(reason) = self.inapplicable_because(target, answers) {
            return Some(reason);
        }
        if condition_holds(condition, answers) {
            None
        } else {
            Some(Message::DoesNotApply {
                depends_on: condition.question.clone(),
                any_of: condition.any_of.join(", "),
            })
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
        let mut fail = |said: Message| problems.push(Problem::new(code, said));
        let got = || value.to_string();
        if value.is_null() {
            fail(Message::NullAnswer);
            return;
        }
        match &question.answer_type {
            AnswerType::YesNo { not_applicable } => {
                let allowed = AnswerType::yes_no_codes(*not_applicable);
                match value.as_str() {
                    Some(answer) if allowed.contains(&answer) => {}
                    _ => fail(Message::OneOf {
                        allowed: allowed.join(", "),
                        got: got(),
                    }),
                }
            }
            AnswerType::SingleChoice { vocabulary } => match value.as_str() {
                Some(term) => {
                    if let Some(message) = self.term_problem(vocabulary, term, context) {
                        fail(message);
                    }
                }
                None => fail(Message::TermAsString {
                    vocabulary: vocabulary.clone(),
                    got: got(),
                }),
            },
            AnswerType::MultipleChoice { vocabulary } => {
                let Some(items) = value.as_array() else {
                    fail(Message::TermList {
                        vocabulary: vocabulary.clone(),
                        got: got(),
                    });
                    return;
                };
                let mut seen = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(term) if seen.contains(&term) => fail(Message::Duplicate {
                            term: term.to_owned(),
                        }),
                        Some(term) => {
                            seen.push(term);
                            if let Some(message) = self.term_problem(vocabulary, term, context) {
                                fail(message);
                            }
                        }
                        None => fail(Message::ItemNotString {
                            got: item.to_string(),
                        }),
                    }
                }
            }
            AnswerType::Number {
                min, max, integer, ..
            } => match value.as_f64() {
                Some(number) if *integer && number.fract() != 0.0 => {
                    fail(Message::WholeNumber { got: got() })
                }
                Some(number) if number < *min || number > *max => fail(Message::Between {
                    min: min.to_string(),
                    max: max.to_string(),
                    got: got(),
                }),
                Some(_) => {}
                None => fail(Message::Number { got: got() }),
            },
            AnswerType::Date => match value.as_str() {
                Some(text)
                    if text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() => {}
                _ => fail(Message::Date { got: got() }),
            },
            AnswerType::DateTime => match value.as_str() {
                Some(text) if DateTime::parse_from_rfc3339(text).is_ok() => {}
                _ => fail(Message::DateTime { got: got() }),
            },
            AnswerType::Text { max_length } => match value.as_str() {
                Some(text) if text.trim().is_empty() => fail(Message::EmptyText),
                Some(text) => {
                    let length = text.chars().count();
                    if length > *max_length as usize {
                        fail(Message::TooLong {
                            length: length.to_string(),
                            limit: max_length.to_string(),
                        });
                    }
                }
                None => fail(Message::Text { got: got() }),
            },
        }
    }

    fn term_problem(&self, vocabulary: &str, term: &str, context: Context<'_>) -> Option<Message> {
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
            return Some(Message::NotATerm {
                term: term.to_owned(),
                vocabulary: vocabulary.code.clone(),
                allowed: allowed.join(", "),
            });
        };
        match context.jurisdiction {
            Some(jurisdiction)
                if !found.jurisdictions.is_empty()
                    && !found.jurisdictions.iter().any(|j| j == jurisdiction) =>
            {
                Some(Message::NotInJurisdiction {
                    term: term.to_owned(),
                    jurisdiction: jurisdiction.to_owned(),
                    listed: found.jurisdictions.join(", "),
                })
            }
            _ => None,
        }
    }
}
