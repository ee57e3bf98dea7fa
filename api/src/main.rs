//! The `courtwatch` command.

use std::process::ExitCode;

use clap::Parser;
use courtwatch_api::{
    app,
    config::{Cli, Command, UserCommand},
    db, demo,
    services::auth,
    state::AppState,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
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

async fn run(cli: Cli) -> Result<(), String> {
    if cli
        .storage
        .database_url
        .as_deref()
        .is_none_or(str::is_empty)
    {
        std::fs::create_dir_all(&cli.storage.data_dir).map_err(|e| {
            format!(
                "cannot create data directory {}: {e}",
                cli.storage.data_dir.display()
            )
        })?;
    }
    let url = cli.storage.url();
    let connection = db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
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
        Command::User(UserCommand::Add {
            name,
            org,
            role,
            expires_in_days,
        }) => {
            let created = auth::create_user(&state.db, &name, &org, &role, expires_in_days)
                .await
                .map_err(|e| format!("cannot create the user: {e}"))?;
            eprintln!(
                "created user {} ({}) in organisation {}; the token below is shown only once:",
                created.user.id, created.user.role, created.organisation.name
            );
            println!("{}", created.token);
            Ok(())
        }
        Command::Serve(config) => {
            if config.demo_data {
                load_demo(&state).await?;
            }
            let listener = poem::listener::TcpListener::bind(config.bind);
            tracing::info!(address = %config.bind, docs = %format!("http://{}/docs", config.bind), "serving");
            poem::Server::new(listener)
                .run_with_graceful_shutdown(
                    app::build(state, config.max_body_bytes),
                    async {
                        let _ = tokio::signal::ctrl_c().await;
                    },
                    Some(std::time::Duration::from_secs(30)),
                )
                .await
                .map_err(|e| format!("server failed: {e}"))
        }
    }
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
