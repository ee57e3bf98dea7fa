use thiserror::Error;

/// Why a methodology file could not be loaded. These are faults in a data file shipped with
/// courtwatch, found by its tests, never something an API user can cause.
#[derive(Debug, Error)]
pub enum MethodologyError {
    /// The file is not valid TOML, or has a field the format does not know.
    #[error("methodology file {file} does not parse: {source}")]
    Parse {
        /// The file name, e.g. `v1.toml`.
        file: String,
        /// The parser's explanation, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The file parses but breaks a rule of the format (duplicate code, unknown vocabulary, ...).
    #[error("methodology file {file} is inconsistent: {problems:?}")]
    Inconsistent {
        /// The file name, e.g. `v1.toml`.
        file: String,
        /// Every rule it breaks, one sentence each.
        problems: Vec<String>,
    },
}
