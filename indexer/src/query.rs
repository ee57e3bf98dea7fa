//! The researchers' query language, parsed into a small syntax tree with exact error positions.
//!
//! ```text
//! query   := or
//! or      := and ( "OR" and )*
//! and     := clause ( ["AND"] clause )*          adjacent clauses must all match
//! clause  := ("-" | "+" | "NOT") clause | atom
//! atom    := "(" or ")" | FIELD ":" atom | "\"" words "\"" | WORD ["*"]
//! ```
//!
//! `AND`, `OR` and `NOT` are operators only in capitals; `roma and sinti` searches three words.
//! A word with `:` must start with a known field name. Anything that does not fit is an error that
//! names the column and the reason; the parser never guesses.

use std::fmt;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// The deepest nesting of parentheses and prefixes accepted.
pub const MAX_DEPTH: usize = 32;

/// Fields a query may name, with the aliases accepted for them.
pub const FIELDS: &[(&str, Field)] = &[
    ("title", Field::Title),
    ("text", Field::Text),
    ("court", Field::Court),
    ("kind", Field::Kind),
    ("jurisdiction", Field::Jurisdiction),
    ("ground", Field::Ground),
    ("proceeding_type", Field::ProceedingType),
    ("outcome", Field::Outcome),
    ("lang", Field::Language),
    ("language", Field::Language),
    ("case", Field::Case),
];

/// A field named in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The title (analysed text).
    Title,
    /// The body text (analysed text).
    Text,
    /// The court's name (analysed text).
    Court,
    /// `ruling`, `observation` or `case` (exact value).
    Kind,
    /// Jurisdiction code (exact value).
    Jurisdiction,
    /// Ground of discrimination code (exact value).
    Ground,
    /// Proceeding type code (exact value).
    ProceedingType,
    /// Outcome code (exact value).
    Outcome,
    /// Language tag (exact value).
    Language,
    /// Case id (exact value).
    Case,
}

impl Field {
    /// Whether values of this field are analysed text (rather than exact codes).
    pub fn is_text(self) -> bool {
        matches!(self, Self::Title | Self::Text | Self::Court)
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One word, in a field or in the default fields; `prefix` when it ended with `*`.
    Word {
        /// The field, if named.
        field: Option<Field>,
        /// The word as typed.
        text: String,
        /// `word*`.
        prefix: bool,
    },
    /// A quoted phrase.
    Phrase {
        /// The field, if named.
        field: Option<Field>,
        /// The words as typed.
        text: String,
    },
    /// Every child must match; `Not` children must not.
    And(Vec<Node>),
    /// At least one child must match.
    Or(Vec<Node>),
    /// Excluded (only meaningful inside `And`; a lone negation means "everything except").
    Not(Box<Node>),
    /// Matches every document (an empty query).
    All,
}

/// Why a query could not be parsed, and where (1-based column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column of the offending character.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a query, repeats removed ([`simplify`]). An empty (or all-blank) query is [`Node::All`].
pub fn parse(input: &str) -> Result<Node, ParseError> {
    parse_as_written(input).map(simplify)
}

/// Parses a query as written, repeats kept (for the benchmark, to show what [`simplify`] saves).
#[doc(hidden)]
pub fn parse_as_written(input: &str) -> Result<Node, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(ParseError {
            column: MAX_QUERY_CHARS + 1,
            message: format!(
                "the query is {} characters long; the limit is {MAX_QUERY_CHARS}",
                chars.len()
            ),
        });
    }
    let mut parser = Parser {
        chars,
        pos: 0,
        depth: 0,
    };
    parser.skip_space();
    if parser.at_end() {
        return Ok(Node::All);
    }
    let node = parser.or(None)?;
    parser.skip_space();
    if !parser.at_end() {
        let c = parser.chars[parser.pos];
        return Err(parser.error_here(if c == ')' {
            "unexpected ')' without a matching '('".to_string()
        } else {
            format!("unexpected '{c}'")
        }));
    }
    Ok(node)
}

/// The same query without repeats: nested groups of one operator flattened, a clause that occurs
/// twice in one group kept once, `NOT NOT x` as `x`. (A query of 300 `a*` joined by `OR` costs
/// what one `a*` costs.)
pub fn simplify(node: Node) -> Node {
    fn group(children: Vec<Node>, or: bool) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::with_capacity(children.len());
        for child in children.into_iter().map(simplify) {
            let flattened = match child {
                Node::Or(inner) if or => inner,
                Node::And(inner) if !or => inner,
                other => vec![other],
            };
            for c in flattened {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
    match node {
        Node::Or(children) => {
            let mut children = group(children, true);
            if children.len() == 1 {
                children.remove(0)
            } else {
                Node::Or(children)
            }
        }
        Node::And(children) => {
            let mut children = group(children, false);
            if children.len() == 1 {
                children.remove(0)
            } else {
                Node::And(children)
            }
        }
        Node::Not(inner) => match simplify(*inner) {
            Node::Not(twice) => *twice,
            other => Node::Not(Box::new(other)),
        },
        other => other,
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '"')
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column: pos + 1,
            message: message.into(),
        }
    }

    fn error_here(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.pos, message)
    }

    /// The operator keyword at the cursor, if the next word is exactly one.
    fn keyword(&self) -> Option<&'static str> {
        for kw in ["AND", "OR", "NOT"] {
            let end = self.pos + kw.len();
            if end <= self.chars.len()
                && self.chars[self.pos..end].iter().copied().eq(kw.chars())
                && self.chars.get(end).is_none_or(|c| !is_word_char(*c))
            {
                return Some(kw);
            }
        }
        None
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(format!("the query nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn or(&mut self, field: Option<Field>) -> Result<Node, ParseError> {
        let mut alternatives = vec![self.and(field)?];
        loop {
            self.skip_space();
            if self.keyword() == Some("OR") {
                let at = self.pos;
                self.pos += 2;
                self.skip_space();
                if self.at_end() || self.peek() == Some(')') {
                    return Err(self.error_at(at, "OR needs a term on its right"));
                }
                alternatives.push(self.and(field)?);
            } else {
                break;
            }
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Or(alternatives)
        })
    }

    fn and(&mut self, field: Option<Field>) -> Result<Node, ParseError> {
        let mut clauses = vec![self.clause(field)?];
        loop {
            self.skip_space();
            match self.peek() {
                None | Some(')') => break,
                _ => {}
            }
            match self.keyword() {
                Some("OR") => break,
                Some("AND") => {
                    let at = self.pos;
                    self.pos += 3;
                    self.skip_space();
                    if self.at_end() || self.peek() == Some(')') || self.keyword() == Some("OR") {
                        return Err(self.error_at(at, "AND needs a term on its right"));
                    }
                }
                _ => {}
            }
            clauses.push(self.clause(field)?);
        }
        Ok(if clauses.len() == 1 {
            clauses.remove(0)
        } else {
            Node::And(clauses)
        })
    }

    fn clause(&mut self, field: Option<Field>) -> Result<Node, ParseError> {
        self.skip_space();
        let at = self.pos;
        let negate = match (self.peek(), self.keyword()) {
            (_, Some("NOT")) => {
                self.pos += 3;
                Some(true)
            }
            (_, Some(kw)) => {
                return Err(self.error_here(format!("{kw} needs a term on its left")));
            }
            (Some('-'), _) => {
                self.pos += 1;
                Some(true)
            }
            (Some('+'), _) => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        };
        match negate {
            None => self.atom(field),
            Some(negated) => {
                self.enter()?;
                self.skip_space();
                if self.at_end() || matches!(self.peek(), Some(')')) {
                    return Err(self.error_at(at, "a '-', '+' or NOT needs a term after it"));
                }
                let inner = self.clause(field)?;
                self.depth -= 1;
                Ok(if negated {
                    Node::Not(Box::new(inner))
                } else {
                    inner
                })
            }
        }
    }

    fn atom(&mut self, field: Option<Field>) -> Result<Node, ParseError> {
        self.skip_space();
        match self.peek() {
            None => Err(self.error_here("the query ends where a term was expected")),
            Some('(') => {
                let open = self.pos;
                self.pos += 1;
                self.enter()?;
                self.skip_space();
                if self.peek() == Some(')') {
                    return Err(self.error_at(open, "empty parentheses"));
                }
                let inner = self.or(field)?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(self.error_at(open, "'(' is never closed"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(')') => Err(self.error_here("unexpected ')' without a matching '('")),
            Some('"') => {
                let open = self.pos;
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(|c| c != '"') {
                    self.pos += 1;
                }
                if self.at_end() {
                    return Err(self.error_at(open, "the quote opened here is never closed"));
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                self.pos += 1;
                if text.trim().is_empty() {
                    return Err(self.error_at(open, "empty phrase"));
                }
                Ok(Node::Phrase { field, text })
            }
            Some(_) => self.word(field),
        }
    }

    fn word(&mut self, field: Option<Field>) -> Result<Node, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(is_word_char) && self.peek() != Some(':') {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if self.peek() == Some(':') {
            if field.is_some() {
                return Err(self.error_here("a field is already named for this term"));
            }
            let Some((_, named)) = FIELDS.iter().find(|(name, _)| *name == text) else {
                let known: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
                return Err(self.error_at(
                    start,
                    format!("unknown field '{text}'; known fields: {}", known.join(", ")),
                ));
            };
            self.pos += 1;
            if self.peek().is_none_or(|c| c.is_whitespace()) {
                return Err(self.error_here(format!("'{text}:' needs a value right after it")));
            }
            if !named.is_text() && self.peek() == Some('(') {
                return Err(
                    self.error_here(format!("'{text}:' takes one exact value, not a group"))
                );
            }
            self.enter()?;
            let inner = self.atom(Some(*named))?;
            self.depth -= 1;
            return Ok(inner);
        }
        if text.is_empty() {
            return Err(self.error_here("a term was expected here"));
        }
        let (text, prefix) = match text.strip_suffix('*') {
            Some(stem) => (stem.to_string(), true),
            None => (text, false),
        };
        if let Some(offset) = text.find('*') {
            let column = start + text[..offset].chars().count();
            return Err(self.error_at(column, "'*' is allowed only at the end of a word"));
        }
        if prefix && text.is_empty() {
            return Err(self.error_at(start, "'*' needs at least one letter before it"));
        }
        if prefix && field.is_some_and(|f| !f.is_text()) {
            return Err(self.error_at(start, "prefix search works only on text fields"));
        }
        Ok(Node::Word {
            field,
            text,
            prefix,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Node {
        Node::Word {
            field: None,
            text: text.into(),
            prefix: false,
        }
    }

    #[test]
    fn the_grammar() {
        assert_eq!(parse("  ").unwrap(), Node::All);
        assert_eq!(
            parse("roma AND (school OR segregation) -bus").unwrap(),
            Node::And(vec![
                word("roma"),
                Node::Or(vec![word("school"), word("segregation")]),
                Node::Not(Box::new(word("bus"))),
            ])
        );
        assert_eq!(
            parse("title:\"hate speech\" court:podgor* +x NOT y").unwrap(),
            Node::And(vec![
                Node::Phrase {
                    field: Some(Field::Title),
                    text: "hate speech".into()
                },
                Node::Word {
                    field: Some(Field::Court),
                    text: "podgor".into(),
                    prefix: true
                },
                word("x"),
                Node::Not(Box::new(word("y"))),
            ])
        );
        assert_eq!(
            parse("roma and sinti").unwrap(),
            Node::And(vec![word("roma"), word("and"), word("sinti")])
        );
        assert_eq!(
            parse("anti-discrimination").unwrap(),
            word("anti-discrimination")
        );
    }

    #[test]
    fn repeats_are_searched_once() {
        let many = vec!["a*"; 300].join(" OR ");
        assert_eq!(
            parse(&many).unwrap(),
            Node::Word {
                field: None,
                text: "a".into(),
                prefix: true
            }
        );
        assert_eq!(
            parse("roma OR (sinti OR roma) OR (roma OR sinti)").unwrap(),
            Node::Or(vec![word("roma"), word("sinti")])
        );
        assert_eq!(
            parse("roma (roma school) roma").unwrap(),
            Node::And(vec![word("roma"), word("school")])
        );
        assert_eq!(parse("NOT NOT roma").unwrap(), word("roma"));
        assert_eq!(
            parse("- - -roma").unwrap(),
            Node::Not(Box::new(word("roma")))
        );
        // Different fields or prefix flags are different clauses.
        assert_eq!(
            parse("roma title:roma roma*").unwrap(),
            Node::And(vec![
                word("roma"),
                Node::Word {
                    field: Some(Field::Title),
                    text: "roma".into(),
                    prefix: false
                },
                Node::Word {
                    field: None,
                    text: "roma".into(),
                    prefix: true
                },
            ])
        );
    }

    #[test]
    fn errors_name_the_column_and_the_reason() {
        let cases = [
            ("roma \"hate speech", 6, "never closed"),
            ("(roma OR sinti", 1, "never closed"),
            ("roma)", 5, "without a matching"),
            ("foo:bar", 1, "unknown field 'foo'"),
            ("roma OR", 6, "OR needs a term"),
            ("AND roma", 1, "needs a term on its left"),
            ("ro*ma", 3, "only at the end"),
            ("roma -", 6, "needs a term after it"),
            ("()", 1, "empty parentheses"),
            ("kind:(a b)", 6, "one exact value"),
            ("title: x", 7, "needs a value"),
        ];
        for (query, column, needle) in cases {
            let err = parse(query).expect_err(query);
            assert_eq!(err.column, column, "{query}: {err}");
            assert!(err.message.contains(needle), "{query}: {err}");
        }
        let deep = "(".repeat(40) + "x" + &")".repeat(40);
        assert!(parse(&deep).unwrap_err().message.contains("deeper"));
        assert!(
            parse(&"x ".repeat(1500))
                .unwrap_err()
                .message
                .contains("limit")
        );
    }
}
