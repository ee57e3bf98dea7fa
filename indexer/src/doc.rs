//! What the index holds: one [`IndexDoc`] per searchable record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of record that are searchable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A ruling: a decision in a monitored case, or imported case law.
    Ruling,
    /// A monitor's observation of a hearing.
    Observation,
    /// A monitored case's summary.
    Case,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 3] = [Kind::Ruling, Kind::Observation, Kind::Case];

    /// The code used in queries, facets and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ruling => "ruling",
            Self::Observation => "observation",
            Self::Case => "case",
        }
    }

    /// Parses [`Kind::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Who may find a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Everyone who may search (a submitted or published record, or case law).
    Public,
    /// Only members of this organisation (an unsubmitted draft, say).
    Organisation(String),
}

/// One searchable record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    /// Kind of record.
    pub kind: Kind,
    /// The record's id (unique within its kind).
    pub id: String,
    /// The monitored case it belongs to, if any.
    pub case_id: Option<String>,
    /// Title shown in results.
    pub title: String,
    /// The searchable text: a ruling's full text, an observation's notes and free-text answers, a
    /// case's summary.
    pub body: String,
    /// The court's id, when it is one of ours.
    pub court_id: Option<String>,
    /// The court's name.
    pub court_name: Option<String>,
    /// Jurisdiction code.
    pub jurisdiction: Option<String>,
    /// Grounds of discrimination (codes).
    pub grounds: Vec<String>,
    /// Proceeding type code.
    pub proceeding_type: Option<String>,
    /// Outcome code (ruling outcome or case status).
    pub outcome: Option<String>,
    /// Language tag of the text.
    pub language: Option<String>,
    /// The record's date: decision date, hearing date, filing date.
    pub date: Option<NaiveDate>,
    /// Who may find it.
    pub visibility: Visibility,
}

impl IndexDoc {
    /// The document's key in the index: `kind:id`.
    pub fn key(&self) -> String {
        doc_key(self.kind, &self.id)
    }
}

/// The key of a record in the index.
pub fn doc_key(kind: Kind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}
