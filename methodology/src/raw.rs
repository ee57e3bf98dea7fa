//! The methodology file format exactly as written, parsed strictly. Nothing here is used outside
//! the crate: [`crate::model`] checks these values and converts them into the domain model.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub methodology: Header,
    #[serde(default, rename = "section")]
    pub sections: Vec<Section>,
    #[serde(default, rename = "vocabulary")]
    pub vocabularies: Vec<Vocabulary>,
    #[serde(default, rename = "question")]
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub version: u32,
    pub published: String,
    pub title: Text,
    pub description: Text,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub sq: String,
    pub sr: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    pub scope: String,
    pub label: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    pub code: String,
    pub label: Text,
    pub terms: Vec<Term>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub code: String,
    pub label: Text,
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub code: String,
    pub scope: String,
    pub section: String,
    #[serde(rename = "type")]
    pub answer_type: String,
    #[serde(default)]
    pub vocabulary: Option<String>,
    #[serde(default)]
    pub not_applicable: bool,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub integer: bool,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub standard: Option<String>,
    #[serde(default)]
    pub when: Option<When>,
    pub label: Text,
    pub help: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub question: String,
    pub any_of: Vec<String>,
}
