//! The statistics dashboard: what `/stats/*` computes (`services::stats`, released records only,
//! whoever looks), as charts drawn on the server (`charts.rs`), each with its title and
//! description for screen readers, its n and base, the filters in force, a data table beside it,
//! and links to its CSV and to the SVG file. The same filters as the API; labels in the page's
//! language. Signed in at `/statistics`; when an admin has opened anonymous statistics, the same
//! figures (aggregates only) at the stable public address `/public/statistics`.

use askama::Template;
use courtwatch_methodology::{AnswerType, Methodology};
use poem::{
    Request, Response,
    http::{StatusCode, header},
    web::{Data, Path},
};

use super::{
    Shell, WebSettings,
    charts::{self, Bar, Caption},
    filters::CaseChoices,
    form::{pairs, said, value_of},
    i18n::{Lang, to_cyrillic},
    page, visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{
        export::Labels,
        figures::Labeller,
        settings,
        stats::{self, Count, DIMENSIONS, Indicator},
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
    fn read(raw: &str) -> StatsQuery {
        let pairs = pairs(raw);
        let one = |k: &str| value_of(&pairs, k).unwrap_or_default().trim().to_owned();
        StatsQuery {
            case: CaseChoices::read(&pairs),
            question: one("question"),
            by: one("by"),
        }
    }

    fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.case.append_to(&mut out);
        for (k, v) in [("question", &self.question), ("by", &self.by)] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }

    fn crosstab(&self) -> (String, String) {
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

/// All the figures for `query` (the crosstab's question and dimension checked by the service).
async fn figures(
    state: &AppState,
    lang: Lang,
    query: &StatsQuery,
    courts: &[(String, String)],
    base: &str,
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
    let mut cases = stats::cases(state, &filter).await?;
    labeller.cases(&mut cases);
    let mut hearings = stats::hearings(state, &filter).await?;
    labeller.hearings(&mut hearings);
    let durations = stats::durations(state, &filter).await?;
    let (question, by) = query.crosstab();
    let mut table = stats::crosstab(state, &filter, &question, &by).await?;
    labeller.crosstab(&mut table);

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
    Ok(out)
}

fn dimension_label(m: &Methodology, lang: Lang, by: &str) -> String {
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

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    shell: Shell,
    public: bool,
    action: &'static str,
    query: StatsQuery,
    problem: Option<String>,
    figures: Vec<FigureView>,
    jurisdictions: Vec<(String, String)>,
    courts: Vec<(String, String)>,
    grounds: Vec<(String, String)>,
    proceeding_types: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    questions: Vec<(String, String)>,
    dimensions: Vec<(String, String)>,
}

fn terms(m: &Methodology, lang: Lang, vocabulary: &str) -> Vec<(String, String)> {
    m.vocabulary(vocabulary)
        .map(|v| {
            v.terms
                .iter()
                .map(|t| (t.code.clone(), said(lang, &t.label)))
                .collect()
        })
        .unwrap_or_default()
}

async fn statistics_body(
    state: &AppState,
    lang: Lang,
    shell: Shell,
    raw: &str,
    public: bool,
) -> (StatusCode, StatisticsPage) {
    let query = StatsQuery::read(raw);
    let m = state.methodology.latest();
    let base = if public {
        "/public/statistics/figures"
    } else {
        "/statistics/figures"
    };
    let (shown, courts) = match super::filters::court_choices(state).await {
        Ok(courts) => (figures(state, lang, &query, &courts, base).await, courts),
        Err(e) => (Err(e), Vec::new()),
    };
    let (figures, problem, status) = match shown {
        Ok(f) => (f, None, StatusCode::OK),
        Err(ServiceError::BadRequest(message)) => {
            (Vec::new(), Some(message), StatusCode::BAD_REQUEST)
        }
        Err(e) => {
            tracing::error!(error = %e, "statistics failed");
            (
                Vec::new(),
                Some(lang.t("error-internal", &[])),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    };
    let questions = m
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.answer_type,
                AnswerType::YesNo { .. } | AnswerType::SingleChoice { .. }
            )
        })
        .map(|q| (q.code.clone(), said(lang, &q.label)))
        .collect();
    let dimensions = DIMENSIONS
        .iter()
        .map(|d| ((*d).to_owned(), dimension_label(m, lang, d)))
        .collect();
    (
        status,
        StatisticsPage {
            shell,
            public,
            action: if public {
                "/public/statistics"
            } else {
                "/statistics"
            },
            problem,
            figures,
            jurisdictions: terms(m, lang, "jurisdiction"),
            courts,
            grounds: terms(m, lang, "ground"),
            proceeding_types: terms(m, lang, "proceeding_type"),
            statuses: terms(m, lang, "monitoring_status"),
            questions,
            dimensions,
            query,
        },
    )
}

/// `GET /statistics`.
#[poem::handler]
pub async fn statistics_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let mut shell = visit.shell("stats-title");
    let raw = request.uri().query().unwrap_or_default();
    shell.keep = StatsQuery::read(raw).query_string();
    let (status, body) = statistics_body(state, visit.lang, shell, raw, false).await;
    page(body.render(), status, &visit.cookies)
}

/// Whether anonymous statistics are open (the public dashboard answers 404 otherwise).
async fn open_to_anyone(state: &AppState) -> Result<bool, ServiceError> {
    Ok(settings::get(&state.db).await?.anonymous_stats)
}

fn closed() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .body("The statistics of this server are not public.")
}

/// `GET /public/statistics`: the dashboard for anyone, when an admin has opened it.
#[poem::handler]
pub async fn public_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    match open_to_anyone(state).await {
        Ok(true) => {}
        Ok(false) => return closed(),
        Err(e) => return super::pages::broken(Lang::default(), &e),
    }
    let (lang, cookie) = super::language(state, settings, request, None).await;
    let raw = request.uri().query().unwrap_or_default();
    let mut shell = Shell::new(lang, lang.t("stats-title", &[]), None);
    shell.keep = StatsQuery::read(raw).query_string();
    let (status, body) = statistics_body(state, lang, shell, raw, true).await;
    page(body.render(), status, &Vec::from_iter(cookie))
}

async fn figure_file(state: &AppState, lang: Lang, raw: &str, file: &str, base: &str) -> Response {
    let (name, ext) = match file.rsplit_once('.') {
        Some((n, e @ ("csv" | "svg"))) => (n, e),
        _ => return StatusCode::NOT_FOUND.into(),
    };
    let query = StatsQuery::read(raw);
    let courts = match super::filters::court_choices(state).await {
        Ok(courts) => courts,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let found = match figures(state, lang, &query, &courts, base).await {
        Ok(f) => f.into_iter().find(|f| f.name == name),
        Err(ServiceError::BadRequest(m)) => {
            return Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .content_type("text/plain; charset=utf-8")
                .body(m);
        }
        Err(e) => return super::pages::broken(lang, &e),
    };
    let Some(shown) = found else {
        return StatusCode::NOT_FOUND.into();
    };
    let (content_type, body) = if ext == "svg" {
        ("image/svg+xml; charset=utf-8", shown.svg.into_bytes())
    } else {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let mut ok = writer.write_record(&shown.table.head).is_ok();
        for row in &shown.table.rows {
            ok &= writer.write_record(row).is_ok();
        }
        match (ok, writer.into_inner()) {
            (true, Ok(bytes)) => ("text/csv; charset=utf-8", bytes),
            _ => return StatusCode::INTERNAL_SERVER_ERROR.into(),
        }
    };
    Response::builder()
        .content_type(content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        // An SVG opened on its own runs nothing and loads nothing.
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(body)
}

/// `GET /statistics/figures/{file}`: one figure as CSV (its table) or SVG (its chart).
#[poem::handler]
pub async fn figure(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let raw = request.uri().query().unwrap_or_default();
    figure_file(state, visit.lang, raw, &file, "/statistics/figures").await
}

/// `GET /public/statistics/figures/{file}`: the same, for anyone, when statistics are open.
#[poem::handler]
pub async fn public_figure(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    match open_to_anyone(state).await {
        Ok(true) => {}
        Ok(false) => return closed(),
        Err(e) => return super::pages::broken(Lang::default(), &e),
    }
    let (lang, _) = super::language(state, settings, request, None).await;
    let raw = request.uri().query().unwrap_or_default();
    figure_file(state, lang, raw, &file, "/public/statistics/figures").await
}
