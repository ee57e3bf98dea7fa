//! The case-list filters as the datasets and statistics pages take them (the API's): read from
//! the page's address as typed, written back into links, and checked into a `CaseFilter` with
//! each refused field named.

use chrono::NaiveDate;

use super::form::value_of;
use crate::{
    error::ServiceError,
    services::{
        case::CaseFilter,
        court::{self as court_service, CourtFilter},
    },
    state::AppState,
};

/// Every court, as (id, "name (jurisdiction)"), for the pages' court filter: all of them,
/// page by page, in the service's order.
pub async fn court_choices(state: &AppState) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = court_service::list(state, CourtFilter::default(), cursor.as_deref(), Some(500))
            .await?;
        out.extend(
            page.items
                .into_iter()
                .map(|c| (c.id, format!("{} ({})", c.name, c.jurisdiction))),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// The filters as typed.
#[derive(Debug, Default, Clone)]
pub struct CaseChoices {
    pub jurisdiction: String,
    pub court_id: String,
    pub ground: String,
    pub proceeding_type: String,
    pub status: String,
    pub filed_from: String,
    pub filed_to: String,
}

impl CaseChoices {
    /// Reads them from the address's pairs.
    pub fn read(pairs: &[(String, String)]) -> CaseChoices {
        let one = |k: &str| value_of(pairs, k).unwrap_or_default().trim().to_owned();
        CaseChoices {
            jurisdiction: one("jurisdiction"),
            court_id: one("court_id"),
            ground: one("ground"),
            proceeding_type: one("proceeding_type"),
            status: one("status"),
            filed_from: one("filed_from"),
            filed_to: one("filed_to"),
        }
    }

    /// Adds the filters chosen to a query string.
    pub fn append_to(&self, out: &mut form_urlencoded::Serializer<'_, String>) {
        for (key, value) in [
            ("jurisdiction", &self.jurisdiction),
            ("court_id", &self.court_id),
            ("ground", &self.ground),
            ("proceeding_type", &self.proceeding_type),
            ("status", &self.status),
            ("filed_from", &self.filed_from),
            ("filed_to", &self.filed_to),
        ] {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
    }

    /// The filter (released records only: what both pages show), or the fields refused with
    /// their message ids.
    pub fn filter(&self) -> Result<CaseFilter, Vec<(&'static str, &'static str)>> {
        let mut refused = Vec::new();
        let mut date = |text: &str, field: &'static str| {
            if text.is_empty() {
                return None;
            }
            let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            if parsed.is_none() {
                refused.push((field, "search-bad-date"));
            }
            parsed
        };
        let filed_from = date(&self.filed_from, "filed_from");
        let filed_to = date(&self.filed_to, "filed_to");
        if let (Some(a), Some(b)) = (filed_from, filed_to)
            && a > b
        {
            refused.push(("filed_to", "search-dates-reversed"));
        }
        if !refused.is_empty() {
            return Err(refused);
        }
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(CaseFilter {
            jurisdiction: some(&self.jurisdiction),
            court_id: some(&self.court_id),
            ground: some(&self.ground),
            proceeding_type: some(&self.proceeding_type),
            status: some(&self.status),
            filed_from,
            filed_to,
            released: true,
        })
    }
}
