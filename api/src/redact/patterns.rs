//! Patterns that identify a person in any free text, whether or not anyone listed them: e-mail
//! addresses, phone numbers and personal ID numbers.

use std::sync::LazyLock;

use regex::Regex;

/// Patterns masked in every free text, as one expression (one pass over the text), each
/// alternative a named group whose name says its mask. ASCII word boundaries (`(?-u:\b)`) keep
/// the expression on regex's fast DFA path; every alternative is ASCII anyway.
pub(super) static PATTERNS: LazyLock<Regex> = LazyLock::new(|| {
    let b = r"(?-u:\b)";
    let email = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}";
    // A separator inside a number: space, dot, slash or dash.
    let sep = r"[ ./\-]?";
    // International: +381 11 123 4567, 00383 44 123 456, +383(0)44/123-456, (+382) 67 12 34 56,
    // +355.69.123.4567. How many digits it holds is checked after the match (8 to 15).
    let international = format!(
        r"\(?(?:\+|{b}00)[0-9]{{2,3}}\)?{sep}(?:\(0\){sep})?\(?[0-9]{{1,4}}\)?(?:{sep}[0-9]{{2,4}}){{1,5}}{b}"
    );
    // National, from a leading 0: 044 123 456, 011/123-4567, 064/1234-567, 044.123.456,
    // 044 12 34 56, (044) 123-456 (8 to 10 digits, checked after the match).
    let national = format!(
        r"(?:\(0[0-9]{{1,2}}\)|{b}0[0-9]{{1,2}}){sep}[0-9]{{2,4}}(?:{sep}[0-9]{{2,4}}){{1,3}}{b}"
    );
    // JMBG/EMBG (13 digits), also broken by spaces or dashes, or run into a word
    // (`JMBG1505985715123`); Kosovo personal number and unbroken phone numbers (10 digits, or 9
    // from a leading 0); Albanian personal number, in either case.
    let broken = format!(r"{b}[0-9]{{2,7}}(?:[ \-][0-9]{{2,7}}){{1,5}}{b}");
    let id = format!(
        r"{b}(?:[0-9]{{13}}|[0-9]{{10}}|0[0-9]{{8}}){b}|[A-Za-z][0-9]{{13}}{b}|{b}[A-Za-z][0-9]{{8}}[A-Za-z]{b}"
    );
    // The first alternative that matches at a place is taken: whole numbers first, then the
    // phone shapes, then numbers broken by spaces or dashes.
    Regex::new(&format!(
        "(?P<email>{email})|(?P<id>{id})|(?P<phone>{international})|(?P<local>{national})|(?P<broken>{broken})"
    ))
    .expect("redaction patterns compile")
});

/// A date or a time as numbers (`01.03.2019`, `2019-03-01`, `10:30`), which is not a phone number.
fn looks_like_a_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['.', '/', '-']).map(str::trim).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (parts[0].len() == 4 || parts[2].len() == 4 || parts[2].len() == 2)
        && parts.iter().filter(|p| p.len() <= 2).count() >= 2
}

/// The mask for a match of [`PATTERNS`], or `None` when the match is not what it looked like
/// (a phone number needs 8 to 15 digits, a broken personal number exactly 13, a date is neither).
pub(super) fn pattern_mask(caps: &regex::Captures<'_>) -> Option<&'static str> {
    let text = caps.get(0).map_or("", |m| m.as_str());
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if caps.name("email").is_some() {
        Some("[e-mail]")
    } else if caps.name("phone").is_some() {
        (8..=15).contains(&digits).then_some("[phone]")
    } else if caps.name("local").is_some() {
        ((8..=10).contains(&digits) && !looks_like_a_date(text)).then_some("[phone]")
    } else if caps.name("broken").is_some() {
        (digits == 13).then_some("[id number]")
    } else {
        Some("[id number]")
    }
}
