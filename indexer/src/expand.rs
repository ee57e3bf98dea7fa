//! "Also in the other languages": a query expanded through a multilingual glossary. A word or
//! phrase of the query that is one of a concept's terms (in any of its forms: compared by stems
//! in the term's language, or by folded words in exact mode) is searched as that term or any of
//! the concept's other terms. The caller is told what was expanded.

use std::collections::HashMap;

use crate::{
    analysis::{self, Language},
    query::{self, FIELDS, Field, MAX_QUERY_CHARS, Node, ParseError},
};

/// One concept of a glossary, as the index sees it.
#[derive(Debug, Clone)]
pub struct ThesaurusConcept {
    /// The concept's id.
    pub id: String,
    /// Its terms: (language tag, term).
    pub terms: Vec<(String, String)>,
}

/// A glossary ready to expand queries.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    concepts: Vec<ThesaurusConcept>,
    /// (language, the term's stems joined by spaces) → concept.
    stemmed: HashMap<(Language, String), usize>,
    /// The term's folded words joined by spaces → concept (exact mode).
    folded: HashMap<String, usize>,
    /// The most words of any term.
    longest: usize,
}

/// One expansion applied to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The concept's id.
    pub concept: String,
    /// The query's words that are one of its terms, as typed.
    pub matched: String,
    /// The terms added: (language tag, term).
    pub added: Vec<(String, String)>,
}

/// A query after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The query to run (the query as typed when nothing was expanded).
    pub query: String,
    /// What was expanded, in the query's order.
    pub expansions: Vec<Expansion>,
}

fn key(words: &[String]) -> String {
    words.join(" ")
}

impl Thesaurus {
    /// Builds the lookup tables. A term that two concepts share goes to the first.
    pub fn new(concepts: Vec<ThesaurusConcept>) -> Self {
        let mut t = Self {
            concepts: Vec::new(),
            ..Self::default()
        };
        for (i, concept) in concepts.iter().enumerate() {
            for (tag, term) in &concept.terms {
                let language = Language::from_tag(tag).unwrap_or(Language::Unstemmed);
                let stems = analysis::stems(language, term);
                t.longest = t.longest.max(stems.len());
                t.stemmed.entry((language, key(&stems))).or_insert(i);
                let folded = analysis::tokens(&mut analysis::folded(), term);
                t.folded.entry(key(&folded)).or_insert(i);
            }
        }
        t.concepts = concepts;
        t
    }

    /// The number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether it has no concepts.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// The concept a run of query words is a term of: the words have no language, so they are
    /// stemmed in each of the glossary's languages and compared with the terms of that language.
    /// The words as written (folded) decide first: `victim` is the victim's, though English
    /// stemming would give it the stem of `victimization`.
    fn concept_of(&self, text: &str, exact: bool) -> Option<usize> {
        let folded = analysis::tokens(&mut analysis::folded(), text);
        let as_written = self.folded.get(&key(&folded)).copied();
        if exact || as_written.is_some() {
            return as_written;
        }
        [Language::English, Language::Albanian, Language::Serbian]
            .into_iter()
            .find_map(|language| {
                let stems = analysis::stems(language, text);
                self.stemmed.get(&(language, key(&stems))).copied()
            })
    }

    /// Expands `query` (module documentation). The expanded query is kept within the query
    /// language's length limit: expansions that would pass it are left out (and not reported).
    pub fn expand(&self, query: &str, exact: bool) -> Result<Expanded, ParseError> {
        let tree = query::parse(query)?;
        let mut expansions = Vec::new();
        let expanded = self.node(tree, exact, &mut expansions, query.chars().count());
        if expansions.is_empty() {
            return Ok(Expanded {
                query: query.to_string(),
                expansions,
            });
        }
        Ok(Expanded {
            query: render(&expanded),
            expansions,
        })
    }

    fn node(&self, node: Node, exact: bool, out: &mut Vec<Expansion>, budget: usize) -> Node {
        match node {
            Node::Word {
                field,
                text,
                prefix: false,
            } if field.is_none_or(Field::is_text) => {
                let original = Node::Word {
                    field,
                    text: text.clone(),
                    prefix: false,
                };
                self.replace(original, field, &text, exact, out, budget)
            }
            Node::Phrase { field, text } if field.is_none_or(Field::is_text) => {
                let original = Node::Phrase {
                    field,
                    text: text.clone(),
                };
                self.replace(original, field, &text, exact, out, budget)
            }
            Node::And(children) => Node::And(self.run(children, exact, out, budget)),
            Node::Or(children) => Node::Or(
                children
                    .into_iter()
                    .map(|c| self.node(c, exact, out, budget))
                    .collect(),
            ),
            Node::Not(inner) => Node::Not(Box::new(self.node(*inner, exact, out, budget))),
            other => other,
        }
    }

    /// The children of an `AND`: runs of plain words that together are a term (`hate speech`)
    /// are expanded as one, the longest first.
    fn run(
        &self,
        children: Vec<Node>,
        exact: bool,
        out: &mut Vec<Expansion>,
        budget: usize,
    ) -> Vec<Node> {
        let mut result = Vec::with_capacity(children.len());
        let mut i = 0;
        while i < children.len() {
            let mut taken = false;
            for n in (2..=self.longest.min(children.len() - i)).rev() {
                let words: Option<Vec<&str>> = children[i..i + n]
                    .iter()
                    .map(|c| match c {
                        Node::Word {
                            field: None,
                            text,
                            prefix: false,
                        } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                let Some(words) = words else { continue };
                let text = words.join(" ");
                if self.concept_of(&text, exact).is_some() {
                    let original = Node::And(children[i..i + n].to_vec());
                    result.push(self.replace(original, None, &text, exact, out, budget));
                    i += n;
                    taken = true;
                    break;
                }
            }
            if !taken {
                result.push(self.node(children[i].clone(), exact, out, budget));
                i += 1;
            }
        }
        result
    }

    /// `original` OR each of its concept's terms, when `text` is a term.
    fn replace(
        &self,
        original: Node,
        field: Option<Field>,
        text: &str,
        exact: bool,
        out: &mut Vec<Expansion>,
        budget: usize,
    ) -> Node {
        let Some(i) = self.concept_of(text, exact) else {
            return original;
        };
        let concept = &self.concepts[i];
        let spent: usize = out
            .iter()
            .flat_map(|e| &e.added)
            .map(|(_, t)| t.chars().count() + 4)
            .sum();
        let mut alternatives = vec![original];
        let mut added = Vec::new();
        let mut cost = spent + budget;
        for (tag, term) in &concept.terms {
            // Not the query's own words again.
            if Self::is_query(term, text) {
                continue;
            }
            cost += term.chars().count() + 4 + field.map_or(0, |_| 6);
            if cost > MAX_QUERY_CHARS {
                break;
            }
            alternatives.push(Node::Phrase {
                field,
                text: term.clone(),
            });
            added.push((tag.clone(), term.clone()));
        }
        if added.is_empty() {
            return alternatives.remove(0);
        }
        out.push(Expansion {
            concept: concept.id.clone(),
            matched: text.to_string(),
            added,
        });
        Node::Or(alternatives)
    }

    /// Whether a term is the query's words themselves (the same folded words), so that it is not
    /// added again. A term with the query's stems is added all the same: it costs little, and the
    /// expansion then says every term it searched.
    fn is_query(term: &str, text: &str) -> bool {
        let mut folded = analysis::folded();
        analysis::tokens(&mut folded, term) == analysis::tokens(&mut folded, text)
    }
}

fn field_name(field: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, f)| *f == field)
        .map_or("text", |(name, _)| name)
}

/// A query tree written back in the query language (it parses to the same tree).
pub fn render(node: &Node) -> String {
    match node {
        Node::All => String::new(),
        Node::Word {
            field,
            text,
            prefix,
        } => format!(
            "{}{text}{}",
            field.map_or(String::new(), |f| format!("{}:", field_name(f))),
            if *prefix { "*" } else { "" }
        ),
        Node::Phrase { field, text } => format!(
            "{}\"{text}\"",
            field.map_or(String::new(), |f| format!("{}:", field_name(f)))
        ),
        Node::And(children) => format!(
            "({})",
            children.iter().map(render).collect::<Vec<_>>().join(" ")
        ),
        Node::Or(children) => format!(
            "({})",
            children.iter().map(render).collect::<Vec<_>>().join(" OR ")
        ),
        Node::Not(inner) => format!("-{}", render(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus() -> Thesaurus {
        Thesaurus::new(vec![
            ThesaurusConcept {
                id: "hate-speech".into(),
                terms: vec![
                    ("en".into(), "hate speech".into()),
                    ("sq".into(), "gjuhë e urrejtjes".into()),
                    ("sr".into(), "govor mržnje".into()),
                ],
            },
            ThesaurusConcept {
                id: "discrimination".into(),
                terms: vec![
                    ("en".into(), "discrimination".into()),
                    ("sq".into(), "diskriminim".into()),
                    ("sr".into(), "diskriminacija".into()),
                ],
            },
        ])
    }

    #[test]
    fn a_term_in_any_form_is_searched_in_every_language() {
        let t = thesaurus();
        let e = t.expand("diskriminacije", false).unwrap();
        assert_eq!(
            e.query,
            r#"(diskriminacije OR "discrimination" OR "diskriminim" OR "diskriminacija")"#
        );
        assert_eq!(e.expansions[0].concept, "discrimination");
        assert_eq!(e.expansions[0].matched, "diskriminacije");
        // Plain words that together are a term, among others; phrases; fields; NOT.
        let e = t
            .expand("roma hate speech -\"govora mržnje\"", false)
            .unwrap();
        assert_eq!(
            e.query,
            r#"(roma ((hate speech) OR "gjuhë e urrejtjes" OR "govor mržnje") -("govora mržnje" OR "hate speech" OR "gjuhë e urrejtjes" OR "govor mržnje"))"#
        );
        assert_eq!(e.expansions.len(), 2);
        let e = t.expand("title:discriminated", false).unwrap();
        assert_eq!(
            e.query,
            r#"(title:discriminated OR title:"discrimination" OR title:"diskriminim" OR title:"diskriminacija")"#
        );
        // The expanded query parses, and nothing else is touched.
        query::parse(&e.query).unwrap();
        let plain = t.expand("roma court:Podgorica disc*", false).unwrap();
        assert_eq!(plain.query, "roma court:Podgorica disc*");
        assert!(plain.expansions.is_empty());
    }

    #[test]
    fn exact_mode_expands_only_the_terms_as_written() {
        let t = thesaurus();
        assert!(
            t.expand("diskriminacije", true)
                .unwrap()
                .expansions
                .is_empty()
        );
        let e = t.expand("diskriminacija", true).unwrap();
        assert_eq!(e.expansions.len(), 1);
    }

    #[test]
    fn rendering_gives_back_the_same_tree() {
        for q in [
            "a b",
            "a OR (b -c)",
            "title:\"x y\" court:z* NOT w",
            "(a OR b) (c OR d)",
        ] {
            let tree = query::parse(q).unwrap();
            assert_eq!(query::parse(&render(&tree)).unwrap(), tree, "{q}");
        }
    }
}
