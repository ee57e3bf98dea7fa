//! Command-line and environment configuration, read once in `main`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// courtwatch: trial monitoring and case-law research for discrimination cases.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Where courtwatch keeps its data.
    #[command(flatten)]
    pub storage: StorageConfig,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct StorageConfig {
    /// Directory for the embedded SQLite database and the search index; created when missing.
    #[arg(
        long,
        env = "COURTWATCH_DATA_DIR",
        default_value = "./courtwatch-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host:5432/db) for a shared server; SQLite in the data
    /// directory when absent.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory of the search index (derived from the database; safe to delete and rebuild).
    /// Default: `index/` in the data directory.
    #[arg(long, env = "COURTWATCH_INDEX_DIR", global = true)]
    pub index_dir: Option<PathBuf>,
}

impl StorageConfig {
    /// Where the search index lives.
    pub fn index_dir(&self) -> PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("index"))
    }

    /// The database URL to connect to.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => crate::db::sqlite_url(&self.data_dir),
        }
    }
}

/// HTTP server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "COURTWATCH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "COURTWATCH_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest body of `POST /api/v1/rulings/import`, in bytes (the shared corpus of 2,204
    /// judgments is 206 MB; larger collections go through `courtwatch import rulings`).
    #[arg(long, env = "COURTWATCH_MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_import_bytes: usize,
    /// Refused bearer tokens allowed from one client address per minute; past it, that address's
    /// requests with a token answer 429 (with Retry-After) until the minute is over.
    #[arg(
        long,
        env = "COURTWATCH_AUTH_FAILURES_PER_MINUTE",
        default_value_t = 30
    )]
    pub auth_failures_per_minute: u32,
    /// The address people open in a browser (`https://courtwatch.example.org`). Cookies are
    /// Secure when it is https; sign-in links printed by `courtwatch user add` start with it.
    #[arg(long, env = "COURTWATCH_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Load the fictional demo data set before serving (only into an empty database).
    #[arg(long, env = "COURTWATCH_DEMO_DATA")]
    pub demo_data: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API (creates and migrates the database on first start).
    Serve(ServeConfig),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the fictional demo data set (only into a database without cases).
    DemoData,
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Bring in data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Rebuild the search index from the database into a new generation, then switch to it. A
    /// running server keeps serving the old index until the new one is ready.
    Reindex,
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a dataset release to a folder: cases.csv, parties.csv, hearings.csv,
    /// observations.csv, rulings.csv, datapackage.json, codebook.csv, codebook.json and
    /// SHA256SUMS (check with `sha256sum -c SHA256SUMS`).
    Export(ExportArgs),
    /// Write a consistent copy of the SQLite database to FILE while the server keeps running
    /// (SQLite's `VACUUM INTO`). For PostgreSQL use `pg_dump` (see the README).
    Backup {
        /// The backup file to create (must not exist).
        file: PathBuf,
    },
    /// Replace the SQLite database with a backup made by `courtwatch backup`, then rebuild the
    /// search index. Stop the server first. The database it replaces is kept beside it as
    /// `courtwatch.db.replaced-<time>`.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
}

/// `courtwatch export DIR [filters]`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; files of the same names are replaced).
    pub dir: PathBuf,
    /// Only records of cases at courts of this jurisdiction (XK, RS, ME, ...).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// Only records of cases at this court (court id).
    #[arg(long)]
    pub court_id: Option<String>,
    /// Only records of cases alleging this ground.
    #[arg(long)]
    pub ground: Option<String>,
    /// Only records of cases of this proceeding type.
    #[arg(long)]
    pub proceeding_type: Option<String>,
    /// Only records of cases with this monitoring status.
    #[arg(long)]
    pub status: Option<String>,
    /// Only records of cases filed on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub filed_from: Option<chrono::NaiveDate>,
    /// Only records of cases filed on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub filed_to: Option<chrono::NaiveDate>,
    /// Methodology version (default: the latest).
    #[arg(long)]
    pub methodology_version: Option<u32>,
    /// Codes (default) or labels in choice columns: codes, en, sq or sr.
    #[arg(long, default_value = "codes", value_parser = ["codes", "en", "sq", "sr"])]
    pub labels: String,
    /// Start each CSV file with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Include the rulings' full text in rulings.csv.
    #[arg(long)]
    pub full_text: bool,
}

/// `courtwatch import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Load case law from JSON lines (`.jsonl` or `.jsonl.gz`): `{id, title, court, date, lang,
    /// text, source, …}` per line. The `id` is the key: importing the same file twice changes
    /// nothing. With any invalid line nothing is written, unless `--skip-invalid`.
    Rulings {
        /// The file.
        file: PathBuf,
        /// Import the valid lines and report the invalid ones.
        #[arg(long)]
        skip_invalid: bool,
        /// Recorded as the importing user (a user id); default: the first admin, else a system user.
        #[arg(long)]
        as_user: Option<String>,
    },
}

/// `courtwatch token …` (as the operator: any user's tokens).
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user and print it once.
    Create {
        /// The user (id) the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until it expires (1–366).
        #[arg(long, default_value_t = 90)]
        expires_in_days: u32,
    },
    /// List a user's tokens (never their secrets).
    List {
        /// The user (id).
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by id; it is refused from the next request on.
    Revoke {
        /// Token id (from `token list`).
        id: String,
    },
}

/// User management.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user in an existing organisation (see `courtwatch org add`) and print a new API
    /// token once.
    Add {
        /// Name shown in the records the user writes.
        #[arg(long)]
        name: String,
        /// The organisation (coalition member) the user belongs to: its name or id, as
        /// `courtwatch org list` shows it.
        #[arg(long)]
        org: String,
        /// The user's role.
        #[arg(long, default_value = "monitor", value_parser = clap::builder::PossibleValuesParser::new(crate::access::Role::ALL.map(crate::access::Role::as_str)))]
        role: String,
        /// Days until the first token expires (1–366); make a new one with `courtwatch token
        /// create --user ID` before then.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=366))]
        expires_in_days: u32,
        /// The user's e-mail address, to sign in with in a browser: a one-time link to set a
        /// password is printed (valid 72 hours).
        #[arg(long)]
        email: Option<String>,
        /// The address people open in a browser; the sign-in link starts with it.
        #[arg(
            long,
            env = "COURTWATCH_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
    /// List users with their organisation, role, state and number of live tokens.
    List {
        /// Only this organisation's users (name or id).
        #[arg(long)]
        org: Option<String>,
    },
    /// Deactivate a user: none of their tokens is accepted from the next request on. The user
    /// stays in the records and the audit trail.
    Deactivate {
        /// The user's id (from `user list`).
        id: String,
    },
}

/// Organisations (coalition members); created on purpose, never by a typo in `user add`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation (refused when one of the same name, case and spacing aside, exists).
    Add {
        /// Its name.
        name: String,
    },
    /// List organisations: id, name and number of users.
    List,
    /// Rename an organisation.
    Rename {
        /// Its current name or id.
        org: String,
        /// The new name.
        new_name: String,
    },
}
