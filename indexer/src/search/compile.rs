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
    caches: &super::SearchCaches,
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
        languages: caches.languages(searcher, || held_languages(fields, searcher)),
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
    /// The stemmed languages the index holds texts of ([`held_languages`]).
    languages: std::sync::Arc<Vec<analysis::Language>>,
}

/// The stemmed languages the index holds texts of: those whose marked stems (`~sr:…`) are in
/// the title or text field's term dictionary (a range seek each). A query word is read in these
/// only, as the search's issue says: "the stems it would have in each language the index holds".
fn held_languages(fields: &Fields, searcher: &Searcher) -> Vec<analysis::Language> {
    analysis::Language::STEMMED
        .into_iter()
        .filter(|language| {
            let from = format!("{}{}:", analysis::STEM_MARK, language.code());
            let to = format!("{}{};", analysis::STEM_MARK, language.code());
            searcher.segment_readers().iter().any(|segment| {
                [fields.body, fields.title].into_iter().any(|field| {
                    segment.inverted_index(field).is_ok_and(|inverted| {
                        inverted
                            .terms()
                            .range()
                            .ge(&from)
                            .lt(&to)
                            .into_stream()
                            .is_ok_and(|mut stream| stream.advance())
                    })
                })
            })
        })
        .collect()
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

    /// Whether `term` occurs in `field` at all.
    fn present(&self, field: Field, term: &str) -> bool {
        self.searcher
            .doc_freq(&Term::from_field_text(field, term))
            .map_or(true, |df| df > 0)
    }

    /// The readings of `text`: each a way a document may hold its words, as the indexed terms
    /// each position may match. Exact (or for a prefix): the folded words. Stemmed: per stemmed
    /// language `L`, each word as `~L:stem` (and the plain stem when it is its own: its
    /// occurrences carry no mark), which is all a document of `L` can match; and the folded words,
    /// for documents in a language that is not stemmed. A term that is in no document of `field`
    /// is dropped, and with it a reading that has a position left empty: a phrase of English
    /// words has no Serbian reading to search. (Fewer terms per position also turn most stemmed
    /// phrases into plain phrase queries; several at a position need the slower
    /// [`RegexPhraseQuery`].) Also returns how many terms were looked up.
    fn analyse(&self, stemmed: bool, field: Field, text: &str) -> (Vec<Vec<Alternatives>>, usize) {
        let mut analyzer = self.folded.clone();
        let words = analysis::tokens(&mut analyzer, text);
        if words.is_empty() {
            return (Vec::new(), 0);
        }
        let plain: Vec<Alternatives> = words.iter().map(|w| vec![w.clone()]).collect();
        if !stemmed {
            return (vec![plain], words.len());
        }
        let mut lookups = words.len();
        let mut readings = Vec::new();
        let (mut stem, mut again) = (String::new(), String::new());
        for &language in self.languages.iter() {
            let mut reading = Vec::with_capacity(words.len());
            for word in &words {
                language.stem(word, &mut stem);
                let mut terms = vec![analysis::marked(language, &stem)];
                // The plain stem, where a word that is its own stem carries no mark.
                language.stem(&stem, &mut again);
                if again == stem && !language.marks(&stem, &again) {
                    terms.push(stem.clone());
                }
                lookups += terms.len();
                // In a phrase, a term no text of the field holds is dropped, and the reading
                // with it if none is left (one word: its absent terms cost nothing).
                if words.len() > 1 {
                    terms.retain(|t| self.present(field, t));
                    if terms.is_empty() {
                        break;
                    }
                }
                reading.push(terms);
            }
            if reading.len() == words.len() && !readings.contains(&reading) {
                readings.push(reading);
            }
        }
        if (words.len() == 1 || plain.iter().all(|p| self.present(field, &p[0])))
            && !readings.contains(&plain)
        {
            readings.push(plain);
        }
        (readings, lookups)
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
            let words = analysis::tokens(&mut self.folded.clone(), text);
            if words.is_empty() {
                return Err(IndexError::unsearchable(format!(
                    "'{text}' contains no letters or digits to search for"
                )));
            }
            self.budget.phrase(words.len(), text)?;
            let (readings, lookups) = self.analyse(stemmed, tfield, text);
            self.budget.lookups(lookups)?;
            if prefix {
                self.budget
                    .prefix(self.searcher, tfield, &words[words.len() - 1])?;
            }
            self.terms.extend(
                readings
                    .iter()
                    .flatten()
                    .flatten()
                    .map(|t| Term::from_field_text(tfield, t)),
            );
            let term = |t: &str| Term::from_field_text(tfield, t);
            let q: Box<dyn Query> = if prefix {
                let terms: Vec<Term> = words.iter().map(|w| term(w)).collect();
                if terms.len() == 1 {
                    Box::new(RegexQuery::from_pattern(
                        &format!("{}.*", regex_literal(&words[0])),
                        tfield,
                    )?)
                } else {
                    Box::new(PhrasePrefixQuery::new(terms))
                }
            } else if words.len() == 1 {
                // One word: any of its readings' terms.
                let mut alternatives: Vec<String> = Vec::new();
                for t in readings.iter().flatten().flatten() {
                    if !alternatives.contains(t) {
                        alternatives.push(t.clone());
                    }
                }
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = alternatives
                    .iter()
                    .map(|t| {
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs));
                        (Occur::Should, q)
                    })
                    .collect();
                match clauses.len() {
                    0 => Box::new(EmptyQuery),
                    1 => clauses.remove(0).1,
                    _ => Box::new(BooleanQuery::new(clauses)),
                }
            } else {
                // A phrase: any of its readings, each as phrases.
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = readings
                    .iter()
                    .map(|reading| (Occur::Should, phrase_of(tfield, reading)))
                    .collect();
                match clauses.len() {
                    0 => Box::new(EmptyQuery),
                    1 => clauses.remove(0).1,
                    _ => Box::new(BooleanQuery::new(clauses)),
                }
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

/// One reading of a phrase: a plain phrase query, or (some position accepting several terms)
/// each combination as a phrase of its own when they are few, else one alternation per position.
fn phrase_of(field: Field, words: &[Alternatives]) -> Box<dyn Query> {
    let term = |t: &str| Term::from_field_text(field, t);
    if words.iter().all(|w| w.len() == 1) {
        return Box::new(PhraseQuery::new(
            words.iter().map(|w| term(&w[0])).collect(),
        ));
    }
    if combinations(words) <= MAX_PHRASE_COMBINATIONS {
        // Cheaper than compiling regular expressions, for few.
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
            let Some(position) = (0..words.len()).find(|&p| choice[p] + 1 < words[p].len()) else {
                break;
            };
            choice[position] += 1;
            choice[..position].fill(0);
        }
        return Box::new(BooleanQuery::new(phrases));
    }
    let patterns = words
        .iter()
        .map(|w| {
            let options: Vec<String> = w.iter().map(|t| regex_literal(t)).collect();
            format!("({})", options.join("|"))
        })
        .collect();
    Box::new(RegexPhraseQuery::new(field, patterns))
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
