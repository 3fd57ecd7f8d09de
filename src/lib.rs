//! pfconf: parse, check, lint, format and compare OpenBSD `pf.conf` rulesets.
//!
//! The pipeline: text is cut into statements ([`lexer`]), each statement is
//! parsed by a pest grammar into a typed AST ([`ast`], [`parser`]), macros,
//! includes, anchors and table files are resolved ([`resolve`]), and the
//! semantic checks pfctl makes are applied ([`check`]). Errors are values:
//! every stage returns [`Diagnostic`]s with spans instead of failing.
//! `ARCHITECTURE.md` maps the modules.
//!
//! The tour, one line per stage:
//!
//! Values are typed: words from a closed set are enums with `Display` and
//! `FromStr` ([`ast::Direction`], [`ast::StateKind`], [`expand::RuleAction`],
//! [`diff::DifferenceKind`]... see [`keyword`]), protocols and ports are
//! [`Protocol`] and [`Port`], and what can fail outside a ruleset returns
//! an error type with fields ([`eval::PacketError`], [`config::ConfigError`],
//! [`node::NodeError`], [`diff::DiffError`]...).
//!
//! ```
//! use pfconf::eval::{Evaluator, Packet, Verdict};
//! use pfconf::ast::BlockKind;
//!
//! let report = pfconf::check_str("pf.conf", "set block-policy return\nblock all\npass in proto tcp to port ssh\n");
//! let packet: Packet = "in on em0 proto tcp to 10.0.0.1 port 80".parse().unwrap();
//! let decision = Evaluator::new(&report.resolved, None).evaluate(&packet);
//! let d = decision.certain().unwrap();
//! assert_eq!((d.verdict, d.block), (Verdict::Block, Some(BlockKind::Return)));
//!
//! let e = "in on em0 proto tcp to 10.0.0.1 port http-alt-typo".parse::<Packet>().unwrap_err();
//! assert_eq!(e.to_string(), "unknown port http-alt-typo");
//! assert_eq!(e.column, 38);
//! ```
//!
//! ```
//! use pfconf::{check_str, eval, expand, fmt, lint, node::Node};
//!
//! let text = "ext_if = \"em0\"\nblock all\npass out on $ext_if proto tcp to port 443\n";
//! let (_, ast, _) = pfconf::parse_str("pf.conf", text); // source AST, trivia kept
//! assert_eq!(ast.statements.len(), 3);
//! let report = check_str("pf.conf", text); // resolve + pfctl's checks
//! assert!(report.is_ok());
//! let findings = report.lint(&lint::LintConfig::default()); // checks + lints, sorted
//! assert!(findings.iter().all(|d| d.code != "unused-macro"));
//! let rules = expand::expand(&report.resolved, &expand::Interfaces::new()); // pfctl -nv
//! assert_eq!(rules.to_string().lines().last(), Some("pass out on em0 proto tcp from any to any port = 443 flags S/SA"));
//! let packet = eval::parse_packet("out on em0 proto tcp to 192.0.2.1 port 443").unwrap();
//! assert_eq!(eval::evaluate(&report.resolved, &packet).certain().unwrap().verdict, eval::Verdict::Pass);
//! let formatted = fmt::format_checked("pf.conf", "block   all\n", &fmt::FormatOptions::default()).unwrap();
//! assert_eq!(formatted, "block all\n");
//! let node = Node::from_files([("hostname.carp0", "inet 203.0.113.1/24 vhid 1 carpdev em0\n")]);
//! assert_eq!(node.carp_interfaces().count(), 1); // the node model of /etc
//! let l = pfconf::MemoryLoader::default();
//! let parity = pfconf::diff::compare_rulesets(("a", text), ("b", text), &l, &l, &[]);
//! assert!(parity.differences.is_empty()); // node A and node B agree
//! assert_eq!(report.resolved.every_rule().len(), 2); // rules, anchors included
//! ```
//!
//! Diagnostics carry spans; [`SourceMap::location`] says where:
//!
//! ```
//! let report = pfconf::check_str("pf.conf", "pass in proto icmp to port 22\n");
//! let first = &report.diagnostics[0];
//! assert_eq!(first.message, "port only applies to tcp/udp");
//! assert_eq!(report.sources.location(first.span), "pf.conf:1:23");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accounts;
pub mod ast;
pub mod check;
/// Every check code (not a lint) with its severity, summary and page.
pub mod codes;
pub mod config;
pub mod diag;
pub mod diff;
pub mod encoding;
pub mod eval;
pub mod expand;
pub mod fix;
pub mod fmt;
pub mod includers;
pub mod keyword;
pub mod lexer;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod meaning;
pub mod names;
pub mod node;
pub mod numbers;
pub mod output;
mod packet;
pub mod parser;
pub mod policy;
pub mod resolve;
pub mod span;
mod values;

/// The README's Rust examples, run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;

pub use diag::{Diagnostic, Severity};
pub use numbers::{Port, Protocol};
pub use resolve::{FsLoader, Loader, MemoryLoader, Options, Resolved};
pub use span::{FileId, SourceMap, Span};

/// Result of checking a ruleset: the sources read, the resolved ruleset
/// and every diagnostic, sorted by position.
#[derive(Debug)]
pub struct Report {
    /// Files read (main file, includes, anchors).
    pub sources: SourceMap,
    /// The resolved ruleset.
    pub resolved: Resolved,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The main file's syntax errors, as parsing and resolving it found
    /// them (some checks report other errors under the same codes), and
    /// those of its source AST: the errors that make [`Report::format`]
    /// refuse the file.
    syntax_errors: Vec<Diagnostic>,
}

impl Report {
    /// True when no diagnostic is an error.
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The checks' diagnostics and, when the ruleset checked clean of
    /// errors, the lints' findings, merged and sorted by file and position.
    ///
    /// ```
    /// use pfconf::lint::LintConfig;
    ///
    /// let report = pfconf::check_str("pf.conf", "x = \"1\"\nblock all\npass in all\nblock all\n");
    /// let all = report.lint(&LintConfig::default());
    /// let codes: Vec<&str> = all.iter().map(|d| d.code).collect();
    /// assert!(codes.contains(&"unused-macro") && codes.contains(&"block-after-pass"));
    /// ```
    pub fn lint(&self, config: &lint::LintConfig) -> Vec<Diagnostic> {
        let mut all = self.diagnostics.clone();
        if self.is_ok() {
            all.extend(lint::run(self, config));
        }
        all.sort_by_key(|d| (d.span.file, d.span.start(), d.span.end()));
        all
    }

    /// Formats the main file with the safety net, reusing this check: the
    /// resolved ruleset stands for the input's meaning, and the source AST
    /// (kept when checked with [`Options::keep_source`]; otherwise the
    /// text is parsed once for printing) is what is printed. `loader` is
    /// the one the report was made with: the output is resolved through it
    /// (its includes read again) to be compared with the input, on two
    /// threads for a large file, hence `Sync`. Gives the
    /// text [`fmt::format_safely`] gives; a file with syntax errors is
    /// [`fmt::FormatError::Invalid`].
    ///
    /// ```
    /// use pfconf::{check_with, fmt::FormatOptions, MemoryLoader, Options};
    ///
    /// let files = MemoryLoader::default().with("lan.conf", "lan = \"em1\"\n");
    /// let text = "include \"lan.conf\"\npass  in on $lan proto {tcp,udp}\n";
    /// let opts = Options { keep_source: true, ..Options::default() };
    /// let report = check_with("pf.conf", text, &files, &opts);
    /// assert!(report.is_ok());
    /// let formatted = report.format(&files, &FormatOptions::default()).unwrap();
    /// assert_eq!(formatted.text, "include \"lan.conf\"\npass in on $lan proto { tcp, udp }\n");
    /// ```
    pub fn format(
        &self,
        loader: &(dyn Loader + Sync),
        opts: &fmt::FormatOptions,
    ) -> Result<fmt::Formatted, fmt::FormatError> {
        fmt::format_report(self, &self.syntax_errors, loader, opts)
    }
}

/// Parses one file's text into the source AST (no resolution).
///
/// ```
/// let (map, ast, diags) = pfconf::parse_str("pf.conf", "# web\npass in proto tcp to port 443\n");
/// assert!(diags.is_empty());
/// assert_eq!(ast.statements.len(), 1);
/// assert_eq!(map.location(ast.statements[0].span), "pf.conf:2:1");
/// ```
pub fn parse_str(name: &str, text: &str) -> (SourceMap, ast::Ruleset, Vec<Diagnostic>) {
    let mut map = SourceMap::new();
    let id = map.add(name, text);
    let (rs, diags) = parser::parse(text, id);
    (map, rs, diags)
}

/// Parses, resolves and checks `text` as `pfctl -nf` would, with includes
/// and table files read through `loader`.
///
/// ```
/// use pfconf::{check_with, MemoryLoader, Options};
///
/// let files = MemoryLoader::default().with("/etc/pf/lan.conf", "pass in on $lan\n");
/// let main = "lan = \"em1\"\ninclude \"/etc/pf/lan.conf\"\n";
/// let report = check_with("pf.conf", main, &files, &Options::default());
/// assert!(report.is_ok());
/// ```
pub fn check_with(name: &str, text: &str, loader: &dyn Loader, opts: &Options) -> Report {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (resolved, mut diagnostics) = resolve::resolve(&mut sources, id, loader, opts);
    let mut syntax_errors = fmt::syntax_errors_of(&diagnostics, id);
    syntax_errors.extend(fmt::syntax_errors_of(&resolved.source_errors, id));
    diagnostics.extend(check::check(&resolved, &sources));
    diag::sort(&mut diagnostics);
    Report {
        sources,
        resolved,
        diagnostics,
        syntax_errors,
    }
}

/// [`check_with`] with no file access: includes and table files are
/// reported as missing.
pub fn check_str(name: &str, text: &str) -> Report {
    check_with(name, text, &MemoryLoader::default(), &Options::default())
}

/// Runs `a` and `b`, on two threads when `parallel` (`a` on the calling
/// thread).
pub(crate) fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let x = a();
        let y = other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (x, y)
    })
}
