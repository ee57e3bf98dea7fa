//! The search page: a GET form (the query, explained beside it with examples in the three
//! languages, exact mode, order, date range), the filters in force as removable chips, facets with
//! counts that are the number of hits their links give, hits with highlighted snippets, "more
//! results" by cursor with the exact total, and "download these results" as the datasets' CSV.
//! The whole state is in the address ([`SearchState`]); no script is needed.
//!
//! What a visitor finds is what the API's search finds for them (`services::search`, the
//! policy's viewer); the text of every hit was redacted before it was indexed.

use askama::Template;
use courtwatch_indexer::{Kind, Sort, query};
use courtwatch_methodology::Methodology;
use poem::{
    Body, Request, Response,
    http::{StatusCode, header},
    web::{Data, Path},
};

use super::{
    Shell, WebSettings,
    form::said,
    i18n::Lang,
    page,
    search_state::{FACETS, Refused, SearchState, sort_code},
    visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{
        export::{self, Dataset, ExportRequest, Labels},
        search,
    },
    state::AppState,
};

/// A query that did not parse, shown in place: the message, and the query with a mark under the
/// column.
pub struct QueryProblem {
    pub message: String,
    pub column: Option<usize>,
    /// The query before the column, the character at it, the rest.
    pub before: String,
    pub at: String,
    pub after: String,
}

/// One facet value in the sidebar.
pub struct FacetValueView {
    pub label: String,
    pub count: u64,
    pub href: String,
}

/// One facet.
pub struct FacetView {
    pub name: &'static str,
    pub label: String,
    pub values: Vec<FacetValueView>,
}

/// A filter in force, with the address without it.
pub struct Chip {
    pub label: String,
    pub remove: String,
}

/// One hit.
pub struct HitView {
    pub kind: String,
    pub title: String,
    pub href: Option<String>,
    pub court: Option<String>,
    pub place: Option<String>,
    pub date: Option<String>,
    pub iso_date: Option<String>,
    /// HTML-escaped by the highlighter, matches in `<mark>`.
    pub snippets: Vec<String>,
}

/// A download link.
pub struct Download {
    pub label: String,
    pub count: u64,
    pub codes: String,
    pub excel: String,
}

/// An example query with what it shows.
pub struct Example {
    pub query: &'static str,
    pub href: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    state: SearchState,
    sorts: Vec<(&'static str, String, bool)>,
    refused: Vec<(&'static str, String)>,
    problem: Option<QueryProblem>,
    searched: bool,
    total: u64,
    first: usize,
    last: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    chips: Vec<Chip>,
    more: Option<String>,
    downloads: Vec<Download>,
    examples: Vec<Example>,
    permalink: String,
    /// "Also in the other languages": what was searched as well, one line per expansion.
    expansions: Vec<String>,
}

/// One expansion as the page says it: “hate speech” also as “gjuhë e urrejtjes” (Albanian), …
fn expansion_view(lang: Lang, e: &courtwatch_indexer::expand::Expansion) -> String {
    let added: Vec<String> = e
        .added
        .iter()
        .map(|(language, term)| {
            format!(
                "“{term}” ({})",
                lang.t(&format!("search-expand-lang-{language}"), &[])
            )
        })
        .collect();
    lang.t(
        "search-expanded",
        &[
            ("matched", super::i18n::Arg::Text(e.matched.clone().into())),
            ("added", super::i18n::Arg::Text(added.join(", ").into())),
        ],
    )
}

impl SearchPage {
    fn refused_of(&self, field: &str) -> Option<&str> {
        self.refused
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The examples beside the query box: (query, message saying what it does).
const EXAMPLES: &[(&str, &str)] = &[
    ("diskriminim romë", "search-example-words"),
    ("\"govor mržnje\"", "search-example-phrase"),
    ("дискриминација", "search-example-script"),
    ("segregat* school", "search-example-prefix"),
    ("Roma OR Egyptian", "search-example-or"),
    ("discrimination -kind:case", "search-example-not"),
    ("title:segregation", "search-example-field"),
    ("ground:roma_ashkali_egyptian", "search-example-code"),
];

/// Language names, in their own language (the facet's values are language tags).
fn language_name(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or(tag);
    let name = match primary {
        "en" => "English",
        "sq" => "Shqip",
        "sr" if tag.contains("Cyrl") => "Српски",
        "sr" => "Srpski",
        "cnr" | "me" => "Crnogorski",
        "bs" => "Bosanski",
        "hr" => "Hrvatski",
        "mk" => "Македонски",
        "fr" => "Français",
        "de" => "Deutsch",
        _ => return tag.to_owned(),
    };
    format!("{name} ({tag})")
}

/// The label of a facet value in the page's language: the methodology's vocabularies for codes,
/// the value itself for courts and years.
pub fn value_label(methodology: &Methodology, lang: Lang, facet: &str, value: &str) -> String {
    let term = |vocabularies: &[&str]| {
        vocabularies.iter().find_map(|v| {
            methodology
                .vocabulary(v)
                .and_then(|v| v.term(value))
                .map(|t| said(lang, &t.label))
        })
    };
    let label = match facet {
        "kind" => Kind::parse(value).map(|k| lang.t(&format!("search-kind-{}", k.as_str()), &[])),
        "jurisdiction" => term(&["jurisdiction"]),
        "ground" => term(&["ground"]),
        "proceeding_type" => term(&["proceeding_type"]),
        "outcome" => term(&["ruling_outcome", "hearing_outcome", "monitoring_status"]),
        "language" => Some(language_name(value)),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_owned())
}

fn problem_of(q: &str, message: String, column: Option<usize>) -> QueryProblem {
    let chars: Vec<char> = q.chars().collect();
    let (before, at, after) = match column {
        Some(c) if c >= 1 => {
            let i = (c - 1).min(chars.len());
            let before: String = chars[..i].iter().collect();
            let at: String = chars.get(i).map(|c| c.to_string()).unwrap_or_default();
            let after: String = chars
                .get(i + 1..)
                .map(|r| r.iter().collect())
                .unwrap_or_default();
            (before, at, after)
        }
        _ => (q.to_owned(), String::new(), String::new()),
    };
    QueryProblem {
        message,
        column,
        before,
        at,
        after,
    }
}

/// `GET /search`.
#[poem::handler]
pub async fn search_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let raw = request.uri().query().unwrap_or_default();
    let (search_state, refused) = SearchState::parse(raw);
    let methodology = state.methodology.latest();
    let mut shell = visit.shell("search-title");
    shell.keep = search_state.query_string();
    let mut body = SearchPage {
        shell,
        // The default (no choice) is best match with words, newest without: what a search
        // typed after an empty one should get.
        sorts: [Sort::DateDesc, Sort::DateAsc]
            .into_iter()
            .map(|s| {
                let code = sort_code(s);
                (
                    code,
                    lang.t(&format!("search-sort-{code}"), &[]),
                    search_state.sort == Some(s),
                )
            })
            .collect(),
        refused: refused
            .iter()
            .map(|Refused { field, message }| (*field, lang.t(message, &[])))
            .collect(),
        problem: None,
        expansions: Vec::new(),
        searched: false,
        total: 0,
        first: 0,
        last: 0,
        hits: Vec::new(),
        facets: Vec::new(),
        chips: chips(methodology, lang, &search_state),
        more: None,
        downloads: Vec::new(),
        examples: EXAMPLES
            .iter()
            .map(|(q, note)| Example {
                query: q,
                href: SearchState {
                    q: (*q).to_owned(),
                    ..Default::default()
                }
                .href(),
                note: lang.t(note, &[]),
            })
            .collect(),
        permalink: format!(
            "{}{}",
            super::base_url(request, settings),
            search_state.href()
        ),
        state: search_state,
    };
    let mut status = StatusCode::OK;
    if let Err(e) = query::parse(&body.state.q) {
        body.problem = Some(problem_of(
            &body.state.q,
            lang.t(
                "search-query-problem",
                &[("column", super::i18n::Arg::Number(e.column as i64))],
            ) + ": "
                + &e.message,
            Some(e.column),
        ));
        status = StatusCode::BAD_REQUEST;
    } else if !refused.is_empty() {
        status = StatusCode::BAD_REQUEST;
    } else {
        let mut request = body.state.request();
        if let Ok(expanded) = body.state.query_to_run() {
            request.query = expanded.query;
            body.expansions = expanded
                .expansions
                .iter()
                .map(|e| expansion_view(lang, e))
                .collect();
        }
        match search::search(state, &visit.session.actor, request).await {
            Ok(results) => {
                body.searched = true;
                body.total = results.total;
                body.first = body.state.at + 1;
                body.last = body.state.at + results.hits.len();
                body.more = results
                    .next_cursor
                    .as_deref()
                    .map(|c| body.state.more(c, results.hits.len()));
                body.hits = results
                    .hits
                    .into_iter()
                    .map(|h| hit_view(methodology, lang, &body.state, h))
                    .collect();
                let facets = results.facets.unwrap_or_default();
                body.downloads = downloads(lang, &body.state, facets.get("kind"));
                body.facets = facet_views(methodology, lang, &body.state, &facets);
            }
            Err(ServiceError::BadRequest(message)) => {
                // The query parsed but cannot be searched (too costly, no letters), or the
                // "more results" position is not this search's.
                body.problem = Some(problem_of(&body.state.q, message, None));
                status = StatusCode::BAD_REQUEST;
            }
            Err(e) => return super::pages::broken(lang, &e),
        }
    }
    page(body.render(), status, &visit.cookies)
}

fn chips(methodology: &Methodology, lang: Lang, state: &SearchState) -> Vec<Chip> {
    let mut out: Vec<Chip> = state
        .chosen
        .iter()
        .map(|(facet, value)| {
            let name = FACETS
                .iter()
                .find(|(f, _)| f == facet)
                .map(|(_, m)| lang.t(m, &[]))
                .unwrap_or_default();
            Chip {
                label: format!("{name}: {}", value_label(methodology, lang, facet, value)),
                remove: state.without(facet, value).href(),
            }
        })
        .collect();
    if !state.from.is_empty() || !state.to.is_empty() {
        out.push(Chip {
            label: format!(
                "{}: {} – {}",
                lang.t("search-dates", &[]),
                state.from,
                state.to
            ),
            remove: state.without_dates().href(),
        });
    }
    if state.expand {
        out.push(Chip {
            label: lang.t("search-expand", &[]),
            remove: state.without_expand().href(),
        });
    }
    if state.exact {
        out.push(Chip {
            label: lang.t("search-exact", &[]),
            remove: state.without_exact().href(),
        });
    }
    out
}

fn hit_view(
    methodology: &Methodology,
    lang: Lang,
    state: &SearchState,
    hit: courtwatch_indexer::Hit,
) -> HitView {
    // The reading page highlights the search's terms and links back to this page of results.
    let terms = state
        .href_here()
        .strip_prefix("/search")
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_owned();
    let with_terms = |path: String| {
        if terms.is_empty() {
            path
        } else {
            format!("{path}?{terms}")
        }
    };
    let href = match hit.kind {
        Kind::Ruling => Some(with_terms(format!("/library/rulings/{}", hit.id))),
        Kind::Case => Some(format!("/library/cases/{}", hit.id)),
        Kind::Observation => hit
            .case_id
            .as_ref()
            .map(|c| format!("/library/cases/{c}#observation-{}", hit.id)),
    };
    let place = match (&hit.jurisdiction, &hit.language) {
        (Some(j), Some(l)) => Some(format!(
            "{} · {}",
            value_label(methodology, lang, "jurisdiction", j),
            language_name(l)
        )),
        (Some(j), None) => Some(value_label(methodology, lang, "jurisdiction", j)),
        (None, Some(l)) => Some(language_name(l)),
        (None, None) => None,
    };
    HitView {
        kind: lang.t(&format!("search-kind-{}", hit.kind.as_str()), &[]),
        title: hit.title,
        href,
        court: hit.court,
        place,
        date: hit.date.map(|d| lang.date(d)),
        iso_date: hit.date.map(|d| d.to_string()),
        snippets: hit.snippets,
    }
}

fn facet_views(
    methodology: &Methodology,
    lang: Lang,
    state: &SearchState,
    facets: &std::collections::BTreeMap<String, Vec<courtwatch_indexer::FacetCount>>,
) -> Vec<FacetView> {
    FACETS
        .iter()
        .filter_map(|(name, message)| {
            let values: Vec<FacetValueView> = facets
                .get(*name)?
                .iter()
                .filter(|v| !v.value.is_empty() && !state.is_chosen(name, &v.value))
                .map(|v| FacetValueView {
                    label: value_label(methodology, lang, name, &v.value),
                    count: v.count,
                    href: state.with(name, &v.value).href(),
                })
                .collect();
            (!values.is_empty()).then(|| FacetView {
                name,
                label: lang.t(message, &[]),
                values,
            })
        })
        .collect()
}

/// The dataset files of the kinds among the results, with their counts.
fn downloads(
    lang: Lang,
    state: &SearchState,
    kinds: Option<&Vec<courtwatch_indexer::FacetCount>>,
) -> Vec<Download> {
    let labels = match lang {
        Lang::En => "en",
        Lang::Sq => "sq",
        Lang::Sr | Lang::SrCyrl => "sr",
    };
    Kind::ALL
        .into_iter()
        .filter_map(|kind| {
            let count = kinds?.iter().find(|c| c.value == kind.as_str())?.count;
            let file = format!("/search/{}s.csv", kind.as_str());
            let query = state.query_string();
            let join = if query.is_empty() { "" } else { "&" };
            Some(Download {
                label: lang.t(&format!("search-download-{}", kind.as_str()), &[]),
                count,
                codes: format!("{file}?{query}"),
                excel: format!("{file}?{query}{join}bom=1&labels={labels}"),
            })
        })
        .collect()
}

/// `GET /search/{file}`: the records the search matches as the datasets' CSV (released records
/// only, redacted, as every dataset), with `bom` and `labels` as the datasets have them.
#[poem::handler]
pub async fn download(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let raw = request.uri().query().unwrap_or_default();
    let (search_state, refused) = SearchState::parse(raw);
    let dataset = match Dataset::from_file(&file) {
        Some(d @ (Dataset::Rulings | Dataset::Cases | Dataset::Observations)) => d,
        _ => {
            return plain(
                &visit,
                StatusCode::NOT_FOUND,
                visit.lang.t("search-download-unknown", &[]),
            );
        }
    };
    if let Some(r) = refused.first() {
        return plain(
            &visit,
            StatusCode::BAD_REQUEST,
            visit.lang.t(r.message, &[]),
        );
    }
    let mut labels = Labels::Codes;
    let mut bom = false;
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        match (key.as_ref(), value.as_ref()) {
            ("bom", v) => bom = matches!(v, "1" | "true"),
            ("labels", "en") => labels = Labels::En,
            ("labels", "sq") => labels = Labels::Sq,
            ("labels", "sr") => labels = Labels::Sr,
            _ => {}
        }
    }
    let export = ExportRequest {
        filter: Default::default(),
        methodology_version: None,
        labels,
        bom,
        full_text: false,
        search: Some(search_state.selection()),
    };
    match export::stream(state, dataset, export) {
        Ok(stream) => Response::builder()
            .content_type("text/csv; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", dataset.name()),
            )
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from_bytes_stream(stream)),
        Err(ServiceError::BadRequest(message)) => plain(&visit, StatusCode::BAD_REQUEST, message),
        Err(e) => super::pages::broken(visit.lang, &e),
    }
}

/// A refused download: the message page, with a way back.
fn plain(visit: &super::Visit, status: StatusCode, message: String) -> Response {
    super::pages::message(visit.lang, Some(&visit.session), status, message, true)
}
