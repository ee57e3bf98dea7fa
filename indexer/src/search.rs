//! Searching: the query tree turned into a tantivy query, filters, visibility, keyset paging,
//! exact totals, facet counts and highlighted snippets.

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BinaryHeap, HashMap},
    ops::Bound,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
    query::{
        AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery,
        PhraseQuery, Query, RangeQuery, RegexPhraseQuery, RegexQuery, TermQuery, Weight,
    },
    schema::{Field, IndexRecordOption, Value},
    tokenizer::TextAnalyzer,
};

use crate::{
    analysis,
    cost::{Budget, QueryLimits},
    doc::Kind,
    error::IndexError,
    index::{FACETS, Fields, PUBLIC, SearchIndex, days},
    query::{self, Field as QField, Node},
    snippet::Highlighter,
};

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
    /// On or after this date.
    pub date_from: Option<NaiveDate>,
    /// On or before this date.
    pub date_to: Option<NaiveDate>,
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

/// Position after the last hit of a page.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct CursorData {
    /// Hash of the search it belongs to.
    s: u64,
    /// Primary sort value of the last hit.
    p: f64,
    /// Key hash of the last hit.
    k: u64,
}

impl SearchIndex {
    /// Ids of every document of `kind` that the query and filters match, for the viewer; sorted
    /// and without duplicates. For dataset exports restricted by a search (no ranking, no cap).
    pub fn matching_ids(
        &self,
        query: &str,
        kind: Kind,
        filters: &Filters,
        viewer: &Viewer,
    ) -> Result<Vec<String>, IndexError> {
        let request = SearchRequest {
            query: query.to_string(),
            exact: false,
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
        let builder = Builder::new(&self.fields, false, &searcher, QueryLimits::DEFAULT);
        let full = self.full_query(builder.build(&tree)?, &request);
        let found = searcher.search(&*full, &tantivy::collector::DocSetCollector)?;
        let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
        let mut ids = Vec::with_capacity(found.len());
        for address in found {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .str("id")?,
                ),
            };
            if let Some(id) = HitColumns::text(column, address.doc_id) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
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
        let builder = Builder::new(&self.fields, request.exact, &searcher, limits);
        let user_query = builder.build(&tree)?;
        let full = self.full_query(user_query, request);
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
            Some(Highlighter::new(
                &searcher,
                builder.terms_in(self.fields.body),
            ))
        } else {
            None
        };

        let f = &self.fields;
        let mut columns: HashMap<u32, HitColumns> = HashMap::new();
        let mut hits = Vec::with_capacity(page.len());
        for entry in page {
            let address = entry.address;
            let c = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(HitColumns::open(
                    searcher.segment_reader(address.segment_ord),
                )?),
            };
            let doc = address.doc_id;
            let kind = HitColumns::text(&c.kind, doc)
                .and_then(|k| Kind::parse(&k))
                .unwrap_or(Kind::Ruling);
            let date =
                c.day.as_ref().and_then(|d| d.first(doc)).and_then(|d| {
                    NaiveDate::default().checked_add_signed(chrono::Duration::days(d))
                });
            let snippets = match &mut highlighter {
                Some(highlighter) => {
                    let stored: TantivyDocument = searcher.doc(address)?;
                    let text = stored.get_first(f.body).and_then(|v| v.as_str());
                    highlighter.passages(text.unwrap_or(""))
                }
                None => Vec::new(),
            };
            hits.push(Hit {
                kind,
                id: HitColumns::text(&c.id, doc).unwrap_or_default(),
                case_id: HitColumns::text(&c.case_id, doc),
                title: HitColumns::text(&c.title, doc).unwrap_or_default(),
                court: HitColumns::text(&c.court, doc),
                jurisdiction: HitColumns::text(&c.jurisdiction, doc),
                language: HitColumns::text(&c.language, doc),
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
            if !values.is_empty() {
                clauses.push((Occur::Must, filter(any_of(field, values))));
            }
        }
        if !filters.courts.is_empty() {
            let by_id = any_of(f.court_id, &filters.courts);
            let by_name = any_of(f.court, &filters.courts);
            clauses.push((
                Occur::Must,
                filter(Box::new(BooleanQuery::new(vec![
                    (Occur::Should, by_id),
                    (Occur::Should, by_name),
                ]))),
            ));
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

/// The columns a hit is read from (one set per segment).
struct HitColumns {
    kind: Option<StrColumn>,
    id: Option<StrColumn>,
    case_id: Option<StrColumn>,
    title: Option<StrColumn>,
    court: Option<StrColumn>,
    jurisdiction: Option<StrColumn>,
    language: Option<StrColumn>,
    day: Option<Column<i64>>,
}

impl HitColumns {
    fn open(reader: &tantivy::SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        Ok(Self {
            kind: fast.str("kind")?,
            id: fast.str("id")?,
            case_id: fast.str("case_id")?,
            title: fast.str("title_value")?,
            court: fast.str("court")?,
            jurisdiction: fast.str("jurisdiction")?,
            language: fast.str("language")?,
            day: fast.i64("day").ok(),
        })
    }

    fn text(column: &Option<StrColumn>, doc: DocId) -> Option<String> {
        let column = column.as_ref()?;
        let ord = column.term_ords(doc).next()?;
        let mut out = String::new();
        column.ord_to_str(ord, &mut out).ok()?;
        Some(out)
    }
}

/// Identifies a search (query, mode, filters, order) so that a cursor cannot be replayed on
/// another search by mistake. The viewer is left out: the same search by a colleague may page on.
fn signature(request: &SearchRequest) -> u64 {
    let f = &request.filters;
    let text = format!(
        "{}\u{1}{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}",
        request.query,
        request.exact,
        request.sort,
        f.kinds,
        f.jurisdictions,
        f.courts,
        f.grounds,
        f.proceeding_types,
        f.outcomes,
        f.languages,
        f.case_ids,
        f.date_from,
        f.date_to
    );
    crate::index::key_hash(&text)
}

fn encode_cursor(data: CursorData) -> String {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&data.s.to_be_bytes());
    bytes.extend_from_slice(&data.p.to_bits().to_be_bytes());
    bytes.extend_from_slice(&data.k.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_cursor(text: &str, signature: u64) -> Result<CursorData, IndexError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| IndexError::Cursor("it is not a cursor this service handed out".into()))?;
    let word = |i: usize| -> Option<u64> {
        bytes
            .get(i * 8..i * 8 + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
    };
    match (bytes.len(), word(0), word(1), word(2)) {
        (24, Some(s), Some(p), Some(k)) => {
            if s != signature {
                return Err(IndexError::Cursor(
                    "it belongs to a different search (query, filters or order changed)".into(),
                ));
            }
            Ok(CursorData {
                s,
                p: f64::from_bits(p),
                k,
            })
        }
        _ => Err(IndexError::Cursor(
            "it is not a cursor this service handed out".into(),
        )),
    }
}

/// Turns the query tree into a tantivy query.
struct Builder<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    exact: bool,
    folded: TextAnalyzer,
    /// Every text term the query looks for (for highlighting).
    terms: std::cell::RefCell<Vec<Term>>,
    /// What the query built so far costs.
    budget: Budget,
}

/// What one query word looks for at its position: any of these indexed terms.
type Alternatives = Vec<String>;

impl<'a> Builder<'a> {
    fn new(fields: &'a Fields, exact: bool, searcher: &'a Searcher, limits: QueryLimits) -> Self {
        Self {
            fields,
            searcher,
            exact,
            folded: analysis::folded(),
            terms: std::cell::RefCell::new(Vec::new()),
            budget: Budget::new(limits),
        }
    }

    /// The terms of `field` the built query looks for (plain words and marked stems).
    fn terms_in(&self, field: Field) -> Vec<Term> {
        self.terms
            .borrow()
            .iter()
            .filter(|t| t.field() == field)
            .cloned()
            .collect()
    }

    /// (field, boost) for a text field; title and text hold words and marked stems (analysis).
    fn text_fields(&self, field: Option<QField>) -> Vec<(Field, f32)> {
        let f = self.fields;
        match field {
            None => vec![(f.title, 1.5), (f.body, 1.0)],
            Some(QField::Title) => vec![(f.title, 1.0)],
            Some(QField::Text) => vec![(f.body, 1.0)],
            Some(QField::Court) => vec![(f.court_text, 1.0)],
            Some(_) => Vec::new(),
        }
    }

    fn keyword_field(&self, field: QField) -> Field {
        let f = self.fields;
        match field {
            QField::Kind => f.kind,
            QField::Jurisdiction => f.jurisdiction,
            QField::Ground => f.ground,
            QField::ProceedingType => f.proceeding_type,
            QField::Outcome => f.outcome,
            QField::Language => f.language,
            QField::Case => f.case_id,
            QField::Title | QField::Text | QField::Court => f.body,
        }
    }

    /// The words of `text`, each as the indexed terms it may match: the folded word, or (stemmed)
    /// the terms of its stem ([`analysis::stem_terms`]), in a phrase only those that occur in
    /// `field` at all. (Dropping the absent one changes no result, and turns most stemmed phrases
    /// into plain phrase queries: a position with two terms needs the slower
    /// [`RegexPhraseQuery`]. A single word's two term queries cost less than the lookups.)
    fn analyse(&self, stemmed: bool, field: Field, text: &str) -> Vec<Alternatives> {
        if stemmed {
            let stems = analysis::stems(text);
            let phrase = stems.len() > 1;
            stems
                .iter()
                .map(|stem| {
                    let mut terms = analysis::stem_terms(stem);
                    if phrase && terms.len() > 1 {
                        let present: Vec<String> = terms
                            .iter()
                            .filter(|t| {
                                self.searcher
                                    .doc_freq(&Term::from_field_text(field, t))
                                    .map_or(true, |df| df > 0)
                            })
                            .cloned()
                            .collect();
                        if !present.is_empty() {
                            terms = present;
                        }
                    }
                    terms
                })
                .collect()
        } else {
            let mut analyzer = self.folded.clone();
            analysis::tokens(&mut analyzer, text)
                .into_iter()
                .map(|word| vec![word])
                .collect()
        }
    }

    fn build(&self, node: &Node) -> Result<Box<dyn Query>, IndexError> {
        Ok(match node {
            Node::All => Box::new(AllQuery),
            Node::Word {
                field: Some(field),
                text,
                ..
            }
            | Node::Phrase {
                field: Some(field),
                text,
            } if !field.is_text() => {
                let value = if *field == QField::Jurisdiction {
                    text.to_uppercase()
                } else {
                    text.clone()
                };
                self.budget.lookups(1)?;
                Box::new(TermQuery::new(
                    Term::from_field_text(self.keyword_field(*field), &value),
                    IndexRecordOption::Basic,
                ))
            }
            Node::Word {
                field,
                text,
                prefix,
            } => self.words(*field, text, *prefix)?,
            Node::Phrase { field, text } => self.words(*field, text, false)?,
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    match child {
                        Node::Not(inner) => clauses.push((Occur::MustNot, self.build(inner)?)),
                        other => clauses.push((Occur::Must, self.build(other)?)),
                    }
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    clauses.push((Occur::Should, self.build(child)?));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.build(inner)?),
            ])),
        })
    }

    /// A word or phrase in text fields: one term (or a marked stem and its plain form), a phrase,
    /// or a prefix.
    fn words(
        &self,
        field: Option<QField>,
        text: &str,
        prefix: bool,
    ) -> Result<Box<dyn Query>, IndexError> {
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (tfield, boost) in self.text_fields(field) {
            // Prefixes match the words as written (folded): "discrim*" must not depend on stems.
            // The court name is indexed folded only.
            let stemmed = !self.exact && !prefix && tfield != self.fields.court_text;
            let words = self.analyse(stemmed, tfield, text);
            if words.is_empty() {
                return Err(IndexError::Unsearchable(format!(
                    "'{text}' contains no letters or digits to search for"
                )));
            }
            self.budget.phrase(words.len(), text)?;
            self.budget.lookups(words.iter().map(Vec::len).sum())?;
            if prefix && let Some(last) = words.last() {
                self.budget.prefix(self.searcher, tfield, &last[0])?;
            }
            self.terms.borrow_mut().extend(
                words
                    .iter()
                    .flatten()
                    .map(|t| Term::from_field_text(tfield, t)),
            );
            let term = |t: &str| Term::from_field_text(tfield, t);
            let q: Box<dyn Query> = if prefix {
                let terms: Vec<Term> = words.iter().map(|w| term(&w[0])).collect();
                if terms.len() == 1 {
                    Box::new(RegexQuery::from_pattern(
                        &format!("{}.*", regex_literal(&words[0][0])),
                        tfield,
                    )?)
                } else {
                    Box::new(PhrasePrefixQuery::new(terms))
                }
            } else if words.len() == 1 {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = words[0]
                    .iter()
                    .map(|t| {
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs));
                        (Occur::Should, q)
                    })
                    .collect();
                if alternatives.len() == 1 {
                    alternatives.remove(0).1
                } else {
                    Box::new(BooleanQuery::new(alternatives))
                }
            } else if words.iter().all(|w| w.len() == 1) {
                Box::new(PhraseQuery::new(
                    words.iter().map(|w| term(&w[0])).collect(),
                ))
            } else if combinations(&words) <= MAX_PHRASE_COMBINATIONS {
                // Some position accepts a marked stem or the plain word: each combination as a
                // phrase of its own (cheaper than compiling regular expressions, for few).
                let mut phrases: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut choice = vec![0usize; words.len()];
                loop {
                    let terms = words
                        .iter()
                        .zip(&choice)
                        .map(|(w, &i)| term(&w[i]))
                        .collect();
                    phrases.push((Occur::Should, Box::new(PhraseQuery::new(terms))));
                    // The next combination (an odometer over the positions' alternatives).
                    let Some(position) = (0..words.len()).find(|&p| choice[p] + 1 < words[p].len())
                    else {
                        break;
                    };
                    choice[position] += 1;
                    choice[..position].fill(0);
                }
                Box::new(BooleanQuery::new(phrases))
            } else {
                // Many combinations: one alternation per position.
                let patterns = words
                    .iter()
                    .map(|w| {
                        let options: Vec<String> = w.iter().map(|t| regex_literal(t)).collect();
                        format!("({})", options.join("|"))
                    })
                    .collect();
                Box::new(RegexPhraseQuery::new(tfield, patterns))
            };
            let q: Box<dyn Query> = if (boost - 1.0).abs() > f32::EPSILON {
                Box::new(BoostQuery::new(q, boost))
            } else {
                q
            };
            per_field.push((Occur::Should, q));
        }
        Ok(match per_field.len() {
            0 => Box::new(EmptyQuery),
            1 => per_field.remove(0).1,
            _ => Box::new(BooleanQuery::new(per_field)),
        })
    }
}

/// A stemmed phrase with at most this many combinations of its positions' terms is searched as
/// that many phrase queries; beyond, as one [`RegexPhraseQuery`].
const MAX_PHRASE_COMBINATIONS: usize = 8;

/// How many phrases the positions' alternatives make.
fn combinations(words: &[Alternatives]) -> usize {
    words
        .iter()
        .map(Vec::len)
        .try_fold(1usize, usize::checked_mul)
        .unwrap_or(usize::MAX)
}

/// Escapes a folded token or marked stem for the regex syntax (tokens are letters and digits, and
/// the stem mark is no regex operator, but be safe).
fn regex_literal(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        if c.is_alphanumeric() || c == analysis::STEM_MARK {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

/// A hit in the making: primary sort value (higher first), then key hash (lower first).
#[derive(Debug, Clone, Copy)]
struct Entry {
    primary: f64,
    key: u64,
    address: DocAddress,
}

impl Entry {
    /// Whether `self` comes before `other` in the result order.
    fn before(&self, primary: f64, key: u64) -> bool {
        match self.primary.total_cmp(&primary) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => self.key < key,
        }
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Greater = later in the result order, so a max-heap keeps the worst kept hit on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .primary
            .total_cmp(&self.primary)
            .then(self.key.cmp(&other.key))
    }
}

/// The number of matches, and the top `limit` hits strictly after a cursor position.
struct TopAfter {
    limit: usize,
    sort: Sort,
    after: Option<(f64, u64)>,
}

struct TopAfterSegment {
    limit: usize,
    sort: Sort,
    after: Option<(f64, u64)>,
    segment: SegmentOrdinal,
    keys: Column<u64>,
    days: Column<i64>,
    heap: BinaryHeap<Entry>,
    count: u64,
}

impl TopAfterSegment {
    /// Offers a document to the page.
    fn offer(&mut self, doc: DocId, score: Score) {
        let primary = match self.sort {
            Sort::Relevance => f64::from(score),
            Sort::DateDesc => self.days.first(doc).map_or(f64::NEG_INFINITY, |d| d as f64),
            Sort::DateAsc => self
                .days
                .first(doc)
                .map_or(f64::NEG_INFINITY, |d| -(d as f64)),
        };
        let key = self.keys.first(doc).unwrap_or(0);
        let entry = Entry {
            primary,
            key,
            address: DocAddress::new(self.segment, doc),
        };
        let admissible = match self.after {
            Some((p, k)) => match entry.primary.total_cmp(&p) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => entry.key > k,
            },
            None => true,
        };
        if admissible {
            if self.heap.len() < self.limit {
                self.heap.push(entry);
            } else if let Some(worst) = self.heap.peek()
                && entry.before(worst.primary, worst.key)
            {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
    }
}

impl SegmentCollector for TopAfterSegment {
    type Fruit = (u64, Vec<Entry>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        self.offer(doc, score);
    }

    fn harvest(self) -> (u64, Vec<Entry>) {
        (self.count, self.heap.into_vec())
    }
}

impl Collector for TopAfter {
    type Fruit = (u64, Vec<Entry>);
    type Child = TopAfterSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopAfterSegment> {
        Ok(TopAfterSegment {
            limit: self.limit,
            sort: self.sort,
            after: self.after,
            segment,
            keys: reader.fast_fields().u64("key_hash")?,
            days: reader.fast_fields().i64("day")?,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<(u64, Vec<Entry>)>) -> tantivy::Result<(u64, Vec<Entry>)> {
        let total = fruits.iter().map(|(count, _)| count).sum();
        let mut all: Vec<Entry> = fruits.into_iter().flat_map(|(_, hits)| hits).collect();
        all.sort();
        all.truncate(self.limit);
        Ok((total, all))
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<(u64, Vec<Entry>)> {
        let mut child = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        // Every match is visited (the total is exact), so there is no pruning to gain.
        match self.sort {
            Sort::Relevance => weight.for_each(reader, &mut |doc, score| {
                if !alive.is_some_and(|a| a.is_deleted(doc)) {
                    child.collect(doc, score);
                }
            })?,
            _ => weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if !alive.is_some_and(|a| a.is_deleted(doc)) {
                        child.collect(doc, 0.0);
                    }
                }
            })?,
        }
        Ok(child.harvest())
    }
}

/// Counts matching documents per value of every facet field.
struct FacetCollector;

struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(slot) = counts.get_mut(ord as usize) {
                        *slot += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        let mut buffer = String::new();
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut values = HashMap::new();
            if let Some(column) = column {
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut buffer).unwrap_or(false) {
                        values.insert(buffer.clone(), count);
                    }
                }
            }
            out.push(values);
        }
        out
    }
}

impl Collector for FacetCollector {
    type Fruit = BTreeMap<String, Vec<FacetCount>>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::with_capacity(FACETS.len());
        let mut counts = Vec::with_capacity(FACETS.len());
        for name in FACETS {
            let column = reader.fast_fields().str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(FacetSegment { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<Self::Fruit> {
        let mut merged: Vec<HashMap<String, u64>> = vec![HashMap::new(); FACETS.len()];
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        Ok(FACETS
            .iter()
            .zip(merged)
            .map(|(name, values)| {
                let mut list: Vec<FacetCount> = values
                    .into_iter()
                    .map(|(value, count)| FacetCount { value, count })
                    .collect();
                list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                list.truncate(FACET_VALUES);
                (name.to_string(), list)
            })
            .collect())
    }
}
