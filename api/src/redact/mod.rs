//! Redaction: **the one module** that decides how text is protected before it leaves the system
//! for anyone outside the organisation that recorded it.
//!
//! Two rules, applied in this order by [`Redactor::apply`]:
//!
//! 1. **Sensitive terms** of a case (real names, addresses, personal ID numbers, places that
//!    identify someone), entered by its monitors. A term is replaced by the pseudonym of the party
//!    it names, or by a neutral mask (`[name]`, `[address]`, ...). Matching is by *skeleton*, not by
//!    spelling: lowercase, Serbian Cyrillic as Latin, diacritics dropped, and the letters that
//!    Albanian and Bosnian/Croatian/Montenegrin/Serbian write differently for the same sound made
//!    one (đ = dj = d = gj, q = ć = č = c, sh = š = s, xh = dž, zh = ž). So `Đorđević`,
//!    `Djordjevic`, `Dordevic` and `Ђорђевић` are one term, and `Krasniqi` also finds `Krasnići`.
//!    Inflected forms match through a list of case endings of the region's languages
//!    (`Krasniqit`, `Krasniqin`, `Đorđevića`, `Đorđevićem`, `Jovanom`, `Berishës`). Every word of
//!    a name is also a term on its own (a surname alone is still a name), if it has at least
//!    three letters. Over-redacting a word that happens to look like a name is accepted; leaking a
//!    name is not.
//! 2. **Patterns** that identify a person in any free text, whether or not anyone listed them:
//!    e-mail addresses, phone numbers and personal ID numbers (13-digit JMBG/EMBG of Serbia,
//!    Montenegro, Bosnia and North Macedonia; 10-digit Kosovo personal numbers; Albanian
//!    `J12345678A`).
//!
//! What is redacted where (API bodies, index text and snippets, datasets) is decided by
//! `services::sensitive`, which builds a [`Redactor`] per case from the database and applies it.

use std::borrow::Cow;

use regex::Regex;

/// What a sensitive term is; decides its mask when it names no party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A person's name; every word of it is matched on its own too.
    Name,
    /// A street address.
    Address,
    /// A personal ID, passport or other document number.
    IdNumber,
    /// A place small enough to identify someone (a village, a settlement, a school).
    Place,
    /// Anything else that identifies someone.
    Other,
}

impl TermKind {
    /// Every kind, by code.
    pub const ALL: [(&'static str, TermKind); 5] = [
        ("name", TermKind::Name),
        ("address", TermKind::Address),
        ("id_number", TermKind::IdNumber),
        ("place", TermKind::Place),
        ("other", TermKind::Other),
    ];

    /// The kind with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().find(|(c, _)| *c == code).map(|(_, k)| *k)
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("other", |(c, _)| c)
    }

    /// The neutral mask for a term of this kind that names no party.
    pub fn mask(self) -> &'static str {
        match self {
            TermKind::Name => "[name]",
            TermKind::Address => "[address]",
            TermKind::IdNumber => "[id number]",
            TermKind::Place => "[place]",
            TermKind::Other => "[redacted]",
        }
    }
}

/// One sensitive term as entered, with the pseudonym of the party it names (if any).
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as the monitor wrote it.
    pub text: String,
    /// What it is.
    pub kind: TermKind,
    /// The pseudonym of the party it names.
    pub pseudonym: Option<String>,
}

/// Shortest word of a name that is matched on its own (shorter ones only within the full name).
mod patterns;
mod words;

#[doc(hidden)]
pub mod corpus;
#[cfg(test)]
mod tests;

use patterns::{PATTERNS, pattern_mask};
pub use words::skeleton;
use words::{
    MIN_WORD, Word, is_address_word, joins, joins_address, palatal_stem, word_matches, words,
};

/// A term ready for matching: the skeletons of its words, and what replaces it.
#[derive(Debug, Clone)]
struct Compiled {
    words: Vec<String>,
    /// The words run together (`arbenkrasniqi`), for terms of several words.
    joined: String,
    replacement: String,
    /// An address: its words without the words that only say "street" or "number", matched
    /// with those allowed anywhere between and before them.
    address: bool,
}

/// Applies a case's sensitive terms and the patterns to text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Word terms, longest first.
    terms: Vec<Compiled>,
    /// Where to look for the terms a word may begin, so a text is read once whatever the number
    /// of terms (the terms were tried at every word before: 11.5 s for 1 MB and 500 terms).
    index: Index,
    /// ID-number terms, matched with any spacing or punctuation between digits.
    numbers: Vec<(Regex, String)>,
}

/// Letters of a term's first word its index key holds, at most.
const KEY_LETTERS: usize = 3;

/// The terms by the first one to three letters of their first word's skeleton, and the automaton
/// of the multi-word terms' words run together (`arbenkrasniqi`).
#[derive(Debug, Clone, Default)]
struct Index {
    by_prefix: rustc_hash::FxHashMap<String, Vec<usize>>,
    run_together: Option<(aho_corasick::AhoCorasick, Vec<usize>)>,
    /// The shortest run-together pattern: shorter words cannot hold one.
    shortest_run: usize,
}

/// The letters every word that matches `term_word` begins with (at most three): a match is the
/// word itself, the word plus an ending, or its stem (one vowel fewer) plus an ending.
fn prefix_key(term_word: &str) -> String {
    let chars = term_word.chars().count();
    let stem = if term_word.len() >= MIN_WORD && term_word.ends_with(['a', 'e', 'i', 'o', 'u']) {
        chars - 1
    } else {
        chars
    };
    term_word.chars().take(stem.min(KEY_LETTERS)).collect()
}

/// Every index key of a term word: [`prefix_key`], and the key of its palatalised stem when that
/// differs (Luka → `luc`, since "Luci" does not begin with `luk`).
fn prefix_keys(term_word: &str) -> Vec<String> {
    let mut keys = vec![prefix_key(term_word)];
    if let Some(stem) = palatal_stem(term_word) {
        let key: String = stem.chars().take(KEY_LETTERS).collect();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

impl Index {
    fn new(terms: &[Compiled]) -> Self {
        let mut by_prefix: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            for key in prefix_keys(&t.words[0]) {
                by_prefix.entry(key).or_default().push(i);
            }
            if t.words.len() > 1 {
                patterns.push(t.joined.clone());
                owners.push(i);
            }
        }
        let shortest_run = patterns.iter().map(String::len).min().unwrap_or(usize::MAX);
        let run_together = (!patterns.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::new(&patterns)
                    .ok()
                    .map(|a| (a, owners))
            })
            .flatten();
        Index {
            by_prefix,
            run_together,
            shortest_run,
        }
    }

    /// The terms that may match at a word, in priority order.
    fn candidates(&self, word: &Word, out: &mut Vec<usize>) {
        out.clear();
        let mut lookup = |skeleton: &str| {
            // The first one and two letters, as slices of the skeleton (no allocation).
            for (at, c) in skeleton.char_indices().take(KEY_LETTERS) {
                let key = &skeleton[..at + c.len_utf8()];
                if let Some(found) = self.by_prefix.get(key) {
                    out.extend_from_slice(found);
                }
            }
        };
        lookup(&word.skeleton);
        for part in &word.parts {
            lookup(part);
        }
        if let Some((automaton, owners)) = &self.run_together
            && word.skeleton.len() >= self.shortest_run
        {
            for m in automaton.find_overlapping_iter(&word.skeleton) {
                out.push(owners[m.pattern().as_usize()]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

impl Redactor {
    /// Patterns only (no case terms): stand-alone case law, or a case without terms.
    pub fn patterns_only() -> Self {
        Self::default()
    }

    /// A redactor for these terms (plus the patterns).
    pub fn new(terms: &[Term]) -> Self {
        let mut redactor = Self::default();
        // First the terms with their masks, to check each pseudonym: one that contains a term
        // (a careless "Arben K.") must not put the name back, so the mask is used instead.
        for term in terms {
            redactor.add(term, term.kind.mask().to_string());
        }
        redactor
            .terms
            .sort_by_key(|t| std::cmp::Reverse(t.words.len()));
        redactor.index = Index::new(&redactor.terms);
        let masked = redactor.clone();
        let mut out = Self::default();
        for term in terms {
            let replacement = match &term.pseudonym {
                Some(p) if !p.trim().is_empty() && masked.terms_apply(p).is_none() => p.clone(),
                _ => term.kind.mask().to_string(),
            };
            out.add(term, replacement);
        }
        out.terms.sort_by_key(|t| std::cmp::Reverse(t.words.len()));
        out.index = Index::new(&out.terms);
        out
    }

    fn add(&mut self, term: &Term, replacement: String) {
        let text = term.text.trim();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let only_number = text
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '/' | '.'));
        if term.kind == TermKind::IdNumber && only_number && !digits.is_empty() {
            let pattern = digits
                .chars()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(r"[\s./\-]?");
            if let Ok(re) = Regex::new(&format!(r"(?-u:\b){pattern}(?-u:\b)")) {
                self.numbers.push((re, replacement));
            }
            return;
        }
        let mut skeletons: Vec<String> = words(text)
            .into_iter()
            .flat_map(|w| {
                if w.parts.is_empty() {
                    vec![w.skeleton]
                } else {
                    w.parts
                }
            })
            .collect();
        if skeletons.is_empty() {
            return;
        }
        let address = term.kind == TermKind::Address
            && skeletons.iter().any(|w| is_address_word(w))
            && skeletons.iter().any(|w| !is_address_word(w));
        if address {
            skeletons.retain(|w| !is_address_word(w));
        }
        if term.kind == TermKind::Name && skeletons.len() > 1 {
            for word in &skeletons {
                if word.chars().count() >= MIN_WORD {
                    self.terms.push(Compiled {
                        words: vec![word.clone()],
                        joined: String::new(),
                        replacement: replacement.clone(),
                        address: false,
                    });
                }
            }
        }
        let joined = if skeletons.len() > 1 {
            skeletons.concat()
        } else {
            String::new()
        };
        self.terms.push(Compiled {
            words: skeletons,
            joined,
            replacement,
            address,
        });
    }

    /// Whether there are no terms (only the patterns apply).
    pub fn has_terms(&self) -> bool {
        !self.terms.is_empty() || !self.numbers.is_empty()
    }

    /// Whether term `t` matches at word `i`, and over how many words.
    fn match_at(t: &Compiled, text: &str, words: &[Word], i: usize) -> Option<usize> {
        let w = &words[i];
        let n = t.words.len();
        if t.address && n > 1 {
            return Self::address_at(t, text, words, i);
        }
        let in_sequence = i + n <= words.len()
            && t.words
                .iter()
                .zip(&words[i..i + n])
                .enumerate()
                .all(|(k, (tw, w))| {
                    (k == 0 || joins(&text[words[i + k - 1].end..w.start]))
                        && word_matches(tw, &w.skeleton)
                });
        if in_sequence {
            return Some(n);
        }
        // Run together in one word: `ArbenKrasniqi`, `@krasniqi1990`, a handle or the end of a
        // URL (`facebook.com/arbenkrasniqi`).
        let run_together = (n == 1 && w.parts.iter().any(|p| word_matches(&t.words[0], p)))
            || (n > 1 && w.skeleton.contains(t.joined.as_str()));
        run_together.then_some(1)
    }

    /// An address term at word `i`: its words in order, with words that only say "street" or
    /// "number" allowed between them; the number of words it spans.
    fn address_at(t: &Compiled, text: &str, words: &[Word], i: usize) -> Option<usize> {
        if !word_matches(&t.words[0], &words[i].skeleton) {
            return None;
        }
        // The street without its house number is still the address (`Kralja Petra bb`).
        let numeric = |w: &str| w.bytes().any(|b| b.is_ascii_digit());
        let named = t.words.iter().take_while(|w| !numeric(w)).count().max(1);
        let mut at = i;
        for (k, term_word) in t.words.iter().enumerate().skip(1) {
            match Self::next_address_word(term_word, text, words, at) {
                Some(next) => at = next,
                None if k >= named && t.words[k..].iter().all(|w| numeric(w)) => break,
                None => return None,
            }
        }
        // A trailing "no number" (`bb`) belongs to the address.
        while let Some(w) = words.get(at + 1)
            && w.skeleton == "bb"
            && joins_address(&text[words[at].end..w.start])
        {
            at += 1;
        }
        Some(at + 1 - i)
    }

    /// The word after word `at` that matches `term_word`, with words that only say "street" or
    /// "number" allowed before it.
    fn next_address_word(term_word: &str, text: &str, words: &[Word], at: usize) -> Option<usize> {
        let mut next = at + 1;
        loop {
            let w = words.get(next)?;
            if !joins_address(&text[words[next - 1].end..w.start]) {
                return None;
            }
            if word_matches(term_word, &w.skeleton) {
                return Some(next);
            }
            if !is_address_word(&w.skeleton) {
                return None;
            }
            next += 1;
        }
    }

    /// Where an address found at word `i` begins: before the words that say "street" right in
    /// front of it (`Rr. e` of `Rr. e Dëshmorëve 12`), but not before `floor`, the end of the
    /// last replacement.
    fn address_start(text: &str, words: &[Word], i: usize, floor: usize) -> usize {
        let mut start = i;
        while start > 0
            && words[start - 1].start >= floor
            && is_address_word(&words[start - 1].skeleton)
            && joins_address(&text[words[start - 1].end..words[start].start])
        {
            start -= 1;
        }
        words[start].start
    }

    /// The spans that terms replace, the first term in priority order winning at each word.
    fn spans<'s>(&'s self, text: &str, words: &[Word]) -> Vec<(usize, usize, &'s str)> {
        let mut spans = Vec::new();
        let mut candidates = Vec::new();
        let mut i = 0;
        while i < words.len() {
            self.index.candidates(&words[i], &mut candidates);
            let found = candidates.iter().find_map(|&c| {
                let t = &self.terms[c];
                Self::match_at(t, text, words, i).map(|n| (n, t))
            });
            match found {
                Some((n, t)) => {
                    let floor = spans.last().map_or(0, |s: &(usize, usize, &str)| s.1);
                    let start = if t.address {
                        Self::address_start(text, words, i, floor)
                    } else {
                        words[i].start
                    };
                    spans.push((start, words[i + n - 1].end, t.replacement.as_str()));
                    i += n;
                }
                None => i += 1,
            }
        }
        spans
    }

    /// The term replacements in `text`, or `None` if no term occurs.
    fn terms_apply(&self, text: &str) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let words = words(text);
        let spans = self.spans(text, &words);
        if spans.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, replacement) in spans {
            out.push_str(&text[at..start]);
            out.push_str(replacement);
            at = end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }

    /// The spans as the definition says: every term tried at every word, in priority order. The
    /// index must find exactly these (the tests compare the two); the benchmark measures both.
    #[doc(hidden)]
    pub fn spans_by_trying_every_term(&self, text: &str) -> usize {
        let words = words(text);
        let mut count = 0;
        let mut i = 0;
        while i < words.len() {
            match self
                .terms
                .iter()
                .find_map(|t| Self::match_at(t, text, &words, i))
            {
                Some(n) => {
                    count += 1;
                    i += n;
                }
                None => i += 1,
            }
        }
        count
    }

    /// The number of spans the index finds (for the benchmark and the tests).
    #[doc(hidden)]
    pub fn spans_by_index(&self, text: &str) -> usize {
        self.spans(text, &words(text)).len()
    }

    /// `text` with every sensitive term and pattern replaced.
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text: Cow<'a, str> = match self.terms_apply(text) {
            Some(changed) => Cow::Owned(changed),
            None => Cow::Borrowed(text),
        };
        for (re, replacement) in &self.numbers {
            if let Cow::Owned(changed) = re.replace_all(&text, regex::NoExpand(replacement)) {
                text = Cow::Owned(changed);
            }
        }
        // Fullwidth digits and signs (`０４４`) as ASCII, so that the patterns see them.
        if text.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c)) {
            let ascii: String = text
                .chars()
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => {
                        char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c)
                    }
                    other => other,
                })
                .collect();
            text = Cow::Owned(ascii);
        }
        // Every pattern needs a digit or an `@`; most text has neither in the right place, and a
        // quick scan saves running the expressions.
        if !text.bytes().any(|b| b.is_ascii_digit() || b == b'@') {
            return text;
        }
        if !PATTERNS.is_match(&text) {
            return text;
        }
        Cow::Owned(
            PATTERNS
                .replace_all(&text, |caps: &regex::Captures<'_>| {
                    let found = &caps[0];
                    match pattern_mask(caps) {
                        None => found.to_owned(),
                        // A number run into a word (`JMBG1505985715123`): the word's letters
                        // stay, the number goes.
                        Some(mask)
                            if caps.name("id").is_some()
                                && found.len() == 14
                                && found.as_bytes()[0].is_ascii_alphabetic() =>
                        {
                            format!("{}{mask}", &found[..1])
                        }
                        Some(mask) => mask.to_owned(),
                    }
                })
                .into_owned(),
        )
    }

    /// [`Self::apply`] in place.
    pub fn apply_to(&self, text: &mut String) {
        if let Cow::Owned(changed) = self.apply(text) {
            *text = changed;
        }
    }
}
