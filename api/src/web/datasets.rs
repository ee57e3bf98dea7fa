//! The datasets page: choose the files, the filters (the API's), the label language, Excel mode
//! (a byte-order mark) and the rulings' full text; the page then lists a download for each file
//! chosen and the whole release as one zip, all with those options (a GET form, then links). The
//! downloads are the API's files, through the same services (`services::export`): released records
//! only, redacted, whoever downloads.

use askama::Template;
use courtwatch_methodology::Methodology;
use poem::{
    Body, Request, Response,
    http::{StatusCode, header},
    web::{Data, Path},
};

use super::{
    Shell, WebSettings, filters::CaseChoices, form::pairs, form::said, form::value_of, page, visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{
        case::CaseFilter,
        export::{self, Dataset, ExportRequest, Labels},
    },
    state::AppState,
};

/// The page's choices, as typed (so that a refused one is shown again).
#[derive(Debug, Default, Clone)]
pub struct Choices {
    pub files: Vec<String>,
    pub case: CaseChoices,
    pub version: String,
    pub labels: String,
    pub bom: bool,
    pub full_text: bool,
}

impl Choices {
    fn read(query: &str) -> Choices {
        let pairs = pairs(query);
        let one = |key: &str| value_of(&pairs, key).unwrap_or_default().trim().to_owned();
        Choices {
            files: pairs
                .iter()
                .filter(|(k, _)| k == "file")
                .map(|(_, v)| v.clone())
                .collect(),
            case: CaseChoices::read(&pairs),
            version: one("methodology_version"),
            labels: one("labels"),
            bom: matches!(one("bom").as_str(), "1" | "true" | "on"),
            full_text: matches!(one("full_text").as_str(), "1" | "true" | "on"),
        }
    }

    /// The options as a query string for the downloads (the files aside).
    fn options(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        self.case.append_to(&mut out);
        for (key, value) in [
            ("methodology_version", &self.version),
            ("labels", &self.labels),
        ] {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
        if self.bom {
            out.append_pair("bom", "1");
        }
        if self.full_text {
            out.append_pair("full_text", "1");
        }
        out.finish()
    }

    /// The export these choices ask for, or the fields refused (message ids).
    fn request(
        &self,
        state: &AppState,
    ) -> Result<ExportRequest, Vec<(&'static str, &'static str)>> {
        let (filter, mut refused) = match self.case.filter() {
            Ok(filter) => (filter, Vec::new()),
            Err(refused) => (CaseFilter::default(), refused),
        };
        let methodology_version = if self.version.is_empty() {
            None
        } else {
            match self.version.parse::<u32>() {
                Ok(v) if state.methodology.get(v).is_some() => Some(v),
                _ => {
                    refused.push(("methodology_version", "datasets-bad-version"));
                    None
                }
            }
        };
        let labels = match self.labels.as_str() {
            "" | "codes" => Labels::Codes,
            "en" => Labels::En,
            "sq" => Labels::Sq,
            "sr" => Labels::Sr,
            _ => {
                refused.push(("labels", "datasets-bad-labels"));
                Labels::Codes
            }
        };
        if !refused.is_empty() {
            return Err(refused);
        }
        Ok(ExportRequest {
            filter,
            methodology_version,
            labels,
            bom: self.bom,
            full_text: self.full_text,
            search: None,
        })
    }
}

#[derive(Template)]
#[template(path = "datasets.html")]
struct DatasetsPage {
    shell: Shell,
    choices: Choices,
    files: Vec<(&'static str, String)>,
    jurisdictions: Vec<(String, String)>,
    courts: Vec<(String, String)>,
    grounds: Vec<(String, String)>,
    proceeding_types: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    versions: Vec<u32>,
    refused: Vec<(&'static str, String)>,
    /// The downloads, once the form is sent: file name and address.
    links: Vec<(String, String)>,
    zip: Option<String>,
}

impl DatasetsPage {
    fn refused_of(&self, field: &str) -> Option<&str> {
        self.refused
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn file_chosen(&self, file: &str) -> bool {
        self.choices.files.iter().any(|f| f == file)
    }
}

fn terms(m: &Methodology, lang: super::i18n::Lang, vocabulary: &str) -> Vec<(String, String)> {
    m.vocabulary(vocabulary)
        .map(|v| {
            v.terms
                .iter()
                .map(|t| (t.code.clone(), said(lang, &t.label)))
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /datasets`.
#[poem::handler]
pub async fn datasets_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let raw = request.uri().query().unwrap_or_default();
    let sent = pairs(raw).iter().any(|(k, _)| k == "show");
    let choices = Choices::read(raw);
    let m = state.methodology.latest();
    let courts = match super::filters::court_choices(state).await {
        Ok(courts) => courts,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let (refused, links, zip) = if sent {
        match choices.request(state) {
            Err(refused) => (
                refused
                    .into_iter()
                    .map(|(f, m)| (f, lang.t(m, &[])))
                    .collect(),
                Vec::new(),
                None,
            ),
            Ok(_) => {
                let options = choices.options();
                let join = if options.is_empty() { "" } else { "?" };
                let chosen: Vec<Dataset> = Dataset::ALL
                    .into_iter()
                    .filter(|d| {
                        choices.files.is_empty() || choices.files.iter().any(|f| f == d.name())
                    })
                    .collect();
                (
                    Vec::new(),
                    chosen
                        .into_iter()
                        .map(|d| {
                            (
                                format!("{}.csv", d.name()),
                                format!("/datasets/files/{}.csv{join}{options}", d.name()),
                            )
                        })
                        .collect(),
                    Some(format!("/datasets/package.zip{join}{options}")),
                )
            }
        }
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = DatasetsPage {
        shell: visit.shell("datasets-title"),
        files: Dataset::ALL
            .into_iter()
            .map(|d| {
                (
                    d.name(),
                    lang.t(&format!("datasets-file-{}", d.name()), &[]),
                )
            })
            .collect(),
        jurisdictions: terms(m, lang, "jurisdiction"),
        courts,
        grounds: terms(m, lang, "ground"),
        proceeding_types: terms(m, lang, "proceeding_type"),
        statuses: terms(m, lang, "monitoring_status"),
        versions: state.methodology.all().iter().map(|v| v.version).collect(),
        choices,
        refused,
        links,
        zip,
    };
    page(body.render(), status, &visit.cookies)
}

fn refused_page(visit: &super::Visit, refused: &[(&str, &str)]) -> Response {
    let text = refused
        .iter()
        .map(|(f, m)| format!("{f}: {}", visit.lang.t(m, &[])))
        .collect::<Vec<_>>()
        .join(" ");
    super::pages::message(
        visit.lang,
        Some(&visit.session),
        StatusCode::BAD_REQUEST,
        text,
        true,
    )
}

fn failed(visit: &super::Visit, e: ServiceError) -> Response {
    match e {
        ServiceError::BadRequest(m) => super::pages::message(
            visit.lang,
            Some(&visit.session),
            StatusCode::BAD_REQUEST,
            m,
            true,
        ),
        e => super::pages::broken(visit.lang, &e),
    }
}

fn attachment(content_type: &str, name: &str, body: Body) -> Response {
    Response::builder()
        .content_type(content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
}

/// `GET /datasets/files/{file}`: one file with the page's options (the API's
/// `GET /datasets/{file}`).
#[poem::handler]
pub async fn download_file(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let Some(dataset) = Dataset::from_file(&file) else {
        return super::pages::message(
            visit.lang,
            Some(&visit.session),
            StatusCode::NOT_FOUND,
            visit.lang.t("datasets-no-such-file", &[]),
            true,
        );
    };
    let choices = Choices::read(request.uri().query().unwrap_or_default());
    let export = match choices.request(state) {
        Ok(r) => r,
        Err(refused) => return refused_page(&visit, &refused),
    };
    match export::stream(state, dataset, export) {
        Ok(stream) => attachment(
            "text/csv; charset=utf-8",
            &format!("{}.csv", dataset.name()),
            Body::from_bytes_stream(stream),
        ),
        Err(e) => failed(&visit, e),
    }
}

/// `GET /datasets/package.zip`: the whole release with the page's options (the API's).
#[poem::handler]
pub async fn download_zip(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let choices = Choices::read(request.uri().query().unwrap_or_default());
    let export = match choices.request(state) {
        Ok(r) => r,
        Err(refused) => return refused_page(&visit, &refused),
    };
    match export::zip_stream(state, export) {
        Ok(stream) => attachment(
            "application/zip",
            "courtwatch-datasets.zip",
            Body::from_bytes_stream(stream),
        ),
        Err(e) => failed(&visit, e),
    }
}
