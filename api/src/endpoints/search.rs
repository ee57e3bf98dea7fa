//! `/search`

use std::collections::BTreeMap;

use chrono::NaiveDate;
use courtwatch_indexer::{Filters, Kind, SearchRequest, Sort};
use poem_openapi::{Enum, Object, OpenApi, param::Query, payload::Json};

use crate::{
    endpoints::{ApiTags, BearerToken, actor},
    error::ApiError,
    state::AppState,
};

/// Search endpoint.
#[derive(Debug)]
pub struct SearchApi {
    /// Shared state.
    pub state: AppState,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SearchSort {
    /// BM25 relevance, best first (the default when there is a query).
    Relevance,
    /// Newest first (the default without a query); records without a date last.
    DateDesc,
    /// Oldest first; records without a date last.
    DateAsc,
}

/// Kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SearchKind {
    /// A ruling (case law or a monitored case's decision).
    Ruling,
    /// A monitor's observation of a hearing.
    Observation,
    /// A monitored case's summary.
    Case,
}

impl From<SearchKind> for Kind {
    fn from(k: SearchKind) -> Self {
        match k {
            SearchKind::Ruling => Kind::Ruling,
            SearchKind::Observation => Kind::Observation,
            SearchKind::Case => Kind::Case,
        }
    }
}

impl From<Kind> for SearchKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Ruling => SearchKind::Ruling,
            Kind::Observation => SearchKind::Observation,
            Kind::Case => SearchKind::Case,
        }
    }
}

/// One hit.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchHit {
    /// Kind of record.
    pub kind: SearchKind,
    /// The record's id.
    pub id: String,
    /// Where to read the record.
    pub url: String,
    /// The monitored case, if any.
    pub case_id: Option<String>,
    /// Title.
    pub title: String,
    /// Court name.
    pub court: Option<String>,
    /// Jurisdiction code.
    pub jurisdiction: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// Decision, hearing or filing date.
    pub date: Option<NaiveDate>,
    /// BM25 score (relevance order only).
    pub score: Option<f32>,
    /// The best matching passages, HTML-escaped, with matches in `<mark>…</mark>`.
    pub snippets: Vec<String>,
}

/// How many matching records have one value of a facet.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FacetValue {
    /// The value: a code, a language tag or a court name.
    pub value: String,
    /// Matching records with this value.
    pub count: u64,
}

/// One page of search results.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchPage {
    /// Exact number of matching records (no cap).
    pub total: u64,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Counts over all matching records per facet: kind, jurisdiction, court, ground,
    /// proceeding_type, outcome, language (most frequent 25 values each), and year (of the
    /// record's date; every year, newest first).
    pub facets: Option<BTreeMap<String, Vec<FacetValue>>>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// With `expand=true`: the query as run, and each expansion applied (none when no word of
    /// the query is a glossary term).
    pub expansion: Option<SearchExpansion>,
}

/// What "also in the other languages" did to a query.
#[derive(Debug, Object)]
pub struct SearchExpansion {
    /// The query as run, in the query language.
    pub query: String,
    /// The expansions, in the query's order.
    pub applied: Vec<AppliedExpansion>,
}

/// One glossary concept a query's words were found to be a term of.
#[derive(Debug, Object)]
pub struct AppliedExpansion {
    /// The concept's id in the glossary.
    pub concept: String,
    /// The query's words, as typed.
    pub matched: String,
    /// The terms searched as well.
    pub added: Vec<GlossaryTerm>,
}

/// A term of the glossary.
#[derive(Debug, Object)]
pub struct GlossaryTerm {
    /// Language code: `en`, `sq` or `sr`.
    pub language: String,
    /// The term.
    pub term: String,
}

impl From<&courtwatch_indexer::expand::Expanded> for SearchExpansion {
    fn from(e: &courtwatch_indexer::expand::Expanded) -> Self {
        Self {
            query: e.query.clone(),
            applied: e
                .expansions
                .iter()
                .map(|x| AppliedExpansion {
                    concept: x.concept.clone(),
                    matched: x.matched.clone(),
                    added: x
                        .added
                        .iter()
                        .map(|(language, term)| GlossaryTerm {
                            language: language.clone(),
                            term: term.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn split(values: Option<String>) -> Vec<String> {
    values
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Search rulings, observations and cases
    ///
    /// Query language: words (all must match), `AND`, `OR`, `NOT` (capitals), `+word`, `-word`,
    /// `"a phrase"`, `prefix*`, `(grouping)`, and `field:value` with the fields `title`, `text`,
    /// `court` (text) and `kind`, `jurisdiction`, `ground`, `proceeding_type`, `outcome`, `lang`,
    /// `case` (exact codes). Text is folded: case, diacritics (`č`→`c`, `đ`→`dj`, `ë`→`e`) and
    /// Serbian Cyrillic/Latin script do not matter; English inflections match unless `exact=true`.
    /// Examples: `"hate speech" judge`, `diskriminacija Roma*`, `title:segregation -kind:case`,
    /// `дискриминација` (finds `diskriminacija`). A query that does not parse is a 400 naming the
    /// column and the reason. Filters take comma-separated values (any may match). Unsubmitted
    /// observations are found only by their author's organisation.
    #[oai(path = "/search", method = "get", operation_id = "search")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn search(
        &self,
        token: BearerToken,
        /// The query; empty or absent lists everything the filters allow.
        #[oai(validator(max_length = 2000))]
        q: Query<Option<String>>,
        /// Turn stemming off: `discriminated` no longer finds `discrimination`.
        exact: Query<Option<bool>>,
        /// Also in the other languages: a word or phrase that is a term of the legal glossary
        /// (`GET /api/v1/glossary`) is also searched as its terms in English, Albanian and
        /// Serbian; `expansion` in the response says what was added.
        expand: Query<Option<bool>>,
        /// Kinds of record, comma-separated: `ruling`, `observation`, `case`.
        #[oai(validator(max_length = 100))]
        kind: Query<Option<String>>,
        /// Jurisdiction codes, comma-separated, e.g. `ME,RS`.
        #[oai(validator(max_length = 200))]
        jurisdiction: Query<Option<String>>,
        /// Courts by id or exact name, comma-separated.
        #[oai(validator(max_length = 2000))]
        court: Query<Option<String>>,
        /// Ground codes (vocabulary `ground`), comma-separated.
        #[oai(validator(max_length = 1000))]
        ground: Query<Option<String>>,
        /// Proceeding type codes, comma-separated.
        #[oai(validator(max_length = 500))]
        proceeding_type: Query<Option<String>>,
        /// Outcome codes (ruling outcome, hearing outcome or case status), comma-separated.
        #[oai(validator(max_length = 500))]
        outcome: Query<Option<String>>,
        /// Language tags, comma-separated, e.g. `en,sr-Latn-ME`.
        #[oai(validator(max_length = 200))]
        language: Query<Option<String>>,
        /// Only records of this case (a case id).
        #[oai(validator(max_length = 36))]
        case_id: Query<Option<String>>,
        /// Only records dated on or after this day.
        date_from: Query<Option<NaiveDate>>,
        /// Only records dated on or before this day.
        date_to: Query<Option<NaiveDate>>,
        /// Order; `relevance` by default when there is a query, else `date_desc`.
        sort: Query<Option<SearchSort>>,
        /// Compute facet counts (default true).
        facets: Query<Option<bool>>,
        /// Compute highlighted snippets (default true).
        snippets: Query<Option<bool>>,
        /// The `next_cursor` of the previous page (same query, filters and order).
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
        /// Hits per page, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<SearchPage>, ApiError> {
        let actor = actor(&self.state, &token, "search").await?;
        let mut query = q.0.unwrap_or_default();
        let exact = exact.0.unwrap_or(false);
        let expansion = if expand.0.unwrap_or(false) {
            let expanded = crate::services::search::expand(&query, exact)?;
            let body = SearchExpansion::from(&expanded);
            query = expanded.query;
            Some(body)
        } else {
            None
        };
        let mut kinds = Vec::new();
        for k in split(kind.0) {
            match Kind::parse(&k) {
                Some(kind) => kinds.push(kind),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "kind {k:?} is not one of ruling, observation, case"
                    )));
                }
            }
        }
        if let (Some(from), Some(to)) = (date_from.0, date_to.0)
            && from > to
        {
            return Err(ApiError::bad_request("date_from is after date_to"));
        }
        let sort = match sort.0 {
            Some(SearchSort::Relevance) => Sort::Relevance,
            Some(SearchSort::DateDesc) => Sort::DateDesc,
            Some(SearchSort::DateAsc) => Sort::DateAsc,
            None if query.trim().is_empty() => Sort::DateDesc,
            None => Sort::Relevance,
        };
        let request = SearchRequest {
            query,
            exact,
            filters: Filters {
                kinds,
                jurisdictions: split(jurisdiction.0),
                courts: split(court.0),
                grounds: split(ground.0),
                proceeding_types: split(proceeding_type.0),
                outcomes: split(outcome.0),
                languages: split(language.0),
                case_ids: case_id.0.into_iter().collect(),
                date_from: date_from.0,
                date_to: date_to.0,
                match_all: false,
                ids: Vec::new(),
            },
            viewer: Default::default(),
            sort,
            limit: limit.0.unwrap_or(20) as usize,
            cursor: cursor.0,
            facets: facets.0.unwrap_or(true),
            snippets: snippets.0.unwrap_or(true),
        };
        let results = crate::services::search::search(&self.state, &actor, request).await?;
        Ok(Json(SearchPage {
            total: results.total,
            hits: results
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    url: format!(
                        "{}/{}s/{}",
                        crate::endpoints::API_PREFIX,
                        h.kind.as_str(),
                        h.id
                    ),
                    kind: h.kind.into(),
                    id: h.id,
                    case_id: h.case_id,
                    title: h.title,
                    court: h.court,
                    jurisdiction: h.jurisdiction,
                    language: h.language,
                    date: h.date,
                    score: h.score,
                    snippets: h.snippets,
                })
                .collect(),
            facets: results.facets.map(|facets| {
                facets
                    .into_iter()
                    .map(|(name, values)| {
                        (
                            name,
                            values
                                .into_iter()
                                .map(|v| FacetValue {
                                    value: v.value,
                                    count: v.count,
                                })
                                .collect(),
                        )
                    })
                    .collect()
            }),
            next_cursor: results.next_cursor,
            expansion,
        }))
    }
}
