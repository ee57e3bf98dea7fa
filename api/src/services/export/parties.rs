//! parties.csv: one row per party, pseudonymised.

use std::{borrow::Cow, collections::HashSet};

use courtwatch_indexer::Kind;
use courtwatch_methodology::Scope;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter};

use super::{
    BATCH, ColumnType, Dataset, MULTI_SEPARATOR,
    file::{BatchQuery, CaseStates, Field, File, Table, when},
};
use crate::{access::policy, entities::party, error::ServiceError, services::common::keyset_batch};

/// parties.csv.
pub(super) struct Parties;

/// A batch of parties with the review state of their cases.
pub(super) struct PartyBatch {
    parties: Vec<party::Model>,
    cases: CaseStates,
}

/// One party.
pub(super) struct PartyRow<'a> {
    party: &'a party::Model,
    /// Its protected characteristics, joined by [`MULTI_SEPARATOR`].
    characteristics: String,
    case_status: &'a str,
}

use ColumnType::String as Text;

static LEADING: [Field<Parties>; 7] = [
    Field::plain("party_id", Text, "Party id (primary key).", |r| {
        Cow::Borrowed(&r.party.id)
    }),
    Field::plain("case_id", Text, "The case (cases.csv case_id).", |r| {
        Cow::Borrowed(&r.party.case_id)
    }),
    Field::coded(
        "role",
        "party_role",
        false,
        "Role in the proceeding.",
        |r| Cow::Borrowed(&r.party.role),
    ),
    Field::coded("kind", "party_kind", false, "Kind of party.", |r| {
        Cow::Borrowed(&r.party.kind)
    }),
    Field::prose(
        "pseudonym",
        "Pseudonym used for the party in all records.",
        |r| Cow::Borrowed(&r.party.pseudonym),
    ),
    Field::coded(
        "characteristics",
        "ground",
        true,
        "Protected characteristics relevant to the case.",
        |r| Cow::Borrowed(&r.characteristics),
    ),
    Field::coded(
        "representation",
        "representation",
        false,
        "Legal representation.",
        |r| Cow::Borrowed(&r.party.representation),
    ),
];

static TRAILING: [Field<Parties>; 2] = [
    Field::created_at(|r| Cow::Owned(when(r.party.created_at))),
    Field::updated_at(|r| Cow::Owned(when(r.party.updated_at))),
];

impl File for Parties {
    const DATASET: Dataset = Dataset::Parties;
    const QUESTIONS: Option<Scope> = None;
    const SEARCH: Option<Kind> = None;
    type Row<'a> = PartyRow<'a>;
    type Batch = PartyBatch;

    const TABLE: Table<Self> = Table {
        leading: &LEADING,
        trailing: &TRAILING,
        facts: &[],
    };

    async fn read(db: DatabaseConnection, query: BatchQuery) -> Result<PartyBatch, ServiceError> {
        let select = party::Entity::find().filter(query.filter.of_cases(party::Column::CaseId));
        let mut after = query.after;
        let parties =
            keyset_batch(&db, select, party::Column::Id, |m| &m.id, &mut after, BATCH).await?;
        let cases =
            CaseStates::read(&db, parties.iter().map(|p| p.case_id.as_str()).collect()).await?;
        Ok(PartyBatch { parties, cases })
    }

    fn count(batch: &PartyBatch) -> usize {
        batch.parties.len()
    }
    fn last(batch: &PartyBatch) -> Result<Option<String>, ServiceError> {
        Ok(batch.parties.last().map(|p| p.id.clone()))
    }
    fn case_ids(batch: &PartyBatch) -> Result<HashSet<&str>, ServiceError> {
        Ok(batch.parties.iter().map(|p| p.case_id.as_str()).collect())
    }
    fn rows(batch: &PartyBatch) -> Result<Vec<PartyRow<'_>>, ServiceError> {
        batch
            .parties
            .iter()
            .map(|party| {
                let characteristics: Vec<String> = serde_json::from_str(&party.characteristics)
                    .map_err(|e| {
                        ServiceError::internal_from(
                            format!("party {}: stored characteristics are not a list", party.id),
                            e,
                        )
                    })?;
                Ok(PartyRow {
                    party,
                    characteristics: characteristics.join(MULTI_SEPARATOR),
                    case_status: batch.cases.of(&party.case_id),
                })
            })
            .collect()
    }

    fn case_id<'r>(row: &'r PartyRow<'_>) -> &'r str {
        &row.party.case_id
    }
    fn released(row: &PartyRow<'_>) -> bool {
        policy::released(None, Some(row.case_status))
    }
}
