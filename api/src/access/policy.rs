//! Who may see and change which record: **the one place** this is decided, for API reads and
//! writes, lists, search documents, datasets and statistics.
//!
//! - A record belongs to an organisation (a case's; a hearing, party or observation belongs to its
//!   case's organisation; a ruling to its case's, or to its author's for stand-alone case law).
//! - It is *released* when it is published: for an observation or a case's ruling, its case must be
//!   published too. Released records are what researchers see, and all that datasets, statistics
//!   and search show outside the owning organisation.
//! - Monitors and coordinators also see their own organisation's unreleased records and change
//!   them; admins see and change everything. Researchers only read released records.
//! - A record the caller may not see is "not found" (404), so that its existence is not confirmed;
//!   a visible record the caller may not change is "forbidden" (403).

use courtwatch_indexer::{Viewer, Visibility};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{IntoCondition, Query, SelectStatement},
};

use crate::{
    entities::{case, hearing, observation, ruling},
    error::ServiceError,
};

use super::Actor;

/// The review state in which a record is released.
pub const PUBLISHED: &str = "published";

/// Whether a record is released, from its own review state (`None` for a party or a hearing, which
/// have none of their own) and its case's (`None` for stand-alone case law): each that exists
/// must be published. Datasets apply this to every row of every file.
pub fn released(own: Option<&str>, case: Option<&str>) -> bool {
    own.is_none_or(|s| s == PUBLISHED) && case.is_none_or(|s| s == PUBLISHED)
}

/// Whether `actor` may see a record of `organisation` that is (or is not) `released`.
pub fn can_see(actor: &Actor, organisation: &str, released: bool) -> bool {
    released
        || actor.is_admin()
        || (actor.role.records_for_organisation() && actor.organisation_id == organisation)
}

/// Whether `actor` may change a record of `organisation`.
pub fn can_change(actor: &Actor, organisation: &str) -> bool {
    actor.is_admin()
        || (actor.role.records_for_organisation() && actor.organisation_id == organisation)
}

/// Whether `actor` sees a record of `organisation` as written. Anyone else (researchers, other
/// organisations, anonymous callers) sees it redacted: sensitive terms and identifying patterns
/// replaced (see `services::sensitive`). Search documents and datasets are always redacted.
pub fn sees_unredacted(actor: &Actor, organisation: &str) -> bool {
    can_change(actor, organisation)
}

/// 404 unless `actor` may see the record.
pub fn require_visible(
    actor: &Actor,
    organisation: &str,
    released: bool,
    resource: &'static str,
    id: &str,
) -> Result<(), ServiceError> {
    if can_see(actor, organisation, released) {
        Ok(())
    } else {
        Err(ServiceError::NotFound {
            resource,
            id: id.to_owned(),
        })
    }
}

/// 404 unless `actor` may see the record, 403 unless they may change it.
pub fn require_change(
    actor: &Actor,
    organisation: &str,
    released: bool,
    resource: &'static str,
    id: &str,
) -> Result<(), ServiceError> {
    require_visible(actor, organisation, released, resource, id)?;
    if can_change(actor, organisation) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "this {resource} belongs to another organisation"
        )))
    }
}

/// Ids of the published cases.
pub fn published_case_ids() -> SelectStatement {
    Query::select()
        .column(case::Column::Id)
        .from(case::Entity)
        .and_where(case::Column::ReviewStatus.eq(PUBLISHED))
        .to_owned()
}

/// Ids of the cases `actor` may see; None when they may see every case.
fn visible_case_ids(actor: &Actor) -> Option<SelectStatement> {
    if actor.is_admin() {
        return None;
    }
    Some(
        Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .cond_where(visible_cases(actor))
            .to_owned(),
    )
}

/// Cases `actor` may see (a condition on the cases table).
pub fn visible_cases(actor: &Actor) -> Condition {
    if actor.is_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(case::Column::ReviewStatus.eq(PUBLISHED));
    if actor.role.records_for_organisation() {
        any = any.add(case::Column::OrganisationId.eq(actor.organisation_id.as_str()));
    }
    any
}

/// Records of cases `actor` may see (hearings, parties: `column` is their `case_id`).
pub fn of_visible_cases(actor: &Actor, column: impl ColumnTrait) -> Condition {
    match visible_case_ids(actor) {
        None => Condition::all(),
        Some(ids) => column.in_subquery(ids).into_condition(),
    }
}

/// Observations `actor` may see: published ones of published cases, and every one of the
/// cases of their organisation (monitors, coordinators).
pub fn visible_observations(actor: &Actor) -> Condition {
    if actor.is_admin() {
        return Condition::all();
    }
    let released = Condition::all()
        .add(observation::Column::Status.eq(PUBLISHED))
        .add(observation::Column::HearingId.in_subquery(hearings_of(published_case_ids())));
    let mut any = Condition::any().add(released);
    if actor.role.records_for_organisation() {
        let own_cases = Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .and_where(case::Column::OrganisationId.eq(actor.organisation_id.as_str()))
            .to_owned();
        any = any.add(observation::Column::HearingId.in_subquery(hearings_of(own_cases)));
    }
    any
}

fn hearings_of(case_ids: SelectStatement) -> SelectStatement {
    Query::select()
        .column(hearing::Column::Id)
        .from(hearing::Entity)
        .and_where(hearing::Column::CaseId.in_subquery(case_ids))
        .to_owned()
}

/// Rulings whose publication releases them: published, and stand-alone or of a published case.
pub fn released_rulings() -> Condition {
    Condition::all()
        .add(ruling::Column::ReviewStatus.eq(PUBLISHED))
        .add(
            Condition::any()
                .add(ruling::Column::CaseId.is_null())
                .add(ruling::Column::CaseId.in_subquery(published_case_ids())),
        )
}

/// Rulings `actor` may see.
pub fn visible_rulings(actor: &Actor) -> Condition {
    if actor.is_admin() {
        return Condition::all();
    }
    let mut any = Condition::any().add(released_rulings());
    if actor.role.records_for_organisation() {
        any = any.add(ruling::Column::OrganisationId.eq(actor.organisation_id.as_str()));
    }
    any
}

/// Who may find a search document of `organisation` that is (or is not) released.
pub fn document(organisation: &str, released: bool) -> Visibility {
    if released {
        Visibility::Public
    } else {
        Visibility::Organisation(organisation.to_string())
    }
}

/// Which unreleased documents a signed-in user may find.
pub fn viewer(actor: &Actor) -> Viewer {
    Viewer {
        organisations: if actor.role.records_for_organisation() {
            vec![actor.organisation_id.clone()]
        } else {
            Vec::new()
        },
        everything: actor.is_admin(),
    }
}

/// Accounts: whether `actor` may see the user accounts of `organisation` (admins: every
/// organisation's; coordinators: their own's). Anyone else sees none; another organisation's
/// account is "not found".
pub fn can_see_accounts(actor: &Actor, organisation: &str) -> bool {
    actor.is_admin() || (actor.role.reviews() && actor.organisation_id == organisation)
}

/// Accounts: whether `actor` may change the account of a user with `role` in `organisation`
/// (invite, rename, deactivate, reset the password). Admins manage everyone; coordinators the
/// monitors of their own organisation, and only as monitors.
pub fn can_manage_account(actor: &Actor, organisation: &str, role: super::Role) -> bool {
    actor.is_admin()
        || (actor.role == super::Role::Coordinator
            && actor.organisation_id == organisation
            && role == super::Role::Monitor)
}

/// Accounts: 404 unless `actor` sees the account, 403 unless they may manage it.
pub fn require_manage_account(
    actor: &Actor,
    organisation: &str,
    role: super::Role,
    id: &str,
) -> Result<(), ServiceError> {
    if !can_see_accounts(actor, organisation) {
        return Err(ServiceError::NotFound {
            resource: "user",
            id: id.to_owned(),
        });
    }
    if can_manage_account(actor, organisation, role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "a {} manages the monitors of their own organisation only; this user is a {role}",
            actor.role
        )))
    }
}
