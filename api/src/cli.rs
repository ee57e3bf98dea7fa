//! The `courtwatch` command line, shared by the `courtwatch` binary and the test binary.

mod admin;

use std::{io::IsTerminal, process::ExitCode};

use crate::access::Actor;
use crate::{
    app, backup,
    config::{Cli, Command, ExportArgs, ImportCommand, TokenCommand},
    datalock, db, demo,
    search::{Search, sync},
    services::{
        auth,
        case::CaseFilter,
        export::{self, ExportRequest, Labels},
        import,
    },
    state::AppState,
};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use tracing_subscriber::EnvFilter;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("courtwatch: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(main_async())
}

async fn main_async() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: a log file or the journal gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("courtwatch: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the database is SQLite in the data directory (no PostgreSQL URL).
fn sqlite(cli: &Cli) -> bool {
    cli.storage
        .database_url
        .as_deref()
        .is_none_or(str::is_empty)
}

async fn run(cli: Cli) -> Result<(), String> {
    if sqlite(&cli) {
        db::prepare_data_dir(&cli.storage.data_dir).map_err(|e| {
            format!(
                "cannot create data directory {}: {e}",
                cli.storage.data_dir.display()
            )
        })?;
    }
    // Every process of a data directory holds its lock: shared, or alone for a restore.
    let _lock = if sqlite(&cli) {
        Some(if matches!(cli.command, Command::Restore { .. }) {
            datalock::exclusive(&cli.storage.data_dir)?
        } else {
            datalock::shared(&cli.storage.data_dir)?
        })
    } else {
        None
    };
    if let Command::Restore { file } = &cli.command {
        return restore(&cli, file).await;
    }
    let url = cli.storage.url();
    let connection = db::open(&url).await?;
    if sqlite(&cli) {
        db::make_sqlite_private(&cli.storage.data_dir).map_err(|e| {
            format!(
                "cannot restrict the database files in {} to their owner: {e}",
                cli.storage.data_dir.display()
            )
        })?;
    }
    db::migrate(&connection)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    let state = AppState::new(connection);
    match cli.command {
        Command::Migrate => {
            eprintln!("database is migrated");
            Ok(())
        }
        Command::DemoData => load_demo(&state).await,
        Command::Org(command) => admin::org(&state, command).await,
        Command::User(command) => admin::user(&state, command).await,
        Command::Import(ImportCommand::Rulings {
            file,
            skip_invalid,
            as_user,
        }) => import_rulings(&state, &file, skip_invalid, as_user).await,
        Command::Reindex => reindex(&state, &cli.storage.index_dir()).await,
        Command::Backup { file } => {
            let report = backup::backup(&state.db, &file).await?;
            print_report("backup written", &report);
            Ok(())
        }
        Command::Restore { .. } => Err("restore runs before the database is opened".into()),
        Command::Export(args) => export_package(&state, args).await,
        Command::Token(command) => token_command(&state, command).await,
        Command::Serve(config) => {
            if config.demo_data {
                load_demo(&state).await?;
            }
            let index_dir = cli.storage.index_dir();
            let search = Search::open(&index_dir).map_err(|e| {
                format!(
                    "cannot open the search index in {}: {e}",
                    index_dir.display()
                )
            })?;
            let state = state.with_search(search);
            let indexer = tokio::spawn(sync::run(state.clone()));
            use poem::listener::Listener;
            let acceptor = poem::listener::TcpListener::bind(config.bind)
                .into_acceptor()
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
            tracing::info!(address = %config.bind, docs = %format!("http://{}/docs", config.bind), "serving");
            if config.demo_data {
                print_demo_access(&state, config.bind).await?;
            }
            poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app::build(
                        state.clone(),
                        app::Limits {
                            body_bytes: config.max_body_bytes,
                            import_bytes: config.max_import_bytes,
                            auth_failures_per_minute: config.auth_failures_per_minute,
                            web: crate::web::WebSettings::for_public_url(
                                config.public_url.as_deref(),
                            ),
                        },
                    ),
                    stop_signal(),
                    Some(std::time::Duration::from_secs(30)),
                )
                .await
                .map_err(|e| format!("server failed: {e}"))?;
            // Every request has been answered: apply what they left in the outbox, in one last
            // commit, so the index is current when the process exits.
            indexer.abort();
            let _ = indexer.await;
            let applied = sync::step(&state.db, state.methodology, &state.search)
                .await
                .map_err(|e| format!("flushing the search index failed: {e}"))?;
            tracing::info!(applied, "stopped: requests finished, search index flushed");
            Ok(())
        }
    }
}

/// Rebuilds the search index into a new generation, with a progress bar on a terminal.
async fn reindex(state: &AppState, index_dir: &std::path::Path) -> Result<(), String> {
    let store = courtwatch_indexer::IndexStore::new(index_dir);
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} documents, {eta} left")
            .map_err(|e| e.to_string())?,
    );
    bar.set_message("reindexing");
    let report = sync::rebuild(&state.db, state.methodology, &store, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(|e| format!("reindex failed: {e}"))?;
    bar.finish_and_clear();
    eprintln!(
        "search index rebuilt: {} documents in generation {} (a running server switches to it within a second)",
        report.documents, report.generation
    );
    Ok(())
}

fn print_report(what: &str, report: &backup::Report) {
    let rows: i64 = report.rows.iter().map(|(_, n)| n).sum();
    eprintln!(
        "{what}: {} ({} bytes, {} tables, {rows} rows)",
        report.file.display(),
        report.bytes,
        report.rows.len()
    );
    for (table, n) in &report.rows {
        eprintln!("  {table}: {n}");
    }
}

/// `courtwatch restore FILE`: the backup replaces the SQLite database, then the index is rebuilt.
async fn restore(cli: &Cli, file: &std::path::Path) -> Result<(), String> {
    if cli
        .storage
        .database_url
        .as_deref()
        .is_some_and(|u| !u.is_empty())
    {
        return Err(backup::POSTGRES.into());
    }
    let (connection, report) = backup::restore(&cli.storage.data_dir, file).await?;
    print_report("database restored", &report);
    reindex(&AppState::new(connection), &cli.storage.index_dir()).await
}

/// Resolves on Ctrl-C or SIGTERM (what service managers and `docker stop` send): the server then
/// stops accepting, finishes in-flight requests (up to 30 s) and flushes the index.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        tracing::info!("stop signal received: finishing in-flight requests");
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn import_rulings(
    state: &AppState,
    file: &std::path::Path,
    skip_invalid: bool,
    as_user: Option<String>,
) -> Result<(), String> {
    let actor = importing_actor(state, as_user).await?;
    let path = file.to_path_buf();
    let open = move || -> std::io::Result<Box<dyn std::io::BufRead + Send>> {
        use std::io::{BufRead, BufReader, Read};
        let mut reader = BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
        let gzipped = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        Ok(if gzipped {
            let inner: Box<dyn Read + Send> = Box::new(flate2::read::MultiGzDecoder::new(reader));
            Box::new(BufReader::with_capacity(1 << 20, inner))
        } else {
            Box::new(reader)
        })
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} line {pos}").map_err(|e| e.to_string())?,
    );
    let report = import::import_rulings(state, &actor, open, skip_invalid, |line, pass| {
        bar.set_message(if pass == 1 { "checking" } else { "writing" });
        bar.set_position(line);
    })
    .await;
    bar.finish_and_clear();
    match report {
        Ok(report) => {
            for problem in &report.problems {
                eprintln!("skipped line {}: {}", problem.line, problem.message);
            }
            eprintln!(
                "{}: {} lines, {} inserted, {} updated, {} unchanged, {} invalid{}",
                file.display(),
                report.lines,
                report.inserted,
                report.updated,
                report.unchanged,
                report.invalid,
                if report.invalid > 0 { " (skipped)" } else { "" }
            );
            Ok(())
        }
        Err(crate::error::ServiceError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("{}: {}", p.field, p.message);
            }
            Err(format!(
                "{} problem(s) in {}; nothing was imported (use --skip-invalid to import the valid lines)",
                problems.len(),
                file.display()
            ))
        }
        Err(e) => Err(format!("import failed: {e}")),
    }
}

/// The user an import is recorded as: `--as-user`, else a system user created once.
async fn importing_actor(state: &AppState, as_user: Option<String>) -> Result<Actor, String> {
    use crate::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    const SYSTEM: &str = "courtwatch importer (system)";
    let found = match &as_user {
        Some(id) => Some(
            user::Entity::find_by_id(id.clone())
                .one(&state.db)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user with id {id}"))?,
        ),
        None => user::Entity::find()
            .filter(user::Column::DisplayName.eq(SYSTEM))
            .one(&state.db)
            .await
            .map_err(|e| e.to_string())?,
    };
    let user = match found {
        Some(u) => u,
        None => {
            // Its token is discarded: the system user acts only through this command.
            crate::services::organisation::ensure(&state.db, "courtwatch (system)")
                .await
                .map_err(|e| format!("cannot create the importing user: {e}"))?;
            auth::create_user(&state.db, SYSTEM, "courtwatch (system)", "admin", Some(1))
                .await
                .map_err(|e| format!("cannot create the importing user: {e}"))?
                .user
        }
    };
    auth::actor_of(user).map_err(|e| e.to_string())
}

/// The end of `serve --demo-data`'s start-up output: how a new user gets in.
async fn print_demo_access(state: &AppState, bind: std::net::SocketAddr) -> Result<(), String> {
    let access = demo::admin_access(state)
        .await
        .map_err(|e| format!("cannot create the demo admin's token: {e}"))?;
    match access {
        Some(demo::DemoAccess { token, email, link }) => eprintln!(
            "\nDemo data is loaded (fictional). Sign in as the demo admin with this API token (new at each start, valid 30 days):\n\n    {token}\n\n    curl -H 'Authorization: Bearer {token}' http://{bind}/api/v1/cases\n\nAPI documentation: http://{bind}/docs\n\nOr in a browser: open this one-time link within 72 hours, choose a password, and sign in as {email}:\n\n    http://{bind}/welcome/{link}\n"
        ),
        None => eprintln!(
            "\nThis database has records of its own, so no demo data was loaded. Create a user with \
             `courtwatch org add NAME` and `courtwatch user add --name N --org NAME --role admin`.\n"
        ),
    }
    Ok(())
}

async fn load_demo(state: &AppState) -> Result<(), String> {
    match demo::load(state)
        .await
        .map_err(|e| format!("demo data failed: {e}"))?
    {
        Some(summary) => eprintln!("{summary}"),
        None => eprintln!("the database already has cases; demo data not loaded"),
    }
    Ok(())
}

/// `courtwatch export DIR`: the whole dataset release, with a progress line per file.
async fn export_package(state: &AppState, args: ExportArgs) -> Result<(), String> {
    let request = ExportRequest {
        filter: CaseFilter {
            jurisdiction: args.jurisdiction,
            court_id: args.court_id,
            ground: args.ground,
            proceeding_type: args.proceeding_type,
            status: args.status,
            filed_from: args.filed_from,
            filed_to: args.filed_to,
            released: true,
        },
        methodology_version: args.methodology_version,
        labels: match args.labels.as_str() {
            "en" => Labels::En,
            "sq" => Labels::Sq,
            "sr" => Labels::Sr,
            _ => Labels::Codes,
        },
        bom: args.bom,
        full_text: args.full_text,
        search: None,
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} {binary_bytes} ({binary_bytes_per_sec})")
            .map_err(|e| e.to_string())?,
    );
    let mut current = String::new();
    let written = export::write_package(state, &args.dir, &request, |file, bytes| {
        if file != current {
            current = file.to_string();
            bar.set_message(format!("writing {file}"));
            bar.reset();
        }
        bar.set_position(bytes);
    })
    .await
    .map_err(|e| format!("export failed: {e}"))?;
    bar.finish_and_clear();
    for f in &written {
        eprintln!("{:>14} bytes  {}  {}", f.bytes, f.sha256, f.name);
    }
    eprintln!(
        "dataset written to {} (check with: cd {} && sha256sum -c SHA256SUMS; frictionless validate datapackage.json)",
        args.dir.display(),
        args.dir.display()
    );
    Ok(())
}

/// `courtwatch token …`: the operator acts as an admin.
async fn token_command(state: &AppState, command: TokenCommand) -> Result<(), String> {
    let operator = |user: &str| Actor {
        user_id: user.to_owned(),
        organisation_id: String::new(),
        role: crate::access::Role::Admin,
    };
    match command {
        TokenCommand::Create {
            user,
            label,
            expires_in_days,
        } => {
            let (info, secret) =
                auth::create_token(&state.db, &operator(&user), None, &label, expires_in_days)
                    .await
                    .map_err(|e| format!("cannot create the token: {e}"))?;
            eprintln!(
                "created token {} for user {} (expires {}); shown only once:",
                info.id,
                info.user_id,
                info.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default()
            );
            println!("{secret}");
        }
        TokenCommand::List { user } => {
            let tokens = auth::list_tokens(&state.db, &operator(&user), None)
                .await
                .map_err(|e| format!("cannot list tokens: {e}"))?;
            for t in tokens {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.to_rfc3339()),
                    (None, Some(at)) => format!("expires {}", at.to_rfc3339()),
                    (None, None) => "no expiry".to_owned(),
                };
                println!("{}\t{}\t{}", t.id, t.label, state);
            }
        }
        TokenCommand::Revoke { id } => {
            let info = auth::revoke_token(&state.db, None, &id)
                .await
                .map_err(|e| format!("cannot revoke the token: {e}"))?;
            eprintln!("token {} of user {} is revoked", info.id, info.user_id);
        }
    }
    Ok(())
}
