//! Text analysis for the region's languages.
//!
//! Every text field goes through the same steps: split into words, lowercase, fold, and (for the
//! default fields) stem English inflections. Folding follows how people in the region type without
//! local keyboards:
//!
//! - Serbian/Montenegrin Cyrillic is transliterated to Latin, so a query in either script finds text
//!   in either (`Ђорђевић` = `Đorđević`);
//! - `đ` becomes `dj` (also from Cyrillic `ђ`), `dž`/`џ` become `dz`, and every other diacritic is
//!   dropped (`č ć → c`, `š → s`, `ž → z`, Albanian `ë → e`, `ç → c`, French `é → e`);
//! - so `Đorđević`, `Djordjevic` and `Ђорђевић` all become `djordjevic`.
//!
//! Stemming uses the English Snowball stemmer on every language: it conflates `discriminated` and
//! `discrimination`; on Serbian or Albanian words it does little, and does it identically to documents
//! and queries.
//!
//! The index holds each text once ([`WORDS`]): every word as folded (what `exact` search, phrases
//! in exact mode and prefixes look for), and, at the same position, its stem marked with
//! [`STEM_MARK`] when the stem differs from the word (`discriminated` → `discriminated`,
//! `~discrimin`). A stemmed search for a word with stem `s` looks for `~s`, and also for the plain
//! word `s` when `s` is its own stem (a text word that is its own stem gets no marked token).
//! One analysis pass and one set of postings instead of a stemmed and an unstemmed copy.

use std::{borrow::Cow, cell::RefCell};

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

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

/// The analyzer behind [`FOLDED`].
pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .build()
}

/// The analyzer behind [`WORDS`].
pub fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Fold)
        .filter(StemAlongside)
        .build()
}

/// The indexed terms a stemmed search for a word with stem `stem` looks for: the marked stem,
/// and the plain word `stem` if that word is its own stem (then its occurrences carry no mark).
pub fn stem_terms(stem: &str) -> Vec<String> {
    let mut marked = String::with_capacity(stem.len() + 1);
    marked.push(STEM_MARK);
    marked.push_str(stem);
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    let mut again = String::new();
    stem_word(&stemmer, stem, &mut again);
    if again == stem {
        vec![marked, stem.to_string()]
    } else {
        vec![marked]
    }
}

/// The stems of a text's words, folded first (the stemmed mode's query words).
pub fn stems(text: &str) -> Vec<String> {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    let mut stem = String::new();
    tokens(&mut folded(), text)
        .into_iter()
        .map(|word| {
            stem_word(&stemmer, &word, &mut stem);
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

/// Stems kept per thread: the Snowball stemmer is the slowest step of indexing, and words repeat
/// (Zipf), so remembering recent stems makes it several times faster. Cleared when full.
const STEM_CACHE_ENTRIES: usize = 200_000;

thread_local! {
    static STEMS: RefCell<FxHashMap<Box<str>, Box<str>>> = RefCell::new(FxHashMap::default());
}

/// Words the English Snowball stemmer leaves as they are, known without asking it: words of fewer
/// than three characters (the algorithm's first rule) and numbers (every suffix it removes is made
/// of letters). They are the most frequent tokens of any text, so this spares the cache lookups.
fn stems_to_itself(word: &str) -> bool {
    word.len() <= 2 || word.bytes().all(|b| b.is_ascii_digit())
}

/// The English Snowball stem of a folded word (cached).
pub fn stem_word(stemmer: &frostem::Stemmer, word: &str, out: &mut String) {
    out.clear();
    if stems_to_itself(word) {
        out.push_str(word);
        return;
    }
    STEMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(stem) = cache.get(word) {
            out.push_str(stem);
            return;
        }
        let stem = stemmer.stem(word);
        out.push_str(&stem);
        if cache.len() >= STEM_CACHE_ENTRIES {
            cache.clear();
        }
        let value: Box<str> = match stem {
            Cow::Borrowed(s) => s.into(),
            Cow::Owned(s) => s.into(),
        };
        cache.insert(word.into(), value);
    });
}

/// The filter behind [`WORDS`]: after each folded word, its marked stem at the same position
/// when the stem differs from the word.
#[derive(Clone, Copy, Debug)]
pub struct StemAlongside;

impl TokenFilter for StemAlongside {
    type Tokenizer<T: Tokenizer> = StemAlongsideFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemAlongsideFilter<T> {
        StemAlongsideFilter {
            inner: tokenizer,
            stem: String::new(),
            scratch: String::new(),
        }
    }
}

/// [`StemAlongside`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct StemAlongsideFilter<T> {
    inner: T,
    stem: String,
    scratch: String,
}

impl<T: Tokenizer> Tokenizer for StemAlongsideFilter<T> {
    type TokenStream<'a> = StemAlongsideStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemAlongsideStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stem: &mut self.stem,
            scratch: &mut self.scratch,
            pending: false,
        }
    }
}

/// The token stream of [`StemAlongsideFilter`].
pub struct StemAlongsideStream<'a, S> {
    tail: S,
    stemmer: frostem::Stemmer,
    /// The marked stem of the current word, when it is still to be emitted.
    stem: &'a mut String,
    scratch: &'a mut String,
    pending: bool,
}

impl<S> std::fmt::Debug for StemAlongsideStream<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StemAlongsideStream")
            .finish_non_exhaustive()
    }
}

impl<S: TokenStream> TokenStream for StemAlongsideStream<'_, S> {
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
        stem_word(&self.stemmer, &token.text, self.scratch);
        if *self.scratch != token.text {
            self.stem.clear();
            self.stem.push(STEM_MARK);
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
        let mut words = words();
        let mut stream = words.token_stream("Roma pupils discriminated");
        let mut seen = Vec::new();
        while let Some(token) = stream.next() {
            seen.push((token.text.clone(), token.position, token.offset_from));
        }
        assert_eq!(
            seen,
            vec![
                ("roma".to_string(), 0, 0),
                ("pupils".to_string(), 1, 5),
                ("~pupil".to_string(), 1, 5),
                ("discriminated".to_string(), 2, 12),
                ("~discrimin".to_string(), 2, 12),
            ]
        );
        // What a stemmed search looks for: the marked stem, and the plain word when it is its
        // own stem ("roma" is; "discrimin" is, "happi" is).
        assert_eq!(stem_terms("pupil"), vec!["~pupil", "pupil"]);
        let mut stem = String::new();
        stem_word(
            &frostem::Stemmer::new(frostem::Algorithm::English),
            "discrimination",
            &mut stem,
        );
        assert_eq!(stem_terms(&stem)[0], "~discrimin");
    }

    #[test]
    fn words_known_to_stem_to_themselves_do() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        for word in [
            "a", "is", "of", "as", "us", "ys", "ed", "é", "ß", "12", "2020", "1990s", "0", "s",
        ] {
            if stems_to_itself(word) {
                assert_eq!(stemmer.stem(word), word, "{word}");
            }
        }
        assert!(!stems_to_itself("1990s"));
        assert!(!stems_to_itself("its"));
    }

    #[test]
    fn english_inflections_share_a_stem_only_when_stemmed() {
        assert_eq!(stems("discriminated"), stems("discrimination"));
        assert_eq!(
            stems("Đorđević discriminated"),
            stems("ЂОРЂЕВИЋ discrimination")
        );
        assert_eq!(stems("Roma pupils"), vec!["roma", "pupil"]);
        assert_ne!(
            folded_words("discriminated"),
            folded_words("discrimination")
        );
    }
}
