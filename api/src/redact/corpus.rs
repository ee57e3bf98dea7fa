//! The redaction corpus: one row per kind of spelling that text really carries (issue 19 §5),
//! and the words that must stay readable beside them. The unit tests here run it through the
//! redactor; `tests/api/redaction.rs` runs the same rows through a published case and checks
//! every way out (API reads, search, snippets, datasets). All names are invented (fictional).

use super::{Redactor, Term, TermKind};

/// The corpus's sensitive terms: (term, kind code, whether it names a party).
pub const TERMS: &[(&str, &str, bool)] = &[
    ("Arben Krasniqi", "name", true),
    ("Dragana Petrović", "name", false),
    ("Luka Novak", "name", false),
    ("Rruga e Dëshmorëve 12", "address", false),
    ("Ulica Kralja Petra 7", "address", false),
];

/// The redactor of [`TERMS`], the party named by its pseudonym "Party A".
pub fn redactor() -> Redactor {
    let terms: Vec<Term> = TERMS
        .iter()
        .map(|(text, kind, party)| Term {
            text: (*text).into(),
            kind: TermKind::parse(kind).unwrap_or(TermKind::Other),
            pseudonym: party.then(|| "Party A".into()),
        })
        .collect();
    Redactor::new(&terms)
}

/// (category, text, a word of the name that must be gone).
pub const MUST_MASK: &[(&str, &str, &str)] = &[
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
    ("Serbian -evom", "sa Petrovićevom sestrom", "Petrović"),
    ("Serbian -ovih", "kod Novakovih komšija", "Novakov"),
    (
        "palatalised stem -k/-c, dative",
        "Rekli su Luci da čeka.",
        "Luci",
    ),
    (
        "palatalised stem -k/-c, plural",
        "Novaci su došli.",
        "Novaci",
    ),
    ("palatalised stem, vocative", "Novače, ustani!", "Novače"),
    (
        "palatalised stem in Cyrillic",
        "Рекли су Луци да чека.",
        "Луци",
    ),
    ("Albanian plural definite", "Krasniqët erdhën.", "Krasniqët"),
    (
        "Albanian plural genitive",
        "shtëpia e Krasniqëve",
        "Krasniqëve",
    ),
    (
        "name shortened by a letter",
        "Arben Krasniq testified.",
        "Krasniq",
    ),
    (
        "address with comma and nr.",
        "jeton në Rruga e Dëshmorëve, nr. 12, Prishtinë",
        "12",
    ),
    (
        "address abbreviated Rr.",
        "jeton në Rr. Dëshmorëve 12 tani",
        "Dëshmorëve",
    ),
    (
        "address with br. and ul.",
        "živi u ul. Kralja Petra br. 7 sada",
        "Kralja",
    ),
    (
        "address with no number (bb)",
        "živi u Ulica Kralja Petra bb",
        "Petra",
    ),
];

/// (category, text, what must be gone): numbers that identify someone, unlisted.
pub const PATTERNS_MASK: &[(&str, &str, &str)] = &[
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
pub const PATTERNS_KEEP: &[&str] = &[
    "on 12.03.2019 at 10:30",
    "on 01.03.2019 the court sat",
    "on 2019-03-01 the court sat",
    "case P. 1234/2019, fine of EUR 10 000",
    "ECLI:CE:ECHR:2019:0312JUD004357798",
    "Article 3 and 14, § 1",
    "K 12/24 and P 404/26",
    "sentence of 6 months, costs 150.00 EUR",
];

/// Ordinary words near the terms' spellings that must stay readable.
pub const MUST_KEEP: &[&str] = &[
    "The market opened.",
    "Krasnodar is a city.",
    "Petrol prices rose.",
    "An arbitrary decision.",
    "Kosovo Police and the Basic Court.",
    "iPhone photos were shown.",
    "Lucid reasoning and a lucky break.",
    "The novel was read in court.",
    "Kralj is a common word in titles.",
    "Dëshmorët e kombit u përkujtuan.",
    "Ulica and rruga mean street.",
];

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(r.apply("JMBG1505985715123 given"), "JMBG[id number] given");
    }

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
