//! The review workflow shared by observations, cases and rulings: draft → submitted → published,
//! or returned to the monitor with the reviewer's comments by question code; a published record
//! can be withdrawn (and later corrected and submitted again). Monitors submit; coordinators (of
//! the record's organisation) and admins publish, return and withdraw. Every transition is written
//! to the audit trail with who and when.

use std::collections::BTreeMap;

use courtwatch_methodology::{Methodology, Scope};
use poem_openapi::{Enum, Object};

use crate::{
    access::Actor,
    error::{FieldProblem, ServiceError},
};

/// Where a record is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Being written; may be incomplete. Seen only by the recording organisation.
    Draft,
    /// Complete and waiting for review.
    Submitted,
    /// Sent back to the monitor with the reviewer's comments.
    Returned,
    /// Reviewed and released: researchers, datasets, statistics and search see it.
    Published,
    /// Taken back after publication; no longer released.
    Withdrawn,
}

impl ReviewStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// From the stored text (unknown text reads as a draft, which releases nothing).
    pub fn parse(text: &str) -> Self {
        match text {
            "submitted" => Self::Submitted,
            "returned" => Self::Returned,
            "published" => Self::Published,
            "withdrawn" => Self::Withdrawn,
            _ => Self::Draft,
        }
    }

    /// Whether the record is complete (submitted or published), so validated as such.
    pub fn complete(self) -> bool {
        matches!(self, Self::Submitted | Self::Published)
    }
}

/// A step of the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Draft, returned or withdrawn → submitted (the monitor: the record is complete).
    Submit,
    /// Submitted → published (coordinator or admin).
    Publish,
    /// Submitted → returned, with comments (coordinator or admin).
    Return,
    /// Published → withdrawn (coordinator or admin).
    Withdraw,
}

impl ReviewAction {
    /// The name recorded in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Return => "return",
            Self::Withdraw => "withdraw",
        }
    }
}

/// A review step asked for.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewInput {
    /// What to do.
    pub action: ReviewAction,
    /// With `return`: what the monitor must correct, by question code (or a record field such as
    /// `notes`), e.g. `{"interpreter_provided": "The notes say no interpreter was present."}`.
    #[oai(default, validator(max_properties = 200))]
    pub comments: BTreeMap<String, String>,
}

/// The state after `action`, if `actor` may take it from `current`.
pub fn next_status(
    actor: &Actor,
    current: ReviewStatus,
    action: ReviewAction,
) -> Result<ReviewStatus, ServiceError> {
    if action != ReviewAction::Submit && !actor.role.reviews() {
        return Err(ServiceError::Forbidden(format!(
            "only a coordinator or an admin may {} a record",
            action.as_str()
        )));
    }
    use ReviewStatus as S;
    let next = match (action, current) {
        (ReviewAction::Submit, S::Draft | S::Returned | S::Withdrawn) => S::Submitted,
        (ReviewAction::Publish, S::Submitted) => S::Published,
        (ReviewAction::Return, S::Submitted) => S::Returned,
        (ReviewAction::Withdraw, S::Published) => S::Withdrawn,
        _ => {
            return Err(ServiceError::Conflict(format!(
                "a {} record cannot be {}",
                current.as_str(),
                match action {
                    ReviewAction::Submit => "submitted",
                    ReviewAction::Publish => "published (submit it first)",
                    ReviewAction::Return => "returned (only submitted records are)",
                    ReviewAction::Withdraw => "withdrawn (only published records are)",
                }
            )));
        }
    };
    Ok(next)
}

/// Checks the comments of a review step and returns them as stored JSON text (None when there are
/// none). A return needs at least one comment; comments name questions of `scope` or `fields`.
pub fn comments_text(
    methodology: &Methodology,
    scope: Scope,
    fields: &[&str],
    input: &ReviewInput,
) -> Result<Option<String>, ServiceError> {
    if input.action != ReviewAction::Return {
        if input.comments.is_empty() {
            return Ok(None);
        }
        return Err(ServiceError::invalid(
            "comments",
            "comments go with the return action only",
        ));
    }
    if input.comments.is_empty() {
        return Err(ServiceError::invalid(
            "comments",
            "say what the monitor must correct: at least one comment, by question code",
        ));
    }
    let mut problems = Vec::new();
    for (code, comment) in &input.comments {
        let known = fields.contains(&code.as_str())
            || methodology.question(code).is_some_and(|q| q.scope == scope);
        if !known {
            problems.push(FieldProblem::field(
                &format!("comments.{code}"),
                format!(
                    "'{code}' is not a question of this record or one of: {}",
                    fields.join(", ")
                ),
            ));
        }
        if comment.trim().is_empty() || comment.chars().count() > 5000 {
            problems.push(FieldProblem::field(
                &format!("comments.{code}"),
                "must be 1 to 5000 characters",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    Ok(Some(
        serde_json::to_string(&input.comments).expect("a map of strings serialises"),
    ))
}

/// Stored comments text → map.
pub fn parse_comments(text: Option<&str>) -> BTreeMap<String, String> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// 409 unless `actor` may edit a record in `status`: monitors may not change a published
/// record (a coordinator withdraws it first); reviewers may correct it.
pub fn require_editable(actor: &Actor, status: ReviewStatus) -> Result<(), ServiceError> {
    if status == ReviewStatus::Published && !actor.role.reviews() {
        return Err(ServiceError::Conflict(
            "the record is published; a coordinator must withdraw it before it is changed".into(),
        ));
    }
    Ok(())
}
