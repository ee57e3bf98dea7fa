//! The `courtwatch` command line, built inside the test package for the crash tests.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    courtwatch_api::cli::main()
}
