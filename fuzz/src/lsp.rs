//! An LSP session described as values: requests and notifications with
//! documents written by the ruleset generator (or raw text), garbage
//! frames and frames with a wrong `Content-Length`; framed as a client
//! frames them, fed to `pfconf::lsp::run` from memory, and the answers
//! read back.
//!
//! Oracle: `run` returns (the reader meets the end of the input), every
//! output frame is JSON, and every request sent while the stream was in
//! step (before a frame that breaks the framing) and before `exit` gets
//! an answer. A panic in a handler aborts under libFuzzer (its panic hook
//! runs before the server's `catch_unwind`), so it is a crash as well.

use crate::ruleset::Ruleset;
use arbitrary::Arbitrary;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

/// The workspace folder: it does not exist, so nothing is read from disk
/// but what documents include.
pub const ROOT: &str = "file:///nonexistent-pfconf-fuzz";

/// A document.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Doc {
    /// `pf.conf`
    Main,
    /// `lan.pf`
    Other,
    /// `anchors/web.conf` (served when its language is `pf`)
    Included,
    /// `notes.txt`: not a pf.conf file.
    NotPf,
}

impl Doc {
    fn uri(self) -> String {
        match self {
            Doc::Main => format!("{ROOT}/pf.conf"),
            Doc::Other => format!("{ROOT}/lan.pf"),
            Doc::Included => format!("{ROOT}/anchors/web.conf"),
            Doc::NotPf => format!("{ROOT}/notes.txt"),
        }
    }

    fn language(self) -> &'static str {
        match self {
            Doc::NotPf => "plaintext",
            _ => "pf",
        }
    }
}

/// A document's text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    /// A ruleset from the generator.
    Ruleset(Box<Ruleset>),
    /// A generated ruleset cut short (half-typed).
    Typing(Box<Ruleset>, u16),
    /// Anything.
    Raw(String),
}

impl Text {
    fn text(&self) -> String {
        match self {
            Text::Ruleset(r) => r.to_text(),
            Text::Typing(r, cut) => {
                let t = r.to_text();
                let mut at = (*cut as usize).min(t.len());
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                t[..at].to_string()
            }
            Text::Raw(s) => s.clone(),
        }
    }
}

/// A position: mostly inside the document (small numbers).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Pos {
    /// Line.
    pub line: u8,
    /// Column.
    pub character: u8,
    /// Far away instead.
    pub far: bool,
}

impl Pos {
    fn json(self) -> Value {
        if self.far {
            json!({ "line": u32::MAX - self.line as u32, "character": 1_000_000 + self.character as u32 })
        } else {
            json!({ "line": self.line % 64, "character": self.character % 80 })
        }
    }
}

fn range(a: Pos, b: Pos) -> Value {
    json!({ "start": a.json(), "end": b.json() })
}

/// One message of the session (or bytes that are none).
#[derive(Arbitrary, Debug, Clone)]
pub enum Message {
    /// `initialize`
    Initialize {
        /// Offers utf-8 positions.
        utf8: bool,
        /// Allows watching files.
        watch: bool,
        /// Sends a workspace folder.
        root: bool,
        /// initializationOptions (a node, a width).
        options: Option<u8>,
    },
    /// `initialized`
    Initialized,
    /// `textDocument/didOpen`
    DidOpen(Doc, Text),
    /// `textDocument/didChange`, the whole text.
    DidChange(Doc, Text),
    /// `textDocument/didChange`, a range replaced.
    DidChangeRange(Doc, Pos, Pos, String),
    /// `textDocument/didSave`
    DidSave(Doc),
    /// `textDocument/didClose`
    DidClose(Doc),
    /// `textDocument/hover`
    Hover(Doc, Pos),
    /// `textDocument/definition`
    Definition(Doc, Pos),
    /// `textDocument/references`
    References(Doc, Pos, bool),
    /// `textDocument/prepareRename`
    PrepareRename(Doc, Pos),
    /// `textDocument/rename`
    Rename(Doc, Pos, u8),
    /// `textDocument/completion`
    Completion(Doc, Pos),
    /// `textDocument/formatting`
    Formatting(Doc, u8, bool),
    /// `textDocument/rangeFormatting`
    RangeFormatting(Doc, Pos, Pos),
    /// `textDocument/codeAction`
    CodeAction(Doc, Pos, Pos, Option<u8>),
    /// `workspace/executeCommand`
    ExecuteCommand(u8, Doc, Pos),
    /// `textDocument/documentSymbol`
    DocumentSymbol(Doc),
    /// `workspace/symbol`
    WorkspaceSymbol(String),
    /// `textDocument/semanticTokens/full`
    SemanticTokens(Doc),
    /// `textDocument/semanticTokens/range`
    SemanticTokensRange(Doc, Pos, Pos),
    /// `workspace/didChangeWatchedFiles`
    DidChangeWatchedFiles(u8),
    /// `$/cancelRequest`
    Cancel(u8),
    /// A request no one serves.
    UnknownRequest(u8),
    /// A response from the client (to the server's registration).
    Response(u8),
    /// `shutdown`
    Shutdown,
    /// `exit`
    Exit,
    /// A frame whose body is anything (the stream stays in step).
    Garbage(Vec<u8>),
    /// A well-formed request with wrong params.
    BadParams(u8, Doc),
    /// A frame whose `Content-Length` is wrong: the stream is out of step
    /// from there on.
    WrongLength(Vec<u8>, i8),
    /// Bytes without a frame (out of step from there on).
    Unframed(Vec<u8>),
}

/// A session.
#[derive(Arbitrary, Debug, Clone)]
pub struct Session {
    /// Start with `initialize` and `initialized` (most real sessions do).
    pub initialize: bool,
    /// The messages.
    pub messages: Vec<Message>,
}

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(body);
}

const COMMANDS: &[&str] = &["pfconf.explain", "pfconf.nothing", ""];
const RULES: &[&str] = &["E001", "unused-macro", "shadowed-rule", "carp-blocked", "x"];
const METHODS: &[&str] = &[
    "textDocument/signatureHelp",
    "textDocument/noSuchThing",
    "workspace/symbol",
    "",
    "$/setTrace",
];

/// The session framed as bytes, with the ids of the requests that must
/// be answered.
pub fn encode(s: &Session) -> (Vec<u8>, BTreeSet<i64>) {
    let mut out = Vec::new();
    let mut expected = BTreeSet::new();
    let mut in_step = true;
    let mut id: i64 = 0;
    let mut versions = [0i64; 4];
    let mut messages: Vec<Message> = Vec::new();
    if s.initialize {
        messages.push(Message::Initialize {
            utf8: false,
            watch: true,
            root: true,
            options: None,
        });
        messages.push(Message::Initialized);
    }
    messages.extend(s.messages.iter().take(64).cloned());
    for m in &messages {
        let doc_id = |d: Doc| json!({ "uri": d.uri() });
        let mut request = |method: &str, params: Value, out: &mut Vec<u8>| {
            id += 1;
            let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
            frame(out, body.to_string().as_bytes());
            if in_step {
                expected.insert(id);
            }
        };
        let notify = |method: &str, params: Value, out: &mut Vec<u8>| {
            let body = json!({ "jsonrpc": "2.0", "method": method, "params": params });
            frame(out, body.to_string().as_bytes());
        };
        match m {
            Message::Initialize {
                utf8,
                watch,
                root,
                options,
            } => {
                let mut caps = json!({
                    "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": watch } },
                });
                if *utf8 {
                    caps["general"] = json!({ "positionEncodings": ["utf-8", "utf-16"] });
                }
                let mut params = json!({ "capabilities": caps });
                if *root {
                    params["rootUri"] = json!(ROOT);
                    params["workspaceFolders"] = json!([{ "uri": ROOT, "name": "fuzz" }]);
                }
                if let Some(o) = options {
                    params["initializationOptions"] = match o % 4 {
                        0 => json!({ "config": { "node": "nodes/fw1" } }),
                        1 => json!({ "width": *o }),
                        2 => json!(["not", "an", "object"]),
                        _ => json!({ "unknown": true }),
                    };
                }
                request("initialize", params, &mut out);
            }
            Message::Initialized => notify("initialized", json!({}), &mut out),
            Message::DidOpen(d, t) => {
                let i = *d as usize;
                versions[i] += 1;
                notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": {
                        "uri": d.uri(), "languageId": d.language(),
                        "version": versions[i], "text": t.text() } }),
                    &mut out,
                );
            }
            Message::DidChange(d, t) => {
                let i = *d as usize;
                versions[i] += 1;
                notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": d.uri(), "version": versions[i] },
                            "contentChanges": [{ "text": t.text() }] }),
                    &mut out,
                );
            }
            Message::DidChangeRange(d, a, b, text) => {
                let i = *d as usize;
                versions[i] += 1;
                notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": d.uri(), "version": versions[i] },
                            "contentChanges": [{ "range": range(*a, *b), "text": text }] }),
                    &mut out,
                );
            }
            Message::DidSave(d) => notify(
                "textDocument/didSave",
                json!({ "textDocument": doc_id(*d) }),
                &mut out,
            ),
            Message::DidClose(d) => notify(
                "textDocument/didClose",
                json!({ "textDocument": doc_id(*d) }),
                &mut out,
            ),
            Message::Hover(d, p) => request(
                "textDocument/hover",
                json!({ "textDocument": doc_id(*d), "position": p.json() }),
                &mut out,
            ),
            Message::Definition(d, p) => request(
                "textDocument/definition",
                json!({ "textDocument": doc_id(*d), "position": p.json() }),
                &mut out,
            ),
            Message::References(d, p, decl) => request(
                "textDocument/references",
                json!({ "textDocument": doc_id(*d), "position": p.json(),
                        "context": { "includeDeclaration": decl } }),
                &mut out,
            ),
            Message::PrepareRename(d, p) => request(
                "textDocument/prepareRename",
                json!({ "textDocument": doc_id(*d), "position": p.json() }),
                &mut out,
            ),
            Message::Rename(d, p, n) => {
                let name = ["lan", "ext_if", "t1", "", "a b", "$x", "<t>", "é"][*n as usize % 8];
                request(
                    "textDocument/rename",
                    json!({ "textDocument": doc_id(*d), "position": p.json(), "newName": name }),
                    &mut out,
                )
            }
            Message::Completion(d, p) => request(
                "textDocument/completion",
                json!({ "textDocument": doc_id(*d), "position": p.json() }),
                &mut out,
            ),
            Message::Formatting(d, tab, spaces) => request(
                "textDocument/formatting",
                json!({ "textDocument": doc_id(*d),
                        "options": { "tabSize": tab % 9, "insertSpaces": spaces } }),
                &mut out,
            ),
            Message::RangeFormatting(d, a, b) => request(
                "textDocument/rangeFormatting",
                json!({ "textDocument": doc_id(*d), "range": range(*a, *b),
                        "options": { "tabSize": 4, "insertSpaces": true } }),
                &mut out,
            ),
            Message::CodeAction(d, a, b, code) => {
                let diagnostics = match code {
                    Some(c) => json!([{ "range": range(*a, *b), "message": "m",
                                        "code": RULES[*c as usize % RULES.len()], "source": "pfconf" }]),
                    None => json!([]),
                };
                request(
                    "textDocument/codeAction",
                    json!({ "textDocument": doc_id(*d), "range": range(*a, *b),
                            "context": { "diagnostics": diagnostics } }),
                    &mut out,
                )
            }
            Message::ExecuteCommand(c, d, p) => request(
                "workspace/executeCommand",
                json!({ "command": COMMANDS[*c as usize % COMMANDS.len()],
                        "arguments": [RULES[*c as usize % RULES.len()], d.uri(), p.json()] }),
                &mut out,
            ),
            Message::DocumentSymbol(d) => request(
                "textDocument/documentSymbol",
                json!({ "textDocument": doc_id(*d) }),
                &mut out,
            ),
            Message::WorkspaceSymbol(q) => {
                request("workspace/symbol", json!({ "query": q }), &mut out)
            }
            Message::SemanticTokens(d) => request(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": doc_id(*d) }),
                &mut out,
            ),
            Message::SemanticTokensRange(d, a, b) => request(
                "textDocument/semanticTokens/range",
                json!({ "textDocument": doc_id(*d), "range": range(*a, *b) }),
                &mut out,
            ),
            Message::DidChangeWatchedFiles(k) => {
                let uri = [
                    format!("{ROOT}/pfconf.toml"),
                    Doc::Main.uri(),
                    format!("{ROOT}/nodes/fw1/hostname.em0"),
                ][*k as usize % 3]
                    .clone();
                notify(
                    "workspace/didChangeWatchedFiles",
                    json!({ "changes": [{ "uri": uri, "type": 1 + (k % 3) }] }),
                    &mut out,
                )
            }
            Message::Cancel(n) => notify("$/cancelRequest", json!({ "id": n }), &mut out),
            Message::UnknownRequest(n) => request(
                METHODS[*n as usize % METHODS.len()],
                json!({ "textDocument": doc_id(Doc::Main) }),
                &mut out,
            ),
            Message::Response(n) => {
                let body = if n % 2 == 0 {
                    json!({ "jsonrpc": "2.0", "id": *n as i64, "result": null })
                } else {
                    json!({ "jsonrpc": "2.0", "id": *n as i64, "error": { "code": -32601, "message": "no" } })
                };
                frame(&mut out, body.to_string().as_bytes());
            }
            Message::Shutdown => request("shutdown", Value::Null, &mut out),
            Message::Exit => {
                notify("exit", Value::Null, &mut out);
                // The server reads no further.
                in_step = false;
            }
            Message::Garbage(bytes) => {
                // A body that is itself an `exit` ends the session too.
                if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
                    if v.get("method").is_some_and(|m| m == "exit") {
                        in_step = false;
                    }
                }
                frame(&mut out, bytes);
            }
            Message::BadParams(k, d) => request(
                [
                    "textDocument/hover",
                    "textDocument/formatting",
                    "textDocument/rename",
                    "workspace/executeCommand",
                ][*k as usize % 4],
                [
                    json!(5),
                    json!({ "textDocument": doc_id(*d) }),
                    json!(null),
                    json!([1, 2]),
                ][(*k as usize / 4) % 4]
                    .clone(),
                &mut out,
            ),
            Message::WrongLength(bytes, delta) => {
                let len = (bytes.len() as i64 + *delta as i64).max(0);
                let _ = write!(out, "Content-Length: {len}\r\n\r\n");
                out.extend_from_slice(bytes);
                if *delta != 0 {
                    in_step = false;
                }
            }
            Message::Unframed(bytes) => {
                out.extend_from_slice(bytes);
                if !bytes.is_empty() {
                    in_step = false;
                }
            }
        }
    }
    (out, expected)
}

/// A writer into shared memory (the server's writer thread owns it).
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The bodies of the frames the server wrote; panics on a frame that is
/// not `Content-Length` framed JSON.
pub fn frames(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| {
                panic!(
                    "a frame without a blank line: {:?}",
                    String::from_utf8_lossy(bytes)
                )
            });
        let head = std::str::from_utf8(&bytes[..end]).expect("headers are text");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap_or_else(|| panic!("no Content-Length in {head:?}"))
            .trim()
            .parse()
            .expect("a length");
        let body = &bytes[end + 4..end + 4 + len];
        out.push(serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "a body that is not JSON ({e}): {:?}",
                String::from_utf8_lossy(body)
            )
        }));
        bytes = &bytes[end + 4 + len..];
    }
    out
}

/// Runs the session through the server and checks the oracle.
pub fn run(s: &Session) {
    let (input, expected) = encode(s);
    let sink = Sink::default();
    let ending = pfconf::lsp::run(io::Cursor::new(input), sink.clone());
    // An error is a stream broken by a frame longer than the input: the
    // reader stops there, after the messages before it, which are all
    // answered still.
    let output = sink.0.lock().map(|o| o.clone()).unwrap_or_default();
    let answered: BTreeSet<i64> = frames(&output)
        .iter()
        .filter(|m| m.get("method").is_none())
        .filter_map(|m| m.get("id").and_then(Value::as_i64))
        .collect();
    let missing: Vec<&i64> = expected.difference(&answered).collect();
    assert!(
        missing.is_empty(),
        "requests without an answer: {missing:?} (ending {ending:?})"
    );
    if let Ok(e) = ending {
        let _ = e.exit_code();
    }
}
