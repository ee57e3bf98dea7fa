//! `/stats/*` as a report uses them: the codes labelled in English, Albanian or Serbian from the
//! methodology's own vocabularies (`labels=en|sq|sr`, as the datasets), and each figure as a CSV
//! table (`format=csv`) with the count, the base and the share of every share.
//!
//! CSV layouts (RFC 4180, UTF-8, CRLF, header row):
//! - cases: `dimension,value,count,base,share` (base: the cases selected);
//! - hearings: `indicator,value,count,base,share` (reasons and reactions have no base: a hearing
//!   may give several);
//! - durations: `statistic,value`;
//! - crosstab: `by,answer,count,base,share`, one row per `by` value and answer (for a
//!   multiple-choice question, per option), base = the records in the row.

use courtwatch_methodology::{AnswerType, Methodology};

use crate::{
    error::ServiceError,
    services::{
        export::Labels,
        stats::{CaseStats, Count, Crosstab, DurationStats, HearingStats, Indicator},
    },
};

/// The label of a value the methodology's vocabularies do not hold.
fn own_label(code: &str, labels: Labels) -> Option<&'static str> {
    Some(match (code, labels) {
        ("none", Labels::En) => "None",
        ("none", Labels::Sq) => "Asnjë",
        ("none", Labels::Sr) => "Nema",
        ("unanswered", Labels::En) => "Not answered",
        ("unanswered", Labels::Sq) => "Pa përgjigje",
        ("unanswered", Labels::Sr) => "Bez odgovora",
        ("not_asked", Labels::En) => "Not asked (did not apply)",
        ("not_asked", Labels::Sq) => "Nuk u pyet (nuk zbatohej)",
        ("not_asked", Labels::Sr) => "Nije pitano (nije se primenjivalo)",
        _ => return None,
    })
}

/// Labels codes in one language from the vocabularies of the methodology.
#[derive(Debug, Clone, Copy)]
pub struct Labeller<'a> {
    methodology: &'a Methodology,
    labels: Labels,
}

impl<'a> Labeller<'a> {
    /// A labeller; `Labels::Codes` labels nothing.
    pub fn new(methodology: &'a Methodology, labels: Labels) -> Self {
        Self {
            methodology,
            labels,
        }
    }

    fn active(&self) -> bool {
        self.labels != Labels::Codes
    }

    /// The vocabulary a question's answers are terms of (`yes_no` for yes/no questions).
    fn vocabulary_of(&self, question: &str) -> Option<&'a str> {
        let q = self.methodology.question(question)?;
        match &q.answer_type {
            AnswerType::YesNo { .. } => Some("yes_no"),
            other => other.vocabulary(),
        }
    }

    /// The label of `code` among the answers to `question` (or of a dimension that is one:
    /// `jurisdiction`, `ground`, …); the code itself when it has none (years, ids).
    pub fn label(&self, question: Option<&str>, code: &str) -> String {
        if let Some(own) = own_label(code, self.labels) {
            return own.to_owned();
        }
        let term = question
            .and_then(|q| self.vocabulary_of(q))
            .and_then(|v| self.methodology.vocabulary(v))
            .and_then(|v| v.term(code));
        match term {
            Some(t) => match self.labels {
                Labels::Codes => code.to_owned(),
                Labels::En => t.label.en.clone(),
                Labels::Sq => t.label.sq.clone(),
                Labels::Sr => t.label.sr.clone(),
            },
            None => code.to_owned(),
        }
    }

    fn counts(&self, question: Option<&str>, counts: &mut [Count]) {
        if self.active() {
            for c in counts {
                c.label = Some(self.label(question, &c.value));
            }
        }
    }

    /// Labels the case counts.
    pub fn cases(&self, stats: &mut CaseStats) {
        self.counts(Some("grounds_alleged"), &mut stats.by_ground);
        self.counts(Some("jurisdiction"), &mut stats.by_jurisdiction);
        self.counts(Some("proceeding_type"), &mut stats.by_proceeding_type);
        self.counts(None, &mut stats.by_year);
        self.counts(Some("ruling_outcome"), &mut stats.by_outcome);
    }

    /// Labels the hearing indicators' lists.
    pub fn hearings(&self, stats: &mut HearingStats) {
        self.counts(Some("adjournment_reasons"), &mut stats.adjournment_reasons);
        self.counts(Some("judge_reaction"), &mut stats.judge_reactions);
    }

    /// Labels a crosstab's column heads and rows.
    pub fn crosstab(&self, table: &mut Crosstab) {
        if !self.active() {
            return;
        }
        let by = by_question(&table.by);
        table.answer_labels = Some(
            table
                .answers
                .iter()
                .map(|a| self.label(Some(&table.question), a))
                .collect(),
        );
        for row in &mut table.rows {
            row.label = Some(self.label(by, &row.value));
        }
    }
}

/// The question whose vocabulary labels a crosstab's rows.
fn by_question(by: &str) -> Option<&str> {
    Some(match by {
        "year" => return None,
        "ground" => "grounds_alleged",
        "status" => "monitoring_status",
        "outcome" => "ruling_outcome",
        other => other,
    })
}

fn share(count: u64, base: u64) -> String {
    if base == 0 {
        String::new()
    } else {
        format!("{:.4}", count as f64 / base as f64)
    }
}

fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> Result<String, ServiceError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| ServiceError::internal_from("writing CSV", e);
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer.write_record(row).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ServiceError::internal_from("writing CSV", e))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::internal_from("CSV text", e))
}

fn shown(count: &Count) -> String {
    count.label.clone().unwrap_or_else(|| count.value.clone())
}

/// `/stats/cases` as CSV (labelled already when asked for).
pub fn cases_csv(stats: &CaseStats) -> Result<String, ServiceError> {
    let total = stats.total;
    let mut rows = vec![vec![
        "total".to_owned(),
        String::new(),
        total.to_string(),
        total.to_string(),
        share(total, total),
    ]];
    for (dimension, counts) in [
        ("ground", &stats.by_ground),
        ("jurisdiction", &stats.by_jurisdiction),
        ("proceeding_type", &stats.by_proceeding_type),
        ("year", &stats.by_year),
        ("outcome", &stats.by_outcome),
    ] {
        for c in counts {
            rows.push(vec![
                dimension.to_owned(),
                shown(c),
                c.count.to_string(),
                total.to_string(),
                share(c.count, total),
            ]);
        }
    }
    csv_text(&["dimension", "value", "count", "base", "share"], rows)
}

/// `/stats/hearings` as CSV.
pub fn hearings_csv(stats: &HearingStats) -> Result<String, ServiceError> {
    let plain = |name: &str, n: u64| {
        vec![
            name.to_owned(),
            String::new(),
            n.to_string(),
            String::new(),
            String::new(),
        ]
    };
    let indicator = |name: &str, i: &Indicator| {
        vec![
            name.to_owned(),
            String::new(),
            i.count.to_string(),
            i.base.to_string(),
            share(i.count, i.base),
        ]
    };
    let mut rows = vec![
        plain("hearings", stats.hearings),
        plain("observed", stats.observed),
        indicator("adjourned", &stats.adjourned),
        indicator("cancelled", &stats.cancelled),
        indicator("closed_to_public", &stats.closed_to_public),
        indicator("interpreter_needed", &stats.interpreter_needed),
        indicator("interpreter_provided", &stats.interpreter_provided),
        indicator("hate_speech", &stats.hate_speech),
        indicator("judge_reacted", &stats.judge_reacted),
    ];
    for (name, counts) in [
        ("adjournment_reason", &stats.adjournment_reasons),
        ("judge_reaction", &stats.judge_reactions),
    ] {
        for c in counts {
            rows.push(vec![
                name.to_owned(),
                shown(c),
                c.count.to_string(),
                String::new(),
                String::new(),
            ]);
        }
    }
    csv_text(&["indicator", "value", "count", "base", "share"], rows)
}

/// `/stats/durations` as CSV.
pub fn durations_csv(stats: &DurationStats) -> Result<String, ServiceError> {
    let days = |d: Option<f64>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = vec![
        vec!["cases".to_owned(), stats.cases.to_string()],
        vec!["with_ruling".to_owned(), stats.with_ruling.to_string()],
        vec![
            "without_filing_date".to_owned(),
            stats.without_filing_date.to_string(),
        ],
        vec!["min_days".to_owned(), days(stats.min_days)],
        vec!["q1_days".to_owned(), days(stats.q1_days)],
        vec!["median_days".to_owned(), days(stats.median_days)],
        vec!["q3_days".to_owned(), days(stats.q3_days)],
        vec!["max_days".to_owned(), days(stats.max_days)],
    ];
    csv_text(&["statistic", "value"], rows)
}

/// `/stats/crosstab` as CSV, one row per `by` value and answer.
pub fn crosstab_csv(table: &Crosstab) -> Result<String, ServiceError> {
    let heads = table.answer_labels.as_ref().unwrap_or(&table.answers);
    let mut rows = Vec::new();
    for row in &table.rows {
        let by = row.label.clone().unwrap_or_else(|| row.value.clone());
        for (head, count) in heads.iter().zip(&row.counts) {
            rows.push(vec![
                by.clone(),
                head.clone(),
                count.to_string(),
                row.total.to_string(),
                share(*count, row.total),
            ]);
        }
    }
    csv_text(
        &[table.by.as_str(), "answer", "count", "base", "share"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_have_four_decimals_and_no_share_of_nothing() {
        assert_eq!(share(1, 3), "0.3333");
        assert_eq!(share(0, 0), "");
    }
}
