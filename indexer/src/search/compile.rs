//! The query compiler: the query tree turned into a tantivy query, within the limits on its cost,
//! together with the terms it looks for (for highlighting).

use tantivy::{
    Searcher, Term,
    query::{
        AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery,
        Query, RegexPhraseQuery, RegexQuery, TermQuery,
    },
    schema::{Field, IndexRecordOption},
    tokenizer::TextAnalyzer,
};

use crate::{
    analysis,
    cost::{Budget, QueryLimits},
    error::IndexError,
    index::Fields,
    query::{Field as QField, Node},
};

/// A compiled query: what to run, and every text term it looks for.
pub(super) struct Compiled {
    /// The tantivy query.
    pub(super) query: Box<dyn Query>,
    /// Every text term the query looks for (plain words and marked stems), for highlighting.
    pub(super) terms: Vec<Term>,
}

impl Compiled {
    /// The terms of `field` the query looks for.
    pub(super) fn terms_in(&self, field: Field) -> Vec<Term> {
        self.terms
            .iter()
            .filter(|t| t.field() == field)
            .cloned()
            .collect()
    }
}

/// Compiles `node` against the searcher it will run on (see `Compiler::analyse`), in exact mode
/// or not, within `limits`.
pub(super) fn compile(
    fields: &Fields,
    searcher: &Searcher,
    exact: bool,
    limits: QueryLimits,
    node: &Node,
) -> Result<Compiled, IndexError> {
    let mut compiler = Compiler {
        fields,
        searcher,
        exact,
        folded: analysis::folded(),
        terms: Vec::new(),
        budget: Budget::new(limits),
    };
    let query = compiler.build(node)?;
    Ok(Compiled {
        query,
        terms: compiler.terms,
    })
}

/// Turns the query tree into a tantivy query.
struct Compiler<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    exact: bool,
    folded: TextAnalyzer,
    /// Every text term the query looks for, collected while building.
    terms: Vec<Term>,
    /// What the query built so far costs.
    budget: Budget,
}

/// What one query word looks for at its position: any of these indexed terms.
type Alternatives = Vec<String>;

impl Compiler<'_> {
    /// (field, boost) for a text field; title and text hold words and marked stems (analysis).
    fn text_fields(&self, field: Option<QField>) -> Vec<(Field, f32)> {
        let f = self.fields;
        match field {
            None => vec![(f.title, 1.5), (f.body, 1.0)],
            Some(QField::Title) => vec![(f.title, 1.0)],
            Some(QField::Text) => vec![(f.body, 1.0)],
            Some(QField::Court) => vec![(f.court_text, 1.0)],
            Some(_) => Vec::new(),
        }
    }

    fn keyword_field(&self, field: QField) -> Field {
        let f = self.fields;
        match field {
            QField::Kind => f.kind,
            QField::Jurisdiction => f.jurisdiction,
            QField::Ground => f.ground,
            QField::ProceedingType => f.proceeding_type,
            QField::Outcome => f.outcome,
            QField::Language => f.language,
            QField::Case => f.case_id,
            QField::Title | QField::Text | QField::Court => f.body,
        }
    }

    /// The words of `text`, each as the indexed terms it may match: the folded word, or (stemmed)
    /// the word and its stems in every language ([`analysis::word_terms`]), in a phrase only those that occur in
    /// `field` at all. (Dropping the absent one changes no result, and turns most stemmed phrases
    /// into plain phrase queries: a position with two terms needs the slower
    /// [`RegexPhraseQuery`]. A single word's two term queries cost less than the lookups.)
    fn analyse(&self, stemmed: bool, field: Field, text: &str) -> Vec<Alternatives> {
        if stemmed {
            let words = analysis::stemmed_alternatives(text);
            let phrase = words.len() > 1;
            words
                .into_iter()
                .map(|mut terms| {
                    if phrase && terms.len() > 1 {
                        let present: Vec<String> = terms
                            .iter()
                            .filter(|t| {
                                self.searcher
                                    .doc_freq(&Term::from_field_text(field, t))
                                    .map_or(true, |df| df > 0)
                            })
                            .cloned()
                            .collect();
                        if !present.is_empty() {
                            terms = present;
                        }
                    }
                    terms
                })
                .collect()
        } else {
            let mut analyzer = self.folded.clone();
            analysis::tokens(&mut analyzer, text)
                .into_iter()
                .map(|word| vec![word])
                .collect()
        }
    }

    fn build(&mut self, node: &Node) -> Result<Box<dyn Query>, IndexError> {
        Ok(match node {
            Node::All => Box::new(AllQuery),
            Node::Word {
                field: Some(field),
                text,
                ..
            }
            | Node::Phrase {
                field: Some(field),
                text,
            } if !field.is_text() => {
                let value = if *field == QField::Jurisdiction {
                    text.to_uppercase()
                } else {
                    text.clone()
                };
                self.budget.lookups(1)?;
                Box::new(TermQuery::new(
                    Term::from_field_text(self.keyword_field(*field), &value),
                    IndexRecordOption::Basic,
                ))
            }
            Node::Word {
                field,
                text,
                prefix,
            } => self.words(*field, text, *prefix)?,
            Node::Phrase { field, text } => self.words(*field, text, false)?,
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    match child {
                        Node::Not(inner) => clauses.push((Occur::MustNot, self.build(inner)?)),
                        other => clauses.push((Occur::Must, self.build(other)?)),
                    }
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    clauses.push((Occur::Should, self.build(child)?));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.build(inner)?),
            ])),
        })
    }

    /// A word or phrase in text fields: one term (or a marked stem and its plain form), a phrase,
    /// or a prefix.
    fn words(
        &mut self,
        field: Option<QField>,
        text: &str,
        prefix: bool,
    ) -> Result<Box<dyn Query>, IndexError> {
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (tfield, boost) in self.text_fields(field) {
            // Prefixes match the words as written (folded): "discrim*" must not depend on stems.
            let stemmed = !self.exact && !prefix;
            let words = self.analyse(stemmed, tfield, text);
            if words.is_empty() {
                return Err(IndexError::unsearchable(format!(
                    "'{text}' contains no letters or digits to search for"
                )));
            }
            self.budget.phrase(words.len(), text)?;
            self.budget.lookups(words.iter().map(Vec::len).sum())?;
            if prefix && let Some(last) = words.last() {
                self.budget.prefix(self.searcher, tfield, &last[0])?;
            }
            self.terms.extend(
                words
                    .iter()
                    .flatten()
                    .map(|t| Term::from_field_text(tfield, t)),
            );
            let term = |t: &str| Term::from_field_text(tfield, t);
            let q: Box<dyn Query> = if prefix {
                let terms: Vec<Term> = words.iter().map(|w| term(&w[0])).collect();
                if terms.len() == 1 {
                    Box::new(RegexQuery::from_pattern(
                        &format!("{}.*", regex_literal(&words[0][0])),
                        tfield,
                    )?)
                } else {
                    Box::new(PhrasePrefixQuery::new(terms))
                }
            } else if words.len() == 1 {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = words[0]
                    .iter()
                    .map(|t| {
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs));
                        (Occur::Should, q)
                    })
                    .collect();
                if alternatives.len() == 1 {
                    alternatives.remove(0).1
                } else {
                    Box::new(BooleanQuery::new(alternatives))
                }
            } else if words.iter().all(|w| w.len() == 1) {
                Box::new(PhraseQuery::new(
                    words.iter().map(|w| term(&w[0])).collect(),
                ))
            } else if combinations(&words) <= MAX_PHRASE_COMBINATIONS {
                // Some position accepts a marked stem or the plain word: each combination as a
                // phrase of its own (cheaper than compiling regular expressions, for few).
                let mut phrases: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut choice = vec![0usize; words.len()];
                loop {
                    let terms = words
                        .iter()
                        .zip(&choice)
                        .map(|(w, &i)| term(&w[i]))
                        .collect();
                    phrases.push((Occur::Should, Box::new(PhraseQuery::new(terms))));
                    // The next combination (an odometer over the positions' alternatives).
                    let Some(position) = (0..words.len()).find(|&p| choice[p] + 1 < words[p].len())
                    else {
                        break;
                    };
                    choice[position] += 1;
                    choice[..position].fill(0);
                }
                Box::new(BooleanQuery::new(phrases))
            } else {
                // Many combinations: one alternation per position.
                let patterns = words
                    .iter()
                    .map(|w| {
                        let options: Vec<String> = w.iter().map(|t| regex_literal(t)).collect();
                        format!("({})", options.join("|"))
                    })
                    .collect();
                Box::new(RegexPhraseQuery::new(tfield, patterns))
            };
            let q: Box<dyn Query> = if (boost - 1.0).abs() > f32::EPSILON {
                Box::new(BoostQuery::new(q, boost))
            } else {
                q
            };
            per_field.push((Occur::Should, q));
        }
        Ok(match per_field.len() {
            0 => Box::new(EmptyQuery),
            1 => per_field.remove(0).1,
            _ => Box::new(BooleanQuery::new(per_field)),
        })
    }
}

/// A stemmed phrase with at most this many combinations of its positions' terms is searched as
/// that many phrase queries; beyond, as one [`RegexPhraseQuery`].
const MAX_PHRASE_COMBINATIONS: usize = 8;

/// How many phrases the positions' alternatives make.
fn combinations(words: &[Alternatives]) -> usize {
    words
        .iter()
        .map(Vec::len)
        .try_fold(1usize, usize::checked_mul)
        .unwrap_or(usize::MAX)
}

/// Escapes a folded token or marked stem for the regex syntax (tokens are letters and digits, and
/// the stem mark is no regex operator, but be safe).
fn regex_literal(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        if c.is_alphanumeric() || c == analysis::STEM_MARK {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}
