//! The courtwatch search index: schema, text analysis, the query language, writing and searching.
//!
//! This crate knows nothing of HTTP or the database. The service turns records into [`IndexDoc`]s,
//! hands them to a [`SearchIndex`], and turns a researcher's request into a [`SearchRequest`].

#![warn(missing_docs)]

pub mod analysis;
pub mod cost;
pub mod doc;
pub mod error;
pub mod expand;
#[doc(hidden)]
pub mod fuzzing;
pub mod index;
pub mod query;

pub use cost::QueryLimits;
pub use doc::{IndexDoc, Kind, Visibility, doc_key};
pub use error::{IndexError, InternalError, UserError};
pub use index::SearchIndex;
pub mod search;
mod snippet;

pub use search::{FacetCount, Filters, Hit, SearchRequest, SearchResults, Sort, Viewer};
pub mod store;

pub use store::IndexStore;
