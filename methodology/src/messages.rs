//! The validator's messages in English, Albanian and Serbian (Latin and Cyrillic script).
//!
//! A [`Message`] is what is wrong with one answer, with its particulars (codes, values, limits)
//! kept apart from the words, so that it can be said in any [`Lang`]. Codes and values are never
//! translated or transliterated: a monitor must be able to find `'astronaut'` or `person_role` in
//! the form, whatever the language of the message. The Cyrillic text is the Latin Serbian text
//! transliterated (the methodology's Serbian labels are Latin).

use serde::Serialize;

/// A language messages are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Albanian.
    Sq,
    /// Serbian, Latin script.
    SrLatn,
    /// Serbian, Cyrillic script.
    SrCyrl,
}

impl Lang {
    /// The BCP 47 tag, for `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Sq => "sq",
            Self::SrLatn => "sr-Latn",
            Self::SrCyrl => "sr-Cyrl",
        }
    }

    /// The language a single BCP 47 tag asks for, if it is one of ours. Bosnian, Croatian and
    /// Montenegrin readers get Serbian in Latin script.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "en" => Some(Self::En),
            "sq" => Some(Self::Sq),
            "sr" if tag.contains("cyrl") => Some(Self::SrCyrl),
            "sr" | "sh" | "bs" | "hr" | "cnr" => Some(Self::SrLatn),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header (RFC 9110: by quality, then
    /// order); English when none is asked for or none matches.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            if let Some(lang) = Self::from_tag(tag)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }
}

/// Serbian Latin text in Cyrillic script (Vuk's alphabet: `lj`, `nj`, `dž` are one letter each).
/// Letters outside the Serbian Latin alphabet (q, w, x, y) are left as they are.
pub fn to_cyrillic(latin: &str) -> String {
    let mut out = String::with_capacity(latin.len() * 2);
    let chars: Vec<char> = latin.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let digraph = match (c, next) {
            ('l', Some('j')) => Some('љ'),
            ('L', Some('j' | 'J')) => Some('Љ'),
            ('n', Some('j')) => Some('њ'),
            ('N', Some('j' | 'J')) => Some('Њ'),
            ('d', Some('ž')) => Some('џ'),
            ('D', Some('ž' | 'Ž')) => Some('Џ'),
            _ => None,
        };
        if let Some(d) = digraph {
            out.push(d);
            i += 2;
            continue;
        }
        let single = match c {
            'a' => 'а',
            'b' => 'б',
            'c' => 'ц',
            'č' => 'ч',
            'ć' => 'ћ',
            'd' => 'д',
            'đ' => 'ђ',
            'e' => 'е',
            'f' => 'ф',
            'g' => 'г',
            'h' => 'х',
            'i' => 'и',
            'j' => 'ј',
            'k' => 'к',
            'l' => 'л',
            'm' => 'м',
            'n' => 'н',
            'o' => 'о',
            'p' => 'п',
            'r' => 'р',
            's' => 'с',
            'š' => 'ш',
            't' => 'т',
            'u' => 'у',
            'v' => 'в',
            'z' => 'з',
            'ž' => 'ж',
            'A' => 'А',
            'B' => 'Б',
            'C' => 'Ц',
            'Č' => 'Ч',
            'Ć' => 'Ћ',
            'D' => 'Д',
            'Đ' => 'Ђ',
            'E' => 'Е',
            'F' => 'Ф',
            'G' => 'Г',
            'H' => 'Х',
            'I' => 'И',
            'J' => 'Ј',
            'K' => 'К',
            'L' => 'Л',
            'M' => 'М',
            'N' => 'Н',
            'O' => 'О',
            'P' => 'П',
            'R' => 'Р',
            'S' => 'С',
            'Š' => 'Ш',
            'T' => 'Т',
            'U' => 'У',
            'V' => 'В',
            'Z' => 'З',
            'Ž' => 'Ж',
            other => other,
        };
        out.push(single);
        i += 1;
    }
    out
}

/// Text in one language: English, Albanian, Serbian (Latin). Cyrillic is derived.
#[derive(Debug, Clone, Copy)]
pub struct Said {
    /// English.
    pub en: &'static str,
    /// Albanian.
    pub sq: &'static str,
    /// Serbian, Latin script.
    pub sr: &'static str,
}

impl Said {
    /// This text in `lang`, its `{0}`, `{1}`, … filled with `args` (never transliterated).
    pub fn fill(&self, lang: Lang, args: &[&str]) -> String {
        let template = match lang {
            Lang::En => self.en.to_owned(),
            Lang::Sq => self.sq.to_owned(),
            Lang::SrLatn => self.sr.to_owned(),
            Lang::SrCyrl => to_cyrillic(self.sr),
        };
        let mut out = template;
        for (i, arg) in args.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), arg);
        }
        out
    }
}

/// What is wrong with one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// The code names no question of this methodology version.
    NoSuchQuestion {
        /// The methodology version.
        version: String,
    },
    /// The question belongs to records of another scope.
    WrongScope {
        /// The scope the question belongs to.
        question_scope: String,
        /// The scope of the record being answered.
        record_scope: String,
    },
    /// The question's condition is not met, so it may not be answered.
    DoesNotApply {
        /// The question the condition looks at.
        depends_on: String,
        /// The answers that make this question apply.
        any_of: String,
    },
    /// Required before submitting.
    Required,
    /// `null` given as an answer.
    NullAnswer,
    /// Not one of the allowed values.
    OneOf {
        /// The values allowed.
        allowed: String,
        /// What was given.
        got: String,
    },
    /// A single-choice answer that is not a string.
    TermAsString {
        /// The vocabulary the answer must come from.
        vocabulary: String,
        /// What was given.
        got: String,
    },
    /// A multiple-choice answer that is not a list.
    TermList {
        /// The vocabulary the answer must come from.
        vocabulary: String,
        /// What was given.
        got: String,
    },
    /// The same term twice in a list.
    Duplicate {
        /// The term.
        term: String,
    },
    /// A list item that is not a string.
    ItemNotString {
        /// What was given.
        got: String,
    },
    /// A fraction where a whole number is needed.
    WholeNumber {
        /// What was given.
        got: String,
    },
    /// A number out of its range.
    Between {
        /// The smallest value allowed.
        min: String,
        /// The largest value allowed.
        max: String,
        /// What was given.
        got: String,
    },
    /// Not a number.
    Number {
        /// What was given.
        got: String,
    },
    /// Not a date.
    Date {
        /// What was given.
        got: String,
    },
    /// Not a date and time.
    DateTime {
        /// What was given.
        got: String,
    },
    /// Not text.
    Text {
        /// What was given.
        got: String,
    },
    /// Blank text.
    EmptyText,
    /// Text over its limit.
    TooLong {
        /// The length given.
        length: String,
        /// The longest allowed.
        limit: String,
    },
    /// Not a term of the vocabulary.
    NotATerm {
        /// The term.
        term: String,
        /// The vocabulary the answer must come from.
        vocabulary: String,
        /// The values allowed.
        allowed: String,
    },
    /// A term not listed for the case's jurisdiction.
    NotInJurisdiction {
        /// The term.
        term: String,
        /// The case's jurisdiction.
        jurisdiction: String,
        /// The terms listed for that jurisdiction.
        listed: String,
    },
}

/// A scope's name as the messages use it ("a case question", "observation answers").
fn scope_word(scope: &str, lang: Lang) -> String {
    let said = match scope {
        "case" => Said {
            en: "case",
            sq: "rastit",
            sr: "predmeta",
        },
        "observation" => Said {
            en: "observation",
            sq: "vëzhgimit",
            sr: "posmatranja",
        },
        "ruling" => Said {
            en: "ruling",
            sq: "vendimit",
            sr: "presude",
        },
        _ => return scope.to_owned(),
    };
    said.fill(lang, &[])
}

impl Message {
    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        use Message as M;
        let (said, args): (Said, Vec<&str>) = match self {
            M::NoSuchQuestion { version } => (
                Said {
                    en: "no question with this code in methodology version {0}",
                    sq: "nuk ka pyetje me këtë kod në versionin {0} të metodologjisë",
                    sr: "nema pitanja sa ovom šifrom u verziji {0} metodologije",
                },
                vec![version],
            ),
            M::WrongScope {
                question_scope,
                record_scope,
            } => {
                let (q, r) = (
                    scope_word(question_scope, lang),
                    scope_word(record_scope, lang),
                );
                return Said {
                    en: "this is a {0} question; it cannot be answered in {1} answers",
                    sq: "kjo është pyetje e {0}; nuk mund të përgjigjet te përgjigjet e {1}",
                    sr: "ovo je pitanje {0}; ne može se odgovoriti u odgovorima {1}",
                }
                .fill(lang, &[&q, &r]);
            }
            M::DoesNotApply { depends_on, any_of } => (
                Said {
                    en: "does not apply here (it applies only when '{0}' is one of: {1}); leave it out",
                    sq: "nuk zbatohet këtu (zbatohet vetëm kur '{0}' është një nga: {1}); lëreni jashtë",
                    sr: "ne primenjuje se ovde (primenjuje se samo kada je '{0}' jedno od: {1}); izostavite ga",
                },
                vec![depends_on, any_of],
            ),
            M::Required => (
                Said {
                    en: "is required before the record can be submitted",
                    sq: "është e detyrueshme para se të dorëzohet regjistrimi",
                    sr: "obavezno je pre nego što se zapis podnese",
                },
                vec![],
            ),
            M::NullAnswer => (
                Said {
                    en: "null is not an answer; leave the question out to leave it unanswered",
                    sq: "null nuk është përgjigje; lëreni pyetjen jashtë për ta lënë pa përgjigje",
                    sr: "null nije odgovor; izostavite pitanje da biste ga ostavili bez odgovora",
                },
                vec![],
            ),
            M::OneOf { allowed, got } => (
                Said {
                    en: "must be one of {0}, got {1}",
                    sq: "duhet të jetë një nga {0}, u dha {1}",
                    sr: "mora biti jedno od {0}, dato je {1}",
                },
                vec![allowed, got],
            ),
            M::TermAsString { vocabulary, got } => (
                Said {
                    en: "must be one term code of vocabulary '{0}' as a string, got {1}",
                    sq: "duhet të jetë një kod termi i fjalorit '{0}' si tekst, u dha {1}",
                    sr: "mora biti jedna šifra pojma iz rečnika '{0}' kao tekst, dato je {1}",
                },
                vec![vocabulary, got],
            ),
            M::TermList { vocabulary, got } => (
                Said {
                    en: "must be a list of term codes of vocabulary '{0}', got {1}",
                    sq: "duhet të jetë një listë kodesh termash të fjalorit '{0}', u dha {1}",
                    sr: "mora biti lista šifara pojmova iz rečnika '{0}', dato je {1}",
                },
                vec![vocabulary, got],
            ),
            M::Duplicate { term } => (
                Said {
                    en: "lists '{0}' more than once",
                    sq: "e përmend '{0}' më shumë se një herë",
                    sr: "navodi '{0}' više puta",
                },
                vec![term],
            ),
            M::ItemNotString { got } => (
                Said {
                    en: "list items must be term codes as strings, got {0}",
                    sq: "elementet e listës duhet të jenë kode termash si tekst, u dha {0}",
                    sr: "stavke liste moraju biti šifre pojmova kao tekst, dato je {0}",
                },
                vec![got],
            ),
            M::WholeNumber { got } => (
                Said {
                    en: "must be a whole number, got {0}",
                    sq: "duhet të jetë numër i plotë, u dha {0}",
                    sr: "mora biti ceo broj, dato je {0}",
                },
                vec![got],
            ),
            M::Between { min, max, got } => (
                Said {
                    en: "must be between {0} and {1}, got {2}",
                    sq: "duhet të jetë ndërmjet {0} dhe {1}, u dha {2}",
                    sr: "mora biti između {0} i {1}, dato je {2}",
                },
                vec![min, max, got],
            ),
            M::Number { got } => (
                Said {
                    en: "must be a number, got {0}",
                    sq: "duhet të jetë numër, u dha {0}",
                    sr: "mora biti broj, dato je {0}",
                },
                vec![got],
            ),
            M::Date { got } => (
                Said {
                    en: "must be a date written {0}, got {1}",
                    sq: "duhet të jetë datë e shkruar {0}, u dha {1}",
                    sr: "mora biti datum napisan kao {0}, dato je {1}",
                },
                vec!["YYYY-MM-DD", got],
            ),
            M::DateTime { got } => (
                Said {
                    en: "must be a date and time in {0} form ({1}), got {2}",
                    sq: "duhet të jetë datë dhe orë në formën {0} ({1}), u dha {2}",
                    sr: "mora biti datum i vreme u obliku {0} ({1}), dato je {2}",
                },
                vec!["RFC 3339", "2025-03-14T09:30:00+01:00", got],
            ),
            M::Text { got } => (
                Said {
                    en: "must be text, got {0}",
                    sq: "duhet të jetë tekst, u dha {0}",
                    sr: "mora biti tekst, dato je {0}",
                },
                vec![got],
            ),
            M::EmptyText => (
                Said {
                    en: "is empty; leave the question out to leave it unanswered",
                    sq: "është bosh; lëreni pyetjen jashtë për ta lënë pa përgjigje",
                    sr: "prazno je; izostavite pitanje da biste ga ostavili bez odgovora",
                },
                vec![],
            ),
            M::TooLong { length, limit } => (
                Said {
                    en: "is {0} characters long; the limit is {1}",
                    sq: "ka {0} shenja; kufiri është {1}",
                    sr: "dužina je {0} znakova; ograničenje je {1}",
                },
                vec![length, limit],
            ),
            M::NotATerm {
                term,
                vocabulary,
                allowed,
            } => (
                Said {
                    en: "'{0}' is not a term of vocabulary '{1}'; expected one of: {2}",
                    sq: "'{0}' nuk është term i fjalorit '{1}'; pritet një nga: {2}",
                    sr: "'{0}' nije pojam iz rečnika '{1}'; očekuje se jedno od: {2}",
                },
                vec![term, vocabulary, allowed],
            ),
            M::NotInJurisdiction {
                term,
                jurisdiction,
                listed,
            } => (
                Said {
                    en: "'{0}' is not listed for jurisdiction {1} (it applies in {2})",
                    sq: "'{0}' nuk është në listën e juridiksionit {1} (zbatohet në {2})",
                    sr: "'{0}' nije naveden za nadležnost {1} (primenjuje se u {2})",
                },
                vec![term, jurisdiction, listed],
            ),
        };
        said.fill(lang, &args)
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_of_ours() {
        assert_eq!(
            Lang::from_accept_language("sq-AL,sq;q=0.9,en;q=0.8"),
            Lang::Sq
        );
        assert_eq!(
            Lang::from_accept_language("de, sr-Cyrl-RS;q=0.7, en;q=0.5"),
            Lang::SrCyrl
        );
        assert_eq!(Lang::from_accept_language("sr-ME"), Lang::SrLatn);
        assert_eq!(Lang::from_accept_language("cnr, en;q=0.1"), Lang::SrLatn);
        assert_eq!(Lang::from_accept_language("fr-FR, de"), Lang::En);
        assert_eq!(Lang::from_accept_language("sq;q=0, en"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn cyrillic_keeps_codes_and_values_as_they_are() {
        assert_eq!(to_cyrillic("Njegoš, ljubav, džep"), "Његош, љубав, џеп");
        let m = Message::NotATerm {
            term: "astronaut".into(),
            vocabulary: "person_role".into(),
            allowed: "judge, public".into(),
        };
        let cyrillic = m.render(Lang::SrCyrl);
        assert!(
            cyrillic.starts_with("'astronaut' није појам из речника 'person_role'"),
            "{cyrillic}"
        );
        assert!(cyrillic.ends_with("judge, public"), "{cyrillic}");
        assert_eq!(
            Message::Date {
                got: "\"14.03.2025\"".into()
            }
            .render(Lang::Sq),
            "duhet të jetë datë e shkruar YYYY-MM-DD, u dha \"14.03.2025\""
        );
        assert_eq!(
            Message::Required.to_string(),
            "is required before the record can be submitted"
        );
    }
}
