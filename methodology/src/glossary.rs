//! The multilingual legal glossary: one idea, its terms in English, Albanian and Serbian, and the
//! laws they come from. Versioned data like the methodology: a published version is a TOML file in
//! `methodology/glossary/` and never changes. The search expands a query through it when asked
//! ("also in the other languages").

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use serde::Deserialize;

use crate::MethodologyError;

/// Every published glossary version: (version, file name, content). Append, never edit.
const PUBLISHED: &[(u32, &str, &str)] =
    &[(1, "glossary/v1.toml", include_str!("../glossary/v1.toml"))];

/// The glossary's languages, by their codes.
pub const LANGUAGES: [&str; 3] = ["en", "sq", "sr"];

/// A glossary version.
#[derive(Debug, Clone)]
pub struct Glossary {
    /// The version number.
    pub version: u32,
    /// Source code → what it is (a law, a convention, a manual).
    pub sources: BTreeMap<String, String>,
    /// The concepts, in the file's order.
    pub concepts: Vec<Concept>,
}

/// One idea and its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// Stable id (`hate-speech`).
    pub id: String,
    /// Codes of the sources its terms come from.
    pub sources: Vec<String>,
    /// Terms still to be confirmed by a native-speaking lawyer.
    pub review: bool,
    /// (language code, term), every language at least once, in [`LANGUAGES`] order.
    pub terms: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    version: u32,
    sources: BTreeMap<String, String>,
    concept: Vec<RawConcept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: String,
    sources: Vec<String>,
    en: Vec<String>,
    sq: Vec<String>,
    sr: Vec<String>,
    #[serde(default)]
    review: bool,
}

impl Glossary {
    /// Parses and checks a glossary file.
    pub fn parse(file: &str, content: &str) -> Result<Self, MethodologyError> {
        let raw: RawGlossary = toml::from_str(content).map_err(|e| MethodologyError::Parse {
            file: file.into(),
            source: Box::new(e),
        })?;
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut concepts = Vec::with_capacity(raw.concept.len());
        for c in raw.concept {
            if !ids.insert(c.id.clone()) {
                problems.push(format!("concept '{}' is defined twice", c.id));
            }
            if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                problems.push(format!(
                    "concept id '{}' must be lower-case letters and '-'",
                    c.id
                ));
            }
            if c.sources.is_empty() {
                problems.push(format!("concept '{}' cites no source", c.id));
            }
            for source in &c.sources {
                if !raw.sources.contains_key(source) {
                    problems.push(format!(
                        "concept '{}' cites '{source}', which is not among the sources",
                        c.id
                    ));
                }
            }
            let mut terms = Vec::new();
            for (language, list) in LANGUAGES.into_iter().zip([c.en, c.sq, c.sr]) {
                if list.is_empty() {
                    problems.push(format!("concept '{}' has no term in '{language}'", c.id));
                }
                let mut seen = BTreeSet::new();
                for term in list {
                    if let Some(problem) = term_problem(&term) {
                        problems.push(format!("concept '{}', term '{term}': {problem}", c.id));
                    }
                    if !seen.insert(term.clone()) {
                        problems.push(format!(
                            "concept '{}' lists '{term}' twice in '{language}'",
                            c.id
                        ));
                    }
                    terms.push((language, term));
                }
            }
            concepts.push(Concept {
                id: c.id,
                sources: c.sources,
                review: c.review,
                terms,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                version: raw.version,
                sources: raw.sources,
                concepts,
            })
        } else {
            Err(MethodologyError::Inconsistent {
                file: file.into(),
                problems,
            })
        }
    }

    /// The newest published glossary, parsed once.
    ///
    /// # Panics
    /// If the shipped file is broken, which the crate's tests rule out.
    pub fn published() -> &'static Glossary {
        static GLOSSARY: OnceLock<Glossary> = OnceLock::new();
        GLOSSARY.get_or_init(|| {
            let (version, file, content) = PUBLISHED[PUBLISHED.len() - 1];
            let glossary = Self::parse(file, content)
                .unwrap_or_else(|err| panic!("shipped glossary is broken: {err}"));
            assert_eq!(glossary.version, version, "{file} says another version");
            glossary
        })
    }
}

/// What is wrong with a term, if anything: it must be words a query can hold as a phrase.
fn term_problem(term: &str) -> Option<&'static str> {
    if term.trim() != term || term.is_empty() {
        Some("must not be empty or start or end with a space")
    } else if term.contains("  ") {
        Some("must not hold two spaces in a row")
    } else if term
        .chars()
        .any(|c| matches!(c, '"' | '*' | ':' | '(' | ')'))
    {
        Some("must not hold quotes, '*', ':' or parentheses (query syntax)")
    } else if !term.chars().any(char::is_alphanumeric) {
        Some("must hold a letter or digit")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_glossary_parses_and_every_concept_has_every_language() {
        let g = Glossary::published();
        assert_eq!(g.version, 1);
        assert!(g.concepts.len() >= 100, "{}", g.concepts.len());
        for c in &g.concepts {
            for language in LANGUAGES {
                assert!(c.terms.iter().any(|(l, _)| *l == language), "{}", c.id);
            }
        }
        let hate = g.concepts.iter().find(|c| c.id == "hate-speech").unwrap();
        assert!(
            hate.terms
                .contains(&("sq", "gjuhë e urrejtjes".to_string()))
        );
    }

    #[test]
    fn a_broken_glossary_is_refused_with_every_problem() {
        let file = r#"
version = 1
[sources]
law = "A law"
[[concept]]
id = "Bad Id"
sources = ["nowhere"]
en = ["a \"quoted\" term", "x", "x"]
sq = []
sr = ["ok"]
"#;
        let err = Glossary::parse("test.toml", file).unwrap_err().to_string();
        for expected in [
            "lower-case",
            "'nowhere'",
            "no term in 'sq'",
            "quotes",
            "'x' twice",
        ] {
            assert!(err.contains(expected), "{expected}: {err}");
        }
        assert!(Glossary::parse("t", "version = 1\nunknown = 2").is_err());
    }
}
