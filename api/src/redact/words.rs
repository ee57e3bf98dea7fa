//! Words and their skeletons: what spellings, scripts and inflections of one name have in common,
//! and how text is cut into words (invisible characters, hyphenation across a line break, words
//! run together).

use std::borrow::Cow;

use courtwatch_indexer::analysis::{albanian, fold_word};

pub(super) const MIN_WORD: usize = 3;

/// Endings added to a whole word: BCMS case endings (Đorđević-a, -u, -em, -ima), English plural
/// and possessive (with the apostrophe split off by tokenisation, `'s` is the word `s`). Written
/// as skeletons. The Albanian definite and case forms (Krasniqi-t, -n, -së) are the search's
/// Albanian stemmer's ([`albanian::NAME_ENDINGS`]; their skeletons are themselves).
const ENDINGS: &[&str] = &[
    "a", "e", "i", "o", "u", "om", "em", "im", "ima", "ama", "oj", "ov", "ova", "ove", "ovu",
    "ovi", "ovo", "ovih", "ovim", "ovom", "ev", "eva", "eve", "evi", "evu", "in", "ina", "ine",
    "ini", "inu", "inom", "ih", "ja", "je", "ji", "ju", "jom", "s", "ra", "ri", "rin", "rit", "og",
    "ovog", "evog", "evom", "evim", "evih", "ovoj", "evoj", "ave",
];

/// Endings (as skeletons) that replace a word's final vowel: Marko → Marka, Markom; Jovana → Jovanom;
/// Berisha → Berishës, Berishën, Berishat, Berishave; Drita → Dritës.
const VOWEL_ENDINGS: &[&str] = &[
    "a", "e", "i", "o", "u", "om", "em", "oj", "es", "en", "ave", "in", "it", "at", "ama", "ima",
];

/// Albanian plural forms of a name ending in `-i`, replacing it: Krasniqi → Krasniqët, Krasniqëve
/// (only after `-i`, so that Marko does not reach "market"); the stemmer's.
const I_ENDINGS: &[&str] = albanian::I_PLURAL_ENDINGS;

/// Serbian endings after a stem's last consonant changed (palatalisation): Luka → Luci, Olga →
/// Olzi, Novak → Novaci, Novače, Novacima.
const PALATAL_ENDINGS: &[&str] = &["i", "e", "ima"];

/// Shortest term word whose form one letter short is matched too (Krasniqi → Krasniq): shorter
/// ones would reach too many ordinary words.
const SHORTENED_FROM: usize = 5;

/// The stem of a term word with its last consonant palatalised (k → c, g → z, h → s), after the
/// final `-a` is dropped: `luka` → `luc`, `novak` → `novac`.
pub(super) fn palatal_stem(term: &str) -> Option<String> {
    let stem = term.strip_suffix('a').unwrap_or(term);
    if stem.chars().count() < MIN_WORD {
        return None;
    }
    let (rest, last) = stem.split_at(stem.len() - 1);
    let changed = match last {
        "k" => 'c',
        "g" => 'z',
        "h" => 's',
        _ => return None,
    };
    Some(format!("{rest}{changed}"))
}

/// Characters that show nothing and that text pasted from word processors and web pages carries
/// inside words: soft hyphen, zero-width space, non-joiner and joiner, word joiner, BOM.
pub(super) fn is_invisible(c: char) -> bool {
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
pub(super) fn word_matches(term: &str, word: &str) -> bool {
    if word == term {
        return true;
    }
    // Numbers and codes match only exactly.
    if term.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    if let Some(rest) = word.strip_prefix(term)
        && (ENDINGS.contains(&rest) || albanian::NAME_ENDINGS.contains(&rest))
    {
        return true;
    }
    // One letter short (a typing slip, or an Albanian indefinite form).
    if word.len() < term.len()
        && term.starts_with(word)
        && term[word.len()..].chars().count() == 1
        && term.chars().count() >= SHORTENED_FROM
    {
        return true;
    }
    if term.len() >= MIN_WORD
        && let Some(stem) = term.strip_suffix(['a', 'e', 'i', 'o', 'u'])
        && let Some(rest) = word.strip_prefix(stem)
        && (VOWEL_ENDINGS.contains(&rest) || (term.ends_with('i') && I_ENDINGS.contains(&rest)))
    {
        return true;
    }
    palatalised(term, word)
}

/// Whether `word` is `term` with its last consonant palatalised and a [`PALATAL_ENDINGS`] ending
/// (the test of [`palatal_stem`], without building the stem: it runs for every candidate word).
fn palatalised(term: &str, word: &str) -> bool {
    let stem = term.strip_suffix('a').unwrap_or(term);
    let Some(last) = stem.bytes().last() else {
        return false;
    };
    let changed = match last {
        b'k' => b'c',
        b'g' => b'z',
        b'h' => b's',
        _ => return false,
    };
    let rest = &stem[..stem.len() - 1];
    stem.chars().count() >= MIN_WORD
        && word.len() > rest.len()
        && word.as_bytes().starts_with(rest.as_bytes())
        && word.as_bytes()[rest.len()] == changed
        && word
            .get(rest.len() + 1..)
            .is_some_and(|ending| PALATAL_ENDINGS.contains(&ending))
}

/// A word of the text: its byte span and skeleton, and the skeletons of the words run together
/// in it (`ArbenKrasniqi`, `krasniqi1990`), when there are several.
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) skeleton: String,
    pub(super) parts: Vec<String>,
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
pub(super) fn words(text: &str) -> Vec<Word> {
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
pub(super) fn joins(between: &str) -> bool {
    !between.is_empty()
        && between.len() <= 3
        && between
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '-' | '.' | '\u{2011}'))
}

/// Words that say an address is an address, in the region's languages and English, as skeletons:
/// street, boulevard, square, number, "no number" (`bb`), Albanian `e`. An address term is matched
/// by its other words, with these allowed (or left out) anywhere between them, so that `Rruga e
/// Dëshmorëve, nr. 12`, `Rr. Dëshmorëve 12` and `Dëshmorëve br. 12` are the one address.
const ADDRESS_WORDS: &[&str] = &[
    "rruga",
    "rr",
    "rruges",
    "rrugen",
    "ruga",
    "ulica",
    "ulici",
    "ulicu",
    "ulice",
    "ul",
    "uli",
    "bulevardi",
    "bulevar",
    "bul",
    "blvd",
    "sheshi",
    "trg",
    "street",
    "st",
    "str",
    "road",
    "rd",
    "avenue",
    "ave",
    "nr",
    "no",
    "br",
    "broj",
    "bb",
    "numri",
    "e",
    "i",
    "kod",
    "lagja",
    "naselje",
];

/// Whether a word (as a skeleton) is one of [`ADDRESS_WORDS`].
pub(super) fn is_address_word(skeleton: &str) -> bool {
    ADDRESS_WORDS.contains(&skeleton)
}

/// Whether the text between two words of an address keeps them one address: spaces, commas,
/// dots, dashes, slashes (`Dëshmorëve, nr. 12`, `12/3`).
pub(super) fn joins_address(between: &str) -> bool {
    !between.is_empty()
        && between.chars().count() <= 4
        && between
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '-' | '.' | ',' | '/' | '\u{2011}'))
}
