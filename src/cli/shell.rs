//! `pfconf completions` and `pfconf man`: generated from the argument
//! definitions, as `--help` is.

use super::*;

/// Prints the completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> ExitCode {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "pfconf", &mut buf);
    out(&String::from_utf8_lossy(&buf));
    ExitCode::SUCCESS
}

/// Prints the manual page.
pub(crate) fn man() -> ExitCode {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
        Ok(()) => {
            out(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
        Err(e) => {
            err(&format!("pfconf: man: {e}\n"));
            ExitCode::from(2)
        }
    }
}
