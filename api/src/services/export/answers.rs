//! A record's stored answers, read for one CSV row without building a map per row.
//!
//! A file's questions are numbered once ([`Exporter`](super::Exporter)'s slots); each row's
//! answers JSON is read straight into an array indexed by those slots. Text is borrowed from the
//! stored JSON wherever it needs no unescaping, so a typical row allocates only the array.

use std::{borrow::Cow, fmt};

use rustc_hash::FxHashMap;
use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor},
};
use serde_json::Value;

/// One stored answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer<'a> {
    Null,
    /// A code, a date or free text.
    Text(Cow<'a, str>),
    /// A multiple-choice answer: its codes (a list of anything else is kept as it is).
    List(Vec<Answer<'a>>),
    /// A number, a truth value, or a structure: written as JSON.
    Other(Value),
}

impl<'a> Answer<'a> {
    /// The answer inside a JSON value already parsed (the validator's facts, compared with the
    /// files' own in tests).
    #[cfg(test)]
    pub(crate) fn of_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Answer::Null,
            Value::String(s) => Answer::Text(Cow::Borrowed(s)),
            Value::Array(items) => Answer::List(items.iter().map(Answer::of_value).collect()),
            other => Answer::Other(other.clone()),
        }
    }

    /// The answer as a JSON value.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Answer::Null => Value::Null,
            Answer::Text(s) => Value::String(s.to_string()),
            Answer::List(items) => Value::Array(items.iter().map(Answer::to_value).collect()),
            Answer::Other(v) => v.clone(),
        }
    }

    /// The answer's codes: the text of a single answer, the text items of a list (what a
    /// condition is checked against, by the methodology's `Condition::holds_for_codes`).
    pub(crate) fn codes(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&str>, &[Answer<'_>]) = match self {
            Answer::Text(s) => (Some(s.as_ref()), &[]),
            Answer::List(items) => (None, items.as_slice()),
            Answer::Null | Answer::Other(_) => (None, &[]),
        };
        one.into_iter()
            .chain(many.iter().filter_map(|item| match item {
                Answer::Text(s) => Some(s.as_ref()),
                _ => None,
            }))
    }
}

/// A string of the stored JSON, borrowed when it has no escapes.
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Answer<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = Answer<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an answer")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Answer::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Answer::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Answer::Other(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Answer::Other(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Answer::Other(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Answer::Other(Value::from(v)))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Answer::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Answer::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Answer::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element::<Answer<'de>>()? {
            items.push(item);
        }
        Ok(Answer::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Answer::Other)
    }
}

/// Reads an answers object into `slots` (question code → slot); answers to questions without a
/// slot are skipped. `slots` must hold `None` for every slot on entry.
struct IntoSlots<'s, 'a> {
    codes: &'s FxHashMap<&'static str, usize>,
    slots: &'s mut [Option<Answer<'a>>],
}

impl<'de> DeserializeSeed<'de> for IntoSlots<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for IntoSlots<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object of answers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(code) = map.next_key::<Text<'de>>()? {
            match self.codes.get(&*code.0) {
                Some(&slot) => self.slots[slot] = Some(map.next_value::<Answer<'de>>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads the stored answers `json` of one record into `slots`, cleared first.
pub(crate) fn read_into<'a>(
    json: &'a str,
    codes: &FxHashMap<&'static str, usize>,
    slots: &mut [Option<Answer<'a>>],
) -> Result<(), String> {
    slots.fill(None);
    let mut de = serde_json::Deserializer::from_str(json);
    IntoSlots { codes, slots }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| format!("stored answers are not a JSON object of answers: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> FxHashMap<&'static str, usize> {
        [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
            .into_iter()
            .collect()
    }

    #[test]
    fn answers_land_in_their_slots_borrowed_unless_escaped() {
        let json =
            r#"{"b":["x","y"],"unknown":{"deep":[1,2]},"a":"plain","c":"say \"hi\"","d":2.5}"#;
        let mut slots = vec![Some(Answer::Null); 5];
        read_into(json, &codes(), &mut slots).unwrap();
        assert!(matches!(
            &slots[0],
            Some(Answer::Text(Cow::Borrowed("plain")))
        ));
        assert_eq!(
            slots[1],
            Some(Answer::List(vec![
                Answer::Text("x".into()),
                Answer::Text("y".into())
            ]))
        );
        assert!(matches!(&slots[2], Some(Answer::Text(Cow::Owned(s))) if s == "say \"hi\""));
        assert_eq!(slots[3], Some(Answer::Other(serde_json::json!(2.5))));
        // Cleared on entry: a slot the record does not answer is empty, not the previous row's.
        assert_eq!(slots[4], None);
    }

    #[test]
    fn the_same_answers_as_through_a_parsed_value() {
        let json = r#"{"a":"yes","b":["p","q"],"c":null,"d":17}"#;
        let value: Value = serde_json::from_str(json).unwrap();
        let mut slots = vec![None; 4];
        read_into(json, &codes(), &mut slots).unwrap();
        for (code, slot) in codes() {
            assert_eq!(slots[slot], Some(Answer::of_value(&value[code])), "{code}");
        }
    }

    #[test]
    fn anything_but_an_object_is_an_error() {
        let mut slots = vec![None; 4];
        for bad in ["[1,2]", "\"a\"", "{\"a\":", "{} trailing", ""] {
            assert!(read_into(bad, &codes(), &mut slots).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_answers_codes_are_its_text_or_its_text_items() {
        let codes = |a: Answer<'_>| a.codes().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(codes(Answer::Text("yes".into())), ["yes"]);
        assert_eq!(
            codes(Answer::List(vec![
                Answer::Text("no".into()),
                Answer::Other(serde_json::json!(1)),
                Answer::Text("partly".into())
            ])),
            ["no", "partly"]
        );
        assert!(codes(Answer::Other(serde_json::json!(1))).is_empty());
        assert!(codes(Answer::Null).is_empty());
    }
}
