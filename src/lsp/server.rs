//! The server loop: lifecycle, dispatch of requests and notifications,
//! and the scheduling of diagnostics.
//!
//! Three threads serve the main loop: the reader (messages in, as
//! [`Event`]s), the writer (messages out, in order) and the diagnostics
//! worker (one [`Job`] at a time). The main loop owns all state.
//!
//! Invariants:
//! - Lifecycle as the protocol says: before `initialize` a request gets
//!   `ServerNotInitialized` and a notification is dropped; a second
//!   `initialize` is an invalid request; after `shutdown` every request is
//!   refused; `exit` ends the loop, [`Ending::Exit`] (status 0) if
//!   `shutdown` came first, else [`Ending::ExitWithoutShutdown`] (1).
//! - Every request gets exactly one answer. Handlers are looked up in
//!   [`REQUESTS`] (a method not there is `MethodNotFound`), their params
//!   read as the method's type (`InvalidParams` when they do not fit), and
//!   run under `catch_unwind`: a panic is an `InternalError` answer and
//!   the loop carries on. Notifications ([`NOTIFICATIONS`]) likewise, a
//!   failure being logged to the client instead.
//! - Diagnostics follow the latest text only: an open or a change marks
//!   the document (and every open document that read it) pending; pending
//!   documents are checked once no message has arrived for [`DEBOUNCE`]
//!   (at the latest [`MAX_DELAY`] after the first pending change), one job
//!   at a time; a result is published only if its document is still open
//!   at the version checked, otherwise dropped (the newer text is pending).
//! - The server asks one thing of the client: after `initialized`, if
//!   the client's capabilities allow it
//!   (`workspace.didChangeWatchedFiles.dynamicRegistration`), to watch
//!   the files checks depend on ([`WATCHED`], `client/registerCapability`).
//!   The answer is not waited for; an error answer is logged, an answer
//!   to nothing asked ignored.
//! - Positions count columns in the encoding chosen at `initialize`
//!   (`utf-8` when the client offers it, else `utf-16`), announced as
//!   `positionEncoding` and used by every conversion
//!   ([`super::position::Encoding`]).
//! - A later round adds a feature as one line in [`REQUESTS`], its
//!   handler in a module of its own, and its capability in
//!   [`capabilities`]: only what is there is advertised.

use super::analysis::{Analysis, MAIN};
use super::diagnostics::{self, Checked, Job, Outcome};
use super::documents::{Document, Documents};
use super::position::Encoding;
use super::transport::{self, Incoming, Outgoing};
use super::workspace::{Workspace, WorkspaceParams};
use super::Ending;
use super::{actions, completion, formatting, hover, navigation, semantic, symbols};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    Initialized, LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, ExecuteCommand, Formatting,
    GotoDefinition, HoverRequest, PrepareRenameRequest, RangeFormatting, References,
    RegisterCapability, Rename, Request as _, SemanticTokensFullRequest,
    SemanticTokensRangeRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeWatchedFilesRegistrationOptions, ExecuteCommandOptions, FileSystemWatcher,
    GlobPattern, HoverProviderCapability, InitializeResult, LogMessageParams, MessageType, OneOf,
    PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams,
    RenameOptions, SemanticTokensFullOptions, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri, WorkDoneProgressOptions,
};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Quiet time after the last message before pending diagnostics are
/// computed (a burst of keystrokes is checked once).
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(50);

/// The longest a pending document waits while messages keep coming.
pub(crate) const MAX_DELAY: Duration = Duration::from_millis(500);

/// A request handler: the params as sent, the result or the error.
pub(crate) type RequestHandler =
    fn(&Server, serde_json::Value) -> Result<serde_json::Value, ResponseError>;

/// A notification handler.
pub(crate) type NotificationHandler = fn(&mut Server, serde_json::Value) -> Result<(), String>;

/// The requests answered after `initialize`, by method (besides
/// `shutdown`). One line per feature.
pub(crate) static REQUESTS: &[(&str, RequestHandler)] = &[
    (Formatting::METHOD, |s, p| {
        call::<Formatting>(s, p, formatting::document)
    }),
    (RangeFormatting::METHOD, |s, p| {
        call::<RangeFormatting>(s, p, formatting::range)
    }),
    (CodeActionRequest::METHOD, |s, p| {
        call::<CodeActionRequest>(s, p, actions::code_action)
    }),
    (ExecuteCommand::METHOD, |s, p| {
        call::<ExecuteCommand>(s, p, actions::execute_command)
    }),
    (HoverRequest::METHOD, |s, p| {
        call::<HoverRequest>(s, p, hover::hover)
    }),
    (GotoDefinition::METHOD, |s, p| {
        call::<GotoDefinition>(s, p, navigation::definition)
    }),
    (References::METHOD, |s, p| {
        call::<References>(s, p, navigation::references)
    }),
    (PrepareRenameRequest::METHOD, |s, p| {
        call::<PrepareRenameRequest>(s, p, navigation::prepare_rename)
    }),
    (Rename::METHOD, |s, p| {
        call::<Rename>(s, p, navigation::rename)
    }),
    (DocumentSymbolRequest::METHOD, |s, p| {
        call::<DocumentSymbolRequest>(s, p, symbols::document)
    }),
    (WorkspaceSymbolRequest::METHOD, |s, p| {
        call::<WorkspaceSymbolRequest>(s, p, symbols::workspace)
    }),
    (Completion::METHOD, |s, p| {
        call::<Completion>(s, p, completion::completion)
    }),
    (SemanticTokensFullRequest::METHOD, |s, p| {
        call::<SemanticTokensFullRequest>(s, p, semantic::full)
    }),
    (SemanticTokensRangeRequest::METHOD, |s, p| {
        call::<SemanticTokensRangeRequest>(s, p, semantic::range)
    }),
];

/// The notifications handled after `initialize` (besides `exit`); others
/// are ignored.
pub(crate) static NOTIFICATIONS: &[(&str, NotificationHandler)] = &[
    (DidOpenTextDocument::METHOD, |s, p| {
        let p: lsp_types::DidOpenTextDocumentParams = params(p)?;
        let doc = p.text_document;
        if s.documents
            .open(doc.uri.clone(), &doc.language_id, doc.version, doc.text)
        {
            // The new document may include a fragment already open.
            s.includers.clear();
            s.touched(&doc.uri);
        }
        Ok(())
    }),
    (DidChangeTextDocument::METHOD, |s, p| {
        let p: lsp_types::DidChangeTextDocumentParams = params(p)?;
        let uri = p.text_document.uri;
        s.documents
            .change(&uri, p.text_document.version, p.content_changes, s.encoding)?;
        s.touched(&uri);
        Ok(())
    }),
    (DidCloseTextDocument::METHOD, |s, p| {
        let p: lsp_types::DidCloseTextDocumentParams = params(p)?;
        let uri = p.text_document.uri;
        let path = s.documents.get(&uri).and_then(|d| d.path.clone());
        if s.documents.close(&uri) {
            s.generation += 1;
            s.analyses.borrow_mut().retain(|(u, _), _| *u != uri);
            s.pending.retain(|u| *u != uri);
            s.reads.remove(&uri);
            s.checked.remove(&uri);
            s.includers.remove(&uri);
            s.dependents_pending(path);
            s.publish(uri, Vec::new(), None);
        }
        Ok(())
    }),
    (DidChangeWatchedFiles::METHOD, |s, p| {
        // A ruleset, `pfconf.toml` or a node file changed on disk (the
        // client watches what it was set up to watch): the includers are
        // looked for again and every open document is checked again.
        let _: lsp_types::DidChangeWatchedFilesParams = params(p)?;
        s.includers.clear();
        s.generation += 1;
        for uri in s.open_uris() {
            s.make_pending(uri);
        }
        Ok(())
    }),
];

/// What the server advertises: exactly what [`REQUESTS`] and
/// [`NOTIFICATIONS`] serve, positions in `encoding`.
pub(crate) fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::EXPLAIN.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["$".to_string(), "<".to_string()]),
            ..CompletionOptions::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(true),
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Reads a request's params as `R::Params`, runs the handler, writes its
/// result.
fn call<R: lsp_types::request::Request>(
    server: &Server,
    raw: serde_json::Value,
    handler: fn(&Server, R::Params) -> Result<R::Result, ResponseError>,
) -> Result<serde_json::Value, ResponseError> {
    let p = params(raw).map_err(invalid_params)?;
    let result = handler(server, p)?;
    serde_json::to_value(result).map_err(|e| error(ErrorCode::InternalError, e.to_string()))
}

/// Params as the type a method takes.
fn params<P: serde::de::DeserializeOwned>(raw: serde_json::Value) -> Result<P, String> {
    serde_json::from_value(raw).map_err(|e| format!("invalid params: {e}"))
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}

/// `InvalidParams`: the request names something that is not there.
pub(crate) fn invalid_params(message: String) -> ResponseError {
    error(ErrorCode::InvalidParams, message)
}

/// `RequestFailed`: the request was understood and could not be done.
pub(crate) fn request_failed(message: String) -> ResponseError {
    error(ErrorCode::RequestFailed, message)
}

/// What the main loop waits for.
pub(crate) enum Event {
    /// Something from the client.
    Incoming(Incoming),
    /// The client's stream ended (or failed).
    Closed(Option<io::Error>),
    /// A diagnostics job is done.
    Checked(Outcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShuttingDown,
}

/// The server's state, owned by the main loop.
pub(crate) struct Server {
    state: State,
    /// The open documents.
    pub(crate) documents: Documents,
    /// The workspace folders.
    pub(crate) workspace: Workspace,
    out: SyncSender<Outgoing>,
    jobs: Option<SyncSender<Job>>,
    /// Documents whose diagnostics are out of date, in order.
    pending: Vec<Uri>,
    pending_since: Option<Instant>,
    /// The document and version being checked.
    in_flight: Option<(Uri, i32)>,
    /// Per document, the files its last check read.
    reads: HashMap<Uri, HashSet<PathBuf>>,
    /// Per document, the rulesets that include it (found by its first
    /// check; forgotten when a document opens or a watched file changes).
    includers: HashMap<Uri, Vec<PathBuf>>,
    /// The configuration error last shown, so that it is shown once.
    shown_config_error: Option<String>,
    /// Set when writing to the client failed.
    broken: bool,
    /// Counts the changes to open texts (opens, changes, closes): an
    /// analysis made at another generation may have read an older text.
    generation: u64,
    /// The latest analysis of each document asked about (a few at most):
    /// by document and whether it is through the document's includer,
    /// with the document's file in it.
    analyses: RefCell<HashMap<(Uri, bool), Scope>>,
    /// Per document, its latest check when it is for the current text
    /// (dropped when the text changes): formatting starts from it.
    checked: HashMap<Uri, Arc<Checked>>,
    /// How positions count columns (agreed in `initialize`).
    pub(crate) encoding: Encoding,
    /// Whether the client lets the server register file watchers.
    watch_files: bool,
    /// The ids of the requests sent to the client and not yet answered,
    /// with their methods.
    sent: HashMap<RequestId, &'static str>,
    /// The id of the next request to the client.
    next_id: i32,
}

/// Analyses kept at most (each holds a resolved ruleset).
const KEPT_ANALYSES: usize = 4;

/// An analysis and the document's file in it.
pub(crate) type Scope = (Arc<Analysis>, crate::FileId);

/// The files whose changes on disk change what a check finds, as globs
/// for the client to watch: rulesets (what includes read, and the
/// includers of fragments), `pfconf.toml`, the node's files (what
/// `Node::read` reads: `hostname.*`, `mygate`, `myname`, `sysctl.conf`
/// and the account databases) and policy tests.
pub(crate) const WATCHED: &[&str] = &[
    "**/pf.conf",
    "**/pf.conf.*",
    "**/*.pf",
    "**/*.conf",
    "**/pfconf.toml",
    "**/hostname.*",
    "**/mygate",
    "**/myname",
    "**/master.passwd",
    "**/passwd",
    "**/group",
    "**/*.pft",
];

/// What the server uses of the client's capabilities, read leniently (a
/// capability the server cannot read is one not offered).
struct ClientOffers {
    encoding: Encoding,
    watch_files: bool,
}

impl ClientOffers {
    fn read(params: &serde_json::Value) -> ClientOffers {
        let caps = &params["capabilities"];
        let offered: Vec<PositionEncodingKind> =
            serde_json::from_value(caps["general"]["positionEncodings"].clone())
                .unwrap_or_default();
        ClientOffers {
            encoding: Encoding::choose(&offered),
            watch_files: caps["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"] == true,
        }
    }
}

/// Runs the server until `exit` or the end of `input`.
pub(crate) fn run<R, W>(input: R, output: W) -> io::Result<Ending>
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (events_tx, events) = mpsc::sync_channel::<Event>(256);
    let (out, out_rx) = mpsc::sync_channel::<Outgoing>(64);
    spawn_reader(input, events_tx.clone())?;
    let writer = std::thread::Builder::new()
        .name("pfconf-lsp-writer".into())
        .spawn(move || -> io::Result<()> {
            let mut output = output;
            for m in out_rx {
                transport::write(&mut output, m)?;
            }
            Ok(())
        })?;
    let jobs = spawn_worker(events_tx)?;
    let mut server = Server::new(out, Some(jobs));
    let ending = server.serve(&events);
    // Closing the channels lets the writer finish what is queued.
    drop(server);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")));
    match (ending, written) {
        (Ok(e), Ok(())) => Ok(e),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

fn spawn_reader<R: BufRead + Send + 'static>(
    input: R,
    events: SyncSender<Event>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("pfconf-lsp-reader".into())
        .spawn(move || {
            let mut input = input;
            loop {
                match transport::read(&mut input) {
                    Ok(Some(incoming)) => {
                        let exit = matches!(&incoming,
                            Incoming::Message(Message::Notification(n)) if n.method == "exit");
                        if events.send(Event::Incoming(incoming)).is_err() || exit {
                            return;
                        }
                    }
                    Ok(None) => {
                        let _ = events.send(Event::Closed(None));
                        return;
                    }
                    Err(e) => {
                        let _ = events.send(Event::Closed(Some(e)));
                        return;
                    }
                }
            }
        })?;
    Ok(())
}

fn spawn_worker(events: SyncSender<Event>) -> io::Result<SyncSender<Job>> {
    let (jobs, rx) = mpsc::sync_channel::<Job>(1);
    std::thread::Builder::new()
        .name("pfconf-lsp-diagnostics".into())
        .spawn(move || {
            for job in rx {
                let outcome = catch_unwind(AssertUnwindSafe(|| diagnostics::compute(&job)))
                    .unwrap_or_else(|p| Outcome::failed(&job, panic_message(&*p)));
                if events.send(Event::Checked(outcome)).is_err() {
                    return;
                }
            }
        })?;
    Ok(jobs)
}

/// The text of a panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

impl Server {
    /// A server writing to `out`, checking documents through `jobs` (none:
    /// no diagnostics, for tests of the dispatch).
    pub(crate) fn new(out: SyncSender<Outgoing>, jobs: Option<SyncSender<Job>>) -> Server {
        Server {
            state: State::Uninitialized,
            documents: Documents::default(),
            workspace: Workspace::default(),
            out,
            jobs,
            pending: Vec::new(),
            pending_since: None,
            in_flight: None,
            reads: HashMap::new(),
            includers: HashMap::new(),
            shown_config_error: None,
            broken: false,
            generation: 0,
            analyses: RefCell::new(HashMap::new()),
            checked: HashMap::new(),
            encoding: Encoding::default(),
            watch_files: false,
            sent: HashMap::new(),
            next_id: 0,
        }
    }

    /// The document at `uri` resolved (an error for a document that is not
    /// open): the one made for its current text if there is one, else a
    /// new one, kept for the next request.
    pub(crate) fn analysis(&self, uri: &Uri) -> Result<Arc<Analysis>, ResponseError> {
        let doc = self.document(uri)?;
        let built = self.kept(uri, false, || {
            let root = self.workspace.root_for(doc.path.as_deref());
            let a = Analysis::build(
                uri,
                &doc.name(uri),
                &doc.text,
                doc.version,
                self.generation,
                root,
                &self.documents.by_path(),
            );
            Some((Arc::new(a), MAIN))
        });
        built
            .map(|(a, _)| a)
            .ok_or_else(|| invalid_params(format!("{}: not open", uri.as_str())))
    }

    /// The document at `uri` resolved through the first ruleset that
    /// includes it (as its last check found), and the document's file in
    /// that analysis: what a fragment's names are as pf loads it. None
    /// for a document nothing includes (or that its includer no longer
    /// reads). Kept like [`Server::analysis`].
    pub(crate) fn through_includer(&self, uri: &Uri) -> Option<Scope> {
        use crate::includers::absolute;
        let doc = self.documents.get(uri)?;
        let path = doc.path.as_ref()?;
        let includer = self.includers.get(uri)?.first()?;
        self.kept(uri, true, || {
            let open = self.documents.by_path();
            let text = match open.get(includer) {
                Some((_, t)) => t.to_string(),
                None => crate::includers::read_candidate(includer)?,
            };
            let a = Analysis::build(
                &super::documents::path_to_uri(includer)?,
                &includer.display().to_string(),
                &text,
                doc.version,
                self.generation,
                self.workspace.root_for(Some(path)),
                &open,
            );
            let wanted = absolute(path);
            let id = a
                .sources
                .files()
                .iter()
                .position(|f| absolute(std::path::Path::new(&f.name)) == wanted)?;
            Some((Arc::new(a), crate::FileId(id as u32)))
        })
    }

    /// Where the names of the document at `uri` are looked up: through
    /// its includer for a fragment (its macros and tables are the
    /// includer's, its names are found in the includer and the other files
    /// it reads), else the document's own analysis.
    pub(crate) fn scope(&self, uri: &Uri) -> Result<Scope, ResponseError> {
        self.document(uri)?;
        match self.through_includer(uri) {
            Some(scope) => Ok(scope),
            None => Ok((self.analysis(uri)?, MAIN)),
        }
    }

    /// The analysis kept for `(uri, through)` when made for the current
    /// texts, else `build`'s, then kept (a few at most).
    fn kept(
        &self,
        uri: &Uri,
        through: bool,
        build: impl FnOnce() -> Option<Scope>,
    ) -> Option<Scope> {
        let version = self.documents.get(uri)?.version;
        let key = (uri.clone(), through);
        let current = |a: &Analysis| a.version == version && a.generation == self.generation;
        if let Some(found) = self.analyses.borrow().get(&key).filter(|(a, _)| current(a)) {
            return Some(found.clone());
        }
        let built = build()?;
        let mut kept = self.analyses.borrow_mut();
        kept.retain(|_, (a, _)| a.generation == self.generation);
        if kept.len() >= KEPT_ANALYSES {
            kept.clear();
        }
        kept.insert(key, built.clone());
        Some(built)
    }

    /// The latest check of the document at `uri` if it was made on its
    /// current text.
    pub(crate) fn checked(&self, uri: &Uri) -> Option<Arc<Checked>> {
        let doc = self.documents.get(uri)?;
        self.checked
            .get(uri)
            .filter(|c| c.version == doc.version && Arc::ptr_eq(&c.text, &doc.text))
            .cloned()
    }

    /// The URIs of the open documents.
    pub(crate) fn open_uris(&self) -> Vec<Uri> {
        self.documents.uris()
    }

    /// A snapshot of the document at `uri` to check, as the diagnostics
    /// worker does.
    pub(crate) fn job(&self, uri: &Uri) -> Option<Job> {
        let doc = self.documents.get(uri)?;
        Some(Job {
            uri: uri.clone(),
            version: doc.version,
            path: doc.path.clone(),
            text: doc.text.clone(),
            root: self.workspace.root_for(doc.path.as_deref()),
            open: Arc::new(self.documents.by_path()),
            node: self.workspace.node.clone(),
            includers: self.includers.get(uri).cloned(),
            encoding: self.encoding,
        })
    }

    /// Shows a message to the user (from a request handler).
    pub(crate) fn show_message(&self, typ: MessageType, message: String) {
        let n = Notification {
            method: ShowMessage::METHOD.to_string(),
            params: serde_json::to_value(ShowMessageParams { typ, message }).unwrap_or_default(),
        };
        // A failed write is noticed by the loop at its next send.
        let _ = self.out.send(Outgoing::Message(n.into()));
    }

    /// The open document at `uri`, or the error answering a request about
    /// another.
    pub(crate) fn document(&self, uri: &Uri) -> Result<&Document, ResponseError> {
        self.documents.get(uri).ok_or_else(|| {
            invalid_params(format!("{}: not an open pf.conf document", uri.as_str()))
        })
    }

    fn serve(&mut self, events: &Receiver<Event>) -> io::Result<Ending> {
        loop {
            if self.broken {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the client stopped reading",
                ));
            }
            let event = match self.wait() {
                // Waited long enough: start even if messages keep coming.
                Some(wait) if wait.is_zero() => {
                    self.start_job();
                    continue;
                }
                Some(wait) => match events.recv_timeout(wait) {
                    Ok(e) => e,
                    Err(RecvTimeoutError::Timeout) => {
                        self.start_job();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(Ending::InputClosed),
                },
                None => match events.recv() {
                    Ok(e) => e,
                    Err(_) => return Ok(Ending::InputClosed),
                },
            };
            match event {
                Event::Incoming(Incoming::Message(m)) => {
                    if let Some(ending) = self.on_message(m) {
                        return Ok(ending);
                    }
                }
                Event::Incoming(Incoming::Invalid { id, error }) => match id {
                    Some(id) => self.respond(Response {
                        id,
                        response_result: Err(error),
                    }),
                    None => self.send(Outgoing::ErrorWithoutId(error)),
                },
                Event::Checked(outcome) => self.on_checked(outcome),
                Event::Closed(None) => return Ok(self.closed()),
                Event::Closed(Some(e)) => {
                    self.log(MessageType::ERROR, format!("reading from the client: {e}"));
                    return Err(e);
                }
            }
        }
    }

    /// How long to wait for the next message before starting a job; None
    /// when there is no job to start.
    fn wait(&self) -> Option<Duration> {
        if self.pending.is_empty() || self.in_flight.is_some() || self.jobs.is_none() {
            return None;
        }
        let waited = self.pending_since.map_or(Duration::ZERO, |t| t.elapsed());
        Some(DEBOUNCE.min(MAX_DELAY.saturating_sub(waited)))
    }

    /// The end of the input without `exit`.
    fn closed(&self) -> Ending {
        if self.state == State::ShuttingDown {
            Ending::Exit
        } else {
            Ending::InputClosed
        }
    }

    /// Handles one message; Some when it ends the loop.
    pub(crate) fn on_message(&mut self, m: Message) -> Option<Ending> {
        match m {
            Message::Request(r) => self.on_request(r, REQUESTS),
            Message::Notification(n) if n.method == "exit" => {
                return Some(if self.state == State::ShuttingDown {
                    Ending::Exit
                } else {
                    Ending::ExitWithoutShutdown
                });
            }
            Message::Notification(n) if n.method == Initialized::METHOD => {
                if self.state == State::Running && self.watch_files {
                    self.register_watchers();
                }
            }
            Message::Notification(n) => self.on_notification(n),
            Message::Response(r) => self.on_response(r),
        }
        None
    }

    /// Asks the client to tell of changes to the files checks depend on
    /// (`client/registerCapability`): [`WATCHED`]. Not waited for: the
    /// answer comes as any message does.
    fn register_watchers(&mut self) {
        let watchers = WATCHED
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "pfconf-watched-files".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.request_client::<RegisterCapability>(RegistrationParams {
            registrations: vec![registration],
        });
    }

    /// Sends a request to the client; its answer goes to
    /// [`Server::on_response`].
    fn request_client<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_id += 1;
        let id = RequestId::from(format!("pfconf-{}", self.next_id));
        self.sent.insert(id.clone(), R::METHOD);
        let params = serde_json::to_value(params).unwrap_or_default();
        let r = Request::new(id, R::METHOD.to_string(), params);
        self.send(Outgoing::Message(r.into()));
    }

    /// The client's answer to a request of the server: an error is
    /// logged (the server carries on without what it asked for); an
    /// answer to nothing asked is ignored.
    fn on_response(&mut self, r: Response) {
        let Some(method) = self.sent.remove(&r.id) else {
            return;
        };
        if let Err(e) = r.response_result {
            self.log(
                MessageType::WARNING,
                format!("{method} refused ({}): {}", e.code, e.message),
            );
        }
    }

    fn on_request(&mut self, r: Request, table: &[(&str, RequestHandler)]) {
        let result = match (self.state, r.method.as_str()) {
            (State::Uninitialized, "initialize") => self.initialize(r.params),
            (State::Uninitialized, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".into(),
            )),
            (_, "initialize") => Err(error(
                ErrorCode::InvalidRequest,
                "initialize was already received".into(),
            )),
            (State::ShuttingDown, _) => Err(error(
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            )),
            (State::Running, "shutdown") => {
                self.state = State::ShuttingDown;
                Ok(serde_json::Value::Null)
            }
            (State::Running, method) => self.answer(method, r.params, table),
        };
        self.respond(Response {
            id: r.id,
            response_result: result,
        });
    }

    /// Runs a request's handler, a panic becoming an `InternalError`.
    pub(crate) fn answer(
        &self,
        method: &str,
        params: serde_json::Value,
        table: &[(&str, RequestHandler)],
    ) -> Result<serde_json::Value, ResponseError> {
        let Some((_, handler)) = table.iter().find(|(m, _)| *m == method) else {
            return Err(error(
                ErrorCode::MethodNotFound,
                format!("unknown method {method}"),
            ));
        };
        catch_unwind(AssertUnwindSafe(|| handler(self, params))).unwrap_or_else(|p| {
            Err(error(
                ErrorCode::InternalError,
                format!(
                    "internal error in pfconf ({method}): {}",
                    panic_message(&*p)
                ),
            ))
        })
    }

    fn initialize(&mut self, raw: serde_json::Value) -> Result<serde_json::Value, ResponseError> {
        let offers = ClientOffers::read(&raw);
        let p: WorkspaceParams = params(raw).map_err(invalid_params)?;
        self.workspace = Workspace::from_params(&p);
        self.encoding = offers.encoding;
        self.watch_files = offers.watch_files;
        self.state = State::Running;
        let result = InitializeResult {
            capabilities: capabilities(self.encoding),
            server_info: Some(ServerInfo {
                name: "pfconf".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        serde_json::to_value(result).map_err(|e| error(ErrorCode::InternalError, e.to_string()))
    }

    fn on_notification(&mut self, n: Notification) {
        if self.state != State::Running {
            return;
        }
        let Some((_, handler)) = NOTIFICATIONS.iter().find(|(m, _)| *m == n.method) else {
            return;
        };
        let method = n.method;
        let done = catch_unwind(AssertUnwindSafe(|| handler(self, n.params)))
            .unwrap_or_else(|p| Err(format!("internal error in pfconf: {}", panic_message(&*p))));
        if let Err(e) = done {
            self.log(MessageType::ERROR, format!("{method}: {e}"));
        }
    }

    /// A document changed (or opened): it and every open document that
    /// read it are pending.
    fn touched(&mut self, uri: &Uri) {
        self.generation += 1;
        self.checked.remove(uri);
        self.make_pending(uri.clone());
        let path = self.documents.get(uri).and_then(|d| d.path.clone());
        self.dependents_pending(path);
    }

    /// Every open document whose last check read `path` is pending.
    fn dependents_pending(&mut self, path: Option<PathBuf>) {
        let Some(path) = path else { return };
        let readers: Vec<Uri> = self
            .reads
            .iter()
            .filter(|(_, read)| read.contains(&path))
            .map(|(u, _)| u.clone())
            .collect();
        for u in readers {
            self.make_pending(u);
        }
    }

    fn make_pending(&mut self, uri: Uri) {
        if self.documents.get(&uri).is_none() || self.pending.contains(&uri) {
            return;
        }
        self.pending.push(uri);
        self.pending_since.get_or_insert_with(Instant::now);
    }

    /// Starts checking the first pending document.
    fn start_job(&mut self) {
        let Some(jobs) = &self.jobs else { return };
        if self.in_flight.is_some() || self.pending.is_empty() {
            return;
        }
        let uri = self.pending.remove(0);
        if self.pending.is_empty() {
            self.pending_since = None;
        }
        let Some(job) = self.job(&uri) else {
            return;
        };
        self.in_flight = Some((uri, job.version));
        if jobs.send(job).is_err() {
            // The worker is gone: no more diagnostics.
            self.jobs = None;
            self.in_flight = None;
        }
    }

    fn on_checked(&mut self, outcome: Outcome) {
        self.in_flight = None;
        if let Some(why) = &outcome.failure {
            self.log(
                MessageType::ERROR,
                format!(
                    "internal error in pfconf checking {}: {why}",
                    outcome.uri.as_str()
                ),
            );
        }
        let current = self.documents.get(&outcome.uri).map(|d| d.version);
        if current.is_some() {
            self.includers
                .insert(outcome.uri.clone(), outcome.includers.clone());
        }
        if current != Some(outcome.version) {
            // Stale: the newer text is pending (or the document closed).
            return;
        }
        match outcome.config_error {
            Some(e) if self.shown_config_error.as_ref() != Some(&e) => {
                self.show(MessageType::WARNING, e.clone());
                self.shown_config_error = Some(e);
            }
            Some(_) => {}
            None => self.shown_config_error = None,
        }
        self.reads
            .insert(outcome.uri.clone(), outcome.reads.into_iter().collect());
        match outcome.checked {
            Some(c) => self.checked.insert(outcome.uri.clone(), c),
            None => self.checked.remove(&outcome.uri),
        };
        self.publish(outcome.uri, outcome.diagnostics, Some(outcome.version));
    }

    fn publish(&mut self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let p = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.notify(PublishDiagnostics::METHOD, p);
    }

    fn log(&mut self, typ: MessageType, message: String) {
        self.notify(LogMessage::METHOD, LogMessageParams { typ, message });
    }

    fn show(&mut self, typ: MessageType, message: String) {
        self.notify(ShowMessage::METHOD, ShowMessageParams { typ, message });
    }

    fn notify(&mut self, method: &str, params: impl serde::Serialize) {
        let params = serde_json::to_value(params).unwrap_or_default();
        let n = Notification {
            method: method.to_string(),
            params,
        };
        self.send(Outgoing::Message(n.into()));
    }

    fn respond(&mut self, r: Response) {
        self.send(Outgoing::Message(r.into()));
    }

    fn send(&mut self, m: Outgoing) {
        if self.out.send(m).is_err() {
            self.broken = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> (Server, Receiver<Outgoing>) {
        let (out, rx) = mpsc::sync_channel(64);
        let mut s = Server::new(out, None);
        let init = Request::new(
            1.into(),
            "initialize".into(),
            serde_json::json!({ "capabilities": {} }),
        );
        s.on_message(init.into());
        (s, rx)
    }

    fn answer(rx: &Receiver<Outgoing>) -> Result<serde_json::Value, ResponseError> {
        match rx.try_recv() {
            Ok(Outgoing::Message(Message::Response(r))) => r.response_result,
            other => panic!("not a response: {other:?}"),
        }
    }

    static PANICKING: &[(&str, RequestHandler)] = &[("test/panic", |_, _| panic!("boom"))];

    #[test]
    fn a_panic_in_a_handler_is_an_internal_error_and_the_server_carries_on() {
        let (mut s, rx) = server();
        assert!(answer(&rx).is_ok());
        let r = Request::new(
            RequestId::from(2),
            "test/panic".into(),
            serde_json::Value::Null,
        );
        s.on_request(r, PANICKING);
        let e = answer(&rx).unwrap_err();
        assert_eq!(e.code, ErrorCode::InternalError as i32);
        assert!(e.message.contains("boom"), "{}", e.message);
        let r = Request::new(
            RequestId::from(3),
            "shutdown".into(),
            serde_json::Value::Null,
        );
        s.on_message(r.into());
        assert_eq!(answer(&rx).unwrap(), serde_json::Value::Null);
    }

    #[test]
    fn the_lifecycle_is_kept() {
        let (out, rx) = mpsc::sync_channel(64);
        let mut s = Server::new(out, None);
        let req = |id: i32, method: &str| -> Message {
            Request::new(id.into(), method.into(), serde_json::json!({})).into()
        };
        s.on_message(req(1, "textDocument/formatting"));
        assert_eq!(
            answer(&rx).unwrap_err().code,
            ErrorCode::ServerNotInitialized as i32
        );
        s.on_message(req(2, "initialize"));
        let caps = answer(&rx).unwrap();
        assert_eq!(caps["capabilities"]["documentFormattingProvider"], true);
        assert_eq!(
            caps["capabilities"]["documentRangeFormattingProvider"],
            true
        );
        assert_eq!(caps["capabilities"]["textDocumentSync"], 1);
        assert_eq!(caps["capabilities"]["hoverProvider"], true);
        s.on_message(req(3, "initialize"));
        assert_eq!(
            answer(&rx).unwrap_err().code,
            ErrorCode::InvalidRequest as i32
        );
        s.on_message(req(4, "textDocument/noSuchThing"));
        assert_eq!(
            answer(&rx).unwrap_err().code,
            ErrorCode::MethodNotFound as i32
        );
        s.on_message(req(5, "textDocument/formatting"));
        assert_eq!(
            answer(&rx).unwrap_err().code,
            ErrorCode::InvalidParams as i32
        );
        s.on_message(req(6, "shutdown"));
        assert!(answer(&rx).is_ok());
        s.on_message(req(7, "textDocument/formatting"));
        assert_eq!(
            answer(&rx).unwrap_err().code,
            ErrorCode::InvalidRequest as i32
        );
        let exit = Notification::new("exit".into(), serde_json::Value::Null);
        assert_eq!(s.on_message(exit.into()), Some(Ending::Exit));
    }

    #[test]
    fn a_result_for_an_older_version_is_dropped() {
        let (out, rx) = mpsc::sync_channel(64);
        let (jobs, queued) = mpsc::sync_channel(1);
        let mut s = Server::new(out, Some(jobs));
        let init = Request::new(1.into(), "initialize".into(), serde_json::json!({}));
        s.on_message(init.into());
        assert!(answer(&rx).is_ok());
        let uri = "file:///nonexistent-root/pf.conf";
        let open = serde_json::json!({ "textDocument": {
            "uri": uri, "languageId": "pf", "version": 1, "text": "pass in proto icmp to port 22\n" } });
        s.on_message(Notification::new("textDocument/didOpen".into(), open).into());
        s.start_job();
        let first = queued.try_recv().unwrap();
        assert_eq!(first.version, 1);
        let change = serde_json::json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": "block all\n" }] });
        s.on_message(Notification::new("textDocument/didChange".into(), change).into());
        // One job at a time: the change waits.
        s.start_job();
        assert!(queued.try_recv().is_err());
        s.on_checked(diagnostics::compute(&first));
        assert!(rx.try_recv().is_err(), "version 1 is stale");
        s.start_job();
        let second = queued.try_recv().unwrap();
        assert_eq!(second.version, 2);
        s.on_checked(diagnostics::compute(&second));
        match rx.try_recv() {
            Ok(Outgoing::Message(Message::Notification(n))) => {
                assert_eq!(n.method, "textDocument/publishDiagnostics");
                assert_eq!(n.params["version"], 2);
                assert_eq!(n.params["diagnostics"], serde_json::json!([]));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_latest_check_is_kept_for_formatting_while_the_text_is_current() {
        let (out, _rx) = mpsc::sync_channel(64);
        let (jobs, queued) = mpsc::sync_channel(1);
        let mut s = Server::new(out, Some(jobs));
        s.on_message(Request::new(1.into(), "initialize".into(), serde_json::json!({})).into());
        let uri: Uri = "file:///nonexistent-root/pf.conf".parse().unwrap();
        let text = "block   all\npass in proto {tcp udp} to port 22\n";
        let open = serde_json::json!({ "textDocument": {
            "uri": uri.as_str(), "languageId": "pf", "version": 1, "text": text } });
        s.on_message(Notification::new("textDocument/didOpen".into(), open).into());
        assert!(s.checked(&uri).is_none());
        s.start_job();
        s.on_checked(diagnostics::compute(&queued.try_recv().unwrap()));
        let checked = s.checked(&uri).expect("kept");
        let opts = crate::fmt::FormatOptions::default();
        assert_eq!(
            checked.format(&opts).unwrap().text,
            crate::fmt::format_safely("pf.conf", text, &opts)
                .unwrap()
                .text
        );
        // A change makes it stale: dropped at once.
        let change = serde_json::json!({
            "textDocument": { "uri": uri.as_str(), "version": 2 },
            "contentChanges": [{ "text": "block all\n" }] });
        s.on_message(Notification::new("textDocument/didChange".into(), change).into());
        assert!(s.checked(&uri).is_none());
        assert!(s.checked.is_empty());
    }

    #[test]
    fn client_offers_are_read_leniently() {
        let read = |v: serde_json::Value| {
            let o = ClientOffers::read(&v);
            (o.encoding, o.watch_files)
        };
        assert_eq!(read(serde_json::json!({})), (Encoding::Utf16, false));
        assert_eq!(read(serde_json::json!(null)), (Encoding::Utf16, false));
        let all = serde_json::json!({ "capabilities": {
            "general": { "positionEncodings": ["utf-8"] },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } } });
        assert_eq!(read(all), (Encoding::Utf8, true));
        let odd = serde_json::json!({ "capabilities": {
            "general": { "positionEncodings": "utf-8" },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": "yes" } } } });
        assert_eq!(read(odd), (Encoding::Utf16, false));
    }

    #[test]
    fn every_advertised_request_has_a_handler() {
        let caps = serde_json::to_value(capabilities(Encoding::Utf16)).unwrap();
        let served: Vec<&str> = REQUESTS.iter().map(|(m, _)| *m).collect();
        let by_capability: &[(&str, &[&str])] = &[
            ("documentFormattingProvider", &[Formatting::METHOD]),
            (
                "documentRangeFormattingProvider",
                &[RangeFormatting::METHOD],
            ),
            ("codeActionProvider", &[CodeActionRequest::METHOD]),
            ("executeCommandProvider", &[ExecuteCommand::METHOD]),
            ("hoverProvider", &[HoverRequest::METHOD]),
            ("definitionProvider", &[GotoDefinition::METHOD]),
            ("referencesProvider", &[References::METHOD]),
            (
                "renameProvider",
                &[Rename::METHOD, PrepareRenameRequest::METHOD],
            ),
            ("documentSymbolProvider", &[DocumentSymbolRequest::METHOD]),
            ("workspaceSymbolProvider", &[WorkspaceSymbolRequest::METHOD]),
            ("completionProvider", &[Completion::METHOD]),
            (
                "semanticTokensProvider",
                &[
                    SemanticTokensFullRequest::METHOD,
                    SemanticTokensRangeRequest::METHOD,
                ],
            ),
        ];
        let advertised: Vec<&str> = caps
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !["textDocumentSync", "positionEncoding"].contains(k))
            .collect();
        for key in &advertised {
            let methods = by_capability
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, m)| *m)
                .unwrap_or_else(|| panic!("{key} advertised without a handler"));
            for m in methods {
                assert!(served.contains(m), "{key}: {m} not served");
            }
        }
        // And nothing served is left unadvertised.
        for m in &served {
            let key = by_capability
                .iter()
                .find(|(_, ms)| ms.contains(m))
                .map(|(k, _)| *k)
                .unwrap_or_else(|| panic!("{m} served without a capability"));
            assert!(
                advertised.contains(&key),
                "{m} served, {key} not advertised"
            );
        }
    }
}
