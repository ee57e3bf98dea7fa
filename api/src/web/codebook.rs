//! The codebook browser: every column of every dataset file (the codebook the datasets ship
//! with, `services::export::codebook`), its type, its codes with their labels, the question as
//! asked, its help-free description, the standard it implements and the methodology version; in
//! the page's language, searchable by words in any of the three languages and by file.

use askama::Template;
use courtwatch_methodology::Text;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Query},
};
use serde::Deserialize;

use super::{Shell, WebSettings, form::said, page, visit};
use crate::{
    access,
    services::export::{CodeLabel, CodebookColumn, codebook},
    state::AppState,
};

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub struct CodebookQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    file: String,
}

/// A column as the page shows it.
pub struct Shown {
    pub file: String,
    pub column: String,
    pub kind: String,
    pub description: String,
    pub question: Option<String>,
    pub standard: Option<String>,
    pub applies_when: Option<String>,
    pub version: Option<u32>,
    pub multiple: bool,
    pub codes: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "codebook.html")]
struct CodebookPage {
    shell: Shell,
    query: CodebookQuery,
    files: Vec<String>,
    columns: Vec<Shown>,
    total: usize,
}

fn text(c: &CodeLabel) -> Text {
    Text {
        en: c.en.clone(),
        sq: c.sq.clone(),
        sr: c.sr.clone(),
    }
}

/// Whether every word of `q` is in the column (its names, texts and codes, any language; case
/// and diacritics aside).
fn matches(column: &CodebookColumn, q: &str) -> bool {
    let fold = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .map(|c| match c {
                'č' | 'ć' => 'c',
                'š' => 's',
                'ž' => 'z',
                'đ' => 'd',
                'ë' => 'e',
                'ç' => 'c',
                other => other,
            })
            .collect()
    };
    let mut hay = vec![
        column.file.clone(),
        column.column.clone(),
        column.description.clone(),
    ];
    hay.extend(
        [
            &column.question_en,
            &column.question_sq,
            &column.question_sr,
            &column.standard,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    for c in &column.codes {
        hay.extend([c.code.clone(), c.en.clone(), c.sq.clone(), c.sr.clone()]);
    }
    let hay = fold(&hay.join(" "));
    fold(q).split_whitespace().all(|word| hay.contains(word))
}

/// `GET /codebook`.
#[poem::handler]
pub async fn codebook_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Query(query): Query<CodebookQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let all = codebook(state.methodology.latest());
    let mut files: Vec<String> = all.iter().map(|c| c.file.clone()).collect();
    files.dedup();
    let total = all.len();
    let columns = all
        .into_iter()
        .filter(|c| query.file.is_empty() || c.file == query.file)
        .filter(|c| matches(c, &query.q))
        .map(|c| {
            let question = c.question_en.clone().map(|en| {
                said(
                    lang,
                    &Text {
                        en,
                        sq: c.question_sq.clone().unwrap_or_default(),
                        sr: c.question_sr.clone().unwrap_or_default(),
                    },
                )
            });
            Shown {
                kind: c
                    .answer_type
                    .clone()
                    .unwrap_or_else(|| c.column_type.name().to_owned()),
                codes: c
                    .codes
                    .iter()
                    .map(|code| (code.code.clone(), said(lang, &text(code))))
                    .collect(),
                question,
                file: c.file,
                column: c.column,
                description: c.description,
                standard: c.standard,
                applies_when: c.applies_when,
                version: c.methodology_version,
                multiple: c.multiple,
            }
        })
        .collect();
    let body = CodebookPage {
        shell: visit.shell("codebook-title"),
        query,
        files,
        columns,
        total,
    };
    page(body.render(), StatusCode::OK, &visit.cookies)
}
