//! Text analysis for the region's languages.
//!
//! Every text field goes through the same steps: split into words, lowercase, fold, and (for the
//! default fields) stem in the document's language. Folding follows how people in the region type without
//! local keyboards:
//!
//! - Serbian/Montenegrin Cyrillic is transliterated to Latin, so a query in either script finds text
//!   in either (`Ђорђевић` = `Đorđević`);
//! - `đ` becomes `dj` (also from Cyrillic `ђ`), `dž`/`џ` become `dz`, and every other diacritic is
//!   dropped (`č ć → c`, `š → s`, `ž → z`, Albanian `ë → e`, `ç → c`, French `é → e`);
//! - so `Đorđević`, `Djordjevic` and `Ђорђевић` all become `djordjevic`.
//!
//! Stemming is in the document's [`Language`]: a ruling's `lang`, else the language its text is
//! written in ([`language::detect`]). Serbian (and Bosnian, Croatian, Montenegrin), English and
//! French use their Snowball stemmers, Albanian our light stemmer ([`albanian`]). Stems are taken
//! of the folded word, so `Podgorici`, `Подгорици` and `podgorici` meet `Podgorica`.
//!
//! The index holds each text once ([`WORDS`]): every word as folded (what `exact` search, phrases
//! in exact mode and prefixes look for), and, at the same position, its stem marked with
//! [`STEM_MARK`] and the language's code when the stem differs from the word (`presude` →
//! `presude`, `~sr:presud`; `discriminated` → `discriminated`, `~en:discrimin`). An indexed text
//! starts with its language's tag ([`language::tag`]), which the analyzer reads.
//!
//! A query has no language. A stemmed search for a word looks for the word itself and, for each
//! stemmed language `L`, for `~L:s` where `s` is the word's stem in `L` (and the plain word `s`
//! when `s` is its own stem: a text word that is its own stem gets no marked token). A marked stem
//! of one language thus only ever matches documents of that language: in a Serbian judgment a
//! query word matches what Serbian stemming conflates it with, never what English stemming would.
//! In Serbian, Albanian and French texts a word that is its own stem is marked too
//! ([`Language::marks_every_word`]), so their readings need no plain stem: the Serbian stem of
//! `šuma` is `sum`, which as a plain word would find English texts. The one way across left is
//! the English reading's plain stem (an English word that is its own stem carries no mark). The
//! relevance benchmark measures how far queries reach into other languages' documents.
//! One analysis pass and one set of postings instead of a stemmed and an unstemmed copy.

pub mod albanian;
pub mod language;

use tantivy::tokenizer::{
    SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

pub use language::{Language, tag, untag};

/// Name of the folded analyzer without stemming (the court name field; query words in `exact`
/// mode and prefixes; snippets).
pub const FOLDED: &str = "cw_folded";
/// Name of the analyzer of indexed text: folded words plus marked stems (module documentation).
pub const WORDS: &str = "cw_words";
/// Marks a stem token in [`WORDS`] text. Never part of a folded word (words are letters and
/// digits), so a marked stem can never be mistaken for a word, nor match a prefix query.
pub const STEM_MARK: char = '~';

/// Words longer than this many bytes are not indexed (they are noise: base64, hashes, URLs).
const MAX_TOKEN_BYTES: usize = 80;

/// The analyzer behind [`FOLDED`] (words longer than [`MAX_TOKEN_BYTES`] are left out).
pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(Fold)
        .build()
}

/// The analyzer behind [`WORDS`]: it reads the text's language tag ([`language::tag`]).
pub fn words() -> TextAnalyzer {
    TextAnalyzer::from(Words::default())
}

/// A stem as the index marks it: `~sr:presud`.
pub fn marked(language: Language, stem: &str) -> String {
    let mut out = String::with_capacity(stem.len() + 4);
    out.push(STEM_MARK);
    out.push_str(language.code());
    out.push(':');
    out.push_str(stem);
    out
}

/// A marked stem's language and stem (`~sr:presud` → Serbian, `presud`).
pub fn unmark(term: &str) -> Option<(&str, &str)> {
    term.strip_prefix(STEM_MARK)?.split_once(':')
}

/// The stems of a text's words in one language, folded first.
pub fn stems(language: Language, text: &str) -> Vec<String> {
    let mut stem = String::new();
    tokens(&mut folded(), text)
        .into_iter()
        .map(|word| {
            language.stem(&word, &mut stem);
            stem.clone()
        })
        .collect()
}

/// Runs an analyzer over a text and returns the token texts (for queries and tests).
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Every this many word positions, a text's [`word_marks`] record where the word starts.
pub const WORD_MARK_EVERY: usize = 128;

/// Where the words at positions 0, [`WORD_MARK_EVERY`], 2 × [`WORD_MARK_EVERY`], … of `text`
/// start (byte offsets, little-endian `u32`), stored beside the text so that
/// [`word_offsets`] can find a word deep in a long judgment without scanning to it. The word
/// positions are the index's (see [`word_offsets`]).
///
/// Every text is scanned once more for these when indexed, so ASCII is scanned eight bytes at a
/// time (the words' starts found with bit arithmetic); other characters one by one, as
/// [`WordRuns`] does.
pub fn word_marks(text: &str) -> Vec<u8> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let every = WORD_MARK_EVERY as u64;
    let mut marks = Vec::new();
    let bytes = text.as_bytes();
    let runs = WordRuns::new(text);
    let (mut i, mut words, mut in_word) = (0usize, 0u64, false);
    let mark = |at: usize, marks: &mut Vec<u8>| {
        if let Ok(at) = u32::try_from(at) {
            marks.extend_from_slice(&at.to_le_bytes());
        }
    };
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
            if x & HIGH == 0 {
                // Per byte, the high bit: a letter or digit.
                let word = ascii_alphanumerics(x);
                // A word starts where the byte before (in the chunk, or the last one before it)
                // is not in a word.
                let mut starts = word & !((word << 8) | if in_word { 0x80 } else { 0 });
                let n = u64::from(starts.count_ones());
                let due = (every - words % every) % every;
                if due < n {
                    for _ in 0..due {
                        starts &= starts - 1;
                    }
                    mark(i + starts.trailing_zeros() as usize / 8, &mut marks);
                }
                words += n;
                in_word = word >> 63 != 0;
                i += 8;
                continue;
            }
        }
        let (word, len) = match bytes[i] {
            b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            _ => runs.class(i),
        };
        if word && !in_word {
            if words % every == 0 {
                mark(i, &mut marks);
            }
            words += 1;
        }
        in_word = word;
        i += len;
    }
    marks
}

/// For eight ASCII bytes, each byte's high bit set if it is a letter or digit.
fn ascii_alphanumerics(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // For bytes below 0x80: the high bit of `(x | 0x80) - c` is set iff the byte is >= c.
    let at_least = |x: u64, c: u8| ((x | HIGH) - ONES * u64::from(c)) & HIGH;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let lower = x | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    digit | letter
}

/// The byte ranges of the words at `positions` (sorted, ascending) in `text`, in that order: the
/// word positions the index records (every maximal run of letters and digits counts one, as
/// tantivy's `SimpleTokenizer` counts them, also the runs folding skips), without analysing the
/// words. `marks` are the text's [`word_marks`] (empty: scan from the start; a mark that is no
/// character boundary of `text` is not used). A position past the text's end has no range.
pub fn word_offsets(text: &str, marks: &[u8], positions: &[usize]) -> Vec<(usize, usize)> {
    let mark = |m: usize| -> Option<usize> {
        let bytes: [u8; 4] = marks.get(m * 4..m * 4 + 4)?.try_into().ok()?;
        let at = u32::from_le_bytes(bytes) as usize;
        text.is_char_boundary(at).then_some(at)
    };
    let mut out = Vec::with_capacity(positions.len());
    let mut runs = WordRuns::new(text);
    // The position of the next run `runs` gives.
    let mut next = 0usize;
    for &wanted in positions {
        if wanted < next {
            continue;
        }
        let m = wanted / WORD_MARK_EVERY;
        if m * WORD_MARK_EVERY > next
            && let Some(at) = mark(m)
        {
            runs.at = at;
            next = m * WORD_MARK_EVERY;
        }
        loop {
            let Some(run) = runs.next_run() else {
                return out;
            };
            next += 1;
            if next - 1 == wanted {
                out.push(run);
                break;
            }
        }
    }
    out
}

/// The maximal runs of letters and digits of a text, in order, without analysing them.
struct WordRuns<'a> {
    text: &'a str,
    /// The byte to look at next.
    at: usize,
}

/// Per byte: 0 an ASCII byte that is no letter or digit, 1 one that is, 2 not ASCII.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [2u8; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() as u8;
        b += 1;
    }
    table
};

impl<'a> WordRuns<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    /// Whether the (non-ASCII) character at byte `i` is a letter or digit, and its length.
    fn class(&self, i: usize) -> (bool, usize) {
        let bytes = self.text.as_bytes();
        let b = bytes[i];
        if b & 0xE0 == 0xC0 && i + 1 < bytes.len() {
            // Latin with diacritics, Greek, Cyrillic: a table lookup.
            let c = (usize::from(b & 0x1F) << 6) | usize::from(bytes[i + 1] & 0x3F);
            (two_byte_alphanumerics()[c / 64] & (1 << (c % 64)) != 0, 2)
        } else {
            let c = self.text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    }

    /// The next run's byte range.
    fn next_run(&mut self) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut i = self.at;
        loop {
            while i < n && BYTE_CLASS[usize::from(bytes[i])] == 0 {
                i += 1;
            }
            if i >= n {
                self.at = n;
                return None;
            }
            if BYTE_CLASS[usize::from(bytes[i])] == 1 {
                break;
            }
            let (word, len) = self.class(i);
            if word {
                break;
            }
            i += len;
        }
        let start = i;
        loop {
            while i < n && BYTE_CLASS[usize::from(bytes[i])] == 1 {
                i += 1;
            }
            if i >= n || BYTE_CLASS[usize::from(bytes[i])] == 0 {
                break;
            }
            let (word, len) = self.class(i);
            if !word {
                break;
            }
            i += len;
        }
        self.at = i;
        Some((start, i))
    }
}

/// Which characters below U+0800 (one or two bytes in UTF-8) are letters or digits, as bits.
fn two_byte_alphanumerics() -> &'static [u64; 32] {
    static TABLE: std::sync::OnceLock<[u64; 32]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u64; 32];
        for (i, c) in (0u32..0x800).filter_map(|i| Some((i as usize, char::from_u32(i)?))) {
            if c.is_alphanumeric() {
                table[i / 64] |= 1 << (i % 64);
            }
        }
        table
    })
}

/// Lowercases and folds one word as described in the module documentation.
pub fn fold_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.chars().flat_map(char::to_lowercase) {
        if c.is_ascii() {
            out.push(c);
        } else if let Some(latin) = special(c) {
            out.push_str(latin);
        } else {
            // The base letter of a decomposed one may itself need folding: Cyrillic `ѐ`, `ѝ`
            // (accented е, и; found by the search_query fuzz target) become `e`, `i`.
            for d in c.nfd().filter(|d| !is_combining_mark(*d)) {
                match special(d) {
                    Some(latin) => out.push_str(latin),
                    None => out.push(d),
                }
            }
        }
    }
    // Latin `dž` has already become `dz` through NFD (ž → z); nothing more to do.
}

/// Letters that do not decompose into a base letter plus marks, and Cyrillic.
fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'đ' => "dj",
        'ł' => "l",
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ı' => "i",
        // Serbian Cyrillic, as in the official Latin alphabet (Gaj), then folded.
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'ђ' => "dj",
        'е' => "e",
        'ж' => "z",
        'з' => "z",
        'и' => "i",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "c",
        'џ' => "dz",
        'ш' => "s",
        // Macedonian and Russian letters that occur in regional texts.
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        'й' => "j",
        'ы' => "y",
        'э' => "e",
        'ю' => "ju",
        'я' => "ja",
        'щ' => "sc",
        'ё' => "e",
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

/// The folding filter: lowercase, transliterate and strip diacritics.
#[derive(Clone, Copy, Debug)]
pub struct Fold;

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldFilter<T> {
        FoldFilter {
            inner: tokenizer,
            buffer: String::new(),
        }
    }
}

/// [`Fold`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct FoldFilter<T> {
    inner: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for FoldFilter<T> {
    type TokenStream<'a> = FoldStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream {
            tail: self.inner.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

/// The token stream of [`FoldFilter`].
#[derive(Debug)]
pub struct FoldStream<'a, S> {
    tail: S,
    buffer: &'a mut String,
}

impl<S: TokenStream> TokenStream for FoldStream<'_, S> {
    fn advance(&mut self) -> bool {
        loop {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token_mut();
            if token.text.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            fold_word(&token.text, self.buffer);
            std::mem::swap(&mut token.text, self.buffer);
            // A word made only of signs (ъ, ь) folds to nothing: skip it.
            if !token.text.is_empty() {
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The tokenizer behind [`WORDS`]: the text's language tag read, then words split, folded, and
/// each followed by its marked stem at the same position when the stem differs from the word.
#[derive(Clone, Default)]
pub struct Words {
    simple: SimpleTokenizer,
    fold: String,
    stem: String,
    scratch: String,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Words").finish_non_exhaustive()
    }
}

impl Tokenizer for Words {
    type TokenStream<'a> =
        StemAlongside<'a, FoldStream<'a, <SimpleTokenizer as Tokenizer>::TokenStream<'a>>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let (language, text) = untag(text);
        StemAlongside {
            tail: FoldStream {
                tail: self.simple.token_stream(text),
                buffer: &mut self.fold,
            },
            language,
            stem: &mut self.stem,
            scratch: &mut self.scratch,
            pending: false,
        }
    }
}

/// The token stream of [`Words`] after folding: each word, then its marked stem.
#[derive(Debug)]
pub struct StemAlongside<'a, S> {
    tail: S,
    language: Language,
    /// The marked stem of the current word, when it is still to be emitted.
    stem: &'a mut String,
    scratch: &'a mut String,
    pending: bool,
}

impl<S: TokenStream> TokenStream for StemAlongside<'_, S> {
    fn advance(&mut self) -> bool {
        if self.pending {
            // Same position and offsets as the word: only the text changes.
            self.pending = false;
            std::mem::swap(&mut self.tail.token_mut().text, self.stem);
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        self.language.stem(&token.text, self.scratch);
        if self.language.marks(&token.text, self.scratch) {
            self.stem.clear();
            self.stem.push(STEM_MARK);
            self.stem.push_str(self.language.code());
            self.stem.push(':');
            self.stem.push_str(self.scratch);
            self.pending = true;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded_words(text: &str) -> Vec<String> {
        tokens(&mut folded(), text)
    }

    #[test]
    fn word_offsets_are_where_the_indexed_positions_are() {
        // Skipped by folding (a word of signs only, a word over the length limit) but counted;
        // combining marks, digits, Cyrillic, punctuation runs.
        let long = "x".repeat(MAX_TOKEN_BYTES + 5);
        let text = format!("Ђорђевић, e\u{301}te 12.5 ъ {long} -- Podgorici! «presude» 2024 ок");
        let mut analyzer = folded();
        let mut stream = analyzer.token_stream(&text);
        let mut indexed = Vec::new();
        while let Some(t) = stream.next() {
            indexed.push((t.position, (t.offset_from, t.offset_to)));
        }
        // The folded stream skips two words: their positions are not in `indexed`.
        assert!(
            indexed.iter().all(|(p, _)| *p != 5 && *p != 6),
            "{indexed:?}"
        );
        let positions: Vec<usize> = indexed.iter().map(|(p, _)| *p).collect();
        let ranges: Vec<(usize, usize)> = indexed.iter().map(|(_, r)| *r).collect();
        assert_eq!(word_offsets(&text, &[], &positions), ranges);
        // A subset, and a position past the end.
        let some = [positions[1], positions[positions.len() - 1], 10_000];
        assert_eq!(
            word_offsets(&text, &[], &some),
            vec![ranges[1], ranges[ranges.len() - 1]]
        );
        assert!(word_offsets(&text, &[], &[]).is_empty());
    }

    #[test]
    fn word_marks_are_where_every_128th_word_starts_in_ascii_and_not() {
        // Every ASCII byte next to the letters' and digits' ranges, words of every length
        // across the eight-byte chunks, and non-ASCII ones between.
        let mut text = String::new();
        for n in 0..2_000usize {
            let word: String = "aZ09zA".chars().cycle().take(1 + n % 11).collect();
            text.push_str(&word);
            text.push(
                [
                    "/", ":", "@", "[", "`", "{", " ", "  ", "š", "ђ", "\u{301}", "–",
                ][n % 12]
                    .chars()
                    .next()
                    .unwrap_or(' '),
            );
        }
        let starts: Vec<usize> = {
            let mut runs = WordRuns::new(&text);
            std::iter::from_fn(|| runs.next_run().map(|(s, _)| s)).collect()
        };
        let expected: Vec<u8> = starts
            .iter()
            .step_by(WORD_MARK_EVERY)
            .flat_map(|&s| (s as u32).to_le_bytes())
            .collect();
        assert!(starts.len() > 1_000);
        assert_eq!(word_marks(&text), expected);
        for b in 0u8..128 {
            let x = u64::from_le_bytes([b; 8]);
            let expected = if b.is_ascii_alphanumeric() {
                0x8080_8080_8080_8080
            } else {
                0
            };
            assert_eq!(ascii_alphanumerics(x), expected, "byte {b}");
        }
    }

    #[test]
    fn word_marks_find_the_same_words_as_scanning_from_the_start() {
        let text = "Ђорђевић, e\u{301}te 12.5 ъ Podgorici! «presude» ok ".repeat(300);
        let marks = word_marks(&text);
        assert_eq!(marks.len() % 4, 0);
        let all: Vec<usize> = (0..3_000).collect();
        let scanned = word_offsets(&text, &[], &all);
        assert_eq!(word_offsets(&text, &marks, &all), scanned);
        assert_eq!(marks.len() / 4, scanned.len().div_ceil(WORD_MARK_EVERY));
        for wanted in [
            vec![0, 1, 2],
            vec![127, 128, 129],
            vec![5, 700, 701, 2_500, 2_999],
            vec![1_000, 5_000],
        ] {
            let expected: Vec<(usize, usize)> = wanted
                .iter()
                .filter_map(|&p| scanned.get(p).copied())
                .collect();
            assert_eq!(word_offsets(&text, &marks, &wanted), expected, "{wanted:?}");
        }
        // Marks that do not fit the text (not on a character boundary) are not used.
        let bad = [1u8, 0, 0, 0].repeat(marks.len() / 4);
        assert_eq!(
            word_offsets(&text, &bad, &[700, 701]),
            vec![scanned[700], scanned[701]]
        );
    }

    #[test]
    fn accented_cyrillic_folds_like_plain() {
        // Stress marks on Cyrillic vowels (ѐ, ѝ, and е/и with a combining accent).
        assert_eq!(folded_words("Ѐ ѐ ѝ"), vec!["e", "e", "i"]);
        assert_eq!(folded_words("сѐ"), folded_words("се"));
        assert_eq!(folded_words("и\u{0300}"), folded_words("и"));
    }

    #[test]
    fn latin_cyrillic_and_undiacritised_spellings_meet() {
        let expected = vec!["djordjevic".to_string()];
        assert_eq!(folded_words("Đorđević"), expected);
        assert_eq!(folded_words("Djordjevic"), expected);
        assert_eq!(folded_words("ЂОРЂЕВИЋ"), expected);
        assert_eq!(folded_words("rođen"), folded_words("rodjen"));
        assert_eq!(folded_words("рођен"), folded_words("rodjen"));
        assert_eq!(folded_words("џамија"), folded_words("džamija"));
        assert_eq!(folded_words("Љубљана"), vec!["ljubljana"]);
    }

    #[test]
    fn albanian_and_french_diacritics_fold() {
        assert_eq!(
            folded_words("Gjykata Themelore në Prishtinë, çështja"),
            vec!["gjykata", "themelore", "ne", "prishtine", "ceshtja"]
        );
        assert_eq!(
            folded_words("arrêt Cour européenne"),
            vec!["arret", "cour", "europeenne"]
        );
    }

    #[test]
    fn indexed_words_carry_their_marked_stem_at_the_same_position() {
        let seen = |text: &str| {
            let mut words = words();
            let mut stream = words.token_stream(text);
            let mut seen = Vec::new();
            while let Some(token) = stream.next() {
                seen.push((token.text.clone(), token.position, token.offset_from));
            }
            seen
        };
        assert_eq!(
            seen(&tag(Language::English, "Roma pupils discriminated")),
            vec![
                ("roma".to_string(), 0, 0),
                ("pupils".to_string(), 1, 5),
                ("~en:pupil".to_string(), 1, 5),
                ("discriminated".to_string(), 2, 12),
                ("~en:discrimin".to_string(), 2, 12),
            ]
        );
        // In the document's language, with offsets into the text without its tag.
        assert_eq!(
            seen(&tag(Language::Serbian, "Osnovni sud u Podgorici")),
            vec![
                ("osnovni".to_string(), 0, 0),
                ("~sr:osnovn".to_string(), 0, 0),
                ("sud".to_string(), 1, 8),
                // Its own stem, marked all the same (`Language::marks_every_word`).
                ("~sr:sud".to_string(), 1, 8),
                ("u".to_string(), 2, 12),
                ("podgorici".to_string(), 3, 14),
                ("~sr:podgoric".to_string(), 3, 14),
            ]
        );
        // An untagged text is English, as every text was before the tags.
        assert_eq!(seen("pupils")[1].0, "~en:pupil");
    }

    #[test]
    fn marked_stems_name_their_language() {
        assert_eq!(marked(Language::Serbian, "presud"), "~sr:presud");
        assert_eq!(unmark("~sr:presud"), Some(("sr", "presud")));
        assert_eq!(unmark("presud"), None);
    }

    #[test]
    fn words_known_to_stem_to_themselves_do() {
        // As Snowball's English stems them (for the other languages it is a definition).
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        for word in [
            "a", "is", "of", "as", "us", "ys", "ed", "é", "ß", "12", "2020", "1990s", "0", "s",
        ] {
            if language::stems_to_itself(word) {
                assert_eq!(stemmer.stem(word), word, "{word}");
            }
        }
        assert!(!language::stems_to_itself("1990s"));
        assert!(!language::stems_to_itself("its"));
    }

    #[test]
    fn english_inflections_share_a_stem_only_when_stemmed() {
        let en = Language::English;
        assert_eq!(stems(en, "discriminated"), stems(en, "discrimination"));
        assert_eq!(
            stems(en, "Đorđević discriminated"),
            stems(en, "ЂОРЂЕВИЋ discrimination")
        );
        assert_eq!(stems(en, "Roma pupils"), vec!["roma", "pupil"]);
        assert_ne!(
            folded_words("discriminated"),
            folded_words("discrimination")
        );
    }
}
