//! What imported case law says, in the methodology's coded fields, so that its facets mean
//! something. Pure functions over one source record; `import.rs` applies them to every line.
//!
//! - Court names and titles are shown with their white space normalised: runs of spaces and line
//!   breaks become one space, and a court name ends at its first blank line (the Montenegrin
//!   documents run on into the case number: `"Osnovni Sud U Rožajama\n\nK"`), and a name cut off
//!   after a dangling `kao` ("as", from "… kao prvostepeni") ends before it. The text as it came is
//!   kept in the ruling's metadata (`courtwatch.source_court`, `courtwatch.source_title`).
//! - European Court of Human Rights: the court is `European Court of Human Rights`, its formation
//!   (`CHAMBER`, `GRANDCHAMBER`, …) is kept as `courtwatch.echr_formation`; instance
//!   `international`; decision type `decision` for admissibility and Commission decisions, else
//!   `judgment`; `echr_art14_cited` and `protocol12_cited` from `articles`; the `conclusion` read
//!   into a finding per article (`courtwatch.echr_findings`: violation or no_violation) and an
//!   outcome: `violation_found` if any violation, else `no_violation` if any, else
//!   `inadmissible`, `discontinued` (struck out) or `settlement` (friendly settlement).
//! - Montenegrin basic courts (`Osnovni sud`) decide at first instance: instance `first`.

use serde_json::{Map, Value, json};

/// The metadata key under which courtwatch keeps what it derived and the originals it changed.
pub const METADATA_KEY: &str = "courtwatch";

/// The coded reading of one source record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coded {
    /// The court's name for display and facets.
    pub court_name: String,
    /// The title for display.
    pub title: String,
    /// Instance (vocabulary `instance`).
    pub instance: Option<String>,
    /// Outcome (vocabulary `ruling_outcome`).
    pub outcome: Option<String>,
    /// Answers to ruling questions.
    pub answers: Map<String, Value>,
    /// What goes under [`METADATA_KEY`] in the metadata (empty: nothing).
    pub derived: Map<String, Value>,
}

/// Runs of white space as one space, trimmed.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A court name for display: its first paragraph on one line, without a dangling `kao`.
pub fn court_name(raw: &str) -> String {
    let first = raw
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(one_line)
        .find(|p| !p.is_empty())
        .unwrap_or_default();
    match first.rsplit_once(' ') {
        Some((name, last)) if last.eq_ignore_ascii_case("kao") => name.to_owned(),
        _ => first,
    }
}

const ECHR: &str = "European Court of Human Rights";

/// Reads a source record (its `court`, `title`, and the metadata fields `articles` and
/// `conclusion`).
pub fn code(raw_court: &str, raw_title: &str, metadata: &Map<String, Value>) -> Coded {
    let mut coded = Coded {
        court_name: court_name(raw_court),
        title: one_line(raw_title),
        ..Coded::default()
    };
    if coded.court_name != raw_court {
        coded
            .derived
            .insert("source_court".into(), json!(raw_court));
    }
    if coded.title != raw_title {
        coded
            .derived
            .insert("source_title".into(), json!(raw_title));
    }
    if let Some(rest) = coded.court_name.strip_prefix(ECHR) {
        let formation = rest
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .to_owned();
        coded.court_name = ECHR.to_owned();
        coded
            .derived
            .entry("source_court")
            .or_insert_with(|| json!(raw_court));
        coded.instance = Some("international".into());
        let decision = formation.starts_with("ADMISSIBILITY") || formation.starts_with("DEC");
        coded.answers.insert(
            "decision_type".into(),
            json!(if decision { "decision" } else { "judgment" }),
        );
        if !formation.is_empty() {
            coded
                .derived
                .insert("echr_formation".into(), json!(formation));
        }
        if let Some(articles) = metadata.get("articles").and_then(Value::as_str) {
            let listed: Vec<&str> = articles.split(';').map(str::trim).collect();
            let cites = |wanted: &dyn Fn(&str) -> bool| {
                if listed.iter().any(|a| wanted(a)) {
                    "yes"
                } else {
                    "no"
                }
            };
            coded.answers.insert(
                "echr_art14_cited".into(),
                json!(cites(&|a| a == "14"
                    || a.starts_with("14+")
                    || a.starts_with("14-"))),
            );
            coded.answers.insert(
                "protocol12_cited".into(),
                json!(cites(&|a| a.starts_with("P12"))),
            );
        }
        if let Some(conclusion) = metadata.get("conclusion").and_then(Value::as_str) {
            let findings = findings(conclusion);
            coded.outcome = outcome(conclusion, &findings).map(str::to_owned);
            if !findings.is_empty() {
                coded.derived.insert(
                    "echr_findings".into(),
                    Value::Array(
                        findings
                            .iter()
                            .map(|(article, finding)| json!({"article": article, "finding": finding}))
                            .collect(),
                    ),
                );
            }
        }
    } else if coded.court_name.to_lowercase().starts_with("osnovni sud") {
        coded.instance = Some("first".into());
    }
    coded
}

/// The parts of a conclusion, split at the `;` outside brackets.
fn parts(conclusion: &str) -> Vec<String> {
    let (mut out, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in conclusion.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ';' if depth <= 0 => {
                out.push(one_line(&current));
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(one_line(&current));
    out.retain(|p| !p.is_empty());
    out
}

/// The article a finding names, as `articles` writes it: `3`, `14+3`, `6-1`, `P1-1`.
fn article(text: &str) -> Option<String> {
    let text = text.trim();
    let after = [
        "Articles ",
        "Article ",
        "Art. ",
        "art. ",
        "l'art. ",
        "l'Art. ",
        "l’art. ",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
    .unwrap_or(text);
    let token: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-'))
        .collect();
    if token.is_empty() {
        return None;
    }
    // "Article 1 of Protocol No. 1" is P1-1.
    if let Some(protocol) = after
        .strip_prefix(&token)
        .and_then(|r| r.trim_start().strip_prefix("of Protocol No. "))
    {
        let number: String = protocol.chars().take_while(char::is_ascii_digit).collect();
        return Some(format!("P{number}-{token}"));
    }
    Some(token)
}

/// The findings of a conclusion: (article, `violation` | `no_violation`), in order.
pub fn findings(conclusion: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for part in parts(conclusion) {
        let (finding, rest) = if let Some(r) = part
            .strip_prefix("No violation of ")
            .or_else(|| part.strip_prefix("Non-violation de "))
        {
            ("no_violation", r)
        } else if let Some(r) = part
            .strip_prefix("Violations of ")
            .or_else(|| part.strip_prefix("Violation of "))
            .or_else(|| part.strip_prefix("Violations de "))
            .or_else(|| part.strip_prefix("Violation de "))
        {
            ("violation", r)
        } else {
            continue;
        };
        if let Some(article) = article(rest)
            && !out.contains(&(article.clone(), finding))
        {
            out.push((article, finding));
        }
    }
    out
}

/// The outcome a conclusion gives.
fn outcome(conclusion: &str, findings: &[(String, &'static str)]) -> Option<&'static str> {
    if findings.iter().any(|(_, f)| *f == "violation") {
        return Some("violation_found");
    }
    if !findings.is_empty() {
        return Some("no_violation");
    }
    let parts = parts(conclusion);
    let starts = |prefixes: &[&str]| {
        parts
            .iter()
            .any(|p| prefixes.iter().any(|x| p.starts_with(x)))
    };
    if starts(&["Friendly settlement", "Règlement amiable"]) {
        Some("settlement")
    } else if starts(&["Struck out", "Radiation du rôle"]) {
        Some("discontinued")
    } else if starts(&["Inadmissible", "Irrecevable", "Remainder inadmissible"]) {
        Some("inadmissible")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(articles: &str, conclusion: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("articles".into(), json!(articles));
        m.insert("conclusion".into(), json!(conclusion));
        m
    }

    #[test]
    fn court_names_lose_the_debris_of_their_documents() {
        assert_eq!(
            court_name("Osnovni Sud U Rožajama\n\nK"),
            "Osnovni Sud U Rožajama"
        );
        assert_eq!(
            court_name("Osnovni Sud U Kolašinu Kao"),
            "Osnovni Sud U Kolašinu"
        );
        assert_eq!(
            court_name("  Viši  Sud U\nPodgorici "),
            "Viši Sud U Podgorici"
        );
        assert_eq!(court_name("The Family Court"), "The Family Court");
        assert_eq!(
            one_line("CASE OF\n A. v.  THE NETHERLANDS"),
            "CASE OF A. v. THE NETHERLANDS"
        );
    }

    #[test]
    fn echr_conclusions_become_findings_per_article_and_an_outcome() {
        let c = code(
            "European Court of Human Rights (CHAMBER)",
            "CASE OF X v. Y",
            &meta(
                "3;14;14+3",
                "Violation of Article 3 - Prohibition of torture (Article 3 - Degrading treatment;Inhuman treatment);No violation of Art. 14+3;Non-pecuniary damage - award (Article 41 - Non-pecuniary damage;Just satisfaction)",
            ),
        );
        assert_eq!(c.court_name, ECHR);
        assert_eq!(c.instance.as_deref(), Some("international"));
        assert_eq!(c.outcome.as_deref(), Some("violation_found"));
        assert_eq!(c.answers["echr_art14_cited"], "yes");
        assert_eq!(c.answers["protocol12_cited"], "no");
        assert_eq!(c.answers["decision_type"], "judgment");
        assert_eq!(
            c.derived["echr_findings"],
            json!([{"article": "3", "finding": "violation"}, {"article": "14+3", "finding": "no_violation"}])
        );
        assert_eq!(c.derived["echr_formation"], "CHAMBER");
        assert_eq!(
            c.derived["source_court"],
            "European Court of Human Rights (CHAMBER)"
        );
    }

    #[test]
    fn other_conclusions_give_their_outcome() {
        let outcome = |articles: &str, conclusion: &str| {
            code(
                "European Court of Human Rights (ADMISSIBILITY)",
                "T",
                &meta(articles, conclusion),
            )
            .outcome
        };
        assert_eq!(outcome("6", "Inadmissible"), Some("inadmissible".into()));
        assert_eq!(outcome("6", "Irrecevable"), Some("inadmissible".into()));
        assert_eq!(
            outcome("8", "Struck out of the list"),
            Some("discontinued".into())
        );
        assert_eq!(
            outcome("8", "Radiation du rôle"),
            Some("discontinued".into())
        );
        assert_eq!(
            outcome("P1-1", "Violation de P1-1;Préjudice moral - réparation"),
            Some("violation_found".into())
        );
        assert_eq!(
            outcome("6", "Non-violation de l'art. 6-1"),
            Some("no_violation".into())
        );
        assert_eq!(outcome("6", "Partly admissible"), None);
        assert_eq!(
            findings("Violation of Article 1 of Protocol No. 1 - Protection of property"),
            vec![("P1-1".to_owned(), "violation")]
        );
        let admissibility = code(
            "European Court of Human Rights (ADMISSIBILITY)",
            "T",
            &meta("6", "Inadmissible"),
        );
        assert_eq!(admissibility.answers["decision_type"], "decision");
    }

    #[test]
    fn basic_courts_of_montenegro_decide_at_first_instance() {
        let c = code("Osnovni Sud U Baru", "K 12/20", &Map::new());
        assert_eq!(c.instance.as_deref(), Some("first"));
        assert!(
            c.derived.is_empty(),
            "nothing changed, nothing kept: {:?}",
            c.derived
        );
    }
}
