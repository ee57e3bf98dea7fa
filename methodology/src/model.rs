//! The checked, in-memory methodology model.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::{MethodologyError, raw};

/// A text in the three languages of the methodology: English, Albanian and Serbian (Latin script).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: String,
    /// Albanian.
    pub sq: String,
    /// Serbian, Latin script.
    pub sr: String,
}

/// Which record a question is answered on.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Answered once per monitored case.
    Case,
    /// Answered by a monitor for one hearing.
    Observation,
    /// Answered for a ruling.
    Ruling,
}

impl Scope {
    /// The code used in files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Case => "case",
            Scope::Observation => "observation",
            Scope::Ruling => "ruling",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "case" => Some(Scope::Case),
            "observation" => Some(Scope::Observation),
            "ruling" => Some(Scope::Ruling),
            _ => None,
        }
    }
}

/// A group of questions shown together on a form.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Stable code.
    pub code: String,
    /// The record the section's questions are answered on.
    pub scope: Scope,
    /// Title in three languages.
    pub label: Text,
}

/// One allowed answer of a choice question.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// Stable code, stored and exported.
    pub code: String,
    /// Label in three languages.
    pub label: Text,
    /// Jurisdictions (ISO-style codes XK, RS, ME) where this term applies; empty means everywhere.
    pub jurisdictions: Vec<String>,
    /// The legal provision the term comes from, where there is one.
    pub basis: Option<String>,
}

/// A closed list of terms with stable codes.
#[derive(Debug, Clone, Serialize)]
pub struct Vocabulary {
    /// Stable code.
    pub code: String,
    /// Name in three languages.
    pub label: Text,
    /// The allowed terms, in display order.
    pub terms: Vec<Term>,
}

impl Vocabulary {
    /// The term with this code.
    pub fn term(&self, code: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.code == code)
    }
}

/// The kind of answer a question takes, with its constraints.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerType {
    /// `yes`, `no` or `unknown`, plus `not_applicable` when allowed.
    YesNo {
        /// Whether `not_applicable` is an allowed answer.
        not_applicable: bool,
    },
    /// Exactly one term code of the vocabulary.
    SingleChoice {
        /// The vocabulary code.
        vocabulary: String,
    },
    /// A list of distinct term codes of the vocabulary (possibly empty: "none of these").
    MultipleChoice {
        /// The vocabulary code.
        vocabulary: String,
    },
    /// A number within a range.
    Number {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Whether only whole numbers are allowed.
        integer: bool,
        /// The unit, e.g. `minutes`, `EUR`.
        unit: Option<String>,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A date and time with offset, RFC 3339.
    DateTime,
    /// Free text up to a length in characters.
    Text {
        /// Longest allowed text, in Unicode characters.
        max_length: u32,
    },
}

/// The vocabulary whose terms label yes/no answers (a version with yes/no questions must have
/// it, with every code those questions accept).
pub const YES_NO_VOCABULARY: &str = "yes_no";

impl AnswerType {
    /// The codes a yes/no question accepts: `not_applicable` only where the question allows it.
    pub fn yes_no_codes(not_applicable: bool) -> &'static [&'static str] {
        if not_applicable {
            &["yes", "no", "unknown", "not_applicable"]
        } else {
            &["yes", "no", "unknown"]
        }
    }

    /// The code of the type as written in methodology files and the API.
    pub fn code(&self) -> &'static str {
        match self {
            AnswerType::YesNo { .. } => "yes_no",
            AnswerType::SingleChoice { .. } => "single_choice",
            AnswerType::MultipleChoice { .. } => "multiple_choice",
            AnswerType::Number { .. } => "number",
            AnswerType::Date => "date",
            AnswerType::DateTime => "date_time",
            AnswerType::Text { .. } => "text",
        }
    }

    /// The vocabulary of a choice question.
    pub fn vocabulary(&self) -> Option<&str> {
        match self {
            AnswerType::SingleChoice { vocabulary } | AnswerType::MultipleChoice { vocabulary } => {
                Some(vocabulary)
            }
            _ => None,
        }
    }
}

/// A question applies only when another question's answer is one of some codes
/// (for a multiple-choice question: contains one of them).
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// The code of the question the condition looks at.
    pub question: String,
    /// The answer codes that make this question apply.
    pub any_of: Vec<String>,
}

/// One question of the methodology.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Stable code; also the CSV column name and the key in a record's `answers`.
    pub code: String,
    /// The record it is answered on.
    pub scope: Scope,
    /// The section it belongs to.
    pub section: String,
    /// What kind of answer it takes.
    pub answer_type: AnswerType,
    /// Whether it must be answered (when it applies) before a record is submitted.
    pub required: bool,
    /// When set, the question is answered by this core field of the record rather than in `answers`.
    pub field: Option<String>,
    /// The standard the question implements, e.g. `ECHR Art. 6(1); ICCPR Art. 14(1)`.
    pub standard: Option<String>,
    /// When the question applies; always when absent.
    pub when: Option<Condition>,
    /// The question as asked, in three languages.
    pub label: Text,
    /// Guidance for the monitor, in three languages.
    pub help: Text,
}

/// One published version of the methodology.
#[derive(Debug, Clone, Serialize)]
pub struct Methodology {
    /// Version number; records name the version they were entered under.
    pub version: u32,
    /// Date of publication.
    pub published: NaiveDate,
    /// Title in three languages.
    pub title: Text,
    /// Description in three languages.
    pub description: Text,
    /// Sections in form order.
    pub sections: Vec<Section>,
    /// Vocabularies by code.
    pub vocabularies: BTreeMap<String, Vocabulary>,
    /// Questions in methodology order (the order of forms and dataset columns).
    pub questions: Vec<Question>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_uppercase())
        && chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
        })
}

fn text(raw: raw::Text, what: &str, problems: &mut Vec<String>) -> Text {
    for (lang, value) in [("en", &raw.en), ("sq", &raw.sq), ("sr", &raw.sr)] {
        if value.trim().is_empty() {
            problems.push(format!("{what}: text in '{lang}' is empty"));
        }
    }
    Text {
        en: raw.en,
        sq: raw.sq,
        sr: raw.sr,
    }
}

impl Methodology {
    /// Parses and checks a methodology file.
    pub fn from_toml(file: &str, content: &str) -> Result<Self, MethodologyError> {
        let parsed: raw::File =
            toml::from_str(content).map_err(|source| MethodologyError::Parse {
                file: file.to_owned(),
                source: Box::new(source),
            })?;
        let mut problems = Vec::new();
        let methodology = Self::convert(parsed, &mut problems);
        if problems.is_empty() {
            Ok(methodology)
        } else {
            Err(MethodologyError::Inconsistent {
                file: file.to_owned(),
                problems,
            })
        }
    }

    fn convert(file: raw::File, problems: &mut Vec<String>) -> Self {
        let header = file.methodology;
        let published =
            NaiveDate::parse_from_str(&header.published, "%Y-%m-%d").unwrap_or_else(|_| {
                problems.push(format!(
                    "published date '{}' is not YYYY-MM-DD",
                    header.published
                ));
                NaiveDate::MIN
            });

        let mut sections = Vec::new();
        for raw_section in file.sections {
            let what = format!("section {}", raw_section.code);
            let Some(scope) = Scope::parse(&raw_section.scope) else {
                problems.push(format!("{what}: unknown scope '{}'", raw_section.scope));
                continue;
            };
            if sections
                .iter()
                .any(|s: &Section| s.code == raw_section.code)
            {
                problems.push(format!("{what}: duplicate section code"));
            }
            sections.push(Section {
                code: raw_section.code,
                scope,
                label: text(raw_section.label, &what, problems),
            });
        }

        let mut vocabularies = BTreeMap::new();
        for raw_vocabulary in file.vocabularies {
            let what = format!("vocabulary {}", raw_vocabulary.code);
            if !is_code(&raw_vocabulary.code) {
                problems.push(format!("{what}: code is not a valid identifier"));
            }
            let mut seen = HashSet::new();
            let mut terms = Vec::new();
            for raw_term in raw_vocabulary.terms {
                let term_what = format!("{what} term {}", raw_term.code);
                if !is_code(&raw_term.code) {
                    problems.push(format!("{term_what}: code is not a valid identifier"));
                }
                if !seen.insert(raw_term.code.clone()) {
                    problems.push(format!("{term_what}: duplicate term code"));
                }
                terms.push(Term {
                    label: text(raw_term.label, &term_what, problems),
                    code: raw_term.code,
                    jurisdictions: raw_term.jurisdictions,
                    basis: raw_term.basis,
                });
            }
            if terms.is_empty() {
                problems.push(format!("{what}: has no terms"));
            }
            let vocabulary = Vocabulary {
                label: text(raw_vocabulary.label, &what, problems),
                code: raw_vocabulary.code,
                terms,
            };
            if vocabularies
                .insert(vocabulary.code.clone(), vocabulary)
                .is_some()
            {
                problems.push(format!("{what}: duplicate vocabulary code"));
            }
        }

        let mut questions: Vec<Question> = Vec::new();
        let mut index = HashMap::new();
        for raw_question in file.questions {
            let what = format!("question {}", raw_question.code);
            if !is_code(&raw_question.code)
                || raw_question.code.chars().any(|c| c.is_ascii_uppercase())
            {
                problems.push(format!(
                    "{what}: code must be lowercase letters, digits and underscores"
                ));
            }
            let Some(scope) = Scope::parse(&raw_question.scope) else {
                problems.push(format!("{what}: unknown scope '{}'", raw_question.scope));
                continue;
            };
            match sections.iter().find(|s| s.code == raw_question.section) {
                None => problems.push(format!(
                    "{what}: unknown section '{}'",
                    raw_question.section
                )),
                Some(section) if section.scope != scope => problems.push(format!(
                    "{what}: section '{}' belongs to another scope",
                    section.code
                )),
                Some(_) => {}
            }
            let answer_type = Self::answer_type(&raw_question, &vocabularies, &what, problems);
            if let Some(condition) = &raw_question.when {
                Self::check_condition(
                    condition,
                    scope,
                    &questions,
                    &index,
                    &vocabularies,
                    &what,
                    problems,
                );
            }
            let question = Question {
                scope,
                section: raw_question.section,
                answer_type,
                required: raw_question.required,
                field: raw_question.field,
                standard: raw_question.standard,
                when: raw_question.when.map(|w| Condition {
                    question: w.question,
                    any_of: w.any_of,
                }),
                label: text(raw_question.label, &what, problems),
                help: text(raw_question.help, &what, problems),
                code: raw_question.code,
            };
            if index
                .insert(question.code.clone(), questions.len())
                .is_some()
            {
                problems.push(format!("{what}: duplicate question code"));
            }
            questions.push(question);
        }

        Methodology {
            version: header.version,
            published,
            title: text(header.title, "methodology title", problems),
            description: text(header.description, "methodology description", problems),
            sections,
            vocabularies,
            questions,
            index,
        }
    }

    fn answer_type(
        question: &raw::Question,
        vocabularies: &BTreeMap<String, Vocabulary>,
        what: &str,
        problems: &mut Vec<String>,
    ) -> AnswerType {
        let vocabulary = |problems: &mut Vec<String>| match &question.vocabulary {
            Some(code) if vocabularies.contains_key(code) => code.clone(),
            Some(code) => {
                problems.push(format!("{what}: unknown vocabulary '{code}'"));
                code.clone()
            }
            None => {
                problems.push(format!("{what}: a choice question needs a vocabulary"));
                String::new()
            }
        };
        match question.answer_type.as_str() {
            "yes_no" => {
                let labelled = vocabularies.get(YES_NO_VOCABULARY);
                for code in AnswerType::yes_no_codes(question.not_applicable) {
                    if labelled.is_none_or(|v| v.term(code).is_none()) {
                        problems.push(format!(
                            "{what}: yes/no answer '{code}' has no label in vocabulary \
                             '{YES_NO_VOCABULARY}'"
                        ));
                    }
                }
                AnswerType::YesNo {
                    not_applicable: question.not_applicable,
                }
            }
            "single_choice" => AnswerType::SingleChoice {
                vocabulary: vocabulary(problems),
            },
            "multiple_choice" => AnswerType::MultipleChoice {
                vocabulary: vocabulary(problems),
            },
            "number" => {
                let (Some(min), Some(max)) = (question.min, question.max) else {
                    problems.push(format!("{what}: a number question needs min and max"));
                    return AnswerType::Number {
                        min: 0.0,
                        max: 0.0,
                        integer: question.integer,
                        unit: None,
                    };
                };
                if min > max {
                    problems.push(format!("{what}: min is greater than max"));
                }
                AnswerType::Number {
                    min,
                    max,
                    integer: question.integer,
                    unit: question.unit.clone(),
                }
            }
            "date" => AnswerType::Date,
            "date_time" => AnswerType::DateTime,
            "text" => match question.max_length {
                Some(max_length) if max_length > 0 => AnswerType::Text { max_length },
                _ => {
                    problems.push(format!(
                        "{what}: a text question needs a positive max_length"
                    ));
                    AnswerType::Text { max_length: 1 }
                }
            },
            other => {
                problems.push(format!("{what}: unknown type '{other}'"));
                AnswerType::Text { max_length: 1 }
            }
        }
    }

    fn check_condition(
        condition: &raw::When,
        scope: Scope,
        earlier: &[Question],
        index: &HashMap<String, usize>,
        vocabularies: &BTreeMap<String, Vocabulary>,
        what: &str,
        problems: &mut Vec<String>,
    ) {
        let Some(target) = index.get(&condition.question).map(|&i| &earlier[i]) else {
            problems.push(format!(
                "{what}: condition names '{}', which is not an earlier question",
                condition.question
            ));
            return;
        };
        if target.scope != scope {
            problems.push(format!(
                "{what}: condition names a question of another scope"
            ));
        }
        if condition.any_of.is_empty() {
            problems.push(format!("{what}: condition lists no answer codes"));
        }
        let allowed: Vec<&str> = match &target.answer_type {
            AnswerType::YesNo { .. } => AnswerType::yes_no_codes(true).to_vec(),
            AnswerType::SingleChoice { vocabulary } | AnswerType::MultipleChoice { vocabulary } => {
                vocabularies
                    .get(vocabulary)
                    .map(|v| v.terms.iter().map(|t| t.code.as_str()).collect())
                    .unwrap_or_default()
            }
            _ => {
                problems.push(format!(
                    "{what}: condition must look at a yes/no or choice question"
                ));
                return;
            }
        };
        for code in &condition.any_of {
            if !allowed.contains(&code.as_str()) {
                problems.push(format!(
                    "{what}: condition code '{code}' is not an answer of '{}'",
                    target.code
                ));
            }
        }
    }

    /// The question with this code.
    pub fn question(&self, code: &str) -> Option<&Question> {
        self.index.get(code).map(|&i| &self.questions[i])
    }

    /// The questions answered on one kind of record, in methodology order.
    pub fn questions_for(&self, scope: Scope) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(move |q| q.scope == scope)
    }

    /// The vocabulary with this code.
    pub fn vocabulary(&self, code: &str) -> Option<&Vocabulary> {
        self.vocabularies.get(code)
    }

    /// The terms, with their labels, that a question's answers are: its vocabulary's for a choice
    /// question, the [`YES_NO_VOCABULARY`]'s it accepts for a yes/no question; none for free
    /// answers. The one source of answer labels, for forms, figures and datasets alike.
    pub fn answer_terms(&self, question: &Question) -> Vec<&Term> {
        match &question.answer_type {
            AnswerType::YesNo { not_applicable } => {
                let codes = AnswerType::yes_no_codes(*not_applicable);
                self.vocabulary(YES_NO_VOCABULARY)
                    .map(|v| {
                        v.terms
                            .iter()
                            .filter(|t| codes.contains(&t.code.as_str()))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            other => other
                .vocabulary()
                .and_then(|v| self.vocabulary(v))
                .map(|v| v.terms.iter().collect())
                .unwrap_or_default(),
        }
    }

    /// The question answered by a core field of a record, e.g. `(Scope::Case, "proceeding_type")`.
    pub fn field_question(&self, scope: Scope, field: &str) -> Option<&Question> {
        self.questions_for(scope)
            .find(|q| q.field.as_deref() == Some(field))
    }
}
