//! The dashboard's figures: what `/stats/*` computes for a query (`services::stats`), turned
//! into charts (`charts.rs`) with their titles, descriptions, n and base, the filters in force in
//! words, data tables and file links; all of them for the page, or one for its CSV or SVG file
//! (computing only what that figure needs).

use courtwatch_methodology::Methodology;

use super::{
    charts::{self, Bar, Caption},
    filters::CaseChoices,
    form::{pairs, said, value_of},
    i18n::{Lang, to_cyrillic},
};
use crate::{
    error::ServiceError,
    services::{
        export::Labels,
        figures::Labeller,
        stats::{self, Count, Indicator},
    },
    state::AppState,
};

/// A figure's data table.
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One figure as the page shows it.
pub struct FigureView {
    pub name: &'static str,
    pub title: String,
    pub note: String,
    pub svg: String,
    pub table: Table,
    pub csv: String,
    pub svg_href: String,
}

/// The page's filters and crosstab choice, as typed.
#[derive(Debug, Default, Clone)]
pub struct StatsQuery {
    pub case: CaseChoices,
    pub question: String,
    pub by: String,
}

impl StatsQuery {
    pub(super) fn read(raw: &str) -> StatsQuery {
        let pairs = pairs(raw);
        let one = |k: &str| value_of(&pairs, k).unwrap_or_default().trim().to_owned();
        StatsQuery {
            case: CaseChoices::read(&pairs),
            question: one("question"),
            by: one("by"),
        }
    }

    pub(super) fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.case.append_to(&mut out);
        for (k, v) in [("question", &self.question), ("by", &self.by)] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }

    pub(super) fn crosstab(&self) -> (String, String) {
        (
            if self.question.is_empty() {
                "hate_speech_in_courtroom".to_owned()
            } else {
                self.question.clone()
            },
            if self.by.is_empty() {
                "jurisdiction".to_owned()
            } else {
                self.by.clone()
            },
        )
    }
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::En => Labels::En,
        Lang::Sq => Labels::Sq,
        Lang::Sr | Lang::SrCyrl => Labels::Sr,
    }
}

/// A methodology label in the page's script.
fn script(lang: Lang, text: String) -> String {
    if lang == Lang::SrCyrl {
        to_cyrillic(&text)
    } else {
        text
    }
}

fn count_rows(lang: Lang, counts: &[Count]) -> Vec<(String, u64)> {
    counts
        .iter()
        .map(|c| {
            (
                script(lang, c.label.clone().unwrap_or_else(|| c.value.clone())),
                c.count,
            )
        })
        .collect()
}

/// What a figure is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Group {
    Cases,
    Hearings,
    Durations,
    Crosstab,
}

/// The group of the figure named `name`, if there is one by that name.
pub(super) fn group_of(name: &str) -> Option<Group> {
    Some(match name {
        "cases-by-ground"
        | "cases-by-jurisdiction"
        | "cases-by-proceeding-type"
        | "cases-by-year" => Group::Cases,
        "adjournment-reasons"
        | "judge-reactions"
        | "hearings-adjourned"
        | "closed-to-public"
        | "interpreter"
        | "hate-speech" => Group::Hearings,
        "durations" => Group::Durations,
        "crosstab" => Group::Crosstab,
        _ => return None,
    })
}

/// The figures for `query` (the crosstab's question and dimension checked by the service): all
/// of them, or `only` the one of that name (none if there is no such figure).
pub(super) async fn figures(
    state: &AppState,
    lang: Lang,
    query: &StatsQuery,
    courts: &[(String, String)],
    base: &str,
    only: Option<&str>,
) -> Result<Vec<FigureView>, ServiceError> {
    let filter = query.case.filter().map_err(|refused| {
        ServiceError::BadRequest(
            refused
                .iter()
                .map(|(field, m)| format!("{field}: {}", lang.t(m, &[])))
                .collect::<Vec<_>>()
                .join(" "),
        )
    })?;
    let m = state.methodology.latest();
    let labeller = Labeller::new(m, labels(lang));
    // Only what the figures asked for is computed (one figure's file needs one of these).
    let wanted = |group: Group| only.is_none_or(|name| group_of(name) == Some(group));
    let cases = match wanted(Group::Cases) {
        true => {
            let mut cases = stats::cases(state, &filter).await?;
            labeller.cases(&mut cases);
            Some(cases)
        }
        false => None,
    };
    let hearings = match wanted(Group::Hearings) {
        true => {
            let mut hearings = stats::hearings(state, &filter).await?;
            labeller.hearings(&mut hearings);
            Some(hearings)
        }
        false => None,
    };
    let durations = match wanted(Group::Durations) {
        true => Some(stats::durations(state, &filter).await?),
        false => None,
    };
    let (question, by) = query.crosstab();
    let table = match wanted(Group::Crosstab) {
        true => {
            let mut table = stats::crosstab(state, &filter, &question, &by).await?;
            labeller.crosstab(&mut table);
            Some(table)
        }
        false => None,
    };

    let filters = filters_note(m, lang, query, courts);
    let t = |id: &str| lang.t(id, &[]);
    let n =
        |count: u64, what: &str| lang.t(what, &[("count", super::i18n::Arg::Number(count as i64))]);
    let qs = query.query_string();
    let link = |name: &str, ext: &str| {
        if qs.is_empty() {
            format!("{base}/{name}.{ext}")
        } else {
            format!("{base}/{name}.{ext}?{qs}")
        }
    };
    let mut out = Vec::new();
    let counted = |name: &'static str,
                   title: String,
                   unit: String,
                   rows: Vec<(String, u64)>,
                   (total, what): (u64, &str)| {
        let caption = Caption {
            desc: format!(
                "{title}: {}",
                rows.iter()
                    .map(|(l, c)| format!("{l} {c}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            note: format!("{} · {filters}", n(total, what)),
            title,
        };
        let bars: Vec<Bar> = rows
            .iter()
            .map(|(label, count)| Bar {
                label: label.clone(),
                value: *count as f64,
                base: None,
            })
            .collect();
        FigureView {
            name,
            svg: charts::bars(name, &caption, &bars, false),
            table: Table {
                head: vec![unit, t("stats-count")],
                rows: rows
                    .into_iter()
                    .map(|(l, c)| vec![l, c.to_string()])
                    .collect(),
            },
            title: caption.title,
            note: caption.note,
            csv: link(name, "csv"),
            svg_href: link(name, "svg"),
        }
    };
    if let Some(cases) = &cases {
        out.push(counted(
            "cases-by-ground",
            t("stats-by-ground"),
            t("search-facet-ground"),
            count_rows(lang, &cases.by_ground),
            (cases.total, "stats-n-cases"),
        ));
        out.push(counted(
            "cases-by-jurisdiction",
            t("stats-by-jurisdiction"),
            t("search-facet-jurisdiction"),
            count_rows(lang, &cases.by_jurisdiction),
            (cases.total, "stats-n-cases"),
        ));
        out.push(counted(
            "cases-by-proceeding-type",
            t("stats-by-proceeding-type"),
            t("search-facet-proceeding-type"),
            count_rows(lang, &cases.by_proceeding_type),
            (cases.total, "stats-n-cases"),
        ));
        out.push(counted(
            "cases-by-year",
            t("stats-by-year"),
            t("search-facet-year"),
            count_rows(lang, &cases.by_year),
            (cases.total, "stats-n-cases"),
        ));
    }
    if let Some(hearings) = &hearings {
        out.push(counted(
            "adjournment-reasons",
            t("stats-adjournment-reasons"),
            t("stats-reason"),
            count_rows(lang, &hearings.adjournment_reasons),
            (hearings.adjourned.count, "stats-n-adjourned"),
        ));
        out.push(counted(
            "judge-reactions",
            t("stats-judge-reactions"),
            t("stats-reaction"),
            count_rows(lang, &hearings.judge_reactions),
            (hearings.hate_speech.count, "stats-n-hate-speech"),
        ));
    }
    let shares = |name: &'static str, title: String, rows: Vec<(String, &Indicator)>| {
        let caption = Caption {
            desc: format!(
                "{title}: {}",
                rows.iter()
                    .map(|(l, i)| format!("{l} {} / {}", i.count, i.base))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            note: format!(
                "{} · {filters}",
                rows.iter()
                    .map(|(l, i)| format!("{l}: n = {} / {}", i.count, i.base))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            title,
        };
        let bars: Vec<Bar> = rows
            .iter()
            .map(|(l, i)| Bar {
                label: l.clone(),
                value: i.share.unwrap_or(0.0),
                base: Some(i.base),
            })
            .collect();
        FigureView {
            name,
            svg: charts::bars(name, &caption, &bars, true),
            table: Table {
                head: vec![
                    t("stats-indicator"),
                    t("stats-count"),
                    t("stats-base"),
                    t("stats-share"),
                ],
                rows: rows
                    .iter()
                    .map(|(l, i)| {
                        vec![
                            l.clone(),
                            i.count.to_string(),
                            i.base.to_string(),
                            i.share.map(|s| format!("{s:.4}")).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            },
            title: caption.title,
            note: caption.note,
            csv: link(name, "csv"),
            svg_href: link(name, "svg"),
        }
    };
    if let Some(hearings) = &hearings {
        out.push(shares(
            "hearings-adjourned",
            t("stats-adjourned"),
            vec![
                (t("stats-adjourned-share"), &hearings.adjourned),
                (t("stats-cancelled-share"), &hearings.cancelled),
            ],
        ));
        out.push(shares(
            "closed-to-public",
            t("stats-closed"),
            vec![(t("stats-closed-share"), &hearings.closed_to_public)],
        ));
        out.push(shares(
            "interpreter",
            t("stats-interpreter"),
            vec![
                (t("stats-interpreter-needed"), &hearings.interpreter_needed),
                (
                    t("stats-interpreter-provided"),
                    &hearings.interpreter_provided,
                ),
            ],
        ));
        out.push(shares(
            "hate-speech",
            t("stats-hate-speech"),
            vec![
                (t("stats-hate-speech-share"), &hearings.hate_speech),
                (t("stats-judge-reacted"), &hearings.judge_reacted),
            ],
        ));
    }

    if let Some(durations) = &durations {
        // Filing to first-instance ruling, as a box plot.
        let title = t("stats-durations");
        let note = format!(
            "{} · {filters}",
            n(durations.with_ruling, "stats-n-durations")
        );
        let five = [
            durations.min_days,
            durations.q1_days,
            durations.median_days,
            durations.q3_days,
            durations.max_days,
        ];
        let svg = match five {
            [Some(a), Some(b), Some(c), Some(d), Some(e)] => charts::box_plot(
                "durations",
                &Caption {
                    title: title.clone(),
                    desc: format!("{title}: min {a}, Q1 {b}, median {c}, Q3 {d}, max {e}"),
                    note: note.clone(),
                },
                [a, b, c, d, e],
                &t("stats-days"),
            ),
            _ => charts::bars(
                "durations",
                &Caption {
                    title: title.clone(),
                    desc: t("stats-no-data"),
                    note: note.clone(),
                },
                &[],
                false,
            ),
        };
        let names = ["min", "Q1", "median", "Q3", "max"];
        out.push(FigureView {
            name: "durations",
            svg,
            table: Table {
                head: vec![t("stats-statistic"), t("stats-days")],
                rows: names
                    .iter()
                    .zip(five)
                    .map(|(n, v)| {
                        vec![
                            (*n).to_owned(),
                            v.map(|v| charts::number(v, false)).unwrap_or_default(),
                        ]
                    })
                    .chain([vec!["n".to_owned(), durations.with_ruling.to_string()]])
                    .collect(),
            },
            title,
            note,
            csv: link("durations", "csv"),
            svg_href: link("durations", "svg"),
        });
    }

    if let Some(table) = &table {
        // The crosstab chosen on the page.
        let heads: Vec<String> = table
            .answer_labels
            .clone()
            .unwrap_or_else(|| table.answers.clone())
            .into_iter()
            .map(|h| script(lang, h))
            .collect();
        let question_label = m
            .question(&question)
            .map(|q| said(lang, &q.label))
            .unwrap_or_else(|| question.clone());
        let by_label = dimension_label(m, lang, &by);
        let title = format!("{question_label} × {by_label}");
        let rows: Vec<(String, Vec<u64>, u64)> = table
            .rows
            .iter()
            .map(|r| {
                (
                    script(lang, r.label.clone().unwrap_or_else(|| r.value.clone())),
                    r.counts.clone(),
                    r.total,
                )
            })
            .collect();
        let note = format!(
            "{} ({}) · {filters}",
            n(table.total, "stats-n-records"),
            table.unit
        );
        let caption = Caption {
            title: title.clone(),
            desc: title.clone(),
            note: note.clone(),
        };
        out.push(FigureView {
            name: "crosstab",
            svg: charts::stacked("crosstab", &caption, &heads, &rows),
            table: Table {
                head: std::iter::once(by_label)
                    .chain(heads.iter().cloned())
                    .chain([t("stats-base")])
                    .collect(),
                rows: rows
                    .iter()
                    .map(|(l, counts, total)| {
                        std::iter::once(l.clone())
                            .chain(counts.iter().map(u64::to_string))
                            .chain([total.to_string()])
                            .collect()
                    })
                    .collect(),
            },
            title,
            note,
            csv: link("crosstab", "csv"),
            svg_href: link("crosstab", "svg"),
        });
    }
    Ok(out)
}

pub(super) fn dimension_label(m: &Methodology, lang: Lang, by: &str) -> String {
    match by {
        "jurisdiction" => lang.t("search-facet-jurisdiction", &[]),
        "proceeding_type" => lang.t("search-facet-proceeding-type", &[]),
        "ground" => lang.t("search-facet-ground", &[]),
        "year" => lang.t("search-facet-year", &[]),
        "outcome" => lang.t("search-facet-outcome", &[]),
        "status" => lang.t("library-status", &[]),
        "court_level" => lang.t("stats-court-level", &[]),
        other => m
            .question(other)
            .map(|q| said(lang, &q.label))
            .unwrap_or_else(|| other.to_owned()),
    }
}

/// The filters in force, in words.
fn filters_note(
    m: &Methodology,
    lang: Lang,
    q: &StatsQuery,
    courts: &[(String, String)],
) -> String {
    let term = |v: &str, code: &str| {
        m.vocabulary(v)
            .and_then(|v| v.term(code))
            .map(|t| said(lang, &t.label))
            .unwrap_or_else(|| code.to_owned())
    };
    let mut parts = Vec::new();
    for (label, vocabulary, value) in [
        (
            "search-facet-jurisdiction",
            "jurisdiction",
            &q.case.jurisdiction,
        ),
        ("search-facet-ground", "ground", &q.case.ground),
        (
            "search-facet-proceeding-type",
            "proceeding_type",
            &q.case.proceeding_type,
        ),
        ("library-status", "monitoring_status", &q.case.status),
    ] {
        if !value.is_empty() {
            parts.push(format!(
                "{}: {}",
                lang.t(label, &[]),
                term(vocabulary, value)
            ));
        }
    }
    if !q.case.court_id.is_empty() {
        let court = courts
            .iter()
            .find(|(id, _)| *id == q.case.court_id)
            .map_or(q.case.court_id.as_str(), |(_, name)| name.as_str());
        parts.push(format!("{}: {court}", lang.t("search-facet-court", &[])));
    }
    if !q.case.filed_from.is_empty() || !q.case.filed_to.is_empty() {
        parts.push(format!(
            "{}: {} – {}",
            lang.t("library-filed", &[]),
            q.case.filed_from,
            q.case.filed_to
        ));
    }
    if parts.is_empty() {
        lang.t("stats-all-released", &[])
    } else {
        format!("{}; {}", lang.t("stats-released", &[]), parts.join("; "))
    }
}
