//! Keeping the tantivy index in step with the database. Services record what changed in the
//! outbox ([`crate::outbox`], in the write's transaction); this module sits above them and reads it:
//!
//! - [`documents`]: turns database records into index documents (redacted, with their visibility
//!   from [`crate::access::policy`]);
//! - [`sync`]: the background task that applies recorded changes in batches, the catch-up after a
//!   crash, and the full rebuild behind `courtwatch reindex`.

pub mod documents;
pub mod sync;

pub use crate::index::Search;
