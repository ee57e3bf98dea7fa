//! A light stemmer for Albanian, which has no Snowball stemmer.
//!
//! Albanian nouns take the definite article as an ending, and inflect for case and number
//! (Newmark, Hubbard & Prifti, *Standard Albanian: A Reference Grammar for Students*, 1982,
//! ch. 3; Camaj, *Albanian Grammar*, 1984, §§ 70–110). On a folded word (`ë` → `e`, `ç` → `c`):
//!
//! | form | masculine `mal` (mountain) | feminine `vajzë` (girl) | feminine in `-i` `shtëpi` (house) |
//! |---|---|---|---|
//! | indefinite | mal | vajze | shtepi |
//! | definite nominative | mal**i** | vajz**a** | shtepi**a** |
//! | definite accusative | mal**in** | vajz**en** | shtepi**ne** |
//! | definite genitive/dative/ablative | mal**it** | vajz**es** | shtepi**se** |
//! | plural indefinite | mal**e** | vajz**a** | shtepi |
//! | plural definite | mal**et** | vajz**at** | shtepi**te** |
//! | plural definite oblique | mal**eve** | vajz**ave** | shtepi**ve** |
//! | plural ablative indefinite | mal**esh** | vajz**ash** | — |
//!
//! The stemmer removes one of these endings, then the stem's final vowel, so that every form in a
//! column meets (`gjykata`, `gjykatë`, `gjykatës`, `gjykatën`, `gjykatat`, `gjykatave` →
//! `gjykat`). It does not remove `-në`: `Prishtinë` would lose its `n` and part from `Prishtina`,
//! `Prishtinës` (place names after `në` are very frequent in judgments); so the accusative of the
//! feminine nouns in `-i` (`shtëpinë`) is the one form that does not meet its others. `-së` and
//! `-të` are endings only after `i` (`shtëpisë`, but `klasë` is `klas` + `ë`); `-ve` after any
//! stem (`shtëpive`, `nxënësve`). The agent nouns in `-ës` (`nxënës`, `paditës`) lose it
//! before or after their endings, as the feminine genitive `-ës` is lost (`nxënësit` → `nxen`).
//!
//! The same endings are what the redactor adds to a name to find its inflected forms
//! ([`NAME_ENDINGS`]), so the two never disagree about what Albanian inflection is.

/// Endings Albanian adds to a noun or a name that ends in a consonant (`Krasniqi-t`, `mal-in`,
/// `mal-it`, `vajz-ës`, `mal-et`): the definite article, the case endings and the plurals, folded.
/// Shared with the redactor, which looks for a name with any of them.
pub const NAME_ENDINGS: &[&str] = &[
    "t", "n", "s", "se", "te", "ne", "it", "es", "en", "et", "ut", "un", "ve",
];

/// Plural endings that replace the final `-i` of a name (`Krasniqi` → `Krasniqët`,
/// `Krasniqëve`). Shared with the redactor.
pub const I_PLURAL_ENDINGS: &[&str] = &["et", "eve", "ve"];

/// What the stemmer removes, longest first: (ending, only after `i`).
const STEM_ENDINGS: &[(&str, bool)] = &[
    ("eve", false),
    ("ave", false),
    ("esh", false),
    ("ash", false),
    ("it", false),
    ("ut", false),
    ("in", false),
    ("un", false),
    ("es", false),
    ("en", false),
    ("et", false),
    ("at", false),
    ("se", true),
    ("te", true),
    ("ve", false),
    ("a", false),
    ("e", false),
    ("i", false),
    ("u", false),
];

/// The shortest stem left (in characters): shorter ones conflate unrelated words.
const MIN_STEM: usize = 3;

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The stem of a folded Albanian word (a slice of it).
pub fn stem(word: &str) -> &str {
    if !word.is_ascii() || word.len() <= MIN_STEM || word.bytes().any(|b| b.is_ascii_digit()) {
        return word;
    }
    let mut stem = word;
    for &(ending, after_i) in STEM_ENDINGS {
        if let Some(rest) = word.strip_suffix(ending)
            && rest.len() >= MIN_STEM
            && (!after_i || rest.ends_with('i'))
        {
            stem = rest;
            break;
        }
    }
    // The agent nouns in `-ës` (`nxënës`, `paditës`) take the endings after it: `nxënësit`,
    // `nxënësve` lose it as `nxënës` does (as `-ës`, the feminine genitive).
    if stem.len() != word.len()
        && let Some(rest) = stem.strip_suffix("es")
        && rest.len() >= MIN_STEM
    {
        stem = rest;
    }
    if stem.len() > MIN_STEM && stem.bytes().last().is_some_and(is_vowel) {
        stem = &stem[..stem.len() - 1];
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fold_word;

    fn folded_stem(word: &str) -> String {
        let mut folded = String::new();
        fold_word(word, &mut folded);
        stem(&folded).to_string()
    }

    #[test]
    fn the_forms_of_a_noun_meet() {
        for (forms, expected) in [
            (
                &[
                    "mal", "mali", "malin", "malit", "male", "malet", "maleve", "malesh",
                ][..],
                "mal",
            ),
            (
                &[
                    "vajzë", "vajza", "vajzën", "vajzës", "vajzat", "vajzave", "vajzash",
                ][..],
                "vajz",
            ),
            (
                &["shtëpi", "shtëpia", "shtëpisë", "shtëpitë", "shtëpive"][..],
                "shtep",
            ),
            (
                &[
                    "gjykata",
                    "gjykatë",
                    "gjykatës",
                    "gjykatën",
                    "gjykatat",
                    "gjykatave",
                ][..],
                "gjykat",
            ),
            (
                &[
                    "diskriminim",
                    "diskriminimi",
                    "diskriminimin",
                    "diskriminimit",
                    "diskriminime",
                    "diskriminimet",
                    "diskriminimeve",
                ][..],
                "diskriminim",
            ),
            (
                &["urrejtje", "urrejtja", "urrejtjes", "urrejtjen"][..],
                "urrejtj",
            ),
            (
                &["Prishtinë", "Prishtina", "Prishtinës", "Prishtinën"][..],
                "prishtin",
            ),
            (&["romë", "romët", "romëve", "romi"][..], "rom"),
            (
                &["fakt", "fakti", "faktin", "faktit", "fakte", "faktet"][..],
                "fakt",
            ),
            (&["nxënës", "nxënësi", "nxënësit", "nxënësve"][..], "nxen"),
            (
                &["paditës", "paditësi", "paditësin", "paditësit"][..],
                "padit",
            ),
        ] {
            for form in forms {
                assert_eq!(folded_stem(form), expected, "{form}");
            }
        }
    }

    #[test]
    fn short_words_numbers_and_the_accusative_in_ne_are_left() {
        for word in ["ne", "dhe", "per", "nga", "2020", "neni14"] {
            assert_eq!(stem(word), word);
        }
        // The documented miss: -në is not removed (module documentation).
        assert_ne!(folded_stem("shtëpinë"), folded_stem("shtëpi"));
    }
}
