//! `/methodology`: the published methodology versions, in English, Albanian and Serbian.

use chrono::NaiveDate;
use courtwatch_methodology::{AnswerType, Methodology, Registry, glossary::Glossary};
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};

use crate::{
    endpoints::ApiTags,
    error::{ApiError, ServiceError},
};

/// Methodology endpoints (public: the methodology holds no personal data).
#[derive(Debug)]
pub struct MethodologyApi;

/// A text in the three languages of the methodology.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LocalizedText {
    /// English.
    pub en: String,
    /// Albanian.
    pub sq: String,
    /// Serbian (Latin script).
    pub sr: String,
}

impl From<&courtwatch_methodology::Text> for LocalizedText {
    fn from(t: &courtwatch_methodology::Text) -> Self {
        Self {
            en: t.en.clone(),
            sq: t.sq.clone(),
            sr: t.sr.clone(),
        }
    }
}

/// One published version, in brief.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MethodologySummary {
    /// Version number.
    pub version: u32,
    /// Publication date.
    pub published: NaiveDate,
    /// Title.
    pub title: LocalizedText,
    /// Number of questions.
    pub question_count: u32,
}

/// The published versions.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MethodologyVersions {
    /// The version new records use when they name none.
    pub latest: u32,
    /// Every published version, oldest first. Published versions never change.
    pub versions: Vec<MethodologySummary>,
}

/// A section of the questionnaire.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SectionDoc {
    /// Stable code.
    pub code: String,
    /// Record the section's questions are answered on: `case`, `observation` or `ruling`.
    pub scope: String,
    /// Title.
    pub label: LocalizedText,
}

/// One allowed answer of a choice question.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TermDoc {
    /// Stable code (what is stored and exported).
    pub code: String,
    /// Label.
    pub label: LocalizedText,
    /// Jurisdictions where the term applies; empty means everywhere.
    pub jurisdictions: Vec<String>,
    /// The legal provision the term comes from.
    pub basis: Option<String>,
}

/// A closed list of terms.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VocabularyDoc {
    /// Stable code.
    pub code: String,
    /// Name.
    pub label: LocalizedText,
    /// Terms in display order.
    pub terms: Vec<TermDoc>,
}

/// When a question applies.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConditionDoc {
    /// The question whose answer decides.
    pub question: String,
    /// The answers that make this question apply (for multiple choice: any of them chosen).
    pub any_of: Vec<String>,
}

/// One question.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionDoc {
    /// Stable code: the key in a record's `answers` and the dataset column name.
    pub code: String,
    /// Record it is answered on: `case`, `observation` or `ruling`.
    pub scope: String,
    /// Section code.
    pub section: String,
    /// `yes_no`, `single_choice`, `multiple_choice`, `number`, `date` (YYYY-MM-DD), `date_time`
    /// (RFC 3339) or `text`.
    pub answer_type: String,
    /// For yes_no: whether `not_applicable` is allowed besides yes, no and unknown.
    pub allows_not_applicable: bool,
    /// For choice questions: the vocabulary code.
    pub vocabulary: Option<String>,
    /// For numbers: smallest allowed value.
    pub min: Option<f64>,
    /// For numbers: largest allowed value.
    pub max: Option<f64>,
    /// For numbers: whole numbers only.
    pub integer: Option<bool>,
    /// For numbers: unit.
    pub unit: Option<String>,
    /// For text: longest allowed length in characters.
    pub max_length: Option<u32>,
    /// Must be answered (when it applies) before an observation is submitted.
    pub required: bool,
    /// When set, answered by this field of the record (or `hearing.<field>` of the hearing) rather
    /// than in `answers`.
    pub field: Option<String>,
    /// The standard the question implements.
    pub standard: Option<String>,
    /// When the question applies; always when absent.
    pub when: Option<ConditionDoc>,
    /// The question.
    pub label: LocalizedText,
    /// Guidance for monitors.
    pub help: LocalizedText,
}

/// A complete published methodology version.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MethodologyDocument {
    /// Version number.
    pub version: u32,
    /// Publication date.
    pub published: NaiveDate,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: LocalizedText,
    /// Sections in form order.
    pub sections: Vec<SectionDoc>,
    /// Vocabularies.
    pub vocabularies: Vec<VocabularyDoc>,
    /// Questions in methodology order.
    pub questions: Vec<QuestionDoc>,
}

fn question_doc(q: &courtwatch_methodology::Question) -> QuestionDoc {
    let mut doc = QuestionDoc {
        code: q.code.clone(),
        scope: q.scope.as_str().to_owned(),
        section: q.section.clone(),
        answer_type: q.answer_type.code().to_owned(),
        allows_not_applicable: false,
        vocabulary: q.answer_type.vocabulary().map(str::to_owned),
        min: None,
        max: None,
        integer: None,
        unit: None,
        max_length: None,
        required: q.required,
        field: q.field.clone(),
        standard: q.standard.clone(),
        when: q.when.as_ref().map(|w| ConditionDoc {
            question: w.question.clone(),
            any_of: w.any_of.clone(),
        }),
        label: (&q.label).into(),
        help: (&q.help).into(),
    };
    match &q.answer_type {
        AnswerType::YesNo { not_applicable } => doc.allows_not_applicable = *not_applicable,
        AnswerType::Number {
            min,
            max,
            integer,
            unit,
        } => {
            doc.min = Some(*min);
            doc.max = Some(*max);
            doc.integer = Some(*integer);
            doc.unit = unit.clone();
        }
        AnswerType::Text { max_length } => doc.max_length = Some(*max_length),
        _ => {}
    }
    doc
}

fn document(m: &Methodology) -> MethodologyDocument {
    MethodologyDocument {
        version: m.version,
        published: m.published,
        title: (&m.title).into(),
        description: (&m.description).into(),
        sections: m
            .sections
            .iter()
            .map(|s| SectionDoc {
                code: s.code.clone(),
                scope: s.scope.as_str().to_owned(),
                label: (&s.label).into(),
            })
            .collect(),
        vocabularies: m
            .vocabularies
            .values()
            .map(|v| VocabularyDoc {
                code: v.code.clone(),
                label: (&v.label).into(),
                terms: v
                    .terms
                    .iter()
                    .map(|t| TermDoc {
                        code: t.code.clone(),
                        label: (&t.label).into(),
                        jurisdictions: t.jurisdictions.clone(),
                        basis: t.basis.clone(),
                    })
                    .collect(),
            })
            .collect(),
        questions: m.questions.iter().map(question_doc).collect(),
    }
}

#[OpenApi(tag = "ApiTags::Methodology")]
impl MethodologyApi {
    /// List published methodology versions
    #[oai(
        path = "/methodology",
        method = "get",
        operation_id = "list_methodology_versions"
    )]
    async fn versions(&self) -> Json<MethodologyVersions> {
        let registry = Registry::published();
        Json(MethodologyVersions {
            latest: registry.latest().version,
            versions: registry
                .all()
                .iter()
                .map(|m| MethodologySummary {
                    version: m.version,
                    published: m.published,
                    title: (&m.title).into(),
                    question_count: m.questions.len() as u32,
                })
                .collect(),
        })
    }

    /// Get one methodology version
    ///
    /// Every section, vocabulary and question with labels and help in English, Albanian and
    /// Serbian. `version` is a number or `latest`.
    #[oai(
        path = "/methodology/:version",
        method = "get",
        operation_id = "get_methodology"
    )]
    async fn version(&self, version: Path<String>) -> Result<Json<MethodologyDocument>, ApiError> {
        let registry = Registry::published();
        let found = if version.0 == "latest" {
            Some(registry.latest())
        } else {
            version.0.parse::<u32>().ok().and_then(|v| registry.get(v))
        };
        let methodology = found.ok_or_else(|| ServiceError::NotFound {
            resource: "methodology version",
            id: version.0.clone(),
        })?;
        Ok(Json(document(methodology)))
    }

    /// Get the legal glossary
    ///
    /// The multilingual glossary the search's "also in the other languages" (`expand=true`)
    /// expands queries through: concepts with their terms in English (`en`), Albanian (`sq`) and
    /// Serbian (`sr`), and the laws they come from. Versioned data like the methodology.
    #[oai(path = "/glossary", method = "get", operation_id = "get_glossary")]
    async fn glossary(&self) -> Json<GlossaryDocument> {
        let g = Glossary::published();
        Json(GlossaryDocument {
            version: g.version,
            sources: g.sources.clone(),
            concepts: g
                .concepts
                .iter()
                .map(|c| GlossaryConcept {
                    id: c.id.clone(),
                    sources: c.sources.clone(),
                    review: c.review,
                    terms: c
                        .terms
                        .iter()
                        .map(|(language, term)| crate::endpoints::search::GlossaryTerm {
                            language: (*language).to_string(),
                            term: term.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

/// The legal glossary.
#[derive(Debug, Object)]
pub struct GlossaryDocument {
    /// The glossary's version.
    pub version: u32,
    /// Source code → the law or instrument.
    pub sources: std::collections::BTreeMap<String, String>,
    /// Its concepts.
    pub concepts: Vec<GlossaryConcept>,
}

/// One concept of the glossary.
#[derive(Debug, Object)]
pub struct GlossaryConcept {
    /// Stable id.
    pub id: String,
    /// Codes of the sources its terms come from.
    pub sources: Vec<String>,
    /// Whether its terms are still to be confirmed by a native-speaking lawyer.
    pub review: bool,
    /// Its terms, every language at least once.
    pub terms: Vec<crate::endpoints::search::GlossaryTerm>,
}
