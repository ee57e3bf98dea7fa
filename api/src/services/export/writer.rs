//! Rows of one file written as CSV: **every exported cell passes through [`Exporter::write_row`]**,
//! which redacts free text (prose columns and free-text answers) with the row's case redactor.

use std::fmt::Write as _;

use courtwatch_methodology::{AnswerType, Condition as AskedWhen, Methodology};
use rustc_hash::FxHashMap;

use super::{
    Labels, MULTI_SEPARATOR, NOT_ASKED,
    answers::Answer,
    codebook::codes_of,
    file::{Cell, Fact, File, Source, sources},
    rows::Rows,
};
use crate::{error::ServiceError, redact::Redactor};

/// One exported column, with its code → label map when labels are asked for.
struct Column<F: File> {
    source: Source<F>,
    labels: Option<FxHashMap<String, String>>,
    /// For a question column: its slot in a row's answers (see [`Exporter::slots`]).
    slot: Option<usize>,
    /// For a question column: the conditions that must hold for it to have been asked, each
    /// with the slot of the question it looks at.
    conditions: Vec<(Option<usize>, &'static AskedWhen)>,
}

/// Turns the rows of file `F` into CSV rows.
pub(super) struct Exporter<F: File> {
    methodology: &'static Methodology,
    columns: Vec<Column<F>>,
    /// Question code → slot: a row's answers are read once into an array of slots, then every
    /// column and condition reads its slot (instead of a map lookup per cell).
    pub slots: FxHashMap<&'static str, usize>,
    /// The record facts that answer field-bound questions, each with its question's slot.
    facts: Vec<(&'static Fact<F>, usize)>,
    /// Excel mode (`bom=true`): cells Excel would run as formulas are neutralised.
    excel: bool,
}

impl<F: File> Exporter<F> {
    /// The writer of file `F` under `methodology`. Each field-bound question is matched to the
    /// file's fact of that name here, once; a question whose fact the file lacks is an error.
    pub fn new(
        methodology: &'static Methodology,
        labels: Labels,
        full_text: bool,
        excel: bool,
    ) -> Result<Self, ServiceError> {
        let slots: FxHashMap<&'static str, usize> = methodology
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.code.as_str(), i))
            .collect();
        let columns = sources::<F>(methodology, full_text)
            .into_iter()
            .map(|source| {
                let codes = codes_of(methodology, source.described());
                let labels = (labels != Labels::Codes && !codes.is_empty()).then(|| {
                    codes
                        .iter()
                        .map(|c| (c.code.clone(), c.text(labels).to_string()))
                        .collect()
                });
                let (slot, conditions) = match source {
                    Source::Question(q) => (
                        slots.get(q.code.as_str()).copied(),
                        methodology
                            .conditions_of(q)
                            .into_iter()
                            .map(|c| (slots.get(c.question.as_str()).copied(), c))
                            .collect(),
                    ),
                    Source::Field(_) => (None, Vec::new()),
                };
                Column {
                    source,
                    labels,
                    slot,
                    conditions,
                }
            })
            .collect();
        let mut facts = Vec::new();
        for q in F::QUESTIONS
            .into_iter()
            .flat_map(|scope| methodology.questions_for(scope))
        {
            let Some(field) = q.field.as_deref() else {
                continue;
            };
            let fact = F::TABLE
                .facts
                .iter()
                .find(|f| f.field == field)
                .ok_or_else(|| {
                    ServiceError::internal(format!(
                        "methodology v{}: question {} is answered by the record field {field}, \
                     which {}.csv does not have",
                        methodology.version,
                        q.code,
                        F::DATASET.name()
                    ))
                })?;
            facts.extend(slots.get(q.code.as_str()).map(|&slot| (fact, slot)));
        }
        Ok(Exporter {
            methodology,
            columns,
            slots,
            facts,
            excel,
        })
    }

    /// The methodology version as stored.
    pub fn version(&self) -> i32 {
        i32::try_from(self.methodology.version).unwrap_or(i32::MAX)
    }

    /// The header row.
    pub fn header(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .map(|c| c.source.described().name())
            .collect()
    }

    /// A code as exported: itself, or its label. A code outside the vocabulary (which cannot be
    /// stored) is kept as it is, never dropped.
    fn label<'a>(column: &'a Column<F>, code: &'a str) -> &'a str {
        column
            .labels
            .as_ref()
            .and_then(|m| m.get(code))
            .map_or(code, String::as_str)
    }

    /// The cell of a coded field holding one code or codes joined by [`MULTI_SEPARATOR`].
    fn coded(column: &Column<F>, value: &str) -> String {
        if column.labels.is_none() || value.is_empty() {
            return value.to_string();
        }
        value
            .split(MULTI_SEPARATOR)
            .map(|code| Self::label(column, code))
            .collect::<Vec<_>>()
            .join(MULTI_SEPARATOR)
    }

    /// Formats the released rows of one batch, `redactor(case_id)` giving each row's redactor.
    pub fn format<'x>(
        &self,
        rows: &[F::Row<'_>],
        redactor: impl Fn(&str) -> &'x Redactor,
        capacity: usize,
    ) -> Result<Vec<u8>, ServiceError> {
        let csv_error = |e: String| ServiceError::internal_from("csv", e);
        let mut out = Rows::new(Vec::with_capacity(capacity), Some(self.columns.len()))
            .excel_safe(self.excel);
        let mut scratch = String::new();
        let mut answers: Vec<Option<Answer<'_>>> = vec![None; self.slots.len()];
        for row in rows {
            // Datasets are releases: released rows only, whoever asks, by the one rule.
            if !F::released(row) {
                continue;
            }
            F::answers(row, &self.slots, &mut answers)?;
            for &(fact, slot) in &self.facts {
                answers[slot] = (fact.value)(row);
            }
            self.write_row(
                &mut out,
                &mut scratch,
                row,
                &answers,
                redactor(F::case_id(row)),
            )
            .map_err(csv_error)?;
        }
        Ok(out.into_inner())
    }

    /// Writes one row: the single exit through which record values leave as files. Free text
    /// (prose columns and free-text answers) passes through the row's case redactor; `answers`
    /// are the row's answers by slot.
    fn write_row(
        &self,
        out: &mut Rows,
        scratch: &mut String,
        row: &F::Row<'_>,
        answers: &[Option<Answer<'_>>],
        redactor: &Redactor,
    ) -> Result<(), String> {
        let answer = |slot: Option<usize>| slot.and_then(|i| answers[i].as_ref());
        for c in &self.columns {
            match c.source {
                Source::Field(f) => {
                    let value = (f.value)(row);
                    match f.describe.cell {
                        Cell::Prose => out.field(&redactor.apply(&value)),
                        Cell::Coded { .. } if c.labels.is_some() => {
                            out.field(&Self::coded(c, &value));
                        }
                        Cell::Coded { .. } | Cell::Plain => out.field(&value),
                    }
                }
                Source::Question(q) => {
                    if !c.conditions.iter().all(|(slot, condition)| {
                        answer(*slot).is_some_and(|a| condition.holds_for_codes(a.codes()))
                    }) {
                        out.field(NOT_ASKED);
                        continue;
                    }
                    match answer(c.slot) {
                        None | Some(Answer::Null) => out.field(""),
                        Some(Answer::Text(s))
                            if matches!(q.answer_type, AnswerType::Text { .. }) =>
                        {
                            out.field(&redactor.apply(s));
                        }
                        Some(Answer::Text(s)) => out.field(Self::label(c, s)),
                        Some(Answer::List(items)) => {
                            scratch.clear();
                            for (i, item) in items.iter().enumerate() {
                                if i > 0 {
                                    scratch.push_str(MULTI_SEPARATOR);
                                }
                                match item {
                                    Answer::Text(s) => scratch.push_str(Self::label(c, s)),
                                    Answer::Null => scratch.push_str("null"),
                                    Answer::Other(v) => {
                                        let _ = write!(scratch, "{v}");
                                    }
                                    Answer::List(_) => {
                                        let _ = write!(scratch, "{}", item.to_value());
                                    }
                                }
                            }
                            out.field(&*scratch);
                        }
                        Some(Answer::Other(v)) => {
                            scratch.clear();
                            let _ = write!(scratch, "{v}");
                            out.field(&*scratch);
                        }
                    }
                }
            }
        }
        out.end_row()
    }
}
