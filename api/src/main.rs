//! The `courtwatch` command.

fn main() -> std::process::ExitCode {
    courtwatch_api::cli::main()
}
