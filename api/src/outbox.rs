//! Recording changes to searchable content, inside the writing transaction.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};

use crate::{entities::search_outbox, error::ServiceError};

/// What changed. The indexer expands a change to every document it affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// A ruling (its own document).
    Ruling,
    /// An observation (its own document).
    Observation,
    /// A case: its summary and every observation and ruling that carries its metadata.
    Case,
    /// A hearing: the observations of it.
    Hearing,
    /// A court: every document that names it.
    Court,
}

impl Change {
    /// The code stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ruling => "ruling",
            Self::Observation => "observation",
            Self::Case => "case",
            Self::Hearing => "hearing",
            Self::Court => "court",
        }
    }

    /// Parses [`Change::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Ruling,
            Self::Observation,
            Self::Case,
            Self::Hearing,
            Self::Court,
        ]
        .into_iter()
        .find(|c| c.as_str() == text)
    }
}

/// Records a change; call inside the transaction that makes it.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    change: Change,
    id: &str,
) -> Result<(), ServiceError> {
    search_outbox::ActiveModel {
        id: NotSet,
        kind: Set(change.as_str().to_string()),
        record_id: Set(id.to_string()),
        created_at: Set(Utc::now()),
        applied_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}
