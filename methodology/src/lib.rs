//! The trial-monitoring methodology: a versioned questionnaire that is the single source of truth
//! for what monitors record, how the API validates it, and (later) how datasets are described.
//!
//! A published version is a TOML file in `methodology/versions/` and never changes; a new version is
//! a new file. Files are parsed strictly (`deny_unknown_fields`) into [`raw`] types, then checked and
//! converted into the [`Methodology`] model, then used by [`Methodology::validate`] to check answers.
//! This crate depends on neither the web framework nor the database.

#![warn(missing_docs)]

mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod glossary;
pub mod messages;
mod model;
mod raw;
mod validate;

pub use error::MethodologyError;
pub use model::{
    AnswerType, Condition, Methodology, Question, Scope, Section, Term, Text, Vocabulary,
};
pub use validate::{Context, Mode, Problem};

use std::sync::OnceLock;

/// Every published methodology version: (version number, file name, file content).
/// Append here when a new version is published; never edit an existing entry.
const PUBLISHED: &[(u32, &str, &str)] = &[(1, "v1.toml", include_str!("../versions/v1.toml"))];

/// The published methodology versions, parsed and checked once.
#[derive(Debug)]
pub struct Registry {
    versions: Vec<Methodology>,
}

impl Registry {
    /// Loads every published version shipped with this build.
    pub fn load_published() -> Result<Self, MethodologyError> {
        let mut versions = Vec::with_capacity(PUBLISHED.len());
        for (number, file, content) in PUBLISHED {
            let methodology = Methodology::from_toml(file, content)?;
            if methodology.version != *number {
                return Err(MethodologyError::Inconsistent {
                    file: (*file).to_owned(),
                    problems: vec![format!(
                        "file declares version {} but is published as version {number}",
                        methodology.version
                    )],
                });
            }
            versions.push(methodology);
        }
        Ok(Self { versions })
    }

    /// A registry of `versions` (oldest first, numbered 1, 2, …): the published ones and, in
    /// tests, a version made for the test (a new version must give a new form with no code
    /// change).
    pub fn from_versions(versions: Vec<Methodology>) -> Result<Self, MethodologyError> {
        for (i, m) in versions.iter().enumerate() {
            if m.version as usize != i + 1 {
                return Err(MethodologyError::Inconsistent {
                    file: format!("version {}", m.version),
                    problems: vec![format!("expected version {} at place {}", i + 1, i + 1)],
                });
            }
        }
        Ok(Self { versions })
    }

    /// The process-wide registry of published versions.
    ///
    /// # Panics
    /// If a shipped methodology file is broken, which the crate's own tests rule out.
    pub fn published() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            Self::load_published()
                .unwrap_or_else(|err| panic!("shipped methodology is broken: {err}"))
        })
    }

    /// The version with this number, if published.
    pub fn get(&self, version: u32) -> Option<&Methodology> {
        self.versions.iter().find(|m| m.version == version)
    }

    /// The newest published version, used when a record does not name one.
    ///
    /// # Panics
    /// Never: at least one version is always published.
    pub fn latest(&self) -> &Methodology {
        self.versions
            .iter()
            .max_by_key(|m| m.version)
            .expect("at least one published version")
    }

    /// All published versions, oldest first.
    pub fn all(&self) -> &[Methodology] {
        &self.versions
    }
}

/// The raw file content of a published version, for tests that pin it.
pub fn published_source(version: u32) -> Option<&'static str> {
    PUBLISHED
        .iter()
        .find(|(n, _, _)| *n == version)
        .map(|(_, _, content)| *content)
}
