//! The audit trail (admins: all of it; coordinators: their organisation's records), with its
//! filters and each entry's before and after as a list of changed fields; and System status
//! (admins): the checks of `/readyz`.

use askama::Template;
use chrono::{NaiveDate, TimeZone, Utc};
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Query},
};
use serde::Deserialize;
use serde_json::Value;

use super::{Shell, WebSettings, page, visit};
use crate::{
    access,
    health::{self, Readiness},
    services::audit::{self, AuditEntry, AuditFilter},
    state::AppState,
};

/// The kinds of record the trail names.
const RESOURCES: &[&str] = &[
    "case",
    "court",
    "hearing",
    "observation",
    "organisation",
    "party",
    "ruling",
    "sensitive_terms",
    "settings",
    "token",
    "user",
];

/// Entries per page.
const PER_PAGE: u32 = 50;

/// One changed field of an entry.
pub(super) struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry as the page shows it.
struct Row {
    entry: AuditEntry,
    when: String,
    changes: Vec<Change>,
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// `value`'s fields by dotted path, objects opened up to three levels (answers are an object in
/// a record).
fn flatten(prefix: &str, value: &Value, depth: usize, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if depth < 3 => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, depth + 1, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

/// The fields that differ between `before` and `after` (all of `after`'s for a creation).
pub(super) fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let fields = |v: Option<&Value>| {
        let mut out = Vec::new();
        if let Some(v) = v {
            flatten("", v, 0, &mut out);
        }
        out
    };
    let before = fields(before);
    let after = fields(after);
    let mut names: Vec<&String> = before.iter().chain(after.iter()).map(|(k, _)| k).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let old = before.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            let new = after.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            (old != new).then(|| Change {
                field: name.clone(),
                before: old.map(shown),
                after: new.map(shown),
            })
        })
        .collect()
}

/// The trail's filters, as the page's address carries them.
#[derive(Debug, Default, Deserialize)]
pub struct TrailQuery {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    cursor: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct TrailPage {
    shell: Shell,
    resources: &'static [&'static str],
    query: TrailQuery,
    rows: Vec<Row>,
    more: Option<String>,
    errors: Vec<(String, String)>,
}

impl TrailPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn day(text: &str) -> Result<Option<NaiveDate>, ()> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ())
}

#[poem::handler]
pub async fn audit_trail(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Query(query): Query<TrailQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::REVIEWERS).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let mut errors = Vec::new();
    let from = day(&query.from).unwrap_or_else(|()| {
        errors.push(("from".to_owned(), lang.t("audit-date-wrong", &[])));
        None
    });
    let to = day(&query.to).unwrap_or_else(|()| {
        errors.push(("to".to_owned(), lang.t("audit-date-wrong", &[])));
        None
    });
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let (rows, more) = if errors.is_empty() {
        let filter = AuditFilter {
            resource: text(&query.resource),
            resource_id: text(&query.resource_id),
            user_id: None,
            action: text(&query.action),
            from: from.map(|d| Utc.from_utc_datetime(&d.and_time(Default::default()))),
            // `to` is the last day shown, inclusive.
            to: to.map(|d| {
                Utc.from_utc_datetime(&(d + chrono::Days::new(1)).and_time(Default::default()))
            }),
        };
        let cursor = text(&query.cursor);
        match audit::list(
            state,
            &visit.session.actor,
            filter,
            cursor.as_deref(),
            Some(PER_PAGE),
        )
        .await
        {
            Ok(found) => {
                let rows = found
                    .items
                    .into_iter()
                    .map(|entry| Row {
                        when: format!(
                            "{} {} UTC",
                            lang.date(entry.at.date_naive()),
                            entry.at.format("%H:%M")
                        ),
                        changes: changes(entry.before.as_ref(), entry.after.as_ref()),
                        entry,
                    })
                    .collect();
                let more = found.next_cursor.map(|c| {
                    let mut url = form_urlencoded::Serializer::new(String::new());
                    for (k, v) in [
                        ("resource", &query.resource),
                        ("action", &query.action),
                        ("resource_id", &query.resource_id),
                        ("from", &query.from),
                        ("to", &query.to),
                    ] {
                        if !v.is_empty() {
                            url.append_pair(k, v);
                        }
                    }
                    url.append_pair("cursor", &c);
                    format!("/audit?{}", url.finish())
                });
                (rows, more)
            }
            Err(e) => return super::pages::broken(lang, &e),
        }
    } else {
        (Vec::new(), None)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = TrailPage {
        shell: visit.shell("audit-title"),
        resources: RESOURCES,
        query,
        rows,
        more,
        errors,
    }
    .render();
    page(html, status, &visit.cookies)
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    shell: Shell,
    checks: Readiness,
}

#[poem::handler]
pub async fn system_status(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ADMIN).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let checks = health::readiness(state).await;
    let html = StatusPage {
        shell: visit.shell("status-title"),
        checks,
    }
    .render();
    page(html, StatusCode::OK, &visit.cookies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_entry_shows_the_fields_that_changed() {
        let before = json!({"title": "Old", "answers": {"a": "yes", "b": 2}, "same": 1});
        let after = json!({"title": "New", "answers": {"a": "yes", "b": 3, "c": "x"}, "same": 1});
        let found = changes(Some(&before), Some(&after));
        let shown: Vec<(String, Option<String>, Option<String>)> = found
            .into_iter()
            .map(|c| (c.field, c.before, c.after))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("answers.b".into(), Some("2".into()), Some("3".into())),
                ("answers.c".into(), None, Some("x".into())),
                ("title".into(), Some("Old".into()), Some("New".into())),
            ]
        );
        assert_eq!(changes(None, Some(&json!({"a": 1}))).len(), 1);
    }
}
