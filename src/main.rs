//! The `pfconf` command: reads the arguments and hands them to
//! [`cli::run`], where each command has its own module (`src/cli/`).
#![forbid(unsafe_code)]

/// The command line uses mimalloc: pfconf allocates many small AST nodes,
/// and the system allocator spent a quarter of `check`'s time freeing them.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    cli::run(cli)
}
