//! Forms generated from the methodology: a record's questions of one section become controls,
//! in the methodology's order, with the methodology's labels, help, standards, answer types and
//! conditions. Nothing about a question is written into a template: a new methodology version
//! gives a new form.
//!
//! Which questions show is the validator's own rule (`Methodology::applies`) on the record's
//! answers merged with its fields; the page's script (`static/form.js`) applies the same rule
//! from the `data-when`/`data-any` attributes written here as the monitor changes answers.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use courtwatch_methodology::{AnswerType, Methodology, Question, Scope, Text};
use serde_json::{Map, Value, json};

use super::i18n::{Lang, to_cyrillic};

/// Choice questions with at most this many answers are radio buttons; longer ones a select.
const RADIO_AT_MOST: usize = 5;
/// The form value of the "none of these" box of a multiple-choice question.
pub const NONE_OF_THESE: &str = "__none";

/// A methodology text in the page's language (Cyrillic by transliteration).
pub fn said(lang: Lang, text: &Text) -> String {
    match lang {
        Lang::En => text.en.clone(),
        Lang::Sq => text.sq.clone(),
        Lang::Sr => text.sr.clone(),
        Lang::SrCyrl => to_cyrillic(&text.sr),
    }
}

/// The control a question is answered with.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// One of a few answers.
    Radio,
    /// One of many answers.
    Select,
    /// Any of the answers.
    Checkboxes,
    /// A number field.
    Number {
        /// Smallest allowed.
        min: String,
        /// Largest allowed.
        max: String,
        /// `1` for whole numbers, `any` otherwise.
        step: &'static str,
        /// The unit, in words.
        unit: Option<String>,
    },
    /// A calendar date.
    Date,
    /// A date and time (entered in local time; stored with its offset).
    DateTime,
    /// Free text with its longest length.
    Text {
        /// Longest allowed, in characters.
        max: u32,
    },
}

/// One answer a choice question offers.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The term code (the form value).
    pub code: String,
    /// The term's label.
    pub label: String,
    /// Whether it is the answer given.
    pub checked: bool,
}

/// One question as the form shows it.
#[derive(Debug, Clone)]
pub struct FormQuestion {
    /// The question code (`q.<code>` in the form).
    pub code: String,
    /// Label, help and the standard it implements.
    pub label: String,
    /// The methodology's help text.
    pub help: String,
    /// E.g. `ECHR Art. 6(1)`.
    pub standard: Option<String>,
    /// Required when the record is submitted (if it applies).
    pub required: bool,
    /// The control.
    pub control: Control,
    /// The answers a choice question offers.
    pub choices: Vec<Choice>,
    /// "None of these" chosen (multiple choice answered with an empty list).
    pub none_chosen: bool,
    /// The value of a number, date or text field, as the person wrote it.
    pub value: String,
    /// Whether the question applies to the answers now (otherwise it is rendered hidden).
    pub shown: bool,
    /// The question this one depends on, and the answers that make it apply.
    pub when: Option<(String, String)>,
    /// Answered on the record's own fields (the hearing's facts): shown, not edited here.
    pub field: bool,
    /// What is wrong with the answer, in the page's language.
    pub problem: Option<String>,
    /// A reviewer's comment on this question.
    pub comment: Option<String>,
}

impl FormQuestion {
    /// The control's name for the template: `radio`, `select`, `checkboxes`, `number`, `date`,
    /// `datetime`, `text`.
    pub fn kind(&self) -> &'static str {
        match self.control {
            Control::Radio => "radio",
            Control::Select => "select",
            Control::Checkboxes => "checkboxes",
            Control::Number { .. } => "number",
            Control::Date => "date",
            Control::DateTime => "datetime",
            Control::Text { .. } => "text",
        }
    }

    /// A number field's range, step and unit (empty for other controls).
    pub fn number(&self) -> (&str, &str, &str, &str) {
        match &self.control {
            Control::Number {
                min,
                max,
                step,
                unit,
            } => (min, max, step, unit.as_deref().unwrap_or_default()),
            _ => ("", "", "", ""),
        }
    }

    /// A text's longest length in characters (0 for other controls).
    pub fn max_chars(&self) -> u32 {
        match self.control {
            Control::Text { max } => max,
            _ => 0,
        }
    }

    /// Whether one of the choices is the answer.
    pub fn any_checked(&self) -> bool {
        self.choices.iter().any(|c| c.checked)
    }

    /// Characters typed so far.
    pub fn chars(&self) -> usize {
        self.value.chars().count()
    }

    /// The value shown for a question answered on the record's fields.
    pub fn field_value(&self) -> String {
        let chosen: Vec<&str> = self
            .choices
            .iter()
            .filter(|c| c.checked)
            .map(|c| c.label.as_str())
            .collect();
        if chosen.is_empty() {
            self.value.clone()
        } else {
            chosen.join(", ")
        }
    }
}

/// One entry of the list of sections.
#[derive(Debug, Clone)]
pub struct SectionLink {
    /// The section code.
    pub code: String,
    /// Its label.
    pub label: String,
    /// Required questions that apply and are not answered yet.
    pub missing: usize,
    /// Problems found in it (after a refused submission).
    pub problems: usize,
    /// The section on screen.
    pub current: bool,
}

/// Everything the form of one section needs.
#[derive(Debug)]
pub struct FormInput<'a> {
    /// The record's methodology version.
    pub methodology: &'a Methodology,
    /// The record's scope.
    pub scope: Scope,
    /// The record's answers merged with its fields (by question code).
    pub merged: &'a Map<String, Value>,
    /// The case's jurisdiction: choice terms limited to some jurisdictions are offered there.
    pub jurisdiction: Option<&'a str>,
    /// Problems by question code, said in the page's language.
    pub problems: &'a BTreeMap<String, String>,
    /// Reviewer's comments by question code.
    pub comments: &'a BTreeMap<String, String>,
    /// The page's language.
    pub lang: Lang,
    /// The record fields this form writes itself (a case's number, type, grounds …): their
    /// questions get controls. Other field-bound questions are shown, not asked.
    pub own_fields: &'a [&'a str],
}

impl FormInput<'_> {
    /// The sections of the scope with what is left in each.
    pub fn sections(&self, current: &str) -> Vec<SectionLink> {
        let m = self.methodology;
        m.sections
            .iter()
            .filter(|s| s.scope == self.scope)
            .map(|s| {
                let questions = || m.questions_for(self.scope).filter(|q| q.section == s.code);
                SectionLink {
                    code: s.code.clone(),
                    label: said(self.lang, &s.label),
                    missing: questions()
                        .filter(|q| q.required && !self.merged.contains_key(&q.code))
                        .filter(|q| m.applies(q, self.merged))
                        .count(),
                    problems: questions()
                        .filter(|q| self.problems.contains_key(&q.code))
                        .count(),
                    current: s.code == current,
                }
            })
            .collect()
    }

    /// The questions of `section`, in the methodology's order.
    pub fn questions(&self, section: &str) -> Vec<FormQuestion> {
        self.methodology
            .questions_for(self.scope)
            .filter(|q| q.section == section)
            .map(|q| self.question(q))
            .collect()
    }

    fn question(&self, q: &Question) -> FormQuestion {
        let m = self.methodology;
        let answer = self.merged.get(&q.code);
        let codes: Vec<&str> = match answer {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let terms: Vec<_> = m
            .answer_terms(q)
            .into_iter()
            .filter(|t| {
                t.jurisdictions.is_empty()
                    || self
                        .jurisdiction
                        .is_none_or(|j| t.jurisdictions.iter().any(|x| x == j))
                    || codes.contains(&t.code.as_str())
            })
            .collect();
        let control = match &q.answer_type {
            AnswerType::YesNo { .. } => Control::Radio,
            AnswerType::SingleChoice { .. } if terms.len() <= RADIO_AT_MOST => Control::Radio,
            AnswerType::SingleChoice { .. } => Control::Select,
            AnswerType::MultipleChoice { .. } => Control::Checkboxes,
            AnswerType::Number {
                min,
                max,
                integer,
                unit,
            } => Control::Number {
                min: min.to_string(),
                max: max.to_string(),
                step: if *integer { "1" } else { "any" },
                unit: unit.clone(),
            },
            AnswerType::Date => Control::Date,
            AnswerType::DateTime => Control::DateTime,
            AnswerType::Text { max_length } => Control::Text { max: *max_length },
        };
        let value = match (answer, &control) {
            (Some(Value::String(s)), Control::DateTime) => local_input(s),
            (
                Some(Value::String(s)),
                Control::Number { .. } | Control::Date | Control::Text { .. },
            ) => s.clone(),
            (Some(Value::Number(n)), _) => n.to_string(),
            _ => String::new(),
        };
        FormQuestion {
            code: q.code.clone(),
            label: said(self.lang, &q.label),
            help: said(self.lang, &q.help),
            standard: q.standard.clone(),
            required: q.required,
            choices: terms
                .iter()
                .map(|t| Choice {
                    code: t.code.clone(),
                    label: said(self.lang, &t.label),
                    checked: codes.contains(&t.code.as_str()),
                })
                .collect(),
            none_chosen: matches!(answer, Some(Value::Array(items)) if items.is_empty()),
            control,
            value,
            shown: m.applies(q, self.merged),
            when: q
                .when
                .as_ref()
                .map(|w| (w.question.clone(), w.any_of.join(" "))),
            field: q
                .field
                .as_deref()
                .is_some_and(|f| !self.own_fields.contains(&f)),
            problem: self.problems.get(&q.code).cloned(),
            comment: self.comments.get(&q.code).cloned(),
        }
    }
}

/// An RFC 3339 time as a `datetime-local` value, in the offset it was written with.
fn local_input(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.naive_local().format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// The offset of Central European time at a local time: +02:00 from the last Sunday of March
/// to the last Sunday of October (the courts of Kosovo, Serbia and Montenegro all keep it).
fn central_european_offset(local: NaiveDateTime) -> FixedOffset {
    let last_sunday = |month: u32| {
        let mut day =
            chrono::NaiveDate::from_ymd_opt(local.year(), month, 31).unwrap_or(local.date());
        while day.weekday() != chrono::Weekday::Sun {
            day = day.pred_opt().unwrap_or(day);
        }
        day
    };
    let summer = local.date() > last_sunday(3) && local.date() < last_sunday(10);
    FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap_or(Utc.fix())
}

/// A `datetime-local` value as RFC 3339: with the browser's offset (minutes east of UTC, sent
/// by the page's script) or else Central European time. Text that is not a local time is kept
/// as written, so that the validator names it.
fn rfc3339_of_local(value: &str, offset_minutes: Option<i32>) -> Value {
    match local_time(value, offset_minutes) {
        Some(t) => json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        None => json!(value),
    }
}

/// A `datetime-local` value as a time with the browser's offset (minutes east of UTC) or else
/// Central European time; None when it is not a local time.
pub fn local_time(value: &str, offset_minutes: Option<i32>) -> Option<DateTime<FixedOffset>> {
    let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M").ok()?;
    let offset = offset_minutes
        .and_then(|m| FixedOffset::east_opt(m * 60))
        .unwrap_or_else(|| central_european_offset(local));
    offset.from_local_datetime(&local).single()
}

/// The answers a form sent for the questions of `section` it may change (not those answered on
/// the record's fields). A question left empty is unanswered; a number that does not parse is
/// kept as text, so that the validator refuses it by name and the page shows it again.
pub fn read_answers(
    m: &Methodology,
    scope: Scope,
    section: &str,
    pairs: &[(String, String)],
) -> Map<String, Value> {
    read_answers_with(m, scope, Some(section), pairs, &[])
}

/// [`read_answers`] of `section` (or of every section), with the questions of `own_fields` too
/// (by question code; the caller moves them to the record's fields).
pub fn read_answers_with(
    m: &Methodology,
    scope: Scope,
    section: Option<&str>,
    pairs: &[(String, String)],
    own_fields: &[&str],
) -> Map<String, Value> {
    let offset = value_of(pairs, "tz_offset").and_then(|v| v.trim().parse().ok());
    let mut answers = Map::new();
    for q in m.questions_for(scope).filter(|q| {
        section.is_none_or(|s| q.section == s)
            && q.field.as_deref().is_none_or(|f| own_fields.contains(&f))
    }) {
        let key = format!("q.{}", q.code);
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        let first = values.first().map(|v| v.trim()).unwrap_or_default();
        let answer = match &q.answer_type {
            AnswerType::MultipleChoice { .. } => {
                if values.contains(&NONE_OF_THESE) {
                    Some(json!([]))
                } else if values.is_empty() {
                    None
                } else {
                    Some(json!(values))
                }
            }
            _ if first.is_empty() => None,
            AnswerType::Number { integer, .. } => Some(number(first, *integer)),
            AnswerType::DateTime => Some(rfc3339_of_local(first, offset)),
            // Free text is kept exactly as typed (only an all-blank text is unanswered).
            AnswerType::Text { .. } => values.first().map(|v| json!(v.replace("\r\n", "\n"))),
            _ => Some(json!(first)),
        };
        if let Some(answer) = answer {
            answers.insert(q.code.clone(), answer);
        }
    }
    answers
}

fn number(text: &str, integer: bool) -> Value {
    let normal = text.replace(',', ".");
    if integer && let Ok(n) = normal.parse::<i64>() {
        return json!(n);
    }
    match normal.parse::<f64>() {
        Ok(n) if n.is_finite() => json!(n),
        _ => json!(text),
    }
}

/// A form body's fields in order (a name may repeat: checkboxes).
pub fn pairs(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `key` in a form.
pub fn value_of<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Removes the answers to questions that no longer apply (the validator refuses them) and
/// returns their codes, so that the page can say what was removed. `fields` are the record's
/// own answers (by question code), which are kept.
pub fn drop_inapplicable(
    m: &Methodology,
    answers: &mut Map<String, Value>,
    fields: &Map<String, Value>,
) -> Vec<String> {
    let mut dropped = Vec::new();
    // Dropping one answer can make another question stop applying: repeat until nothing moves.
    loop {
        let mut merged = answers.clone();
        merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        let gone: Vec<String> = answers
            .keys()
            .filter(|code| {
                m.question(code)
                    .is_some_and(|q| q.field.is_none() && !m.applies(q, &merged))
            })
            .cloned()
            .collect();
        if gone.is_empty() {
            return dropped;
        }
        for code in gone {
            answers.remove(&code);
            dropped.push(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use courtwatch_methodology::Registry;

    #[test]
    fn form_values_become_answers_of_the_question_types() {
        let m = Registry::published().latest();
        let pairs: Vec<(String, String)> = [
            ("q.interpreter_needed", "yes"),
            ("q.duration_minutes", "95"),
            ("q.persons_present", "judge"),
            ("q.persons_present", "public"),
            ("q.hate_speech_by", NONE_OF_THESE),
            ("q.public_admitted", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut all = Map::new();
        for s in &m.sections {
            all.extend(read_answers(m, Scope::Observation, &s.code, &pairs));
        }
        assert_eq!(all["interpreter_needed"], json!("yes"));
        assert_eq!(all["duration_minutes"], json!(95));
        assert_eq!(all["persons_present"], json!(["judge", "public"]));
        assert_eq!(all["hate_speech_by"], json!([]));
        assert!(!all.contains_key("public_admitted"), "empty is unanswered");
        assert_eq!(
            number("ninety", true),
            json!("ninety"),
            "kept to be refused"
        );
    }

    #[test]
    fn local_times_get_the_offset_of_the_day() {
        assert_eq!(
            rfc3339_of_local("2026-12-02T09:30", None),
            json!("2026-12-02T09:30:00+01:00")
        );
        assert_eq!(
            rfc3339_of_local("2026-07-02T09:30", None),
            json!("2026-07-02T09:30:00+02:00")
        );
        assert_eq!(
            rfc3339_of_local("2026-07-02T09:30", Some(0)),
            json!("2026-07-02T09:30:00+00:00")
        );
        assert_eq!(local_input("2026-07-02T09:30:00+02:00"), "2026-07-02T09:30");
    }

    #[test]
    fn answers_to_questions_no_longer_asked_are_dropped_in_chains() {
        let m = Registry::published().latest();
        let mut answers: Map<String, Value> = serde_json::from_value(json!({
            "interpreter_needed": "no", "interpreter_provided": "yes",
            "interpretation_quality": "adequate"
        }))
        .expect("answers");
        let dropped = drop_inapplicable(m, &mut answers, &Map::new());
        assert_eq!(dropped.len(), 2, "{dropped:?}");
        assert_eq!(answers.len(), 1);
    }
}
