//! Errors of the index, split the one way a caller needs: what the person searching did wrong
//! ([`UserError`]: a bad query or cursor, which they can fix, shown to them as it is) and what broke
//! inside ([`InternalError`]: tantivy or the disk, never their doing, logged and not shown).

use crate::query::ParseError;

/// What can go wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The request is wrong; the message says how, for the person who made it.
    #[error(transparent)]
    User(#[from] UserError),
    /// The index failed; not the caller's doing.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// What the person searching did wrong.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The query did not parse.
    #[error("the query does not parse {0}")]
    Query(#[from] ParseError),
    /// The query parsed but cannot be searched (a term with no letters, or too costly a query).
    #[error("{0}")]
    Unsearchable(String),
    /// The cursor is not one this search handed out.
    #[error("invalid cursor: {0}")]
    Cursor(String),
}

/// What broke inside.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    /// tantivy failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be read or written.
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}

impl IndexError {
    /// A query that cannot be searched, with the reason.
    pub fn unsearchable(reason: impl Into<String>) -> Self {
        UserError::Unsearchable(reason.into()).into()
    }

    /// A cursor that is not this search's.
    pub fn cursor(reason: impl Into<String>) -> Self {
        UserError::Cursor(reason.into()).into()
    }
}

impl From<ParseError> for IndexError {
    fn from(e: ParseError) -> Self {
        Self::User(e.into())
    }
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Internal(e.into())
    }
}

impl From<std::io::Error> for IndexError {
    fn from(e: std::io::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for IndexError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        Self::Internal(InternalError::Tantivy(e.into()))
    }
}
