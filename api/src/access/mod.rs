//! Who may call which operation: **one table**, one row per operation of the API (by its OpenAPI
//! `operationId`). Endpoints ask [`check`] with their operation before doing anything else, and
//! `tests/api/access.rs` walks the whole table over HTTP: every operation × every role × a record
//! of the caller's own and of another organisation.
//!
//! The row says which roles may call the operation at all (403 otherwise, 401 without a valid
//! token). Which *records* a permitted caller may see or change is decided per record by
//! [`policy`]: another organisation's unreleased record is 404, so that its
//! existence is not confirmed; a released record of another organisation that the caller may not
//! change is 403.

pub mod policy;
mod role;

pub use role::{Actor, Role};

use crate::error::ServiceError;

/// Every role.
pub const ALL: &[Role] = &Role::ALL;
/// Roles that record: create and change cases, hearings, parties, observations and rulings.
pub const RECORDERS: &[Role] = &[Role::Admin, Role::Coordinator, Role::Monitor];
/// Roles that review: publish, return, withdraw, grade, read the audit trail.
pub const REVIEWERS: &[Role] = &[Role::Admin, Role::Coordinator];
/// The administrator only.
pub const ADMIN: &[Role] = &[Role::Admin];

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callers {
    /// Anyone, without a token (published reference data: the methodology).
    Anyone,
    /// Signed-in users with one of these roles.
    Roles(&'static [Role]),
    /// Signed-in users with one of these roles, and anyone without a token once an admin has
    /// opened aggregate statistics to the public (setting `anonymous_stats`).
    RolesOrOpenStats(&'static [Role]),
}

/// Whether the operation acts on one record named in the path or body, whose organisation and
/// state then decide too (see [`policy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Not one record: a list, a search, a dataset, a statistic (each shows what the caller may see).
    Collection,
    /// One record of an organisation.
    Record,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The OpenAPI operationId.
    pub operation: &'static str,
    /// Who may call it.
    pub callers: Callers,
    /// What it acts on.
    pub target: Target,
}

const fn rule(operation: &'static str, callers: Callers, target: Target) -> Rule {
    Rule {
        operation,
        callers,
        target,
    }
}

use Callers::{Anyone, Roles, RolesOrOpenStats};
use Target::{Collection, Record};

/// The table.
pub const RULES: &[Rule] = &[
    rule("list_methodology_versions", Anyone, Collection),
    rule("get_methodology", Anyone, Collection),
    rule("get_glossary", Anyone, Collection),
    // Courts are shared reference data, kept by everyone who records.
    rule("create_court", Roles(RECORDERS), Collection),
    rule("list_courts", Roles(ALL), Collection),
    rule("get_court", Roles(ALL), Collection),
    rule("update_court", Roles(RECORDERS), Collection),
    rule("create_case", Roles(RECORDERS), Collection),
    rule("list_cases", Roles(ALL), Collection),
    rule("get_case", Roles(ALL), Record),
    rule("update_case", Roles(RECORDERS), Record),
    rule("review_case", Roles(RECORDERS), Record),
    rule("grade_case", Roles(REVIEWERS), Record),
    // Sensitive terms never leave the recording organisation (researchers: 403).
    rule("get_sensitive_terms", Roles(RECORDERS), Record),
    rule("replace_sensitive_terms", Roles(RECORDERS), Record),
    rule("create_party", Roles(RECORDERS), Record),
    rule("list_parties", Roles(ALL), Collection),
    rule("get_party", Roles(ALL), Record),
    rule("update_party", Roles(RECORDERS), Record),
    rule("create_hearing", Roles(RECORDERS), Record),
    rule("list_hearings", Roles(ALL), Collection),
    rule("get_hearing", Roles(ALL), Record),
    rule("update_hearing", Roles(RECORDERS), Record),
    rule("create_observation", Roles(RECORDERS), Record),
    rule("list_observations", Roles(ALL), Collection),
    rule("get_observation", Roles(ALL), Record),
    rule("update_observation", Roles(RECORDERS), Record),
    rule("review_observation", Roles(RECORDERS), Record),
    // Imported case law is published at once (courts have published it already).
    rule("import_rulings", Roles(REVIEWERS), Collection),
    rule("create_ruling", Roles(RECORDERS), Collection),
    rule("list_rulings", Roles(ALL), Collection),
    rule("get_ruling", Roles(ALL), Record),
    rule("update_ruling", Roles(RECORDERS), Record),
    rule("review_ruling", Roles(RECORDERS), Record),
    rule("search", Roles(ALL), Collection),
    rule("export_dataset", Roles(ALL), Collection),
    rule("export_package", Roles(ALL), Collection),
    rule("dataset_codebook", Roles(ALL), Collection),
    rule("dataset_package", Roles(ALL), Collection),
    rule("dataset_codebook_csv", Roles(ALL), Collection),
    rule("stats_cases", RolesOrOpenStats(ALL), Collection),
    rule("stats_hearings", RolesOrOpenStats(ALL), Collection),
    rule("stats_durations", RolesOrOpenStats(ALL), Collection),
    rule("stats_crosstab", RolesOrOpenStats(ALL), Collection),
    rule("create_token", Roles(ALL), Collection),
    rule("list_tokens", Roles(ALL), Collection),
    rule("revoke_token", Roles(ALL), Record),
    rule("list_audit", Roles(REVIEWERS), Collection),
    rule("get_settings", Roles(ADMIN), Collection),
    rule("update_settings", Roles(ADMIN), Collection),
    // Everyone sees their own organisation; admins manage them all.
    rule("list_organisations", Roles(ALL), Collection),
    rule("create_organisation", Roles(ADMIN), Collection),
    rule("update_organisation", Roles(ADMIN), Record),
    rule("deactivate_organisation", Roles(ADMIN), Record),
    // Accounts: admins every user, coordinators their own organisation's monitors
    // (`policy::can_manage_account`).
    rule("list_users", Roles(REVIEWERS), Collection),
    rule("invite_user", Roles(REVIEWERS), Collection),
    rule("get_user", Roles(REVIEWERS), Record),
    rule("update_user", Roles(REVIEWERS), Record),
    rule("deactivate_user", Roles(REVIEWERS), Record),
    rule("reset_user", Roles(REVIEWERS), Record),
];

/// Who may open a page of the web interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitors {
    /// Anyone, signed in or not (signing in, a one-time link, the style sheet).
    Anyone,
    /// Signed-in users with one of these roles; anyone else is sent to the sign-in page.
    SignedIn(&'static [Role]),
}

/// The pages, by method and path, with who may open them (`tests/api/web.rs` walks this table).
/// Forms that change state also need the session's (or, before sign-in, the form cookie's)
/// CSRF token and must come from this site: see [`crate::web`].
pub const PAGES: &[(&str, &str, Visitors)] = &[
    ("GET", "/", Visitors::SignedIn(ALL)),
    ("GET", "/sign-in", Visitors::Anyone),
    ("POST", "/sign-in", Visitors::Anyone),
    ("POST", "/sign-out", Visitors::SignedIn(ALL)),
    // The code step after the password (its ticket is a SameSite=Strict cookie).
    ("GET", "/sign-in/two-factor", Visitors::Anyone),
    ("POST", "/sign-in/two-factor", Visitors::Anyone),
    ("GET", "/welcome/{secret}", Visitors::Anyone),
    ("POST", "/welcome/{secret}", Visitors::Anyone),
    ("GET", "/static/app.css", Visitors::Anyone),
    // Administration: the same roles as the API's account operations; which users and
    // organisations each may manage is `policy`'s (`can_manage_account`).
    ("GET", "/users", Visitors::SignedIn(REVIEWERS)),
    ("POST", "/users", Visitors::SignedIn(REVIEWERS)),
    (
        "POST",
        "/users/{id}/sign-in-link",
        Visitors::SignedIn(REVIEWERS),
    ),
    (
        "POST",
        "/users/{id}/deactivate",
        Visitors::SignedIn(REVIEWERS),
    ),
    // Roles: admins only (`policy::can_manage_account` refuses a coordinator any role change).
    ("POST", "/users/{id}/role", Visitors::SignedIn(REVIEWERS)),
    ("GET", "/organisations", Visitors::SignedIn(ADMIN)),
    ("POST", "/organisations", Visitors::SignedIn(ADMIN)),
    (
        "POST",
        "/organisations/{id}/rename",
        Visitors::SignedIn(ADMIN),
    ),
    (
        "POST",
        "/organisations/{id}/deactivate",
        Visitors::SignedIn(ADMIN),
    ),
    // Settings: anonymous statistics, the two-factor requirement.
    ("GET", "/settings", Visitors::SignedIn(ADMIN)),
    ("POST", "/settings", Visitors::SignedIn(ADMIN)),
    // The audit trail (coordinators: their organisation's records; `audit::list`) and the
    // service's checks.
    ("GET", "/audit", Visitors::SignedIn(REVIEWERS)),
    ("GET", "/status", Visitors::SignedIn(ADMIN)),
    // Everyone's own account: password, sessions, API tokens.
    ("GET", "/account", Visitors::SignedIn(ALL)),
    ("POST", "/account/password", Visitors::SignedIn(ALL)),
    ("POST", "/account/sessions", Visitors::SignedIn(ALL)),
    ("POST", "/account/tokens", Visitors::SignedIn(ALL)),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        Visitors::SignedIn(ALL),
    ),
    ("GET", "/account/two-factor", Visitors::SignedIn(ALL)),
    ("POST", "/account/two-factor", Visitors::SignedIn(ALL)),
    ("POST", "/account/two-factor/off", Visitors::SignedIn(ALL)),
    // Recording: the roles of `create_observation`/`update_observation`; which records each may
    // open and change is the policy's, through `services::observation`.
    ("GET", "/observations/new", Visitors::SignedIn(RECORDERS)),
    ("GET", "/observations/{id}", Visitors::SignedIn(RECORDERS)),
    ("POST", "/observations/{id}", Visitors::SignedIn(RECORDERS)),
    ("GET", "/static/form.js", Visitors::Anyone),
    // The pages' script and the service worker (offline use; they hold no data).
    ("GET", "/static/app.js", Visitors::Anyone),
    ("GET", "/sw.js", Visitors::Anyone),
    // The codebook browser: the roles of `dataset_codebook` (everyone signed in).
    ("GET", "/codebook", Visitors::SignedIn(ALL)),
    // Search and its download: the roles of `search` and `export_dataset` (everyone signed in);
    // hits are what the policy's viewer finds, downloads released records only.
    ("GET", "/search", Visitors::SignedIn(ALL)),
    ("GET", "/search/{file}", Visitors::SignedIn(ALL)),
    // Reading: a ruling as `get_ruling` gives it to the visitor; a case file with released
    // records only, redacted as for a reader outside the organisation, whoever opens it (an
    // unreleased case of the visitor's own organisation sends its recorders to `/cases/{id}`).
    ("GET", "/library/rulings/{id}", Visitors::SignedIn(ALL)),
    ("GET", "/library/cases/{id}", Visitors::SignedIn(ALL)),
    ("GET", "/static/reader.js", Visitors::Anyone),
    // Saved searches: everyone's own (`services::saved`: another's is a 404 for anyone); the
    // feed by the secret in its address alone (released records, redacted; nothing else).
    ("GET", "/saved-searches", Visitors::SignedIn(ALL)),
    ("POST", "/saved-searches", Visitors::SignedIn(ALL)),
    ("GET", "/saved-searches/{id}", Visitors::SignedIn(ALL)),
    ("POST", "/saved-searches/{id}/feed", Visitors::SignedIn(ALL)),
    (
        "POST",
        "/saved-searches/{id}/feed/off",
        Visitors::SignedIn(ALL),
    ),
    (
        "POST",
        "/saved-searches/{id}/delete",
        Visitors::SignedIn(ALL),
    ),
    ("GET", "/feeds/{secret}", Visitors::Anyone),
    // The statistics dashboard: the roles of `stats_*` (everyone signed in); released records
    // only. The public copy answers only when an admin has opened anonymous statistics (404
    // otherwise), with aggregates only, like the API's anonymous `/stats`.
    ("GET", "/statistics", Visitors::SignedIn(ALL)),
    ("GET", "/statistics/figures/{file}", Visitors::SignedIn(ALL)),
    ("GET", "/public/statistics", Visitors::Anyone),
    ("GET", "/public/statistics/figures/{file}", Visitors::Anyone),
    // The datasets page and its downloads: the roles of `export_dataset`/`export_package`
    // (everyone signed in); released records only, redacted, whoever downloads.
    ("GET", "/datasets", Visitors::SignedIn(ALL)),
    ("GET", "/datasets/files/{file}", Visitors::SignedIn(ALL)),
    ("GET", "/datasets/package.zip", Visitors::SignedIn(ALL)),
    // Cases, their hearings and sensitive terms: the roles of `create_case`/`update_case`,
    // `create_hearing` and `replace_sensitive_terms`; only the visitor's organisation's cases.
    ("GET", "/cases", Visitors::SignedIn(RECORDERS)),
    ("GET", "/cases/new", Visitors::SignedIn(RECORDERS)),
    ("POST", "/cases/new", Visitors::SignedIn(RECORDERS)),
    ("GET", "/cases/{id}", Visitors::SignedIn(RECORDERS)),
    ("POST", "/cases/{id}", Visitors::SignedIn(RECORDERS)),
    (
        "POST",
        "/cases/{id}/hearings",
        Visitors::SignedIn(RECORDERS),
    ),
    (
        "GET",
        "/cases/{id}/sensitive-terms",
        Visitors::SignedIn(RECORDERS),
    ),
    (
        "POST",
        "/cases/{id}/sensitive-terms",
        Visitors::SignedIn(RECORDERS),
    ),
    // Review: the roles of `review_observation`/`review_case`/`grade_case` that take the
    // reviewer's steps; only the visitor's own organisation's records are listed and opened.
    ("GET", "/review", Visitors::SignedIn(REVIEWERS)),
    (
        "GET",
        "/review/observations/{id}",
        Visitors::SignedIn(REVIEWERS),
    ),
    (
        "POST",
        "/review/observations/{id}",
        Visitors::SignedIn(REVIEWERS),
    ),
    ("GET", "/review/cases/{id}", Visitors::SignedIn(REVIEWERS)),
    ("POST", "/review/cases/{id}", Visitors::SignedIn(REVIEWERS)),
    (
        "POST",
        "/review/cases/{id}/grade",
        Visitors::SignedIn(REVIEWERS),
    ),
];

/// The row for `operation`. Every operation has one: a test compares the table with the spec.
pub fn rule_for(operation: &str) -> Result<&'static Rule, ServiceError> {
    RULES
        .iter()
        .find(|r| r.operation == operation)
        .ok_or_else(|| ServiceError::internal(format!("operation {operation} has no access rule")))
}

/// Whether a signed-in `actor` may call `operation` (403 if not).
pub fn check(actor: &Actor, operation: &str) -> Result<(), ServiceError> {
    let roles = match rule_for(operation)?.callers {
        Anyone => return Ok(()),
        Roles(roles) | RolesOrOpenStats(roles) => roles,
    };
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "a {} may not call {operation} (allowed: {})",
            actor.role,
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Whether anonymous callers may ever call `operation` (given the setting for statistics).
pub fn anonymous_allowed(operation: &str, stats_open: bool) -> Result<bool, ServiceError> {
    Ok(match rule_for(operation)?.callers {
        Anyone => true,
        RolesOrOpenStats(_) => stats_open,
        Roles(_) => false,
    })
}
