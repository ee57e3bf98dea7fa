//! Holding requests to the published OpenAPI document: which methods a path has (the `Allow`
//! header of a 405) and whether a JSON body matches the operation's request schema.
//!
//! poem-openapi parses bodies leniently: a number or boolean sent for a text field becomes text,
//! and `null` is taken as an absent field. The published schema allows neither, and a user who
//! sends the wrong type should hear so rather than have the value turned into something else.
//! So every JSON body is checked against the operation's schema (taken from the same document the
//! service publishes, so the two cannot drift) before the endpoint sees it.
//!
//! [`publish`] makes poem-openapi's document say what the service does: dates are the standard
//! `date` format (poem-openapi writes `naive-date`, which no JSON Schema tool knows), and an
//! optional field may be sent as `null`, which means the same as leaving it out.

use jsonschema::{Draft, Validator};
use poem::http::Method;
use serde_json::Value;

use crate::services::common::nul_at;

/// How many schema problems a 400 lists (the rest are counted).
const LISTED_PROBLEMS: usize = 10;
/// How much of an offending value a problem quotes, in characters.
const QUOTED_CHARS: usize = 60;

/// The published OpenAPI document (YAML, JSON) from poem-openapi's YAML: formats standardised and
/// optional object properties marked `nullable`. The YAML keeps poem-openapi's key order.
pub fn publish(poem_yaml: &str) -> (String, String) {
    let mut spec: serde_yaml::Value =
        serde_yaml::from_str(poem_yaml).expect("poem-openapi's own YAML parses");
    standardise(&mut spec);
    let yaml = serde_yaml::to_string(&spec).expect("YAML out");
    let json: Value = serde_yaml::from_value(spec).expect("the document is JSON-compatible");
    (yaml, serde_json::to_string_pretty(&json).expect("JSON out"))
}

fn standardise(value: &mut serde_yaml::Value) {
    use serde_yaml::Value as Y;
    match value {
        Y::Mapping(map) => {
            if map.get("format").and_then(Y::as_str) == Some("naive-date") {
                map.insert("format".into(), "date".into());
            }
            let required: Vec<String> = map
                .get("required")
                .and_then(Y::as_sequence)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Y::Mapping(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    let optional = name
                        .as_str()
                        .is_some_and(|n| !required.iter().any(|r| r == n));
                    if optional && let Y::Mapping(property) = property {
                        property.insert("nullable".into(), true.into());
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                standardise(child);
            }
        }
        Y::Sequence(items) => items.iter_mut().for_each(standardise),
        _ => {}
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema says it: `anyOf` the schema or `null`.
fn nullable_as_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                nullable_as_json_schema(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(map));
                map.insert("anyOf".into(), serde_json::json!([inner, {"type": "null"}]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_json_schema),
        _ => {}
    }
}

/// Every route of the service, read from its OpenAPI document.
#[derive(Debug)]
pub struct Routes {
    routes: Vec<Route>,
}

#[derive(Debug)]
struct Route {
    /// Path segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    /// Comma-separated methods, for `Allow`.
    allow: String,
    /// The JSON request-body schema of each method that has one.
    bodies: Vec<(Method, Validator)>,
    /// The query parameters whose values are an enumeration, by method: name and allowed values.
    enums: Vec<(Method, String, Vec<String>)>,
}

/// The allowed values of a parameter schema that is an enumeration (inline, by `$ref`, or the
/// items of an array of one).
fn enumeration(schema: &Value, components: &Value) -> Option<Vec<String>> {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => components
            .get("schemas")?
            .get(reference.rsplit('/').next()?)?,
        None => schema,
    };
    if let Some(items) = resolved.get("items") {
        return enumeration(items, components);
    }
    if let Some(all_of) = resolved.get("allOf").and_then(Value::as_array)
        && let [only] = all_of.as_slice()
    {
        return enumeration(only, components);
    }
    resolved
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
}

impl Routes {
    /// Reads the routes under `prefix` from the OpenAPI document (JSON), plus the service's own
    /// routes outside it (health, metrics, the spec). Panics if the document's schemas do not
    /// compile: that is a programming error caught by every test.
    pub fn from_spec(spec_json: &str, prefix: &str) -> Self {
        let mut routes: Vec<Route> = [
            "/healthz",
            "/readyz",
            "/metrics",
            "/openapi.yaml",
            "/openapi.json",
        ]
        .iter()
        .map(|path| Route {
            segments: segments(path),
            allow: "GET, HEAD".to_owned(),
            bodies: Vec::new(),
            enums: Vec::new(),
        })
        .collect();
        let spec: Value = serde_json::from_str(spec_json).expect("the service's own OpenAPI JSON");
        let mut components = spec.get("components").cloned().unwrap_or(Value::Null);
        nullable_as_json_schema(&mut components);
        let Some(paths) = spec["paths"].as_object() else {
            return Self { routes };
        };
        for (path, operations) in paths {
            let Some(operations) = operations.as_object() else {
                continue;
            };
            let mut methods = Vec::new();
            let mut bodies = Vec::new();
            let mut enums = Vec::new();
            for (method, operation) in operations {
                let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                    continue;
                };
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if parameter["in"] == "query"
                        && let Some(name) = parameter["name"].as_str()
                        && let Some(values) = enumeration(&parameter["schema"], &components)
                    {
                        enums.push((method.clone(), name.to_owned(), values));
                    }
                }
                // The media type is `application/json`, or with `; charset=utf-8` for bodies
                // that are text.
                let json_body = operation["requestBody"]["content"]
                    .as_object()
                    .and_then(|content| {
                        content
                            .iter()
                            .find(|(media, _)| media.starts_with("application/json"))
                    })
                    .and_then(|(_, media)| media.get("schema"));
                if let Some(schema) = json_body {
                    let document = serde_json::json!({
                        "allOf": [schema],
                        "components": components,
                    });
                    let validator = jsonschema::options()
                        .with_draft(Draft::Draft7)
                        .build(&document)
                        .unwrap_or_else(|err| {
                            panic!("request schema of {method} {path} does not compile: {err}")
                        });
                    bodies.push((method.clone(), validator));
                }
                methods.push(method.to_string());
            }
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".to_owned());
            }
            routes.push(Route {
                segments: segments(&format!("{prefix}{path}")),
                allow: methods.join(", "),
                bodies,
                enums,
            });
        }
        Self { routes }
    }

    fn find(&self, path: &str) -> Option<&Route> {
        let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes.iter().find(|route| {
            route.segments.len() == wanted.len()
                && route
                    .segments
                    .iter()
                    .zip(&wanted)
                    .all(|(r, w)| r.as_deref().is_none_or(|r| r == *w))
        })
    }

    /// The methods a path supports, for the `Allow` header of a 405.
    pub fn allow(&self, path: &str) -> Option<&str> {
        self.find(path).map(|route| route.allow.as_str())
    }

    /// Refuses a path or query string holding an encoded NUL character (`%00`): no parameter
    /// needs one, and PostgreSQL cannot compare text with it.
    pub fn check_uri(uri: &poem::http::Uri) -> Result<(), String> {
        let raw = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("");
        if raw.to_ascii_lowercase().contains("%00") {
            return Err(
                "the path or query string contains the NUL character (%00), which no parameter may hold"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Refuses a query parameter whose value is not one of its enumeration's, naming the values
    /// allowed (poem-openapi's own message says only that the value did not parse).
    pub fn check_query(&self, method: &Method, path: &str, query: &str) -> Result<(), String> {
        let Some(route) = self.find(path) else {
            return Ok(());
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let allowed = route
                .enums
                .iter()
                .find(|(m, n, _)| m == method && *n == name)
                .map(|(_, _, values)| values);
            if let Some(allowed) = allowed
                && !allowed.iter().any(|a| *a == value)
            {
                return Err(format!(
                    "query parameter '{name}': '{value}' is not allowed; expected one of: {}",
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Checks a JSON body against the operation's request schema (any JSON body, for the NUL
    /// character). `Err` holds the explanation
    /// for a 400: each problem with the place in the body (a JSON pointer) where it is. A body
    /// that is not JSON at all is left to the endpoint, which says why it does not parse.
    pub fn check_body(&self, method: &Method, path: &str, body: &[u8]) -> Result<(), BodyProblem> {
        let validator = self.find(path).and_then(|route| {
            route
                .bodies
                .iter()
                .find(|(m, _)| m == method)
                .map(|(_, validator)| validator)
        });
        let Ok(instance) = serde_json::from_slice::<Value>(body) else {
            return Ok(());
        };
        if let Some(at) = nul_at(&instance) {
            return Err(BodyProblem::Nul {
                field: at.trim_start_matches('/').replace('/', "."),
            });
        }
        let Some(validator) = validator else {
            return Ok(());
        };
        let problems: Vec<String> = validator
            .iter_errors(&instance)
            .map(|err| {
                let at = err.instance_path().to_string();
                let at = if at.is_empty() { "/".to_owned() } else { at };
                // The message quotes the offending value, which may be a whole judgment: keep
                // its start only, and the message's own words whole.
                let mut message = err.to_string();
                let value = err.instance().to_string();
                if value.chars().count() > QUOTED_CHARS {
                    let start: String = value.chars().take(QUOTED_CHARS).collect();
                    message = message.replace(&value, &format!("{start}…"));
                }
                format!("{at}: {message}")
            })
            .collect();
        if problems.is_empty() {
            return Ok(());
        }
        let mut detail = format!(
            "the request body does not match the schema of {method} {path}: {}",
            problems
                .iter()
                .take(LISTED_PROBLEMS)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
        if problems.len() > LISTED_PROBLEMS {
            detail.push_str(&format!(" (and {} more)", problems.len() - LISTED_PROBLEMS));
        }
        Err(BodyProblem::Schema(detail))
    }
}

/// Why a body was refused.
#[derive(Debug)]
pub enum BodyProblem {
    /// It does not match the operation's schema (400): the explanation, with places.
    Schema(String),
    /// Well-formed, but a text (at `field`, dotted) holds the NUL character, which cannot be
    /// stored (422, like any other content that cannot be accepted).
    Nul {
        /// Where: `answers.notes`, `title`.
        field: String,
    },
}

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Schema(detail) => f.write_str(detail),
            Self::Nul { field } => write!(
                f,
                "{field}: text may not contain the NUL character (U+0000)"
            ),
        }
    }
}

fn segments(path: &str) -> Vec<Option<String>> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        let spec = serde_json::json!({
            "paths": {
                "/things/{id}": {
                    "get": {},
                    "put": {"requestBody": {"content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/ThingInput"}}}}}
                }
            },
            "components": {"schemas": {"ThingInput": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"},
                               "note": {"type": "string", "nullable": true}}
            }}}
        });
        Routes::from_spec(&spec.to_string(), "/api")
    }

    #[test]
    fn published_spec_has_standard_dates_and_nullable_optional_fields() {
        let poem = "components:\n  schemas:\n    X:\n      type: object\n      required:\n      - a\n      properties:\n        a:\n          type: string\n        b:\n          type: string\n          format: naive-date\n";
        let (yaml, json) = publish(poem);
        assert!(yaml.contains("format: date\n"), "{yaml}");
        let json: Value = serde_json::from_str(&json).expect("json");
        let x = &json["components"]["schemas"]["X"]["properties"];
        assert_eq!(x["a"].get("nullable"), None);
        assert_eq!(x["b"]["nullable"], true);
    }

    #[test]
    fn allow_lists_the_methods_of_the_matching_path() {
        let routes = routes();
        assert_eq!(routes.allow("/api/things/42"), Some("GET, PUT, HEAD"));
        assert_eq!(routes.allow("/healthz"), Some("GET, HEAD"));
        assert_eq!(routes.allow("/api/things"), None);
    }

    #[test]
    fn bodies_of_the_wrong_type_are_refused_with_their_place() {
        let routes = routes();
        let put = Method::PUT;
        let path = "/api/things/42";
        assert!(routes.check_body(&put, path, br#"{"name":"x"}"#).is_ok());
        assert!(
            routes
                .check_body(&put, path, br#"{"name":"x","note":"y"}"#)
                .is_ok()
        );
        let err = routes
            .check_body(&put, path, br#"{"name":1187}"#)
            .expect_err("a number for a string");
        let err = err.to_string();
        assert!(err.contains("/name"), "{err}");
        assert!(
            routes
                .check_body(&put, path, br#"{"name":"x","note":null}"#)
                .is_ok()
        );
        let err = routes
            .check_body(&put, path, br#"{"name":null}"#)
            .expect_err("null for a required string")
            .to_string();
        assert!(err.contains("/name"), "{err}");
        let err = routes
            .check_body(&put, path, br#"{}"#)
            .expect_err("missing required")
            .to_string();
        assert!(err.contains("name"), "{err}");
        let err = routes
            .check_body(&put, path, br#"{"name":"a\u0000b"}"#)
            .expect_err("NUL");
        assert!(
            matches!(&err, BodyProblem::Nul { field } if field == "name"),
            "{err}"
        );
        // Any JSON body, schema or not, for NUL.
        let err = routes
            .check_body(
                &Method::POST,
                "/api/other",
                br#"{"x":["ok",{"y\u0000":1}]}"#,
            )
            .expect_err("NUL in a key")
            .to_string();
        assert!(err.starts_with("x.1.y"), "{err}");
        let uri: poem::http::Uri = "/api/things?q=a%00b".parse().expect("uri");
        assert!(Routes::check_uri(&uri).is_err());
        let uri: poem::http::Uri = "/api/things?q=a%20b".parse().expect("uri");
        assert!(Routes::check_uri(&uri).is_ok());
        // Not JSON: left to the endpoint's parser; no schema: nothing to check.
        assert!(routes.check_body(&put, path, b"{oops").is_ok());
        assert!(
            routes
                .check_body(&Method::GET, path, br#"{"name":1}"#)
                .is_ok()
        );
    }
}
