//! The whole state of a search page in its address: the query, exact mode, the order, the
//! filters chosen (each one narrows), the date range and the position of "more results". Read
//! from the query string and written back into links, so that a search is a link one can bookmark
//! or send, and the page works with no script (a GET form, then links).

use chrono::NaiveDate;

use crate::error::ServiceError;
use courtwatch_indexer::{Filters, Kind, SearchRequest, Sort};

/// The facets of the page, in the sidebar's order: the address parameter (also the facet's name
/// in the search results) and the message naming it.
pub const FACETS: &[(&str, &str)] = &[
    ("kind", "search-facet-kind"),
    ("jurisdiction", "search-facet-jurisdiction"),
    ("court", "search-facet-court"),
    ("ground", "search-facet-ground"),
    ("proceeding_type", "search-facet-proceeding-type"),
    ("outcome", "search-facet-outcome"),
    ("language", "search-facet-language"),
    ("year", "search-facet-year"),
];

/// Longest query accepted (the API's limit).
pub const MAX_QUERY_CHARS: usize = 2000;
/// Most filters at once (each is a clause of the search).
pub const MAX_FILTERS: usize = 30;
/// Longest filter value (court names are the longest).
const MAX_VALUE_CHARS: usize = 300;
/// Hits per page.
pub const PAGE_SIZE: usize = 20;

/// A search page's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchState {
    /// The query as typed.
    pub q: String,
    /// Stemming off.
    pub exact: bool,
    /// Also in the other languages: the query expanded through the glossary.
    pub expand: bool,
    /// The order chosen; `None` is the default (relevance with a query, newest without).
    pub sort: Option<Sort>,
    /// Filters chosen: facet parameter and value, in the order they were added.
    pub chosen: Vec<(&'static str, String)>,
    /// Date range as typed (`YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    /// "More results": the cursor after the hits shown so far, and how many those were.
    pub cursor: Option<String>,
    pub at: usize,
}

/// A parameter of the address that cannot be used: which, and why (a message id and its value).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub field: &'static str,
    pub message: &'static str,
}

pub fn sort_code(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "relevance",
        Sort::DateDesc => "date_desc",
        Sort::DateAsc => "date_asc",
    }
}

fn parse_sort(text: &str) -> Option<Sort> {
    [Sort::Relevance, Sort::DateDesc, Sort::DateAsc]
        .into_iter()
        .find(|s| sort_code(*s) == text)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl SearchState {
    /// Reads the state from a query string. Every parameter that cannot be used is listed (the
    /// page says so next to it); unknown parameters (such as `lang`) are left to others.
    pub fn parse(query: &str) -> (SearchState, Vec<Refused>) {
        let mut state = SearchState::default();
        let mut refused = Vec::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => state.q = value.to_owned(),
                "exact" => state.exact = matches!(value, "1" | "true" | "on"),
                "expand" => state.expand = matches!(value, "1" | "true" | "on"),
                "sort" if value.is_empty() => {}
                "sort" => match parse_sort(value) {
                    Some(sort) => state.sort = Some(sort),
                    None => refused.push(Refused {
                        field: "sort",
                        message: "search-bad-sort",
                    }),
                },
                "from" => state.from = value.to_owned(),
                "to" => state.to = value.to_owned(),
                "cursor" if !value.is_empty() => state.cursor = Some(value.to_owned()),
                "at" => state.at = value.parse().unwrap_or(0),
                other => {
                    let Some((facet, _)) = FACETS.iter().find(|(name, _)| *name == other) else {
                        continue;
                    };
                    if value.is_empty()
                        || state.chosen.iter().any(|(f, v)| f == facet && v == value)
                    {
                        continue;
                    }
                    let valid = match *facet {
                        "kind" => Kind::parse(value).is_some(),
                        "year" => value
                            .parse::<i32>()
                            .is_ok_and(|y| (1000..=9999).contains(&y)),
                        _ => value.chars().count() <= MAX_VALUE_CHARS,
                    };
                    if valid {
                        state.chosen.push((facet, value.to_owned()));
                    } else {
                        refused.push(Refused {
                            field: facet,
                            message: if *facet == "kind" {
                                "search-bad-kind"
                            } else if *facet == "year" {
                                "search-bad-year"
                            } else {
                                "search-bad-value"
                            },
                        });
                    }
                }
            }
        }
        if state.q.chars().count() > MAX_QUERY_CHARS {
            refused.push(Refused {
                field: "q",
                message: "search-query-too-long",
            });
        }
        if state.chosen.len() > MAX_FILTERS {
            refused.push(Refused {
                field: "filters",
                message: "search-too-many-filters",
            });
        }
        for (field, text) in [("from", &state.from), ("to", &state.to)] {
            if !text.is_empty() && parse_date(text).is_none() {
                refused.push(Refused {
                    field,
                    message: "search-bad-date",
                });
            }
        }
        if let (Some(from), Some(to)) = (parse_date(&state.from), parse_date(&state.to))
            && from > to
        {
            refused.push(Refused {
                field: "to",
                message: "search-dates-reversed",
            });
        }
        (state, refused)
    }

    /// The order in force.
    pub fn sort(&self) -> Sort {
        self.sort.unwrap_or(if self.q.trim().is_empty() {
            Sort::DateDesc
        } else {
            Sort::Relevance
        })
    }

    /// The values chosen for `facet`.
    pub fn chosen_of(&self, facet: &str) -> impl Iterator<Item = &str> {
        self.chosen
            .iter()
            .filter(move |(f, _)| *f == facet)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `value` of `facet` is chosen.
    pub fn is_chosen(&self, facet: &str, value: &str) -> bool {
        self.chosen_of(facet).any(|v| v == value)
    }

    /// The search this state asks for (a page of [`PAGE_SIZE`], facets and snippets); the viewer
    /// is the service's to set. Each chosen value narrows: a facet's count is then the number of
    /// hits its link gives.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            exact: self.exact,
            filters: self.filters(),
            viewer: Default::default(),
            sort: self.sort(),
            limit: PAGE_SIZE,
            cursor: self.cursor.clone(),
            facets: true,
            snippets: true,
        }
    }

    /// The filters in force (a year is a date range; years and the range narrow together).
    pub fn filters(&self) -> Filters {
        let values =
            |facet: &str| -> Vec<String> { self.chosen_of(facet).map(String::from).collect() };
        let mut date_from = parse_date(&self.from);
        let mut date_to = parse_date(&self.to);
        for year in self.chosen_of("year").filter_map(|y| y.parse::<i32>().ok()) {
            let first = NaiveDate::from_ymd_opt(year, 1, 1);
            let last = NaiveDate::from_ymd_opt(year, 12, 31);
            date_from = date_from.max(first);
            date_to = match (date_to, last) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Filters {
            kinds: self.chosen_of("kind").filter_map(Kind::parse).collect(),
            jurisdictions: values("jurisdiction"),
            courts: values("court"),
            grounds: values("ground"),
            proceeding_types: values("proceeding_type"),
            outcomes: values("outcome"),
            languages: values("language"),
            case_ids: Vec::new(),
            date_from,
            date_to,
            match_all: true,
            ids: Vec::new(),
        }
    }

    /// The state as a query string (no leading `?`), without the position of "more results":
    /// the address of the search's first page.
    pub fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if self.exact {
            out.append_pair("exact", "1");
        }
        if self.expand {
            out.append_pair("expand", "1");
        }
        if let Some(sort) = self.sort {
            out.append_pair("sort", sort_code(sort));
        }
        for (facet, value) in &self.chosen {
            out.append_pair(facet, value);
        }
        if !self.from.is_empty() {
            out.append_pair("from", &self.from);
        }
        if !self.to.is_empty() {
            out.append_pair("to", &self.to);
        }
        out.finish()
    }

    /// The address of this search's first page.
    pub fn href(&self) -> String {
        let query = self.query_string();
        if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{query}")
        }
    }

    /// The address of the page of results this state is (with the position of "more results").
    pub fn href_here(&self) -> String {
        match &self.cursor {
            None => self.href(),
            Some(cursor) => {
                let mut out = form_urlencoded::Serializer::new(self.query_string());
                out.append_pair("cursor", cursor);
                out.append_pair("at", &self.at.to_string());
                format!("/search?{}", out.finish())
            }
        }
    }

    /// The first page with `value` of `facet` added.
    pub fn with(&self, facet: &'static str, value: &str) -> SearchState {
        let mut next = self.first_page();
        if !next.is_chosen(facet, value) {
            next.chosen.push((facet, value.to_owned()));
        }
        next
    }

    /// The first page with `value` of `facet` removed.
    pub fn without(&self, facet: &str, value: &str) -> SearchState {
        let mut next = self.first_page();
        next.chosen.retain(|(f, v)| !(*f == facet && v == value));
        next
    }

    /// The first page without the date range.
    pub fn without_dates(&self) -> SearchState {
        let mut next = self.first_page();
        next.from.clear();
        next.to.clear();
        next
    }

    /// The first page without exact mode.
    pub fn without_exact(&self) -> SearchState {
        let mut next = self.first_page();
        next.exact = false;
        next
    }

    /// The first page without the expansion into the other languages.
    pub fn without_expand(&self) -> SearchState {
        let mut next = self.first_page();
        next.expand = false;
        next
    }

    /// The records this search selects, for a download or a saved search's feed: its query (as
    /// run: expanded when asked; as typed if that cannot be done), exact mode and filters.
    pub fn selection(&self) -> crate::services::export::SearchSelection {
        crate::services::export::SearchSelection {
            query: self
                .query_to_run()
                .map_or_else(|_| self.q.clone(), |e| e.query),
            exact: self.exact,
            filters: self.filters(),
        }
    }

    /// The query to run: as typed, or expanded through the glossary (and what was expanded).
    pub fn query_to_run(&self) -> Result<courtwatch_indexer::expand::Expanded, ServiceError> {
        if self.expand {
            crate::services::search::expand(&self.q, self.exact)
        } else {
            Ok(courtwatch_indexer::expand::Expanded {
                query: self.q.clone(),
                expansions: Vec::new(),
            })
        }
    }

    /// The same search from its first page.
    pub fn first_page(&self) -> SearchState {
        SearchState {
            cursor: None,
            at: 0,
            ..self.clone()
        }
    }

    /// The address of the next page: `cursor` after `shown` hits.
    pub fn more(&self, cursor: &str, shown: usize) -> String {
        let mut out = form_urlencoded::Serializer::new(self.query_string());
        out.append_pair("cursor", cursor);
        out.append_pair("at", &(self.at + shown).to_string());
        format!("/search?{}", out.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_survives_its_own_address() {
        let (state, refused) = SearchState::parse(
            "q=diskriminacija+%22govor+mr%C5%BEnje%22&exact=1&sort=date_asc&kind=ruling&ground=ethnicity&ground=language&from=2010-01-01&to=2020-12-31&lang=sq",
        );
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(state.q, "diskriminacija \"govor mržnje\"");
        assert!(state.exact);
        assert_eq!(state.sort, Some(Sort::DateAsc));
        assert_eq!(state.chosen.len(), 3);
        let (again, _) = SearchState::parse(&state.query_string());
        assert_eq!(again, state);
        let filters = state.filters();
        assert!(filters.match_all);
        assert_eq!(filters.grounds, ["ethnicity", "language"]);
        assert_eq!(filters.kinds, [Kind::Ruling]);
    }

    #[test]
    fn chips_add_and_remove_one_value_and_start_again_from_the_first_page() {
        let (state, _) = SearchState::parse("q=roma&cursor=abc&at=20");
        let added = state.with("jurisdiction", "ME");
        assert_eq!(added.cursor, None);
        assert_eq!(added.at, 0);
        assert_eq!(added.href(), "/search?q=roma&jurisdiction=ME");
        assert_eq!(
            added
                .with("court", "Osnovni sud u Podgorici")
                .without("jurisdiction", "ME")
                .href(),
            "/search?q=roma&court=Osnovni+sud+u+Podgorici"
        );
        assert_eq!(state.more("xyz", 20), "/search?q=roma&cursor=xyz&at=40");
    }

    #[test]
    fn bad_parameters_are_named_and_not_used() {
        let (state, refused) =
            SearchState::parse("kind=judgment&year=20x&from=2020-13-01&to=2019-01-01&sort=best");
        let fields: Vec<&str> = refused.iter().map(|r| r.field).collect();
        assert_eq!(fields, ["kind", "year", "sort", "from"]);
        assert!(state.chosen.is_empty());
        let (_, reversed) = SearchState::parse("from=2020-01-01&to=2019-01-01");
        assert_eq!(reversed[0].message, "search-dates-reversed");
    }

    #[test]
    fn a_year_is_a_date_range_narrowed_by_the_range_typed() {
        let (state, _) = SearchState::parse("year=2019&from=2019-06-01");
        let filters = state.filters();
        assert_eq!(filters.date_from, NaiveDate::from_ymd_opt(2019, 6, 1));
        assert_eq!(filters.date_to, NaiveDate::from_ymd_opt(2019, 12, 31));
    }
}
