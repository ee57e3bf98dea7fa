//! Database records → index documents. What a researcher can search is decided here (which text
//! goes in) and in [`crate::access::policy`] (who may find it). All text goes in redacted (a case's
//! sensitive terms and identifying patterns replaced, see [`crate::redact`]): the index is shared
//! by every viewer, so a term must not be findable, nor appear in a snippet, for anyone.

use std::collections::{BTreeSet, HashMap};

use courtwatch_indexer::{IndexDoc, Kind, doc_key};
use courtwatch_methodology::{AnswerType, Registry};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{access::policy, outbox::Change};
use crate::{
    entities::{case, case_ground, court, hearing, observation, ruling},
    error::ServiceError,
    redact::Redactor,
    services::{common::parse_answers, sensitive},
};

/// What to do to the index for one record.
#[derive(Debug, Clone)]
pub enum Update {
    /// Add or replace this document.
    Upsert(Box<IndexDoc>),
    /// Remove the document with this key (the record is gone).
    Delete(String),
}

/// Loads records and builds documents, caching courts, cases and hearings within one batch.
pub struct Builder<'a, C> {
    db: &'a C,
    methodology: &'static Registry,
    courts: HashMap<String, Option<court::Model>>,
    cases: HashMap<String, Option<(case::Model, Vec<String>)>>,
    hearings: HashMap<String, Option<hearing::Model>>,
    redactors: HashMap<String, Redactor>,
}

impl<C> std::fmt::Debug for Builder<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder").finish_non_exhaustive()
    }
}

impl<'a, C: ConnectionTrait> Builder<'a, C> {
    /// A builder reading from `db`.
    pub fn new(db: &'a C, methodology: &'static Registry) -> Self {
        Self {
            db,
            methodology,
            courts: HashMap::new(),
            cases: HashMap::new(),
            hearings: HashMap::new(),
            redactors: HashMap::new(),
        }
    }

    /// Every document affected by these changes, expanded (a case change touches its observations
    /// and rulings, a court change everything that names it).
    pub async fn updates_for(
        &mut self,
        changes: &[(Change, String)],
    ) -> Result<Vec<Update>, ServiceError> {
        let mut targets: BTreeSet<(Kind, String)> = BTreeSet::new();
        for (change, id) in changes {
            self.expand(*change, id, &mut targets).await?;
        }
        let mut updates = Vec::with_capacity(targets.len());
        for (kind, id) in targets {
            let doc = match kind {
                Kind::Ruling => match ruling::Entity::find_by_id(id.clone()).one(self.db).await? {
                    Some(m) => Some(self.ruling(&m).await?),
                    None => None,
                },
                Kind::Observation => {
                    match observation::Entity::find_by_id(id.clone())
                        .one(self.db)
                        .await?
                    {
                        Some(m) => self.observation(&m).await?,
                        None => None,
                    }
                }
                Kind::Case => self.case_doc(&id).await?,
            };
            updates.push(match doc {
                Some(doc) => Update::Upsert(Box::new(doc)),
                None => Update::Delete(doc_key(kind, &id)),
            });
        }
        Ok(updates)
    }

    async fn expand(
        &mut self,
        change: Change,
        id: &str,
        targets: &mut BTreeSet<(Kind, String)>,
    ) -> Result<(), ServiceError> {
        match change {
            Change::Ruling => {
                targets.insert((Kind::Ruling, id.to_string()));
            }
            Change::Observation => {
                targets.insert((Kind::Observation, id.to_string()));
            }
            Change::Hearing => {
                self.hearings.remove(id);
                for o in observation::Entity::find()
                    .filter(observation::Column::HearingId.eq(id))
                    .select_only()
                    .column(observation::Column::Id)
                    .into_tuple::<String>()
                    .all(self.db)
                    .await?
                {
                    targets.insert((Kind::Observation, o));
                }
            }
            Change::Case => {
                self.cases.remove(id);
                self.redactors.remove(id);
                targets.insert((Kind::Case, id.to_string()));
                let hearing_ids: Vec<String> = hearing::Entity::find()
                    .filter(hearing::Column::CaseId.eq(id))
                    .select_only()
                    .column(hearing::Column::Id)
                    .into_tuple()
                    .all(self.db)
                    .await?;
                if !hearing_ids.is_empty() {
                    for o in observation::Entity::find()
                        .filter(observation::Column::HearingId.is_in(hearing_ids))
                        .select_only()
                        .column(observation::Column::Id)
                        .into_tuple::<String>()
                        .all(self.db)
                        .await?
                    {
                        targets.insert((Kind::Observation, o));
                    }
                }
                for r in ruling::Entity::find()
                    .filter(ruling::Column::CaseId.eq(id))
                    .select_only()
                    .column(ruling::Column::Id)
                    .into_tuple::<String>()
                    .all(self.db)
                    .await?
                {
                    targets.insert((Kind::Ruling, r));
                }
            }
            Change::Court => {
                self.courts.remove(id);
                let case_ids: Vec<String> = case::Entity::find()
                    .filter(case::Column::CourtId.eq(id))
                    .select_only()
                    .column(case::Column::Id)
                    .into_tuple()
                    .all(self.db)
                    .await?;
                for case_id in case_ids {
                    Box::pin(self.expand(Change::Case, &case_id, targets)).await?;
                }
                for r in ruling::Entity::find()
                    .filter(ruling::Column::CourtId.eq(id))
                    .select_only()
                    .column(ruling::Column::Id)
                    .into_tuple::<String>()
                    .all(self.db)
                    .await?
                {
                    targets.insert((Kind::Ruling, r));
                }
            }
        }
        Ok(())
    }

    async fn court(&mut self, id: &str) -> Result<Option<court::Model>, ServiceError> {
        if let Some(found) = self.courts.get(id) {
            return Ok(found.clone());
        }
        let found = court::Entity::find_by_id(id.to_string())
            .one(self.db)
            .await?;
        self.courts.insert(id.to_string(), found.clone());
        Ok(found)
    }

    async fn case(&mut self, id: &str) -> Result<Option<(case::Model, Vec<String>)>, ServiceError> {
        if let Some(found) = self.cases.get(id) {
            return Ok(found.clone());
        }
        let found = match case::Entity::find_by_id(id.to_string())
            .one(self.db)
            .await?
        {
            Some(m) => {
                let grounds: Vec<String> = case_ground::Entity::find()
                    .filter(case_ground::Column::CaseId.eq(id))
                    .order_by_asc(case_ground::Column::Ground)
                    .all(self.db)
                    .await?
                    .into_iter()
                    .map(|g| g.ground)
                    .collect();
                Some((m, grounds))
            }
            None => None,
        };
        self.cases.insert(id.to_string(), found.clone());
        Ok(found)
    }

    /// The redactor of a case's documents (patterns only for stand-alone case law).
    async fn redactor(&mut self, case_id: Option<&str>) -> Result<Redactor, ServiceError> {
        let Some(id) = case_id else {
            return Ok(Redactor::patterns_only());
        };
        if let Some(found) = self.redactors.get(id) {
            return Ok(found.clone());
        }
        let found = sensitive::redactor(self.db, id).await?;
        self.redactors.insert(id.to_string(), found.clone());
        Ok(found)
    }

    async fn hearing(&mut self, id: &str) -> Result<Option<hearing::Model>, ServiceError> {
        if let Some(found) = self.hearings.get(id) {
            return Ok(found.clone());
        }
        let found = hearing::Entity::find_by_id(id.to_string())
            .one(self.db)
            .await?;
        self.hearings.insert(id.to_string(), found.clone());
        Ok(found)
    }

    /// The free-text answers, in question order (codes and numbers are filters, not text).
    fn free_text(&self, version: i32, answers: &str) -> Result<Vec<String>, ServiceError> {
        let answers = parse_answers(answers)?;
        let Some(methodology) = u32::try_from(version)
            .ok()
            .and_then(|v| self.methodology.get(v))
        else {
            return Ok(Vec::new());
        };
        Ok(answers
            .iter()
            .filter(|(code, _)| {
                methodology
                    .question(code)
                    .is_some_and(|q| matches!(q.answer_type, AnswerType::Text { .. }))
            })
            .filter_map(|(_, value)| value.as_str().map(str::to_string))
            .collect())
    }

    /// A ruling's document.
    pub async fn ruling(&mut self, m: &ruling::Model) -> Result<IndexDoc, ServiceError> {
        let (grounds, proceeding_type, case_status) = match &m.case_id {
            Some(case_id) => match self.case(case_id).await? {
                Some((c, grounds)) => (
                    grounds,
                    Some(c.proceeding_type.clone()),
                    Some(c.review_status.clone()),
                ),
                // A case that is gone releases nothing.
                None => (Vec::new(), None, Some(String::new())),
            },
            // Stand-alone case law: a ruling of an international court decided an application.
            None => (
                Vec::new(),
                (m.instance.as_deref() == Some("international"))
                    .then(|| "international_application".to_owned()),
                None,
            ),
        };
        let released = policy::released(Some(&m.review_status), case_status.as_deref());
        let r = self.redactor(m.case_id.as_deref()).await?;
        Ok(IndexDoc {
            kind: Kind::Ruling,
            id: m.id.clone(),
            case_id: m.case_id.clone(),
            title: r.apply(&m.title).into_owned(),
            body: sensitive::redact_long(&r, &m.full_text).await?,
            court_id: m.court_id.clone(),
            // As written by a person for a ruling, so redacted like its title.
            court_name: Some(r.apply(&m.court_name).into_owned()),
            jurisdiction: m.jurisdiction.clone(),
            grounds,
            proceeding_type,
            outcome: m.outcome.clone(),
            language: Some(m.language.clone()),
            date: m.decision_date,
            visibility: policy::document(
                m.organisation_id.as_deref().unwrap_or_default(),
                released,
            ),
        })
    }

    /// A case's document.
    async fn case_doc(&mut self, id: &str) -> Result<Option<IndexDoc>, ServiceError> {
        let Some((c, grounds)) = self.case(id).await? else {
            return Ok(None);
        };
        let court = self.court(&c.court_id).await?;
        let mut body: Vec<String> = c.summary.iter().cloned().collect();
        body.extend(self.free_text(c.methodology_version, &c.answers)?);
        let r = self.redactor(Some(&c.id)).await?;
        Ok(Some(IndexDoc {
            kind: Kind::Case,
            id: c.id.clone(),
            case_id: Some(c.id.clone()),
            title: r
                .apply(&format!("{} — {}", c.case_number, c.title))
                .into_owned(),
            body: r.apply(&body.join("\n\n")).into_owned(),
            court_id: Some(c.court_id.clone()),
            court_name: court.as_ref().map(|c| c.name.clone()),
            jurisdiction: court.map(|c| c.jurisdiction),
            grounds,
            proceeding_type: Some(c.proceeding_type.clone()),
            outcome: Some(c.status.clone()),
            language: None,
            date: c.filing_date,
            visibility: policy::document(
                &c.organisation_id,
                policy::released(Some(&c.review_status), None),
            ),
        }))
    }

    /// An observation's document (none if its hearing or case is gone).
    pub async fn observation(
        &mut self,
        m: &observation::Model,
    ) -> Result<Option<IndexDoc>, ServiceError> {
        let Some(h) = self.hearing(&m.hearing_id).await? else {
            return Ok(None);
        };
        let Some((c, grounds)) = self.case(&h.case_id).await? else {
            return Ok(None);
        };
        let court = self.court(&c.court_id).await?;
        let mut body: Vec<String> = m.notes.iter().cloned().collect();
        body.extend(self.free_text(m.methodology_version, &m.answers)?);
        let r = self.redactor(Some(&c.id)).await?;
        Ok(Some(IndexDoc {
            kind: Kind::Observation,
            id: m.id.clone(),
            case_id: Some(c.id.clone()),
            title: r
                .apply(&format!(
                    "{} hearing of {} — {}",
                    h.scheduled_at.format("%Y-%m-%d"),
                    c.case_number,
                    c.title
                ))
                .into_owned(),
            body: r.apply(&body.join("\n\n")).into_owned(),
            court_id: Some(c.court_id.clone()),
            court_name: court.as_ref().map(|c| c.name.clone()),
            jurisdiction: court.map(|c| c.jurisdiction),
            grounds,
            proceeding_type: Some(c.proceeding_type.clone()),
            outcome: Some(h.outcome.clone()),
            language: None,
            date: Some(h.scheduled_at.date_naive()),
            visibility: policy::document(
                &c.organisation_id,
                policy::released(Some(&m.status), Some(&c.review_status)),
            ),
        }))
    }

    /// Every document in the database, in pages, for a full rebuild; calls `sink` per document.
    pub async fn all_documents(
        &mut self,
        mut sink: impl FnMut(IndexDoc) -> Result<(), ServiceError>,
    ) -> Result<u64, ServiceError> {
        const PAGE: u64 = 200;
        let mut count = 0;
        let mut after = String::new();
        loop {
            let page = ruling::Entity::find()
                .filter(ruling::Column::Id.gt(after.clone()))
                .order_by_asc(ruling::Column::Id)
                .limit(PAGE)
                .all(self.db)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for m in &page {
                sink(self.ruling(m).await?)?;
                count += 1;
            }
        }
        let mut after = String::new();
        loop {
            let ids: Vec<String> = case::Entity::find()
                .filter(case::Column::Id.gt(after.clone()))
                .order_by_asc(case::Column::Id)
                .select_only()
                .column(case::Column::Id)
                .limit(PAGE)
                .into_tuple()
                .all(self.db)
                .await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in &ids {
                if let Some(doc) = self.case_doc(id).await? {
                    sink(doc)?;
                    count += 1;
                }
            }
        }
        let mut after = String::new();
        loop {
            let page = observation::Entity::find()
                .filter(observation::Column::Id.gt(after.clone()))
                .order_by_asc(observation::Column::Id)
                .limit(PAGE)
                .all(self.db)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for m in &page {
                if let Some(doc) = self.observation(m).await? {
                    sink(doc)?;
                    count += 1;
                }
            }
        }
        Ok(count)
    }

    /// Number of records a full rebuild will visit (for progress bars).
    pub async fn count_all(&self) -> Result<u64, ServiceError> {
        use sea_orm::PaginatorTrait;
        Ok(ruling::Entity::find().count(self.db).await?
            + case::Entity::find().count(self.db).await?
            + observation::Entity::find().count(self.db).await?)
    }
}
