//! Searching: the request and its results, filters, visibility, exact totals and highlighted
//! snippets. The query compiler is in `compile.rs`, the collectors (one-pass count and keyset page,
//! facet counts) in `collect.rs`, the cursor in `cursor.rs`.

mod collect;
mod compile;
mod cursor;
mod hits;

use std::{
    collections::{BTreeMap, HashMap},
    ops::Bound,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::{
    DocSet, TantivyDocument, Term,
    postings::Postings,
    query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery},
    schema::{Field, IndexRecordOption, Value},
};

use crate::{
    analysis,
    cost::QueryLimits,
    doc::Kind,
    error::IndexError,
    index::{PUBLIC, SearchIndex, days},
    query::{self, Node},
    snippet::Highlighter,
};
use collect::{Entry, FacetCollector, TopAfter};
use compile::compile;
use cursor::{CursorData, decode_cursor, encode_cursor, signature};
pub(crate) use hits::SearchCaches;

/// The most hits one page may hold.
pub const MAX_LIMIT: usize = 100;
/// Facet values returned per facet.
const FACET_VALUES: usize = 25;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// BM25 relevance, best first.
    Relevance,
    /// Newest first; records without a date last.
    DateDesc,
    /// Oldest first; records without a date last.
    DateAsc,
}

/// Filters; within one filter any value may match, across filters all must.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Kinds of record.
    pub kinds: Vec<Kind>,
    /// Jurisdiction codes.
    pub jurisdictions: Vec<String>,
    /// Courts, by id or by exact name.
    pub courts: Vec<String>,
    /// Ground codes.
    pub grounds: Vec<String>,
    /// Proceeding type codes.
    pub proceeding_types: Vec<String>,
    /// Outcome codes.
    pub outcomes: Vec<String>,
    /// Language tags.
    pub languages: Vec<String>,
    /// Cases (case ids).
    pub case_ids: Vec<String>,
    /// Records (record ids; any may match).
    pub ids: Vec<String>,
    /// On or after this date.
    pub date_from: Option<NaiveDate>,
    /// On or before this date.
    pub date_to: Option<NaiveDate>,
    /// Within one filter every value must match (each value narrows the results further, as the
    /// web page's removable filters do, so that a facet's count is the number of hits its link
    /// gives); by default any value may.
    pub match_all: bool,
}

/// Who is searching: which organisations' non-public records they may find.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// Organisations whose non-public documents this viewer may see.
    pub organisations: Vec<String>,
    /// Sees every document (an administrator).
    pub everything: bool,
}

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query text (see [`crate::query`]); empty finds everything the filters allow.
    pub query: String,
    /// Turn stemming off (diacritics and script are still folded).
    pub exact: bool,
    /// Filters.
    pub filters: Filters,
    /// Who is searching.
    pub viewer: Viewer,
    /// Order.
    pub sort: Sort,
    /// Hits per page, 1..=[`MAX_LIMIT`].
    pub limit: usize,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Compute facet counts.
    pub facets: bool,
    /// Compute highlighted snippets.
    pub snippets: bool,
}

/// One hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Kind of record.
    pub kind: Kind,
    /// The record's id.
    pub id: String,
    /// Its case, if any.
    pub case_id: Option<String>,
    /// Title.
    pub title: String,
    /// Court name.
    pub court: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Date.
    pub date: Option<NaiveDate>,
    /// BM25 score (relevance order only).
    pub score: Option<f32>,
    /// Best matching passages, HTML-escaped, matches wrapped in `<mark>`.
    pub snippets: Vec<String>,
}

/// A count of matching documents with one facet value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    /// The value (a code, or a court name).
    pub value: String,
    /// Matching documents with this value.
    pub count: u64,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Exact number of matching documents.
    pub total: u64,
    /// This page.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching documents, by facet name (when asked for).
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
    /// Cursor for the next page, if there are more hits.
    pub next_cursor: Option<String>,
}

impl SearchIndex {
    /// Ids of every document of `kind` that the query and filters match, for the viewer; sorted
    /// and without duplicates. For dataset exports restricted by a search (no ranking, no cap).
    pub fn matching_ids(
        &self,
        query: &str,
        exact: bool,
        kind: Kind,
        filters: &Filters,
        viewer: &Viewer,
    ) -> Result<Vec<String>, IndexError> {
        let request = SearchRequest {
            query: query.to_string(),
            exact,
            filters: Filters {
                kinds: vec![kind],
                ..filters.clone()
            },
            viewer: viewer.clone(),
            sort: Sort::Relevance,
            limit: 1,
            cursor: None,
            facets: false,
            snippets: false,
        };
        let tree = query::parse(&request.query)?;
        let searcher = self.reader.searcher();
        let compiled = self.compile(&searcher, exact, QueryLimits::DEFAULT, &tree)?;
        let full = self.full_query(compiled.query, &request);
        let found = searcher.search(&*full, &tantivy::collector::DocSetCollector)?;
        let mut tables: HashMap<u32, std::sync::Arc<hits::HitTable>> = HashMap::new();
        let mut ids = Vec::with_capacity(found.len());
        for address in found {
            let table = match tables.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.caches.table(&searcher, address.segment_ord)?)
                }
            };
            if let Some(id) = table.id(address.doc_id) {
                ids.push(id.to_string());
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Where `query` matches `text`: byte ranges of the words it finds, in order (at most 20,000),
    /// after the same folding and stemming as the search (none of it with `exact`), the text taken
    /// to be in the language of the tag `language` (detected when it has none, as when indexed).
    /// For a reading page that highlights a search's terms in a record's whole text.
    pub fn match_ranges(
        &self,
        query: &str,
        exact: bool,
        text: &str,
        language: Option<&str>,
    ) -> Result<Vec<(usize, usize)>, IndexError> {
        let tree = query::parse(query)?;
        if matches!(tree, Node::All) {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let compiled = self.compile(&searcher, exact, QueryLimits::DEFAULT, &tree)?;
        let terms = compiled.terms_in(self.fields.body);
        let language = analysis::Language::of_document(language, text);
        Ok(Highlighter::new(&searcher, terms).ranges(text, language))
    }

    /// Compiles a query tree against the searcher it will run on.
    fn compile(
        &self,
        searcher: &tantivy::Searcher,
        exact: bool,
        limits: QueryLimits,
        tree: &Node,
    ) -> Result<compile::Compiled, IndexError> {
        compile(&self.fields, &self.caches, searcher, exact, limits, tree)
    }

    /// Runs a search, within the [default limits](QueryLimits::DEFAULT) on its cost.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        self.search_within(request, QueryLimits::DEFAULT)
    }

    /// Runs a search within these limits on its cost (the benchmark compares them with none).
    #[doc(hidden)]
    pub fn search_within(
        &self,
        request: &SearchRequest,
        limits: QueryLimits,
    ) -> Result<SearchResults, IndexError> {
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let tree = if limits.deduplicate {
            query::parse(&request.query)?
        } else {
            query::parse_as_written(&request.query)?
        };
        // The query is built against the searcher it runs on (see `Builder::analyse`).
        let searcher = self.reader.searcher();
        let compiled = self.compile(&searcher, request.exact, limits, &tree)?;
        let highlight_terms = compiled.terms_in(self.fields.body);
        let mut inverted: HashMap<u32, std::sync::Arc<tantivy::InvertedIndexReader>> =
            HashMap::new();
        let mut positions: Vec<u32> = Vec::new();
        let full = self.full_query(compiled.query, request);
        let signature = signature(request);
        let after = match &request.cursor {
            None => None,
            Some(text) => Some(decode_cursor(text, signature)?),
        };

        let facets = if request.facets {
            Some(searcher.search(&*full, &FacetCollector)?)
        } else {
            None
        };
        // One pass over the matches gives both the exact total and the page.
        let (total, top) = searcher.search(
            &*full,
            &TopAfter {
                limit: limit + 1,
                sort: request.sort,
                after: after.map(|c| (c.p, c.k)),
            },
        )?;
        let more = top.len() > limit;
        let page: Vec<Entry> = top.into_iter().take(limit).collect();
        let next_cursor = if more {
            page.last().map(|last| {
                encode_cursor(CursorData {
                    s: signature,
                    p: last.primary,
                    k: last.key,
                })
            })
        } else {
            None
        };

        let mut highlighter = if request.snippets && !matches!(tree, Node::All) {
            Some(Highlighter::new(&searcher, highlight_terms.clone()))
        } else {
            None
        };

        let f = &self.fields;
        let mut tables: HashMap<u32, std::sync::Arc<hits::HitTable>> = HashMap::new();
        let mut hits = Vec::with_capacity(page.len());
        for entry in page {
            let address = entry.address;
            let c = match tables.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.caches.table(&searcher, address.segment_ord)?)
                }
            };
            let doc = address.doc_id;
            let kind = c.kind(doc).unwrap_or(Kind::Ruling);
            let date = c
                .day(doc)
                .and_then(|d| NaiveDate::default().checked_add_signed(chrono::Duration::days(d)));
            let snippets = match &mut highlighter {
                Some(highlighter) => {
                    // Where the terms are, from the index's positions; the text is then read
                    // only up to the passages.
                    let inverted = match inverted.entry(address.segment_ord) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => e.insert(
                            searcher
                                .segment_reader(address.segment_ord)
                                .inverted_index(f.body)?,
                        ),
                    };
                    let mut at = Vec::new();
                    for term in &highlight_terms {
                        let Some((index, weight)) = highlighter.term_weight(term) else {
                            continue;
                        };
                        let Some(mut postings) = inverted
                            .read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
                        else {
                            continue;
                        };
                        // A term's postings start at its first document; `seek` only moves
                        // forward.
                        if postings.doc() <= doc && postings.seek(doc) == doc {
                            positions.clear();
                            postings.positions(&mut positions);
                            at.extend(positions.iter().map(|&p| (p, index, weight)));
                        }
                    }
                    let stored: TantivyDocument = searcher.doc(address)?;
                    let text = stored.get_first(f.body).and_then(|v| v.as_str());
                    let (_, text) = analysis::untag(text.unwrap_or(""));
                    let marks = stored.get_first(f.word_marks).and_then(|v| v.as_bytes());
                    highlighter.passages_at(text, marks.unwrap_or_default(), at)
                }
                None => Vec::new(),
            };
            let owned = |s: Option<&str>| s.map(str::to_string);
            hits.push(Hit {
                kind,
                id: owned(c.id(doc)).unwrap_or_default(),
                case_id: owned(c.case_id(doc)),
                title: owned(c.title(doc)).unwrap_or_default(),
                court: owned(c.court(doc)),
                jurisdiction: owned(c.jurisdiction(doc)),
                language: owned(c.language(doc)),
                date,
                score: (request.sort == Sort::Relevance).then_some(entry.primary as f32),
                snippets,
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
            next_cursor,
        })
    }

    /// The user's query, restricted by the filters and by what the viewer may see.
    fn full_query(&self, user_query: Box<dyn Query>, request: &SearchRequest) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query)];
        if !request.viewer.everything {
            let mut visible = vec![PUBLIC.to_string()];
            visible.extend(request.viewer.organisations.iter().cloned());
            clauses.push((Occur::Must, filter(any_of(f.visible_to, &visible))));
        }
        let filters = &request.filters;
        let kinds: Vec<String> = filters
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect();
        for (field, values) in [
            (f.kind, &kinds),
            (f.jurisdiction, &filters.jurisdictions),
            (f.ground, &filters.grounds),
            (f.proceeding_type, &filters.proceeding_types),
            (f.outcome, &filters.outcomes),
            (f.language, &filters.languages),
            (f.case_id, &filters.case_ids),
        ] {
            if values.is_empty() {
                continue;
            }
            if filters.match_all {
                for value in values.iter() {
                    clauses.push((
                        Occur::Must,
                        filter(any_of(field, std::slice::from_ref(value))),
                    ));
                }
            } else {
                clauses.push((Occur::Must, filter(any_of(field, values))));
            }
        }
        if !filters.ids.is_empty() {
            clauses.push((Occur::Must, filter(any_of(f.id, &filters.ids))));
        }
        let court = |courts: &[String]| -> Box<dyn Query> {
            filter(Box::new(BooleanQuery::new(vec![
                (Occur::Should, any_of(f.court_id, courts)),
                (Occur::Should, any_of(f.court, courts)),
            ])))
        };
        if filters.match_all {
            for value in &filters.courts {
                clauses.push((Occur::Must, court(std::slice::from_ref(value))));
            }
        } else if !filters.courts.is_empty() {
            clauses.push((Occur::Must, court(&filters.courts)));
        }
        if filters.date_from.is_some() || filters.date_to.is_some() {
            let bound = |d: Option<NaiveDate>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(f.day, days(d))),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                filter(Box::new(RangeQuery::new(
                    bound(filters.date_from),
                    bound(filters.date_to),
                ))),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// A filter clause: matches without changing the score.
fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}
