//! Who may find which document: the one place this is decided for search.
//!
//! Today: rulings and cases are visible to every signed-in user; observations once submitted, and
//! drafts only to the author's organisation. The access-control work (roles, publication, review)
//! extends these two functions and nothing else in the search path.

use courtwatch_indexer::{Viewer, Visibility};

use crate::services::common::Actor;

/// Who may find an observation in this state, written by a member of `author_organisation`.
pub fn observation(status: &str, author_organisation: &str) -> Visibility {
    if status == "submitted" {
        Visibility::Public
    } else {
        Visibility::Organisation(author_organisation.to_string())
    }
}

/// Who may find a ruling or a case.
pub fn record() -> Visibility {
    Visibility::Public
}

/// Which non-public documents a signed-in user may find: their own organisation's.
pub fn viewer(actor: &Actor) -> Viewer {
    Viewer {
        organisations: vec![actor.organisation_id.clone()],
    }
}
