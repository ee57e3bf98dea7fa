//! How a file is declared. Each file (`cases.rs`, `parties.rs`, `hearings.rs`, `observations.rs`,
//! `rulings.rs`) implements [`File`]: its typed row, borrowed from a batch as the database
//! returned it; one table of fixed columns, each a [`Field`] whose name, type, description and
//! accessor stand together; the record facts that answer field-bound questions ([`Fact`]); and
//! its batch reader. The writer, the codebook and the Data Package all read these tables, so a
//! column is named once.

use std::{borrow::Cow, collections::HashSet, future::Future};

use courtwatch_indexer::Kind;
use courtwatch_methodology::{Methodology, Question, Scope};
use rustc_hash::FxHashMap;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::{
    ColumnType, Dataset,
    answers::{self, Answer},
};
use crate::{entities::case, error::ServiceError, services::case::CaseFilter};

/// How a fixed column's values are written.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cell {
    /// As stored (ids, numbers, times).
    Plain,
    /// Free text written by people: goes out redacted (see [`crate::redact`]).
    Prose,
    /// Codes of a methodology vocabulary (labels with `labels=`), several joined by
    /// [`super::MULTI_SEPARATOR`] when `multiple`.
    Coded {
        vocabulary: &'static str,
        multiple: bool,
    },
}

/// What the codebook says of a fixed column.
#[derive(Debug)]
pub(super) struct Describe {
    pub name: &'static str,
    pub column_type: ColumnType,
    pub description: &'static str,
    pub cell: Cell,
    /// Only in files exported with `full_text=true` (the rulings' text).
    pub full_text_only: bool,
}

impl Describe {
    /// The vocabulary of a coded column.
    pub fn vocabulary(&self) -> Option<&'static str> {
        match self.cell {
            Cell::Coded { vocabulary, .. } => Some(vocabulary),
            Cell::Plain | Cell::Prose => None,
        }
    }

    /// Whether a cell may hold several codes.
    pub fn multiple(&self) -> bool {
        matches!(self.cell, Cell::Coded { multiple: true, .. })
    }
}

/// A fixed column of file `F`: its description and how a row's value is read.
pub(super) struct Field<F: File> {
    pub describe: Describe,
    pub value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>,
}

impl<F: File> Field<F> {
    const fn new(
        name: &'static str,
        column_type: ColumnType,
        cell: Cell,
        description: &'static str,
        value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>,
    ) -> Self {
        Field {
            describe: Describe {
                name,
                column_type,
                description,
                cell,
                full_text_only: false,
            },
            value,
        }
    }

    /// A column of ids, numbers or times, written as they are.
    pub const fn plain(
        name: &'static str,
        column_type: ColumnType,
        description: &'static str,
        value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>,
    ) -> Self {
        Self::new(name, column_type, Cell::Plain, description, value)
    }

    /// A free-text column (written by people; exported redacted).
    pub const fn prose(
        name: &'static str,
        description: &'static str,
        value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>,
    ) -> Self {
        Self::new(name, ColumnType::String, Cell::Prose, description, value)
    }

    /// A column of codes of `vocabulary`.
    pub const fn coded(
        name: &'static str,
        vocabulary: &'static str,
        multiple: bool,
        description: &'static str,
        value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>,
    ) -> Self {
        let cell = Cell::Coded {
            vocabulary,
            multiple,
        };
        Self::new(name, ColumnType::String, cell, description, value)
    }

    /// The same column, present only in files exported with `full_text=true`.
    pub const fn full_text_only(mut self) -> Self {
        self.describe.full_text_only = true;
        self
    }

    /// `created_at`, the same in every file.
    pub const fn created_at(value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>) -> Self {
        Self::plain(
            "created_at",
            ColumnType::Datetime,
            "When the record was created.",
            value,
        )
    }

    /// `updated_at`, the same in every file.
    pub const fn updated_at(value: for<'r, 'a> fn(&'r F::Row<'a>) -> Cow<'r, str>) -> Self {
        Self::plain(
            "updated_at",
            ColumnType::Datetime,
            "When the record was last changed.",
            value,
        )
    }
}

/// A record fact that answers the methodology's field-bound questions: `field` is the name the
/// methodology gives it (a question's `field`), matched once when a file's writer is built.
pub(super) struct Fact<F: File> {
    pub field: &'static str,
    pub value: for<'r, 'a> fn(&'r F::Row<'a>) -> Option<Answer<'r>>,
}

/// What one keyset batch query asks for (owned: the query runs on its own task, beside the
/// formatting of the batch before it).
#[derive(Debug, Clone)]
pub(super) struct BatchQuery {
    /// The case filter. Never `released`: release is the rule of [`File::released`], per row.
    pub filter: CaseFilter,
    /// The methodology version of the file (records entered under another are not exported).
    pub version: i32,
    /// The keyset: rows whose id comes after this one.
    pub after: String,
    /// With a search: only these ids (at most one batch of them, in id order).
    pub only: Option<Vec<String>>,
}

/// One exported file: its rows, columns and reader.
pub(super) trait File: Sized + Send + Sync + 'static {
    /// Which file this is.
    const DATASET: Dataset;
    /// The scope of the file's question columns (none for parties and hearings).
    const QUESTIONS: Option<Scope>;
    /// The search documents that select its rows with `q=` (none: the file cannot be searched).
    const SEARCH: Option<Kind>;

    /// One row, borrowed from its batch.
    type Row<'a>;
    /// A batch as read: it owns what its rows borrow.
    type Batch: Send + Sync + 'static;

    /// The file's columns and facts.
    const TABLE: Table<Self>;

    /// Reads one keyset batch (drafts included: [`File::released`] keeps the released rows).
    fn read(
        db: DatabaseConnection,
        query: BatchQuery,
    ) -> impl Future<Output = Result<Self::Batch, ServiceError>> + Send + 'static;
    /// Rows read (released or not), to tell the last batch.
    fn count(batch: &Self::Batch) -> usize;
    /// The last id read: where the next batch starts.
    fn last(batch: &Self::Batch) -> Result<Option<String>, ServiceError>;
    /// The cases of the batch's rows, whose redactors it needs.
    fn case_ids(batch: &Self::Batch) -> Result<HashSet<&str>, ServiceError>;
    /// The batch's rows, in id order.
    fn rows(batch: &Self::Batch) -> Result<Vec<Self::Row<'_>>, ServiceError>;

    /// The row's case (empty for stand-alone case law).
    fn case_id<'r>(row: &'r Self::Row<'_>) -> &'r str;
    /// Whether the row is released (only released rows are exported): by
    /// [`crate::access::policy::released`], from the row's own review state and its case's.
    fn released(row: &Self::Row<'_>) -> bool;
    /// The row's stored answers (a JSON object) with the record's id; none for a file without
    /// questions.
    fn stored_answers<'r>(row: &'r Self::Row<'_>) -> Option<(&'r str, &'r str)> {
        let _ = row;
        None
    }

    /// The row's stored answers, into their slots (`codes`: question code → slot).
    fn answers<'r>(
        row: &'r Self::Row<'_>,
        codes: &FxHashMap<&'static str, usize>,
        slots: &mut [Option<Answer<'r>>],
    ) -> Result<(), ServiceError> {
        match Self::stored_answers(row) {
            None => {
                slots.fill(None);
                Ok(())
            }
            Some((json, id)) => answers::read_into(json, codes, slots).map_err(|e| {
                ServiceError::internal_from(format!("{} {id}", Self::DATASET.name()), e)
            }),
        }
    }
}

/// A file's declaration: its fixed columns before and after the questions, in file order, and
/// the facts that answer its field-bound questions.
pub(super) struct Table<F: File> {
    pub leading: &'static [Field<F>],
    pub trailing: &'static [Field<F>],
    pub facts: &'static [Fact<F>],
}

/// A column of a file: a fixed column, or a methodology question.
pub(super) enum Source<F: File> {
    Field(&'static Field<F>),
    Question(&'static Question),
}

impl<F: File> Clone for Source<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: File> Copy for Source<F> {}

impl<F: File> Source<F> {
    /// What the codebook says of it.
    pub fn described(self) -> Described {
        match self {
            Source::Field(f) => Described::Field(&f.describe),
            Source::Question(q) => Described::Question(q),
        }
    }
}

/// A column as the codebook sees it (any file).
#[derive(Debug, Clone, Copy)]
pub(super) enum Described {
    Field(&'static Describe),
    Question(&'static Question),
}

impl Described {
    pub fn name(&self) -> &'static str {
        match self {
            Described::Field(f) => f.name,
            Described::Question(q) => &q.code,
        }
    }
}

/// File `F`'s columns in order: leading fixed columns, the questions of its scope in methodology
/// order, then the trailing ones (the full text only when asked for).
pub(super) fn sources<F: File>(
    methodology: &'static Methodology,
    full_text: bool,
) -> Vec<Source<F>> {
    let fields = |list: &'static [Field<F>]| {
        list.iter()
            .filter(move |f| full_text || !f.describe.full_text_only)
            .map(Source::Field)
    };
    let questions = F::QUESTIONS
        .into_iter()
        .flat_map(|scope| methodology.questions_for(scope).map(Source::Question));
    fields(F::TABLE.leading)
        .chain(questions)
        .chain(fields(F::TABLE.trailing))
        .collect()
}

/// The columns of `dataset` as the codebook sees them.
pub(super) fn columns(
    dataset: Dataset,
    methodology: &'static Methodology,
    full_text: bool,
) -> Vec<Described> {
    fn of<F: File>(methodology: &'static Methodology, full_text: bool) -> Vec<Described> {
        sources::<F>(methodology, full_text)
            .into_iter()
            .map(Source::described)
            .collect()
    }
    use super::{cases::Cases, hearings::Hearings, observations::Observations};
    use super::{parties::Parties, rulings::Rulings};
    match dataset {
        Dataset::Cases => of::<Cases>(methodology, full_text),
        Dataset::Parties => of::<Parties>(methodology, full_text),
        Dataset::Hearings => of::<Hearings>(methodology, full_text),
        Dataset::Observations => of::<Observations>(methodology, full_text),
        Dataset::Rulings => of::<Rulings>(methodology, full_text),
    }
}

/// The review state of the cases a batch's rows belong to (one query per batch).
#[derive(Debug, Default)]
pub(super) struct CaseStates(FxHashMap<String, String>);

impl CaseStates {
    /// Reads the review state of these cases.
    pub async fn read(
        db: &DatabaseConnection,
        ids: HashSet<&str>,
    ) -> Result<CaseStates, ServiceError> {
        let mut states = FxHashMap::default();
        let ids: Vec<&str> = ids.into_iter().filter(|id| !id.is_empty()).collect();
        // Bounded IN lists, for SQLite's limit on bound parameters.
        for chunk in ids.chunks(500) {
            let rows: Vec<(String, String)> = case::Entity::find()
                .select_only()
                .columns([case::Column::Id, case::Column::ReviewStatus])
                .filter(case::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            states.extend(rows);
        }
        Ok(CaseStates(states))
    }

    /// The review state of case `id`; empty (not released) for a case it does not know.
    pub fn of(&self, id: &str) -> &str {
        self.0.get(id).map_or("", String::as_str)
    }
}

/// A time as exported: RFC 3339, UTC, whole seconds.
pub(super) fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An optional value as exported (empty when absent).
pub(super) fn opt<T>(value: Option<T>, f: impl Fn(T) -> String) -> Cow<'static, str> {
    Cow::Owned(value.map(f).unwrap_or_default())
}

/// An optional text as exported (empty when absent).
pub(super) fn text(value: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(value.as_deref().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::export::{
        Labels, cases::Cases, hearings::Hearings, observations::Observations, parties::Parties,
        rulings::Rulings, writer::Exporter,
    };
    use courtwatch_methodology::Registry;

    fn builds<F: File>(methodology: &'static Methodology) {
        for full_text in [false, true] {
            let exporter = Exporter::<F>::new(methodology, Labels::Sr, full_text, false)
                .unwrap_or_else(|e| panic!("{}.csv: {e}", F::DATASET.name()));
            let header = exporter.header();
            let mut seen = HashSet::new();
            for name in &header {
                assert!(
                    seen.insert(*name),
                    "{}.csv: {name} twice",
                    F::DATASET.name()
                );
            }
            assert_eq!(
                header,
                columns(F::DATASET, methodology, full_text)
                    .iter()
                    .map(Described::name)
                    .collect::<Vec<_>>(),
                "the codebook describes the columns the file has"
            );
        }
    }

    #[test]
    fn every_file_has_the_facts_of_every_published_methodology() {
        for methodology in Registry::published().all() {
            builds::<Cases>(methodology);
            builds::<Parties>(methodology);
            builds::<Hearings>(methodology);
            builds::<Observations>(methodology);
            builds::<Rulings>(methodology);
        }
    }

    #[test]
    fn the_full_text_column_is_there_only_when_asked_for() {
        let m = Registry::published().latest();
        let names = |full_text| {
            columns(Dataset::Rulings, m, full_text)
                .iter()
                .map(Described::name)
                .collect::<Vec<_>>()
        };
        assert!(!names(false).contains(&"full_text"));
        let with = names(true);
        assert_eq!(
            &with[with.len() - 3..],
            ["full_text", "created_at", "updated_at"]
        );
    }

    #[test]
    fn a_question_answered_by_a_field_the_file_lacks_is_an_error() {
        let mut m = Registry::published().latest().clone();
        let q = m
            .questions
            .iter_mut()
            .find(|q| q.field.as_deref() == Some("hearing.outcome"))
            .expect("a hearing question");
        q.field = Some("hearing.weather".into());
        let m: &'static Methodology = Box::leak(Box::new(m));
        let err = Exporter::<Observations>::new(m, Labels::Codes, false, false)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("hearing.weather"), "{err}");
    }
}
