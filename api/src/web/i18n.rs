//! The interface's languages: English, Albanian and Serbian in Latin script from one Fluent
//! catalogue each (`api/locales/*.ftl`, embedded in the binary, with plural rules), and Serbian in
//! Cyrillic script made from the Latin text by transliteration. Values put into a message (names,
//! e-mail addresses) are never transliterated.

use std::{borrow::Cow, sync::OnceLock};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};

/// An interface language and script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Albanian.
    Sq,
    /// Serbian, Latin script.
    Sr,
    /// Serbian, Cyrillic script.
    SrCyrl,
}

impl Lang {
    /// Every choice, in the order the language menu shows them.
    pub const ALL: [Lang; 4] = [Lang::Sq, Lang::Sr, Lang::SrCyrl, Lang::En];

    /// The code used in `?lang=`, the cookie and the user's setting (a BCP 47 tag).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sq => "sq",
            Lang::Sr => "sr-Latn",
            Lang::SrCyrl => "sr-Cyrl",
        }
    }

    /// The language's name in itself.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sq => "Shqip",
            Lang::Sr => "Srpski (latinica)",
            Lang::SrCyrl => "Српски (ћирилица)",
        }
    }

    /// The language of a code (`sr` alone is Latin, as the methodology's labels are).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "sq" => Some(Lang::Sq),
            "sr" | "sr-latn" => Some(Lang::Sr),
            "sr-cyrl" => Some(Lang::SrCyrl),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header that we have.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').find_map(|part| {
            let tag = part.split(';').next()?.trim();
            Lang::parse(tag).or_else(|| Lang::parse(tag.split('-').next()?))
        })
    }

    /// A date in the language's usual format: `2 Dec 2026`, `2.12.2026`, `2. 12. 2026.`.
    pub fn date(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::En => date.format("%-d %b %Y").to_string(),
            Lang::Sq => date.format("%-d.%-m.%Y").to_string(),
            Lang::Sr | Lang::SrCyrl => date.format("%-d. %-m. %Y.").to_string(),
        }
    }

    /// Formats message `id` with `args`. A message that is missing is shown as its id (and a
    /// test checks that every catalogue has every message).
    pub fn t(self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let bundle = match self {
            Lang::En => &catalogues().en,
            Lang::Sq => &catalogues().sq,
            Lang::Sr | Lang::SrCyrl => &catalogues().sr,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let cyrillic = self == Lang::SrCyrl;
        // In Cyrillic, text values go in as markers that transliteration leaves alone.
        let mut fluent_args = FluentArgs::new();
        for (i, (name, value)) in args.iter().enumerate() {
            match value {
                Arg::Text(text) if cyrillic => {
                    fluent_args.set(*name, FluentValue::from(marker(i)));
                    let _ = text;
                }
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.to_string())),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !cyrillic {
            return text.into_owned();
        }
        let mut out = to_cyrillic(&text);
        for (i, (_, value)) in args.iter().enumerate() {
            if let Arg::Text(text) = value {
                out = out.replace(&marker(i), text);
            }
        }
        out
    }
}

/// A value put into a message.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// Text, shown as it is in every script.
    Text(Cow<'a, str>),
    /// A number (plural rules select on it).
    Number(i64),
}

fn marker(i: usize) -> String {
    format!("\u{E000}{i}\u{E001}")
}

struct Catalogues {
    en: FluentBundle<FluentResource>,
    sq: FluentBundle<FluentResource>,
    sr: FluentBundle<FluentResource>,
}

fn bundle(tag: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let lang: unic_langid::LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Pages are HTML: no Unicode isolation marks around values.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| Catalogues {
        en: bundle("en", include_str!("../../locales/en.ftl")),
        sq: bundle("sq", include_str!("../../locales/sq.ftl")),
        sr: bundle("sr", include_str!("../../locales/sr.ftl")),
    })
}

/// The methodology's message language for a page language (the validator's problems).
pub fn methodology_lang(lang: Lang) -> courtwatch_methodology::messages::Lang {
    use courtwatch_methodology::messages::Lang as M;
    match lang {
        Lang::En => M::En,
        Lang::Sq => M::Sq,
        Lang::Sr => M::SrLatn,
        Lang::SrCyrl => M::SrCyrl,
    }
}

/// Serbian Latin text in Cyrillic script: the methodology's own transliteration, the one its
/// validator messages use.
pub use courtwatch_methodology::messages::to_cyrillic;

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        source
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(id, _)| id))
            .filter(|id| !id.starts_with(' '))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_catalogue_has_every_message_and_parses() {
        let en = ids(include_str!("../../locales/en.ftl"));
        for (name, source) in [
            ("sq", include_str!("../../locales/sq.ftl")),
            ("sr", include_str!("../../locales/sr.ftl")),
        ] {
            assert_eq!(
                ids(source),
                en,
                "{name}.ftl has the messages of en.ftl, in order"
            );
            assert!(FluentResource::try_new(source.to_owned()).is_ok(), "{name}");
        }
        for lang in Lang::ALL {
            for id in &en {
                assert_ne!(
                    lang.t(id, &[("min", Arg::Number(10)), ("max", Arg::Number(200))]),
                    *id,
                    "{lang:?} {id}"
                );
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let n = |lang: Lang, m| lang.t("sign-in-too-many", &[("minutes", Arg::Number(m))]);
        assert!(n(Lang::En, 1).contains("1 minute."), "{}", n(Lang::En, 1));
        assert!(n(Lang::En, 15).contains("15 minutes."));
        assert!(n(Lang::Sr, 1).contains("1 minut."));
        assert!(
            n(Lang::Sr, 21).contains("21 minut."),
            "Serbian 21 is singular: {}",
            n(Lang::Sr, 21)
        );
        assert!(n(Lang::Sq, 15).contains("15 minutash"));
    }

    #[test]
    fn cyrillic_is_transliterated_but_values_are_not() {
        assert_eq!(
            to_cyrillic("Ljubljana, Njegoš, džep, Đorđe"),
            "Љубљана, Његош, џеп, Ђорђе"
        );
        let text = Lang::SrCyrl.t(
            "welcome-intro",
            &[
                ("name", Arg::Text("Ana Lukić".into())),
                ("email", Arg::Text("ana@example.org".into())),
            ],
        );
        assert_eq!(
            text,
            "Добро дошли, Ana Lukić. Изаберите лозинку за пријаву са ana@example.org."
        );
    }

    #[test]
    fn languages_are_read_from_codes_and_headers() {
        assert_eq!(Lang::parse("sr-Cyrl"), Some(Lang::SrCyrl));
        assert_eq!(Lang::parse("SR"), Some(Lang::Sr));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(
            Lang::from_accept_language("de-DE,sq-AL;q=0.8,en;q=0.5"),
            Some(Lang::Sq)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }
}
