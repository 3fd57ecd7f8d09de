//! The command line's arguments, as clap reads them.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pfconf",
    version,
    about = "Check, lint, format and compare OpenBSD pf.conf rulesets"
)]
pub(crate) struct Cli {
    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum Format {
    /// Source excerpts, underlines and help.
    Rich,
    /// `file:line:col: severity[code]: message`
    Short,
    /// A JSON array of diagnostics on stdout.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum ExpandFormat {
    /// `pfctl -nv` text.
    Text,
    /// One JSON object per rule, with the source span it came from.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum LintFormat {
    /// Source excerpts, underlines and help.
    Rich,
    /// `file:line:col: level[lint]: message`
    Short,
    /// A JSON array on stdout.
    Json,
    /// SARIF 2.1.0 on stdout.
    Sarif,
    /// GitHub workflow annotations on stdout.
    Github,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum EvalFormat {
    /// Verdict and deciding rule per packet.
    Human,
    /// A JSON array, one object per packet.
    Json,
}

#[derive(clap::Args)]
pub(crate) struct Common {
    /// Resolve absolute include/anchor/table paths under DIR.
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// Define a macro, overriding the file's definition (like pfctl -D).
    #[arg(short = 'D', value_name = "NAME=VALUE")]
    pub(crate) define: Vec<String>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Parse, resolve and check rulesets as `pfctl -nf` would.
    Check {
        /// Files to check (`-` for standard input); default ./pf.conf.
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Rich)]
        format: Format,
        /// A node directory: its `etc/pf.conf` (or `pf.conf`) when no PATH
        /// is given, with absolute paths resolved inside it.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        /// Project configuration (default: the nearest pfconf.toml);
        /// checked for typos like every command's.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Format rulesets in place (`-`: stdin to stdout).
    Fmt {
        /// Files to format; default ./pf.conf.
        paths: Vec<String>,
        /// Do not write: list the files that would change and exit 1.
        #[arg(long)]
        check: bool,
        /// Do not write: print a unified diff of the changes.
        #[arg(long)]
        diff: bool,
        /// Line width before statements are broken (default: `[format]
        /// width` of ./pfconf.toml, else 80).
        #[arg(long)]
        width: Option<usize>,
    },
    /// Print the expanded ruleset as `pfctl -nv` would.
    Expand {
        /// File to expand (`-` for standard input); default ./pf.conf.
        path: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExpandFormat::Text)]
        format: ExpandFormat,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// Node directory: interface addresses from its `hostname.*` files
        /// (in DIR/etc or DIR).
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Lint rulesets (after the checks of `check`).
    Lint {
        /// Files to lint (`-` for standard input); default ./pf.conf.
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Rich)]
        format: LintFormat,
        /// Lint configuration (default: ./pfconf.toml when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Run only these lints.
        #[arg(long, value_name = "LINT")]
        select: Vec<String>,
        /// Turn these lints off.
        #[arg(long, value_name = "LINT")]
        ignore: Vec<String>,
        /// `--deny warnings`: exit 1 on any finding.
        #[arg(long, value_name = "warnings")]
        deny: Option<String>,
        /// List the lints with their level and summary.
        #[arg(long)]
        list: bool,
        /// A node directory (`/etc`-like: hostname.carpN, hostname.pfsync0,
        /// pf.conf): interface roles for the HA lints, and the ruleset when
        /// no PATH is given.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// What pf decides for packets, and which rule decides.
    Eval {
        /// Ruleset; default ./pf.conf.
        path: Option<String>,
        /// A packet in pf's rule vocabulary, e.g. 'in on em0 proto tcp from
        /// 198.51.100.7 to 203.0.113.1 port 443' (repeatable).
        #[arg(long)]
        packet: Vec<String>,
        /// A file with one packet description per line.
        #[arg(long, value_name = "FILE")]
        packets: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
        format: EvalFormat,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// A node directory whose `hostname.*` files give interface
        /// addresses.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the rulesets (or node directories) of two cluster nodes.
    Diff {
        /// Node A: a ruleset or a node directory.
        a: PathBuf,
        /// Node B: a ruleset or a node directory.
        b: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
        format: EvalFormat,
        /// A macro that is expected to differ between the nodes.
        #[arg(long = "ignore-macro", value_name = "NAME")]
        ignore_macro: Vec<String>,
    },
    /// Print a lint's documentation.
    Explain {
        /// Lint name.
        lint: String,
    },
    /// Print the source AST.
    Parse {
        /// Print JSON (the only format).
        #[arg(long, required = true)]
        json: bool,
        /// File to parse (`-` for standard input); default ./pf.conf.
        path: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions
    /// as --help.
    Man,
}
