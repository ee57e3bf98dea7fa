//! What a query may cost before it runs. A query is refused (with the reason, as a 400) when it
//! would look up too many terms, when its prefixes would expand to too many indexed words, or when
//! a phrase is too long. The costs are counted while the query is built, from the index's own term
//! dictionaries, so a refused query reads no postings at all.
//!
//! The limits are set from the adversarial benchmark (`cargo bench -p courtwatch-tests --bench
//! search -- --adversarial`, BENCHMARKS.md): every query they accept runs in well under 200 ms
//! on the shared corpus, and no query of the judged set comes near them.

use tantivy::{Searcher, schema::Field};

use crate::error::IndexError;

/// Bounds on one query's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Term lookups in all (after repeats are removed; a stemmed word looks up two terms in
    /// each field it is searched in).
    pub term_lookups: usize,
    /// Indexed words all of the query's prefixes (`discrim*`) expand to, counted per segment.
    pub prefix_terms: usize,
    /// Words in one phrase.
    pub phrase_words: usize,
    /// Whether repeated clauses are searched once ([`crate::query::simplify`]).
    pub deduplicate: bool,
}

impl QueryLimits {
    /// The limits every search of the service runs under.
    pub const DEFAULT: QueryLimits = QueryLimits {
        term_lookups: 512,
        prefix_terms: 20_000,
        phrase_words: 32,
        deduplicate: true,
    };

    /// No limits: for the benchmark, to show what the limits save.
    #[doc(hidden)]
    pub const NONE: QueryLimits = QueryLimits {
        term_lookups: usize::MAX,
        prefix_terms: usize::MAX,
        phrase_words: usize::MAX,
        deduplicate: false,
    };
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The cost of the query being built, against its limits.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: QueryLimits,
    lookups: usize,
    prefix_terms: usize,
}

impl Budget {
    pub(crate) fn new(limits: QueryLimits) -> Self {
        Self {
            limits,
            lookups: 0,
            prefix_terms: 0,
        }
    }

    /// Counts `n` more term lookups.
    pub(crate) fn lookups(&mut self, n: usize) -> Result<(), IndexError> {
        self.lookups = self.lookups.saturating_add(n);
        if self.lookups > self.limits.term_lookups {
            return Err(IndexError::unsearchable(format!(
                "the query is too large: it looks up more than {} terms; \
                 search with fewer words or alternatives (repeated words count once)",
                self.limits.term_lookups
            )));
        }
        Ok(())
    }

    /// Checks a phrase's length (`text` as typed, for the message).
    pub(crate) fn phrase(&self, words: usize, text: &str) -> Result<(), IndexError> {
        if words > self.limits.phrase_words {
            return Err(IndexError::unsearchable(format!(
                "the phrase \"{}\" has {words} words; a phrase may have at most {}",
                shorten(text),
                self.limits.phrase_words
            )));
        }
        Ok(())
    }

    /// Counts the indexed words of `field` that begin with `prefix` (folded), and refuses the query
    /// once all its prefixes together expand to more words than the limit.
    pub(crate) fn prefix(
        &mut self,
        searcher: &Searcher,
        field: Field,
        prefix: &str,
    ) -> Result<(), IndexError> {
        let room = self.limits.prefix_terms.saturating_sub(self.prefix_terms);
        let found = prefix_expansion(searcher, field, prefix, room)?;
        self.prefix_terms = self.prefix_terms.saturating_add(found);
        if found > room {
            return Err(IndexError::unsearchable(format!(
                "'{prefix}*' matches too many words: the query's prefixes may match at most {} \
                 indexed words in all; write more letters before the '*'",
                self.limits.prefix_terms
            )));
        }
        Ok(())
    }
}

/// How many terms of `field` begin with `prefix`, summed over the segments; counting stops once
/// the count passes `limit` (so a refused prefix is not read to the end).
pub(crate) fn prefix_expansion(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    limit: usize,
) -> Result<usize, IndexError> {
    let mut count = 0usize;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .into_stream()?;
        while stream.advance() {
            if !stream.key().starts_with(prefix.as_bytes()) {
                break;
            }
            count += 1;
            if count > limit {
                return Ok(count);
            }
        }
    }
    Ok(count)
}

/// At most 60 characters of a phrase, for a message.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}
