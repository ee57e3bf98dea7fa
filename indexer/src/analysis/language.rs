//! The languages whose words are stemmed, how a document says which one it is written in, and
//! the stem of a word in each.

use std::{borrow::Cow, cell::RefCell};

use rustc_hash::FxHashMap;

use super::{albanian, fold_word};

/// A language the index stems. Every other language's words are indexed folded only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English (Snowball).
    English,
    /// Serbian, and Bosnian, Croatian and Montenegrin, in Latin or Cyrillic (Snowball's Serbian
    /// stemmer, on the folded word).
    Serbian,
    /// Albanian (our light stemmer, [`albanian`]).
    Albanian,
    /// French (Snowball), for the French judgments of the European Court.
    French,
    /// Any other language: words folded, not stemmed.
    Unstemmed,
}

impl Language {
    /// The languages a query word is stemmed in: every one the index stems.
    pub const STEMMED: [Language; 4] = [
        Language::English,
        Language::Serbian,
        Language::Albanian,
        Language::French,
    ];

    /// The code in the index (in a marked stem, `~sr:presud`, and in a text's tag).
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Serbian => "sr",
            Self::Albanian => "sq",
            Self::French => "fr",
            Self::Unstemmed => "xx",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "en" => Self::English,
            "sr" => Self::Serbian,
            "sq" => Self::Albanian,
            "fr" => Self::French,
            "xx" => Self::Unstemmed,
            _ => return None,
        })
    }

    /// The language of a BCP 47 tag (`sr-Latn-ME`, `bs`, `cnr`, `sq-XK`, `en-GB`), if it names
    /// one the index knows; its primary subtag decides.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" | "eng" => Self::English,
            // Serbo-Croatian and its standards: Serbian, Bosnian, Croatian, Montenegrin.
            "sr" | "srp" | "bs" | "bos" | "hr" | "hrv" | "cnr" | "me" | "sh" | "hbs" => {
                Self::Serbian
            }
            "sq" | "sqi" | "alb" | "als" | "aln" => Self::Albanian,
            "fr" | "fra" | "fre" => Self::French,
            "" => return None,
            _ => Self::Unstemmed,
        })
    }

    /// The language of a document: its tag when it has one the index knows, else the language
    /// its text is written in ([`detect`]), else English (what every text was stemmed as before
    /// the region's languages were).
    pub fn of_document(tag: Option<&str>, text: &str) -> Self {
        tag.and_then(Self::from_tag)
            .or_else(|| detect(text))
            .unwrap_or(Self::English)
    }

    /// Whether a word of this language that is its own stem is marked too (`sud` → `sud`,
    /// `~sr:sud`), so that a search finds the word through its marked stem alone and never needs
    /// the plain stem, which is a word of every language (the Serbian stem of `šuma` is `sum`,
    /// an English word). Every language but English, whose texts are most of an index's and
    /// whose own-stem words the commonest (`the`, `and`); words of two bytes and numbers never.
    pub fn marks_every_word(self) -> bool {
        matches!(self, Self::Serbian | Self::Albanian | Self::French)
    }

    /// Whether the index marks `word`, whose stem in this language is `stem`.
    pub fn marks(self, word: &str, stem: &str) -> bool {
        stem != word || (self.marks_every_word() && !stems_to_itself(word))
    }

    /// The folded word's stem in this language, written to `out` (cached; see [`STEMS`]).
    pub fn stem(self, word: &str, out: &mut String) {
        out.clear();
        if stems_to_itself(word) || self == Self::Unstemmed {
            out.push_str(word);
            return;
        }
        if self == Self::Albanian {
            out.push_str(albanian::stem(word));
            return;
        }
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let (maps, stemmers) = &mut *cache;
            let slot = self as usize;
            let stemmer = stemmers[slot].get_or_insert_with(|| {
                frostem::Stemmer::new(match self {
                    Self::Serbian => frostem::Algorithm::Serbian,
                    Self::French => frostem::Algorithm::French,
                    _ => frostem::Algorithm::English,
                })
            });
            let map = &mut maps[slot];
            if let Some(stem) = map.get(word) {
                out.push_str(stem);
                return;
            }
            let stem = stemmer.stem(word);
            // Snowball's Serbian writes its stems with č ć š ž đ: fold them like the words.
            let value: Box<str> = match stem {
                Cow::Borrowed(s) => s.into(),
                Cow::Owned(s) if s.is_ascii() => s.into(),
                Cow::Owned(s) => {
                    let mut folded = String::new();
                    fold_word(&s, &mut folded);
                    folded.into()
                }
            };
            out.push_str(&value);
            if map.len() >= STEM_CACHE_ENTRIES {
                map.clear();
            }
            map.insert(word.into(), value);
        });
    }
}

/// Stems kept per thread and language: the Snowball stemmers are the slowest step of indexing,
/// and words repeat (Zipf), so remembering recent stems makes it several times faster. Cleared
/// when full.
const STEM_CACHE_ENTRIES: usize = 200_000;

type Cache = (
    [FxHashMap<Box<str>, Box<str>>; 4],
    [Option<frostem::Stemmer>; 4],
);

thread_local! {
    static STEMS: RefCell<Cache> = RefCell::new(Default::default());
}

/// Words no stemmer is asked about: words of two bytes or fewer and numbers. Snowball's English
/// leaves them as they are anyway; for the other languages it is a definition, the same for
/// documents and queries (French would make `ys` into `y`). They are the most frequent tokens of
/// any text, so this spares the cache lookups.
pub(super) fn stems_to_itself(word: &str) -> bool {
    word.len() <= 2 || word.bytes().all(|b| b.is_ascii_digit())
}

/// Marks the start of an indexed text's language tag (and its end). A control character: the
/// tokenizer never makes it part of a word.
const TAG: char = '\u{1}';

/// An indexed text (a title or a body) with the language it is to be analysed in: the analyzer
/// of [`super::WORDS`] reads the tag and stems in that language. The index stores the tagged
/// text; [`untag`] gives the text back.
pub fn tag(language: Language, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push(TAG);
    out.push_str(language.code());
    out.push(TAG);
    out.push_str(text);
    out
}

/// The language and the text of a text written by [`tag`]; an untagged text is English (as every
/// text was before the tags).
pub fn untag(tagged: &str) -> (Language, &str) {
    if let Some(rest) = tagged.strip_prefix(TAG)
        && let Some((code, text)) = rest.split_once(TAG)
        && let Some(language) = Language::from_code(code)
    {
        return (language, text);
    }
    (Language::English, tagged)
}

/// Function words of each language (folded), the commonest words of any text in it. Legal texts
/// are long and use them on every line, so counting them tells the language from a few lines.
const FUNCTION_WORDS: &[(Language, &[&str])] = &[
    (
        Language::English,
        &[
            "the", "of", "and", "to", "that", "is", "was", "for", "by", "with", "on", "be", "not",
            "this", "which", "are", "were", "has", "have", "from", "his", "her", "it",
        ],
    ),
    (
        Language::Serbian,
        &[
            "je", "da", "se", "na", "za", "od", "su", "sa", "koji", "koja", "kao", "ili", "nije",
            "bio", "bila", "prema", "iz", "po", "sto", "ce", "bi", "su", "kod", "dana", "godine",
        ],
    ),
    (
        Language::Albanian,
        &[
            "te", "ne", "per", "me", "nga", "qe", "eshte", "nje", "dhe", "ka", "jane", "ishte",
            "nuk", "se", "si", "por", "edhe", "kete", "keto", "sipas", "nese",
        ],
    ),
    (
        Language::French,
        &[
            "le", "la", "les", "de", "des", "et", "du", "que", "qui", "est", "dans", "pour", "par",
            "une", "au", "aux", "sur", "pas", "il", "elle", "ont",
        ],
    ),
];

/// The words [`detect`] reads at most.
const DETECT_WORDS: usize = 400;

/// The language a text is written in, from its function words; `None` when it has too few of
/// them to tell (a short note, a list of names) or two languages tie.
pub fn detect(text: &str) -> Option<Language> {
    let mut counts = [0usize; 4];
    let mut word = String::new();
    for raw in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(DETECT_WORDS)
    {
        fold_word(raw, &mut word);
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            if words.contains(&word.as_str()) {
                counts[i] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let (best, second) = (counts[order[0]], counts[order[1]]);
    // At least three function words, and clearly more of one language's than of any other's.
    (best >= 3 && best * 2 > second * 3).then(|| FUNCTION_WORDS[order[0]].0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_the_languages_of_the_region() {
        for (tag, language) in [
            ("sr-Latn-ME", Language::Serbian),
            ("sr-Cyrl", Language::Serbian),
            ("bs", Language::Serbian),
            ("hr", Language::Serbian),
            ("cnr", Language::Serbian),
            ("sq", Language::Albanian),
            ("sq-XK", Language::Albanian),
            ("en", Language::English),
            ("fr", Language::French),
            ("de", Language::Unstemmed),
        ] {
            assert_eq!(Language::from_tag(tag), Some(language), "{tag}");
        }
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn a_text_says_its_language_through_its_function_words() {
        assert_eq!(
            detect(
                "Gjykata vendosi se nxënësit romë janë ndarë në klasë të veçanta dhe se kjo është diskriminim."
            ),
            Some(Language::Albanian)
        );
        assert_eq!(
            detect(
                "Sud je utvrdio da je okrivljeni izgovorio uvredljive riječi na račun oštećenog zbog njegove nacionalne pripadnosti."
            ),
            Some(Language::Serbian)
        );
        assert_eq!(
            detect("Суд је утврдио да је окривљени изговорио увредљиве речи на рачун оштећеног."),
            Some(Language::Serbian)
        );
        assert_eq!(
            detect(
                "The court found that the pupils were placed in separate classes because of their ethnicity."
            ),
            Some(Language::English)
        );
        assert_eq!(
            detect("La Cour constate que les requérants ont été placés dans des classes séparées."),
            Some(Language::French)
        );
        assert_eq!(detect("Arben Krasniqi, Drita Berisha"), None);
        assert_eq!(
            Language::of_document(None, "Arben Krasniqi"),
            Language::English
        );
        assert_eq!(
            Language::of_document(Some("sq"), "The court"),
            Language::Albanian
        );
    }

    #[test]
    fn a_tagged_text_gives_back_its_language_and_text() {
        let tagged = tag(Language::Serbian, "Osnovni sud u Podgorici");
        assert_eq!(
            untag(&tagged),
            (Language::Serbian, "Osnovni sud u Podgorici")
        );
        assert_eq!(untag("plain"), (Language::English, "plain"));
        // A text that itself starts with the tag character is not mistaken for a tag.
        let odd = tag(Language::French, "\u{1}sr\u{1}x");
        assert_eq!(untag(&odd), (Language::French, "\u{1}sr\u{1}x"));
    }

    #[test]
    fn the_serbian_forms_meet_in_every_script_and_spelling() {
        let stem = |word: &str| {
            let mut folded = String::new();
            fold_word(word, &mut folded);
            let mut out = String::new();
            Language::Serbian.stem(&folded, &mut out);
            out
        };
        for forms in [
            &[
                "Podgorica",
                "Podgorici",
                "Podgoricu",
                "Подгорици",
                "ПОДГОРИЦА",
            ][..],
            &["presuda", "presude", "presudom", "presudu", "пресуде"][..],
            &[
                "diskriminacija",
                "diskriminacije",
                "diskriminaciju",
                "дискриминацијом",
            ][..],
            &["mržnje", "mrznje", "mržnja", "мржње"][..],
        ] {
            let first = stem(forms[0]);
            for form in forms {
                assert_eq!(stem(form), first, "{form}");
            }
        }
    }
}
