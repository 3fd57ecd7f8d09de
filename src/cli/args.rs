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
    /// When to color output (`auto`: on a terminal, unless NO_COLOR is set;
    /// FORCE_COLOR or CLICOLOR_FORCE force it).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// Print only errors (no warnings, no summary).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Output format. Every command takes the same names; each says which
    /// it can produce.
    #[arg(long, global = true, value_enum)]
    pub(crate) format: Option<OutputFormat>,
    /// Project configuration (default: the nearest pfconf.toml, in the
    /// file's directory or a parent, up to the repository root).
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The name to give standard input (`-`) in diagnostics and for
    /// finding pfconf.toml.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) stdin_filename: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// The output formats, one set of names for every command (`rich`,
/// `short`, `human` and `text` are the older names, kept as aliases).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub(crate) enum OutputFormat {
    /// Reports with source excerpts, underlines and help (the default).
    #[value(alias = "rich", alias = "human", alias = "text")]
    Full,
    /// One line per finding: `file:line:col: severity[code]: message`.
    #[value(alias = "short")]
    Concise,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML, the test report CI systems render.
    Junit,
}

impl OutputFormat {
    /// The name `--format` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Junit => "junit",
        }
    }

    /// True for the formats a program reads (JSON, SARIF, JUnit...).
    pub(crate) fn is_machine(self) -> bool {
        !matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
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
        /// A node directory: its `etc/pf.conf` (or `pf.conf`) when no PATH
        /// is given, with absolute paths resolved inside it.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        /// Check a PATH that a ruleset of the repository includes through
        /// that ruleset (what the pre-commit hooks do).
        #[arg(long)]
        find_includers: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Format rulesets in place (`-`: stdin to stdout).
    Fmt {
        /// Files to format (`-` for standard input); default ./pf.conf.
        paths: Vec<String>,
        /// Do not write: list the files that would change and exit 1.
        #[arg(long)]
        check: bool,
        /// Do not write: print a unified diff of the changes.
        #[arg(long)]
        diff: bool,
        /// Line width before statements are broken (default: `[format]
        /// width` of pfconf.toml, else 80).
        #[arg(long)]
        width: Option<usize>,
    },
    /// Print the expanded ruleset as `pfctl -nv` would.
    Expand {
        /// File to expand (`-` for standard input); default ./pf.conf.
        path: Option<String>,
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
        /// Run only these lints (comma-separated or repeated).
        #[arg(long, value_name = "LINT", value_delimiter = ',')]
        select: Vec<String>,
        /// Turn these lints off (comma-separated or repeated).
        #[arg(long, value_name = "LINT", value_delimiter = ',')]
        ignore: Vec<String>,
        /// `--deny warnings`: exit 1 on any finding.
        #[arg(long, value_name = "warnings")]
        deny: Option<String>,
        /// List the lints with their level and summary.
        #[arg(long)]
        list: bool,
        /// Report lint findings only: a ruleset with check errors is left
        /// to `pfconf check` (a note on stderr says so).
        #[arg(long)]
        lints_only: bool,
        /// Do not run the policy tests found next to the ruleset (`*.pft`
        /// files, `pfconf.toml [test] flows`); `pfconf test` runs them too.
        #[arg(long)]
        no_flows: bool,
        /// Lint a PATH that a ruleset of the repository includes through
        /// that ruleset (what the pre-commit hooks do).
        #[arg(long)]
        find_includers: bool,
        /// Apply the safe fixes (those that cannot change what pf loads)
        /// and report what is left.
        #[arg(long)]
        fix: bool,
        /// With --fix or --diff: apply the unsafe fixes too (each says what
        /// it may change).
        #[arg(long)]
        unsafe_fixes: bool,
        /// Show the fixes as a unified diff without writing; exit 1 when
        /// there is one.
        #[arg(long)]
        diff: bool,
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
        /// Ruleset (`-` for standard input); default ./pf.conf.
        path: Option<String>,
        /// A packet in pf's rule vocabulary, e.g. 'in on em0 proto tcp from
        /// 198.51.100.7 to 203.0.113.1 port 443' (repeatable).
        #[arg(long)]
        packet: Vec<String>,
        /// A file with one packet description per line.
        #[arg(long, value_name = "FILE")]
        packets: Option<PathBuf>,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// A node directory whose `hostname.*` files give interface
        /// addresses.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        /// In JSON, list every rule that matched (`matches`), not only the
        /// deciding one.
        #[arg(long)]
        matches: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Check flow expectations (`*.pft`) against a ruleset: policy tests.
    Test {
        /// Flow files (`*.pft`) and at most one ruleset (default:
        /// ./pf.conf, or the node's); with no flow file, the `*.pft` files
        /// next to the ruleset and `[test] flows` of pfconf.toml.
        files: Vec<String>,
        /// Rewrite each flow file with today's verdicts (a snapshot to
        /// review in the diff).
        #[arg(long)]
        record: bool,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// A node directory: its ruleset and its interfaces, groups and
        /// CARP parents.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the rulesets (or node directories) of two cluster nodes.
    Diff {
        /// Node A: a ruleset, a node directory, or `-` for standard input.
        a: String,
        /// Node B: a ruleset, a node directory, or `-` for standard input.
        b: String,
        /// A macro that is expected to differ between the nodes
        /// (comma-separated or repeated).
        #[arg(long = "ignore-macro", value_name = "NAME", value_delimiter = ',')]
        ignore_macro: Vec<String>,
    },
    /// Print the documentation of a lint or a check code.
    Explain {
        /// A lint name or a check code (`undefined-macro`, `syntax`...).
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its kind, level and summary.
        #[arg(long)]
        list: bool,
    },
    /// Print the source AST as JSON.
    Parse {
        /// Print JSON (the only format; kept for older scripts).
        #[arg(long)]
        json: bool,
        /// File to parse (`-` for standard input); default ./pf.conf.
        path: Option<String>,
    },
    /// Run the language server on standard input and output (for editors:
    /// diagnostics as `lint` reports them, and formatting).
    Lsp,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions
    /// as --help.
    Man,
}
