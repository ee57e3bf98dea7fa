//! The `courtwatch` command line, built inside the test package for the crash tests.

fn main() -> std::process::ExitCode {
    courtwatch_api::cli::main()
}
