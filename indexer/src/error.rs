//! Errors of the index.

use crate::query::ParseError;

/// What can go wrong in the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The query did not parse.
    #[error("the query does not parse {0}")]
    Query(#[from] ParseError),
    /// The query parsed but cannot be searched (a term with no letters, say).
    #[error("{0}")]
    Unsearchable(String),
    /// The cursor is not one this search handed out.
    #[error("invalid cursor: {0}")]
    Cursor(String),
    /// tantivy failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be read or written.
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}

impl From<tantivy::directory::error::OpenDirectoryError> for IndexError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        Self::Tantivy(e.into())
    }
}
