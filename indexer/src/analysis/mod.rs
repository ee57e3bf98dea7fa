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
