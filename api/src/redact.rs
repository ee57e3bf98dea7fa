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

use std::{borrow::Cow, sync::LazyLock};

use courtwatch_indexer::analysis::fold_word;
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
const MIN_WORD: usize = 3;

/// Endings added to a whole word: BCMS case endings (Đorđević-a, -u, -em, -ima), Albanian
/// definite and case forms (Krasniqi-t, -n, -së), English plural and possessive (with the
/// apostrophe split off by tokenisation, `'s` is the word `s`). Written as skeletons.
const ENDINGS: &[&str] = &[
    "a", "e", "i", "o", "u", "om", "em", "im", "ima", "ama", "oj", "ov", "ova", "ove", "ovu",
    "ovi", "ovo", "ovih", "ovim", "ovom", "ev", "eva", "eve", "evi", "evu", "in", "ina", "ine",
    "ini", "inu", "inom", "ih", "ja", "je", "ji", "ju", "jom", "t", "n", "s", "se", "te", "ne",
    "it", "es", "en", "et", "ut", "un", "ve", "ra", "ri", "rin", "rit", "ri", "og", "ovog", "evog",
    "evom", "evim", "evih", "ovoj", "evoj", "ave",
];

/// Endings (as skeletons) that replace a word's final vowel: Marko → Marka, Markom; Jovana → Jovanom;
/// Berisha → Berishës, Berishën; Drita → Dritës.
const VOWEL_ENDINGS: &[&str] = &[
    "a", "e", "i", "o", "u", "om", "em", "oj", "es", "en", "ave", "in", "it",
];

/// Characters that show nothing and that text pasted from word processors and web pages carries
/// inside words: soft hyphen, zero-width space, non-joiner and joiner, word joiner, BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Whether `c` is written in Latin script (ASCII or the Latin supplements and extensions).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('\u{C0}'..='\u{24F}').contains(&c)
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

/// A word as the letters it shows: invisible characters dropped; compatibility forms such as
/// fullwidth letters and digits as their plain forms (NFKC); and inside a word that has Latin
/// letters, a letter of another script that imitates a Latin one (a Cyrillic `В` or `р`, a
/// Ukrainian `і`, a Greek `ο`) as the letter it imitates (Unicode TS #39 prototypes). A word
/// written wholly in Cyrillic keeps its letters, and is transliterated by `fold_word`.
fn plain(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    use unicode_normalization::UnicodeNormalization;
    let visible: String = word.chars().filter(|c| !is_invisible(*c)).nfkc().collect();
    let has_latin = visible.chars().any(is_latin);
    let foreign = visible.chars().any(|c| c.is_alphabetic() && !is_latin(c));
    if !(has_latin && foreign) {
        return Cow::Owned(visible);
    }
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        if c.is_alphabetic() && !is_latin(c) {
            let prototype: String =
                unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect();
            if !prototype.is_empty() && prototype.chars().all(|p| p.is_ascii_alphabetic()) {
                out.push_str(&prototype);
                continue;
            }
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// A word's skeleton: what spellings of one name have in common (see the module documentation).
pub fn skeleton(word: &str) -> String {
    thread_local! {
        static FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    FOLDED.with_borrow_mut(|folded| {
        folded.clear();
        fold_word(&plain(word), folded);
        skeleton_of_folded(folded)
    })
}

fn skeleton_of_folded(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        let before_h = chars.peek() == Some(&'h');
        let before_j = chars.peek() == Some(&'j');
        match c {
            'd' | 'g' if before_j => {
                chars.next();
                out.push('d');
            }
            'x' => {
                if before_h {
                    chars.next();
                }
                out.push_str("dz");
            }
            's' | 'z' | 'c' if before_h => {
                chars.next();
                out.push(c);
            }
            'q' => out.push('c'),
            other => out.push(other),
        }
    }
    out
}

/// Whether a word of text (as a skeleton) is a spelling or inflection of a term word.
fn word_matches(term: &str, word: &str) -> bool {
    if word == term {
        return true;
    }
    // Numbers and codes match only exactly.
    if term.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    if let Some(rest) = word.strip_prefix(term)
        && ENDINGS.contains(&rest)
    {
        return true;
    }
    if term.len() >= MIN_WORD
        && let Some(stem) = term.strip_suffix(['a', 'e', 'i', 'o', 'u'])
        && let Some(rest) = word.strip_prefix(stem)
    {
        return VOWEL_ENDINGS.contains(&rest);
    }
    false
}

/// A term ready for matching: the skeletons of its words, and what replaces it.
#[derive(Debug, Clone)]
struct Compiled {
    words: Vec<String>,
    /// The words run together (`arbenkrasniqi`), for terms of several words.
    joined: String,
    replacement: String,
}

/// A word of the text: its byte span and skeleton, and the skeletons of the words run together
/// in it (`ArbenKrasniqi`, `krasniqi1990`), when there are several.
struct Word {
    start: usize,
    end: usize,
    skeleton: String,
    parts: Vec<String>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c) || is_invisible(c)
}

/// The words run together in one word: split where a lower-case letter meets an upper-case one
/// and where letters meet digits. Empty when the word is one.
fn parts(word: &str) -> Vec<String> {
    let mut cuts = Vec::new();
    let mut previous: Option<char> = None;
    for (i, c) in word.char_indices() {
        if is_invisible(c) {
            continue;
        }
        if let Some(p) = previous {
            let case_change = p.is_lowercase() && c.is_uppercase();
            let digit_change = p.is_ascii_digit() != c.is_ascii_digit();
            if case_change || digit_change {
                cuts.push(i);
            }
        }
        previous = Some(c);
    }
    if cuts.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut at = 0;
    for cut in cuts.into_iter().chain([word.len()]) {
        out.push(skeleton(&word[at..cut]));
        at = cut;
    }
    out
}

fn word(text: &str, start: usize, end: usize) -> Word {
    let w = &text[start..end];
    Word {
        start,
        end,
        skeleton: skeleton(w),
        parts: parts(w),
    }
}

/// Whether two words are one word hyphenated across a line break (`Kras-` newline `niqi`, or a
/// soft hyphen before the break).
fn hyphenated(first: &str, between: &str) -> bool {
    let broken = between.contains('\n') || between.contains('\r');
    let rest = between.strip_prefix('-').unwrap_or(between);
    broken
        && rest.chars().all(char::is_whitespace)
        && (between.starts_with('-') || first.ends_with('\u{AD}'))
}

/// The words of `text` with their skeletons.
fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut start = None;
    let push = |out: &mut Vec<Word>, s: usize, e: usize| {
        if let Some(last) = out.last()
            && hyphenated(&text[last.start..last.end], &text[last.end..s])
        {
            let first = out.pop().expect("a last word");
            let mut joined = word(text, s, e);
            joined.skeleton = format!("{}{}", first.skeleton, joined.skeleton);
            joined.start = first.start;
            joined.parts = Vec::new();
            out.push(joined);
            return;
        }
        out.push(word(text, s, e));
    };
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(&mut out, s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(&mut out, s, text.len());
    }
    out
}

/// Whether the text between two words of a term keeps them one term ("Arben Krasniqi",
/// "Krasniqi-Berisha", "A. Krasniqi").
fn joins(between: &str) -> bool {
    !between.is_empty()
        && between.len() <= 3
        && between
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '-' | '.' | '\u{2011}'))
}

/// Patterns masked in every free text, as one expression (one pass over the text), each
/// alternative a named group whose name says its mask. ASCII word boundaries (`(?-u:\b)`) keep
/// the expression on regex's fast DFA path; every alternative is ASCII anyway.
static PATTERNS: LazyLock<Regex> = LazyLock::new(|| {
    let b = r"(?-u:\b)";
    let email = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}";
    // A separator inside a number: space, dot, slash or dash.
    let sep = r"[ ./\-]?";
    // International: +381 11 123 4567, 00383 44 123 456, +383(0)44/123-456, (+382) 67 12 34 56,
    // +355.69.123.4567. How many digits it holds is checked after the match (8 to 15).
    let international = format!(
        r"\(?(?:\+|{b}00)[0-9]{{2,3}}\)?{sep}(?:\(0\){sep})?\(?[0-9]{{1,4}}\)?(?:{sep}[0-9]{{2,4}}){{1,5}}{b}"
    );
    // National, from a leading 0: 044 123 456, 011/123-4567, 064/1234-567, 044.123.456,
    // 044 12 34 56, (044) 123-456 (8 to 10 digits, checked after the match).
    let national = format!(
        r"(?:\(0[0-9]{{1,2}}\)|{b}0[0-9]{{1,2}}){sep}[0-9]{{2,4}}(?:{sep}[0-9]{{2,4}}){{1,3}}{b}"
    );
    // JMBG/EMBG (13 digits), also broken by spaces or dashes, or run into a word
    // (`JMBG1505985715123`); Kosovo personal number and unbroken phone numbers (10 digits, or 9
    // from a leading 0); Albanian personal number, in either case.
    let broken = format!(r"{b}[0-9]{{2,7}}(?:[ \-][0-9]{{2,7}}){{1,5}}{b}");
    let id = format!(
        r"{b}(?:[0-9]{{13}}|[0-9]{{10}}|0[0-9]{{8}}){b}|[A-Za-z][0-9]{{13}}{b}|{b}[A-Za-z][0-9]{{8}}[A-Za-z]{b}"
    );
    // The first alternative that matches at a place is taken: whole numbers first, then the
    // phone shapes, then numbers broken by spaces or dashes.
    Regex::new(&format!(
        "(?P<email>{email})|(?P<id>{id})|(?P<phone>{international})|(?P<local>{national})|(?P<broken>{broken})"
    ))
    .expect("redaction patterns compile")
});

/// A date or a time as numbers (`01.03.2019`, `2019-03-01`, `10:30`), which is not a phone number.
fn looks_like_a_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['.', '/', '-']).map(str::trim).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (parts[0].len() == 4 || parts[2].len() == 4 || parts[2].len() == 2)
        && parts.iter().filter(|p| p.len() <= 2).count() >= 2
}

/// The mask for a match of [`PATTERNS`], or `None` when the match is not what it looked like
/// (a phone number needs 8 to 15 digits, a broken personal number exactly 13, a date is neither).
fn pattern_mask(caps: &regex::Captures<'_>) -> Option<&'static str> {
    let text = caps.get(0).map_or("", |m| m.as_str());
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if caps.name("email").is_some() {
        Some("[e-mail]")
    } else if caps.name("phone").is_some() {
        (8..=15).contains(&digits).then_some("[phone]")
    } else if caps.name("local").is_some() {
        ((8..=10).contains(&digits) && !looks_like_a_date(text)).then_some("[phone]")
    } else if caps.name("broken").is_some() {
        (digits == 13).then_some("[id number]")
    } else {
        Some("[id number]")
    }
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

impl Index {
    fn new(terms: &[Compiled]) -> Self {
        let mut by_prefix: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            by_prefix
                .entry(prefix_key(&t.words[0]))
                .or_default()
                .push(i);
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
        let skeletons: Vec<String> = words(text)
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
        if term.kind == TermKind::Name && skeletons.len() > 1 {
            for word in &skeletons {
                if word.chars().count() >= MIN_WORD {
                    self.terms.push(Compiled {
                        words: vec![word.clone()],
                        joined: String::new(),
                        replacement: replacement.clone(),
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

    /// The spans that terms replace, the first term in priority order winning at each word.
    fn spans<'s>(&'s self, text: &str, words: &[Word]) -> Vec<(usize, usize, &'s str)> {
        let mut spans = Vec::new();
        let mut candidates = Vec::new();
        let mut i = 0;
        while i < words.len() {
            self.index.candidates(&words[i], &mut candidates);
            let found = candidates.iter().find_map(|&c| {
                let t = &self.terms[c];
                Self::match_at(t, text, words, i).map(|n| (n, t.replacement.as_str()))
            });
            match found {
                Some((n, replacement)) => {
                    spans.push((words[i].start, words[i + n - 1].end, replacement));
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
                    pattern_mask(caps).map_or_else(|| caps[0].to_owned(), str::to_owned)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, kind: TermKind, pseudonym: Option<&str>) -> Term {
        Term {
            text: text.into(),
            kind,
            pseudonym: pseudonym.map(str::to_string),
        }
    }

    fn redactor() -> Redactor {
        Redactor::new(&[
            term("Arben Krasniqi", TermKind::Name, Some("Party A")),
            term("Dragana Đorđević", TermKind::Name, None),
            term("Marko", TermKind::Name, Some("Witness M")),
            term("Berisha", TermKind::Name, Some("Party B")),
            term("1234567890123", TermKind::IdNumber, None),
            term("Rruga e Dëshmorëve 12", TermKind::Address, None),
            term("Fushë Kosovë", TermKind::Place, None),
        ])
    }

    #[test]
    fn skeletons_join_scripts_and_spellings() {
        let one = skeleton("Đorđević");
        for other in [
            "Djordjevic",
            "Dordevic",
            "ĐORĐEVIĆ",
            "Ђорђевић",
            "Djordjević",
        ] {
            assert_eq!(skeleton(other), one, "{other}");
        }
        assert_eq!(skeleton("Krasniqi"), skeleton("Krasnići"));
        assert_eq!(skeleton("Xhafa"), skeleton("Džafa"));
        assert_eq!(skeleton("Shala"), skeleton("Šala"));
        assert_ne!(skeleton("Krasniqi"), skeleton("Krasniq"));
    }

    #[test]
    fn names_in_every_spelling_and_inflection_are_replaced() {
        let r = redactor();
        let cases = [
            ("Arben Krasniqi testified.", "Party A testified."),
            ("the lawyer of Arben Krasniqit", "the lawyer of Party A"),
            ("Krasniqin e pyeti gjyqtari", "Party A e pyeti gjyqtari"),
            ("Krasniqi's statement", "Party A's statement"),
            ("ARBEN said", "Party A said"),
            ("Dragana Djordjevic", "[name]"),
            ("svedočila je Dragana Đorđević", "svedočila je [name]"),
            ("Ђорђевићева изјава", "[name] изјава"),
            ("Драгана Ђорђевић је рекла", "[name] је рекла"),
            ("sa Đorđevićem", "sa [name]"),
            ("Dordevic", "[name]"),
            ("Markom i Marka", "Witness M i Witness M"),
            ("zbog Berishës", "zbog Party B"),
            ("Berishën e thirrën", "Party B e thirrën"),
        ];
        for (text, want) in cases {
            assert_eq!(r.apply(text), want, "{text}");
        }
    }

    #[test]
    fn other_words_stay_as_written() {
        let r = redactor();
        for text in [
            "The court adjourned; the judge did not react.",
            "Krasnik is a town.",
            "market marks remark",
            "Đorđe",
            "diskriminacija po osnovu seksualne orijentacije",
            "Article 14 ECHR, 12.03.2019, K. 123/2019, Application no. 43577/98",
        ] {
            assert_eq!(r.apply(text), text, "{text}");
        }
    }

    #[test]
    fn id_numbers_addresses_and_places() {
        let r = redactor();
        assert_eq!(r.apply("JMBG 1234567890123."), "JMBG [id number].");
        assert_eq!(r.apply("JMBG 123 456 789 0123"), "JMBG [id number]");
        assert_eq!(
            r.apply("lives at Rruga e Deshmoreve 12, Prishtina"),
            "lives at [address], Prishtina"
        );
        assert_eq!(r.apply("në Fushë Kosovës"), "në [place]");
        assert_eq!(r.apply("in Fushe Kosove"), "in [place]");
    }

    #[test]
    fn patterns_mask_without_terms() {
        let r = Redactor::patterns_only();
        let cases = [
            ("write to a.b@example.org now", "write to [e-mail] now"),
            ("call +383 44 123 456.", "call [phone]."),
            ("tel. 044/123-456", "tel. [phone]"),
            ("mob 063 123 4567", "mob [phone]"),
            ("ID 0101990710006", "ID [id number]"),
            ("personal number 1234567890", "personal number [id number]"),
            ("numri J12345678A", "numri [id number]"),
        ];
        for (text, want) in cases {
            assert_eq!(r.apply(text), want, "{text}");
        }
        for text in [
            "on 12.03.2019 at 10:30",
            "case P. 1234/2019, fine of EUR 10 000",
            "ECLI:CE:ECHR:2019:0312JUD004357798",
            "Article 3 and 14",
        ] {
            assert_eq!(r.apply(text), text, "{text}");
        }
    }

    #[test]
    fn a_pseudonym_that_holds_the_name_is_not_used() {
        let r = Redactor::new(&[term("Arben Krasniqi", TermKind::Name, Some("Arben K."))]);
        assert_eq!(r.apply("Arben Krasniqi"), "[name]");
    }

    #[test]
    fn short_words_of_a_name_match_only_in_the_full_name() {
        let r = Redactor::new(&[term("Li Wei", TermKind::Name, None)]);
        assert_eq!(
            r.apply("Li Wei spoke; li is not a name"),
            "[name] spoke; li is not a name"
        );
        assert_eq!(r.apply("Wei"), "[name]");
    }
}

/// The redaction corpus: one row per kind of spelling that text really carries (issue 19 §5),
/// each run through the same redactor, and the words that must stay readable beside them.
#[cfg(test)]
mod corpus {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(&[
            Term {
                text: "Arben Krasniqi".into(),
                kind: TermKind::Name,
                pseudonym: Some("Party A".into()),
            },
            Term {
                text: "Dragana Petrović".into(),
                kind: TermKind::Name,
                pseudonym: None,
            },
        ])
    }

    /// (category, text, a word of the name that must be gone).
    const MUST_MASK: &[(&str, &str, &str)] = &[
        (
            "soft hyphen inside",
            "Arben Kras\u{AD}niqi testified.",
            "niqi",
        ),
        (
            "zero-width space inside",
            "Arben Kras\u{200B}niqi testified.",
            "niqi",
        ),
        (
            "zero-width joiner inside",
            "Kras\u{200D}niqi testified.",
            "niqi",
        ),
        ("word joiner inside", "Kras\u{2060}niqi testified.", "niqi"),
        (
            "hyphenated across a line break",
            "Mr Kras-\nniqi testified.",
            "niqi",
        ),
        (
            "soft hyphen before a line break",
            "Mr Kras\u{AD}\nniqi testified.",
            "niqi",
        ),
        (
            "Cyrillic look-alike in a Latin word",
            "Arben Кrasniqi testified.",
            "rasniqi",
        ),
        (
            "Cyrillic р and а in a Latin word",
            "Dragana Реtrović testified.",
            "trović",
        ),
        (
            "Ukrainian і in a Latin word",
            "Arben Krasnіqі testified.",
            "Krasn",
        ),
        (
            "Greek ο in a Latin word",
            "Dragana Petrοvić testified.",
            "Petr",
        ),
        (
            "fullwidth letters",
            "Ａｒｂｅｎ Ｋｒａｓｎｉｑｉ testified.",
            "ｉｑｉ",
        ),
        (
            "wholly Serbian Cyrillic",
            "Драгана Петровић је сведочила.",
            "Петров",
        ),
        ("run together", "ArbenKrasniqi posted it.", "Krasniqi"),
        (
            "a handle with digits",
            "He wrote as @krasniqi1990 online.",
            "krasniqi",
        ),
        (
            "the end of a URL",
            "See facebook.com/arbenkrasniqi for the post.",
            "arbenkrasniqi",
        ),
        (
            "Serbian possessive -evog",
            "Petrovićevog stana.",
            "Petrović",
        ),
        ("Albanian definite form", "Krasniqit i thanë.", "Krasniqit"),
    ];

    /// (category, text, what must be gone): numbers that identify someone, unlisted.
    const PATTERNS_MASK: &[(&str, &str, &str)] = &[
        ("phone with dots", "tel 044.123.456 ok", "123"),
        ("phone in pairs", "tel 044 12 34 56 ok", "34 56"),
        ("phone in parentheses", "tel (044) 123-456 ok", "123"),
        ("Serbian mobile 4+3", "mob 064/1234-567 ok", "1234"),
        ("Kosovo +383", "call +383 44 123 456 now", "123 456"),
        ("Serbia +381", "call +381 64 123 4567 now", "4567"),
        ("Montenegro +382", "call +382 67 12 34 56 now", "34 56"),
        ("Albania +355", "call +355 69 123 4567 now", "4567"),
        ("00 prefix", "call 00383 44 123 456 now", "123 456"),
        (
            "JMBG broken by spaces",
            "JMBG 1505 985 715 123 given",
            "985",
        ),
        (
            "JMBG broken by dashes",
            "JMBG 150598-5715123 given",
            "5715123",
        ),
        (
            "JMBG run into a word",
            "JMBG1505985715123 given",
            "1505985715123",
        ),
        (
            "Albanian id in lower case",
            "nr j12345678a given",
            "12345678",
        ),
        ("fullwidth digits", "tel ０４４ １２３ ４５６ ok", "４５６"),
    ];

    /// Numbers that must stay as written: dates, times, case numbers, amounts, ECLI, articles.
    const PATTERNS_KEEP: &[&str] = &[
        "on 12.03.2019 at 10:30",
        "on 01.03.2019 the court sat",
        "on 2019-03-01 the court sat",
        "case P. 1234/2019, fine of EUR 10 000",
        "ECLI:CE:ECHR:2019:0312JUD004357798",
        "Article 3 and 14, § 1",
        "K 12/24 and P 404/26",
        "sentence of 6 months, costs 150.00 EUR",
    ];

    #[test]
    fn identifying_numbers_are_masked_and_others_stay() {
        let r = Redactor::patterns_only();
        for (category, text, gone) in PATTERNS_MASK {
            let out = r.apply(text);
            assert!(!out.contains(gone), "{category}: {text:?} became {out:?}");
        }
        for text in PATTERNS_KEEP {
            assert_eq!(r.apply(text).as_ref(), *text, "over-redacted");
        }
    }

    /// Ordinary words near the terms' spellings that must stay readable.
    const MUST_KEEP: &[&str] = &[
        "The market opened.",
        "Krasnodar is a city.",
        "Petrol prices rose.",
        "An arbitrary decision.",
        "Kosovo Police and the Basic Court.",
        "iPhone photos were shown.",
    ];

    #[test]
    fn every_spelling_of_the_corpus_is_masked() {
        let r = redactor();
        for (category, text, gone) in MUST_MASK {
            let out = r.apply(text);
            assert!(!out.contains(gone), "{category}: {text:?} became {out:?}");
            assert_ne!(
                out.as_ref(),
                *text,
                "{category}: nothing masked in {text:?}"
            );
        }
    }

    #[test]
    fn the_index_finds_what_trying_every_term_finds() {
        let r = redactor();
        let mut texts: Vec<String> = MUST_MASK.iter().map(|(_, t, _)| (*t).to_owned()).collect();
        texts.extend(MUST_KEEP.iter().map(|t| (*t).to_owned()));
        texts
            .push("A. Krasniqi, Dragana P. and Krasniqi-Berisha met Petrovićem at Arben's.".into());
        for text in texts {
            assert_eq!(
                r.spans_by_index(&text),
                r.spans_by_trying_every_term(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ordinary_words_stay_as_written() {
        let r = redactor();
        for text in MUST_KEEP {
            assert_eq!(r.apply(text).as_ref(), *text, "over-redacted");
        }
    }
}
