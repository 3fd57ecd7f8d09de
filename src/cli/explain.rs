//! `pfconf explain`: a lint's page.

use super::*;

/// Prints the page of the lint `lint`.
pub(crate) fn run(lint: &str) -> ExitCode {
    match pfconf::lint::find(lint) {
        Some(l) => {
            out(l.info.doc);
            ExitCode::SUCCESS
        }
        None => {
            err(&format!(
                "pfconf: unknown lint `{lint}` (see `pfconf lint --list`)\n"
            ));
            ExitCode::from(2)
        }
    }
}
