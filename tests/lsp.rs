//! The language server end to end: `pfconf lsp` is spawned and spoken to
//! over its pipes, as an editor does (JSON-RPC framed by `Content-Length`).
//! Every wait has a deadline, so a server that hangs fails the test
//! instead of blocking the run.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any one answer may take (debug builds on a busy CI machine).
const TIMEOUT: Duration = Duration::from_secs(30);

/// An editor's side of the connection.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read but not yet asked for.
    unclaimed: Vec<Value>,
    /// Every message read, in order.
    log: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `pfconf lsp` (not initialized).
    fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pfconf"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pfconf lsp starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut r) {
                let v: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                assert_eq!(v["jsonrpc"], "2.0", "{v}");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            unclaimed: Vec::new(),
            log: Vec::new(),
            next_id: 1,
        }
    }

    /// Starts and initializes a server for the workspace folder `root`.
    fn start(root: Option<&Path>) -> (Client, Value) {
        Client::start_with(root, Value::Null)
    }

    /// [`Client::start`] with `initializationOptions`.
    fn start_with(root: Option<&Path>, options: Value) -> (Client, Value) {
        Client::start_offering(root, json!({}), options)
    }

    /// [`Client::start`] with the client's `capabilities` and
    /// `initializationOptions`.
    fn start_offering(root: Option<&Path>, capabilities: Value, options: Value) -> (Client, Value) {
        let mut c = Client::spawn();
        let mut params = match root {
            Some(r) => json!({
                "processId": null,
                "rootUri": uri(r),
                "capabilities": capabilities,
                "workspaceFolders": [{ "uri": uri(r), "name": "ws" }],
            }),
            None => json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        };
        if !options.is_null() {
            params["initializationOptions"] = options;
        }
        let init = c.request("initialize", params);
        c.notify("initialized", json!({}));
        (c, init)
    }

    fn write_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request; its id.
    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for the answer (the whole response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(&format!("the answer to {method} (id {id})"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    /// The first message (read before or after) that `wanted` accepts.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unclaimed.iter().position(&wanted) {
            return self.unclaimed.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = self.incoming.recv_timeout(left);
            if let Ok(m) = &next {
                self.log.push(m.clone());
            }
            match next {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.unclaimed.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {TIMEOUT:?}; got {:#?}", self.unclaimed)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output before {what}")
                }
            }
        }
    }

    /// The next diagnostics published for `uri` (at `version`, if given).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let m = self.wait_for(&format!("diagnostics for {uri} at {version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "pf", "version": version, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }

    /// Waits for the process to end; its status.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "pfconf lsp did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown` then `exit`: the exit status.
    fn shutdown(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        self.wait_exit().code()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One framed body from the server; None at the end of its output.
fn read_frame(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        assert!(line.ends_with("\r\n"), "header line {line:?}");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = Some(n.parse::<usize>().unwrap());
        }
    }
    let mut body = vec![0; length.expect("Content-Length")];
    r.read_exact(&mut body).ok()?;
    Some(body)
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A temporary workspace folder (a repository: `pfconf.toml` is not
/// looked for above it) with these files.
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

/// A position as JSON.
fn at(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn range(start: Value, end: Value) -> Value {
    json!({ "start": start, "end": end })
}

/// Applies a formatting answer's edits as an editor does.
fn apply(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| {
        let (line, ch) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap() as usize,
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        for (i, c) in rest.char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .expect("a list of edits")
        .iter()
        .map(|e| {
            let s = offset(&e["range"]["start"]);
            let t = offset(&e["range"]["end"]);
            (s, t, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort_by_key(|e| (e.0, e.1));
    for w in edits.windows(2) {
        assert!(w[0].1 <= w[1].0, "overlapping edits {edits:?}");
    }
    let mut out = text.to_string();
    for (s, t, new) in edits.into_iter().rev() {
        out.replace_range(s..t, &new);
    }
    out
}

/// `textDocument/formatting` of `doc`: the whole answer.
fn formatting(c: &mut Client, doc: &str) -> Value {
    c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": { "tabSize": 4, "insertSpaces": true } }),
    )
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn initialize_advertises_what_is_served() {
    let (c, init) = Client::start(None);
    let caps = init["result"]["capabilities"].as_object().unwrap();
    let mut keys: Vec<&str> = caps.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "codeActionProvider",
            "completionProvider",
            "definitionProvider",
            "documentFormattingProvider",
            "documentRangeFormattingProvider",
            "documentSymbolProvider",
            "executeCommandProvider",
            "hoverProvider",
            "positionEncoding",
            "referencesProvider",
            "renameProvider",
            "semanticTokensProvider",
            "textDocumentSync",
            "workspaceSymbolProvider",
        ]
    );
    assert_eq!(caps["textDocumentSync"], 1, "full sync");
    // The client offered no position encoding: the protocol's default.
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["pfconf.explain"])
    );
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["$", "<"])
    );
    let legend = &caps["semanticTokensProvider"]["legend"];
    assert_eq!(legend["tokenTypes"][0], "keyword");
    assert_eq!(caps["semanticTokensProvider"]["full"], true);
    assert_eq!(caps["semanticTokensProvider"]["range"], true);
    assert_eq!(init["result"]["serverInfo"]["name"], "pfconf");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn an_error_is_published_with_its_range_and_code_and_cleared_when_fixed() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    // Non-ASCII text before the finding: columns are UTF-16 code units.
    c.open(&doc, 1, "# café ☕ 😀\npass in proto icmp to port 22\n");
    let d = c.diagnostics(&doc, Some(1));
    assert_eq!(codes(&d), ["port-without-tcp-udp"], "{d:#?}");
    assert_eq!(d[0]["range"], range(at(1, 22), at(1, 29)));
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["source"], "pfconf");
    assert!(d[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("port only applies to tcp/udp\nhelp: "));
    assert_eq!(
        d[0]["data"]["explain"],
        "pfconf explain port-without-tcp-udp"
    );

    // é is one UTF-16 unit, 😀 two: `bogus` starts at unit 28 (char 27, byte 31).
    c.change(
        &doc,
        2,
        "# café ☕ 😀\npass out on em0 label \"é😀\" bogus\n",
    );
    let d = c.diagnostics(&doc, Some(2));
    assert_eq!(codes(&d), ["syntax"], "{d:#?}");
    assert_eq!(d[0]["range"], range(at(1, 28), at(1, 33)));

    c.change(
        &doc,
        3,
        "# café ☕ 😀\nblock all\npass in proto tcp to port 22\n",
    );
    assert_eq!(c.diagnostics(&doc, Some(3)), Vec::<Value>::new());

    c.change(&doc, 4, "pass in proto icmp to port 22\n");
    assert_eq!(
        codes(&c.diagnostics(&doc, Some(4))),
        ["port-without-tcp-udp"]
    );
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": doc } }),
    );
    let cleared = c.wait_for("diagnostics cleared on close", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == doc.as_str()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert!(cleared["params"].get("version").is_none());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn formatting_edits_produce_the_formatted_text() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = "# é😀\nblock   all\npass in on em0 proto {tcp udp} to port {22 443}\npass   out\n";
    c.open(&doc, 1, text);
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let r = formatting(&mut c, &doc);
    let formatted =
        "# é😀\nblock all\npass in on em0 proto { tcp, udp } to port { 22, 443 }\npass out\n";
    assert_eq!(apply(text, &r["result"]), formatted, "{r}");
    // The comment line is not touched.
    let edits = r["result"].as_array().unwrap();
    assert!(
        edits.iter().all(|e| e["range"]["start"]["line"] != 0),
        "{r}"
    );

    // A range formats the statements it touches, no more.
    let r = c.request(
        "textDocument/rangeFormatting",
        json!({
            "textDocument": { "uri": doc },
            "range": range(at(2, 3), at(2, 3)),
            "options": options,
        }),
    );
    assert_eq!(
        apply(text, &r["result"]),
        "# é😀\nblock   all\npass in on em0 proto { tcp, udp } to port { 22, 443 }\npass   out\n"
    );

    // A formatted document needs no edit; one with a syntax error gets none.
    c.change(&doc, 2, formatted);
    let r = formatting(&mut c, &doc);
    assert_eq!(r["result"], json!([]));
    c.change(&doc, 3, "pas   in\nblock   all\n");
    let r = formatting(&mut c, &doc);
    assert_eq!(r["result"], json!([]), "{r}");
    assert!(r.get("error").is_none());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn the_width_comes_from_the_projects_pfconf_toml() {
    let (_dir, root) = workspace(&[("pfconf.toml", "[format]\nwidth = 40\n")]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = "pass in on em0 proto tcp from any to any port 22\n";
    c.open(&doc, 1, text);
    let r = formatting(&mut c, &doc);
    let out = apply(text, &r["result"]);
    assert!(
        out.lines().count() > 1 && out.lines().all(|l| l.len() <= 40),
        "{out}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn includes_resolve_under_the_workspace_folder_and_from_the_files_directory() {
    let (_dir, root) = workspace(&[
        ("etc/pf/lan.conf", "pass in on $lan\n"),
        ("etc/rules/int.conf", "pass in on $int\n"),
    ]);
    let (mut c, _) = Client::start(Some(&root));
    let main = uri(&root.join("etc/pf.conf"));
    let text = "lan = \"em1\"\nint = \"em2\"\nblock all\ninclude \"/etc/pf/lan.conf\"\ninclude \"rules/int.conf\"\n";
    c.open(&main, 1, text);
    // The macros the included files use are defined: no undefined-macro,
    // no missing include, nothing unused.
    assert_eq!(c.diagnostics(&main, Some(1)), Vec::<Value>::new());

    // An included file open in the editor is read from its unsaved text,
    // and an edit to it checks the file that includes it again.
    let lan = uri(&root.join("etc/pf/lan.conf"));
    c.open(&lan, 1, "pass in on $lan\npas out\n");
    let d = c.diagnostics(&main, Some(1));
    assert_eq!(codes(&d), ["syntax"], "{d:#?}");
    assert_eq!(d[0]["range"]["start"], at(3, 0), "shown at the include");
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("pf/lan.conf:2:1: syntax error"),
        "{message}"
    );
    assert_eq!(
        d[0]["relatedInformation"][0]["location"]["uri"],
        lan.as_str()
    );
    assert_eq!(
        d[0]["relatedInformation"][0]["location"]["range"]["start"],
        at(1, 0)
    );
    c.change(&lan, 2, "pass in on $lan\n");
    assert_eq!(c.diagnostics(&main, Some(1)), Vec::<Value>::new());

    // A missing include is an error at its statement.
    c.change(&main, 2, "block all\ninclude \"/etc/pf/missing.conf\"\n");
    let d = c.diagnostics(&main, Some(2));
    assert_eq!(codes(&d), ["include-missing"], "{d:#?}");
    assert_eq!(d[0]["range"]["start"], at(1, 0));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn lint_levels_come_from_the_projects_pfconf_toml() {
    let (_dir, root) = workspace(&[("pfconf.toml", "[lints]\nunused-macro = \"error\"\n")]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    c.open(&doc, 1, "x = \"1\"\nblock all\n");
    let d = c.diagnostics(&doc, Some(1));
    assert_eq!(codes(&d), ["unused-macro"]);
    assert_eq!(d[0]["severity"], 1, "error, as configured");
    assert_eq!(d[0]["range"], range(at(0, 0), at(0, 1)));

    // Without the file: the default level (warning).
    let (_other, elsewhere) = workspace(&[]);
    let (mut c2, _) = Client::start(Some(&elsewhere));
    let doc2 = uri(&elsewhere.join("pf.conf"));
    c2.open(&doc2, 1, "x = \"1\"\nblock all\n");
    assert_eq!(c2.diagnostics(&doc2, Some(1))[0]["severity"], 2);
    assert_eq!(c.shutdown(), Some(0));
    assert_eq!(c2.shutdown(), Some(0));
}

#[test]
fn a_burst_of_changes_is_checked_on_the_latest_text_only() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = |v: i64| {
        let proto = if v % 2 == 0 { "tcp" } else { "icmp" };
        format!("block all\npass in proto {proto} to port {v}\n")
    };
    c.open(&doc, 1, "block all\n");
    const BURST: i64 = 1000;
    for v in 2..=BURST {
        c.change(&doc, v, &text(v));
    }
    assert_eq!(c.diagnostics(&doc, Some(BURST)), Vec::<Value>::new());
    // Changes at typing speed: each is checked, some while the check of
    // the one before runs.
    const LAST: i64 = BURST + 11;
    for v in BURST + 1..=LAST {
        std::thread::sleep(Duration::from_millis(80));
        c.change(&doc, v, &text(v));
    }
    assert_eq!(
        codes(&c.diagnostics(&doc, Some(LAST))),
        ["port-without-tcp-udp"]
    );
    // What was published came in version order, and far fewer checks ran
    // than changes arrived.
    let versions: Vec<i64> = c
        .log
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        versions.len() < 100,
        "{} checks for {LAST} changes",
        versions.len()
    );
    assert!(
        versions.contains(&BURST) && versions.ends_with(&[LAST]),
        "{versions:?}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn steady_typing_still_gets_diagnostics() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    c.open(&doc, 1, "block all\n");
    // A change every 25 ms for 1.5 s: never a quiet moment, but no
    // document waits much longer than half a second.
    const LAST: i64 = 61;
    for v in 2..=LAST {
        std::thread::sleep(Duration::from_millis(25));
        c.change(
            &doc,
            v,
            &format!("block all\npass in proto icmp to port {v}\n"),
        );
    }
    c.diagnostics(&doc, Some(LAST));
    let before_the_end = c
        .log
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter(|m| m["params"]["version"].as_i64().unwrap() < LAST - 4)
        .count();
    assert!(before_the_end > 0, "nothing published while typing");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn bad_messages_get_errors_and_the_server_keeps_serving() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    c.open(&doc, 1, "block   all\n");

    // A body that is not JSON: a parse error with a null id.
    c.write_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let r = c.wait_for("the parse error", |m| {
        m["id"].is_null() && m.get("error").is_some()
    });
    assert_eq!(r["error"]["code"], -32700);

    // JSON that is no message: an invalid request, with its id.
    c.write_raw(br#"{"jsonrpc": "2.0", "id": 98, "method": 5}"#);
    let r = c.wait_for("the invalid request", |m| m["id"] == 98);
    assert_eq!(r["error"]["code"], -32600);

    let r = c.request("textDocument/noSuchThing", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request(
        "textDocument/signatureHelp",
        json!({ "textDocument": { "uri": doc }, "position": at(0, 0) }),
    );
    assert_eq!(
        r["error"]["code"], -32601,
        "not advertised, not served: {r}"
    );

    let r = c.request("textDocument/formatting", json!({ "textDocument": 5 }));
    assert_eq!(r["error"]["code"], -32602, "{r}");

    let r = c.request(
        "textDocument/rangeFormatting",
        json!({
            "textDocument": { "uri": doc },
            "range": range(at(1000, 0), at(1001, 0)),
            "options": { "tabSize": 4, "insertSpaces": true },
        }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");

    let other = uri(&root.join("other.pf"));
    c.open(&other, 1, "pass   out\n");
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": other } }),
    );
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": other }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an open"),
        "{r}"
    );

    // A document that is no pf.conf file is not served.
    let notes = uri(&root.join("notes.txt"));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": notes, "languageId": "plaintext", "version": 1, "text": "pass   out\n" } }),
    );
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": notes }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");

    // A change to a document that is not open, a notification nobody
    // handles: no answer, no harm.
    c.change(&other, 5, "pass\n");
    c.notify("$/cancelRequest", json!({ "id": 1 }));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": {} }),
    );

    // Still serving.
    let r = formatting(&mut c, &doc);
    assert_eq!(apply("block   all\n", &r["result"]), "block all\n", "{r}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut c = Client::spawn();
    let r = c.request("textDocument/formatting", json!({}));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    let r = c.request("initialize", json!({ "capabilities": {} }));
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    let r = c.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_1() {
    let (mut c, _) = Client::start(None);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
    // After shutdown, requests are refused until exit.
    let (mut c, _) = Client::start(None);
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    let r = c.request("textDocument/formatting", json!({}));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));
}

#[test]
fn the_end_of_the_input_without_exit_ends_the_server_with_1() {
    let (mut c, _) = Client::start(None);
    drop(c.stdin.take());
    assert_eq!(c.wait_exit().code(), Some(1));
}

#[test]
fn options_the_server_cannot_honour_are_refused() {
    for args in [
        &["lsp", "--format", "json"][..],
        &["--config", "pfconf.toml", "lsp"],
        &["lsp", "--stdin-filename", "pf.conf"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pfconf"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("pfconf: `lsp`"), "{args:?}: {err}");
    }
}

/// The position of the first `needle` in `text`, `delta` characters on.
fn pos(text: &str, needle: &str, delta: u32) -> Value {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {text}"));
    let line = text[..i].matches('\n').count() as u32;
    let column = text[..i]
        .rsplit('\n')
        .next()
        .unwrap()
        .encode_utf16()
        .count() as u32;
    at(line, column + delta)
}

/// `{ textDocument, position }`.
fn doc_at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// The titles of a code action answer.
fn titles(actions: &Value) -> Vec<&str> {
    actions
        .as_array()
        .expect("a list of actions")
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

#[test]
fn code_actions_offer_the_fix_a_suppression_and_the_explanation() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = "block all\n  ext = \"em0\"\npass out\n";
    c.open(&doc, 1, text);
    let d = c.diagnostics(&doc, Some(1));
    assert_eq!(codes(&d), ["unused-macro"], "{d:#?}");
    let ask = |c: &mut Client, d: &[Value]| {
        c.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": doc },
                "range": d[0]["range"],
                "context": { "diagnostics": d },
            }),
        )
    };
    let r = ask(&mut c, &d);
    let actions = &r["result"];
    assert_eq!(
        titles(actions),
        [
            "remove the unused macro `ext`",
            "suppress `unused-macro` on this line",
            "explain `unused-macro`"
        ],
        "{r}"
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true, "a safe fix is preferred");
    assert_eq!(fix["diagnostics"][0]["code"], "unused-macro");
    assert_eq!(
        apply(text, &fix["edit"]["changes"][doc.as_str()]),
        "block all\npass out\n"
    );
    let suppress = &actions[1];
    assert!(suppress.get("isPreferred").is_none_or(|p| p == false));
    let suppressed = apply(text, &suppress["edit"]["changes"][doc.as_str()]);
    assert_eq!(
        suppressed,
        "block all\n  # pfconf: allow(unused-macro)\n  ext = \"em0\"\npass out\n"
    );
    // The comment does suppress it.
    c.change(&doc, 2, &suppressed);
    assert_eq!(c.diagnostics(&doc, Some(2)), Vec::<Value>::new());

    // The explanation is a command; the server runs it, answering with the
    // page and showing it.
    let explain = &actions[2]["command"];
    assert_eq!(explain["command"], "pfconf.explain");
    assert_eq!(explain["arguments"], json!(["unused-macro"]));
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "pfconf.explain", "arguments": ["unused-macro"] }),
    );
    let page = r["result"].as_str().unwrap();
    assert!(page.starts_with("# unused-macro"), "{page}");
    let shown = c.wait_for("the page shown", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["message"], page);
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "pfconf.explain", "arguments": ["no-such-code"] }),
    );
    assert_eq!(r["error"]["code"], -32803, "{r}");
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "pfconf.nothing", "arguments": [] }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");

    // An unsafe fix says so and is not preferred; a check (not a lint)
    // cannot be suppressed.
    let legacy = "nat on em0 from 10.0.0.0/8 to any -> 192.0.2.1\n";
    c.change(&doc, 3, legacy);
    let d = c.diagnostics(&doc, Some(3));
    assert_eq!(codes(&d), ["legacy"], "{d:#?}");
    let r = ask(&mut c, &d);
    let t = titles(&r["result"]);
    assert_eq!(t.len(), 2, "{t:?}");
    assert!(
        t[0].starts_with("rewrite as `") && t[0].contains(" (unsafe: "),
        "{t:?}"
    );
    assert_eq!(r["result"][0]["isPreferred"], false);
    assert_eq!(t[1], "explain `legacy`");
    let rewritten = apply(legacy, &r["result"][0]["edit"]["changes"][doc.as_str()]);
    assert!(rewritten.contains("nat-to 192.0.2.1"), "{rewritten}");

    // A client that drops the diagnostics' data still gets the actions:
    // the server checks the text again.
    let mut bare = d.clone();
    bare[0].as_object_mut().unwrap().remove("data");
    let again = ask(&mut c, &bare);
    assert_eq!(titles(&again["result"]), t);
    // Another source's diagnostics get nothing; `only` other kinds, nothing.
    let mut other = d.clone();
    other[0]["source"] = json!("someone-else");
    assert_eq!(ask(&mut c, &other)["result"], json!([]));
    let r = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": d[0]["range"],
            "context": { "diagnostics": d, "only": ["refactor"] },
        }),
    );
    assert_eq!(r["result"], json!([]));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_fix_in_an_included_file_edits_that_file() {
    let lan_text = "pass in on em1\n  y = \"1\"\n";
    let (_dir, root) = workspace(&[("lan.conf", lan_text)]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let lan = uri(&root.join("lan.conf"));
    c.open(&doc, 1, "block all\ninclude \"lan.conf\"\n");
    let d = c.diagnostics(&doc, Some(1));
    assert_eq!(codes(&d), ["unused-macro"], "{d:#?}");
    assert_eq!(d[0]["range"]["start"], at(1, 0), "shown at the include");
    let r = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": d[0]["range"],
            "context": { "diagnostics": d },
        }),
    );
    let actions = &r["result"];
    assert_eq!(
        titles(actions),
        [
            "remove the unused macro `y`",
            "suppress `unused-macro` in lan.conf (line 2)",
            "explain `unused-macro`"
        ],
        "{r}"
    );
    for a in &actions.as_array().unwrap()[..2] {
        let changes = a["edit"]["changes"].as_object().unwrap();
        assert_eq!(changes.keys().collect::<Vec<_>>(), [&lan], "{a}");
    }
    assert_eq!(
        apply(lan_text, &actions[0]["edit"]["changes"][lan.as_str()]),
        "pass in on em1\n"
    );
    assert_eq!(
        apply(lan_text, &actions[1]["edit"]["changes"][lan.as_str()]),
        "pass in on em1\n  # pfconf: allow(unused-macro)\n  y = \"1\"\n"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// The markdown of a hover answer.
fn hover(c: &mut Client, uri: &str, position: Value) -> Value {
    let r = c.request("textDocument/hover", doc_at(uri, position));
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

#[test]
fn hover_explains_macros_tables_keywords_and_names() {
    let (_dir, root) = workspace(&[("etc/spammers", "192.0.2.7\n198.51.100.0/24\n")]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = "ext_if = \"em0\"\ntable <bad> persist { 192.0.2.1, 198.51.100.0/24 }\ntable <spam> file \"/etc/spammers\"\nblock all\n# a comment\npass in quick on $ext_if proto tcp from { <bad>, <spam> } to port ssh tag web\npass out tagged web\n";
    c.open(&doc, 1, text);

    let h = hover(&mut c, &doc, pos(text, "$ext_if", 2));
    let value = h["contents"]["value"].as_str().unwrap();
    assert_eq!(h["contents"]["kind"], "markdown");
    assert!(value.contains("ext_if = \"em0\""), "{value}");
    assert!(value.contains("defined on line 1"), "{value}");
    assert_eq!(
        h["range"],
        range(pos(text, "$ext_if", 0), pos(text, "$ext_if", 7))
    );
    let h = hover(&mut c, &doc, pos(text, "ext_if", 0));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("used 1 times"),
        "{h}"
    );

    let h = hover(&mut c, &doc, pos(text, "<bad>,", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("table <bad> persist { 192.0.2.1, 198.51.100.0/24 }"),
        "{value}"
    );
    let h = hover(&mut c, &doc, pos(text, "<spam> }", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("`/etc/spammers`: 2 entries"), "{value}");

    let h = hover(&mut c, &doc, pos(text, "quick", 0));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("`quick` makes a matching rule final"),
        "{value}"
    );
    let h = hover(&mut c, &doc, pos(text, "ssh", 1));
    assert_eq!(h["contents"]["value"], "service `ssh`: port 22");
    let h = hover(&mut c, &doc, pos(text, "tcp", 0));
    assert_eq!(h["contents"]["value"], "protocol `tcp`: number 6");
    let h = hover(&mut c, &doc, pos(text, "tagged web", 8));
    assert_eq!(
        h["contents"]["value"],
        "tag `web`: set by 1 rule, matched by 1"
    );
    // Nothing to say on a comment or a blank.
    assert_eq!(hover(&mut c, &doc, pos(text, "a comment", 0)), Value::Null);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn definitions_and_references_across_included_and_loaded_files() {
    let (_dir, root) = workspace(&[
        ("lan.conf", "pass in on $lan tag LAN\n"),
        ("anchors/web.conf", "pass in proto tcp to port www\n"),
    ]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let lan = uri(&root.join("lan.conf"));
    let web = uri(&root.join("anchors/web.conf"));
    let text = "lan = \"em1\"\ntable <bad> persist\nblock all\ninclude \"lan.conf\"\npass out on $lan tagged LAN\nblock in from <bad>\nanchor web\nload anchor web from \"anchors/web.conf\"\n";
    c.open(&doc, 1, text);
    let definition = |c: &mut Client, position: Value| {
        let r = c.request("textDocument/definition", doc_at(&doc, position));
        assert!(r.get("error").is_none(), "{r}");
        r["result"].clone()
    };
    let location =
        |uri: &str, start: Value, end: Value| json!({ "uri": uri, "range": range(start, end) });

    assert_eq!(
        definition(&mut c, pos(text, "$lan", 1)),
        location(&doc, at(0, 0), at(0, 3))
    );
    assert_eq!(
        definition(&mut c, pos(text, "<bad>\n", 2)),
        location(&doc, at(1, 7), at(1, 10))
    );
    assert_eq!(
        definition(&mut c, pos(text, "LAN", 0)),
        location(&lan, at(0, 20), at(0, 23))
    );
    assert_eq!(
        definition(&mut c, pos(text, "\"lan.conf\"", 3)),
        location(&lan, at(0, 0), at(0, 0))
    );
    assert_eq!(
        definition(&mut c, pos(text, "anchor web", 8)),
        location(&web, at(0, 0), at(0, 0))
    );
    assert_eq!(
        definition(&mut c, pos(text, "\"anchors/web.conf\"", 4)),
        location(&web, at(0, 0), at(0, 0))
    );
    assert_eq!(definition(&mut c, pos(text, "block all", 1)), Value::Null);

    let references = |c: &mut Client, position: Value, declaration: bool| {
        let mut p = doc_at(&doc, position);
        p["context"] = json!({ "includeDeclaration": declaration });
        let r = c.request("textDocument/references", p);
        assert!(r.get("error").is_none(), "{r}");
        r["result"].clone()
    };
    assert_eq!(
        references(&mut c, pos(text, "lan =", 0), true),
        json!([
            location(&doc, at(0, 0), at(0, 3)),
            location(&doc, at(4, 12), at(4, 16)),
            location(&lan, at(0, 11), at(0, 15)),
        ])
    );
    assert_eq!(
        references(&mut c, pos(text, "$lan", 0), false),
        json!([
            location(&doc, at(4, 12), at(4, 16)),
            location(&lan, at(0, 11), at(0, 15)),
        ])
    );
    assert_eq!(
        references(&mut c, pos(text, "<bad>\n", 1), false),
        json!([location(&doc, at(5, 15), at(5, 18))])
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn rename_changes_every_reference_or_refuses() {
    let lan_text = "pass in on $ext from <bad>\n";
    let (_dir, root) = workspace(&[("lan.conf", lan_text)]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let lan = uri(&root.join("lan.conf"));
    let text = "ext = \"em0\"\ntable <bad> persist\nblock all\ninclude \"lan.conf\"\npass out on $ext\nblock in from <bad>\n";
    c.open(&doc, 1, text);

    let r = c.request(
        "textDocument/prepareRename",
        doc_at(&doc, pos(text, "$ext", 2)),
    );
    assert_eq!(
        r["result"],
        json!({ "range": range(pos(text, "$ext", 1), pos(text, "$ext", 4)), "placeholder": "ext" })
    );
    let rename = |c: &mut Client, position: Value, name: &str| {
        let mut p = doc_at(&doc, position);
        p["newName"] = json!(name);
        c.request("textDocument/rename", p)
    };
    let r = rename(&mut c, pos(text, "$ext", 1), "wan");
    let changes = &r["result"]["changes"];
    assert_eq!(
        apply(text, &changes[doc.as_str()]),
        "wan = \"em0\"\ntable <bad> persist\nblock all\ninclude \"lan.conf\"\npass out on $wan\nblock in from <bad>\n"
    );
    assert_eq!(
        apply(lan_text, &changes[lan.as_str()]),
        "pass in on $wan from <bad>\n"
    );

    let r = rename(&mut c, pos(text, "<bad>\n", 1), "<blocked>");
    let changes = &r["result"]["changes"];
    assert_eq!(
        apply(text, &changes[doc.as_str()]),
        "ext = \"em0\"\ntable <blocked> persist\nblock all\ninclude \"lan.conf\"\npass out on $ext\nblock in from <blocked>\n"
    );
    assert_eq!(
        apply(lan_text, &changes[lan.as_str()]),
        "pass in on $ext from <blocked>\n"
    );

    // Refused: a name pfctl would not read, a keyword, a name taken, a
    // place that is not a macro or a table.
    for (position, name, why) in [
        (pos(text, "$ext", 1), "w-an", "not a valid macro name"),
        (pos(text, "$ext", 1), "pass", "reserved word"),
        (pos(text, "<bad>\n", 1), "a b", "not a valid table name"),
    ] {
        let r = rename(&mut c, position, name);
        assert_eq!(r["error"]["code"], -32803, "{r}");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{message}");
    }
    let r = rename(&mut c, pos(text, "block all", 0), "x");
    assert_eq!(r["error"]["code"], -32803, "{r}");
    let r = c.request(
        "textDocument/prepareRename",
        doc_at(&doc, pos(text, "block all", 0)),
    );
    assert_eq!(r["error"]["code"], -32803, "{r}");

    // A table named inside a macro's value: renaming it would have to
    // rewrite the macro, so it is refused.
    let text2 = "t = \"<bad>\"\ntable <bad> persist\nblock in from $t\nblock in from <bad>\n";
    c.change(&doc, 2, text2);
    let r = rename(&mut c, pos(text2, "from <bad>", 6), "worse");
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("through a macro"),
        "{r}"
    );
    c.change(&doc, 3, "a = \"1\"\nb = \"2\"\npass on $a $b\n");
    let r = rename(&mut c, at(2, 9), "b");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already defined"),
        "{r}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn symbols_outline_the_document_and_search_the_workspace() {
    let (_dir, root) = workspace(&[(
        "lan.conf",
        "lan_net = \"10.0.0.0/8\"\npass in from $lan_net\n",
    )]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let lan = uri(&root.join("lan.conf"));
    let text = "ext = \"em0\"\ntable <bad> persist\nset skip on lo\nset block-policy return\ninclude \"lan.conf\"\nanchor \"web\" {\n  pass in proto tcp to port www\n  table <inner> persist\n}\nblock all\n";
    c.open(&doc, 1, text);
    let r = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": doc } }),
    );
    let symbols = r["result"].as_array().unwrap();
    let outline: Vec<(&str, i64)> = symbols
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_i64().unwrap()))
        .collect();
    // Constant, array, property, file, namespace (LSP's numbering).
    assert_eq!(
        outline,
        [
            ("ext", 14),
            ("<bad>", 18),
            ("set skip on lo", 7),
            ("set block-policy return", 7),
            ("include \"lan.conf\"", 1),
            ("anchor \"web\"", 3),
        ]
    );
    assert_eq!(symbols[0]["detail"], "\"em0\"");
    assert_eq!(symbols[1]["selectionRange"], range(at(1, 7), at(1, 10)));
    let anchor = &symbols[5];
    assert_eq!(anchor["range"], range(at(5, 0), at(8, 1)));
    let children: Vec<&str> = anchor["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["pass in proto tcp to port www", "<inner>"]);

    let search = |c: &mut Client, query: &str| {
        let r = c.request("workspace/symbol", json!({ "query": query }));
        r["result"].as_array().unwrap().clone()
    };
    let found = search(&mut c, "BAD");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["name"], "<bad>");
    assert_eq!(found[0]["location"]["uri"], doc.as_str());
    let found = search(&mut c, "lan_");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["name"], "$lan_net");
    assert_eq!(found[0]["location"]["uri"], lan.as_str());
    assert_eq!(found[0]["location"]["range"], range(at(0, 0), at(0, 7)));
    let all = search(&mut c, "");
    assert_eq!(all.len(), 5, "{all:#?}");
    assert_eq!(c.shutdown(), Some(0));
}

/// The completion at the end of `text` (the document's new text).
fn completion(c: &mut Client, uri: &str, text: &str) -> Value {
    c.change(uri, 2, text);
    let line = text.matches('\n').count() as u32;
    let end = at(
        line,
        text.rsplit('\n').next().unwrap().encode_utf16().count() as u32,
    );
    let r = c.request("textDocument/completion", doc_at(uri, end));
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

/// The item with `label`.
fn item<'v>(items: &'v Value, label: &str) -> &'v Value {
    items
        .as_array()
        .expect("a list of items")
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {items}"))
}

#[test]
fn completion_offers_what_fits_the_cursor() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    c.open(&doc, 1, "");
    let head = "ext_if = \"em0\"\ntable <bad> persist\n";

    let items = completion(&mut c, &doc, &format!("{head}pass in on $ex"));
    let ext = item(&items, "ext_if");
    assert_eq!(ext["detail"], "\"em0\"");
    assert_eq!(
        ext["textEdit"],
        json!({ "range": range(at(2, 12), at(2, 14)), "newText": "ext_if" })
    );
    let items = completion(&mut c, &doc, &format!("{head}pass in from <"));
    assert_eq!(item(&items, "bad")["textEdit"]["newText"], "bad>");
    let items = completion(&mut c, &doc, &format!("{head}pass in proto tcp to port "));
    assert_eq!(item(&items, "ssh")["detail"], "port 22");
    let items = completion(&mut c, &doc, &format!("{head}pass in proto "));
    assert_eq!(item(&items, "udp")["detail"], "protocol 17");
    let items = completion(&mut c, &doc, &format!("{head}pass in q"));
    assert_eq!(
        item(&items, "quick")["textEdit"],
        json!({ "range": range(at(2, 8), at(2, 9)), "newText": "quick" })
    );
    item(&items, "keep state");
    let items = completion(&mut c, &doc, &format!("{head}block "));
    item(&items, "return-rst");
    let items = completion(&mut c, &doc, &format!("{head}pa"));
    item(&items, "pass");
    item(&items, "antispoof");
    let items = completion(&mut c, &doc, &format!("{head}pass from "));
    item(&items, "<bad>");
    item(&items, "$ext_if");
    item(&items, "self");
    let items = completion(&mut c, &doc, &format!("{head}set "));
    item(&items, "block-policy");
    assert_eq!(
        completion(&mut c, &doc, &format!("{head}# pa")),
        Value::Null
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn semantic_tokens_colour_the_document() {
    let (_dir, root) = workspace(&[]);
    let (mut c, init) = Client::start(Some(&root));
    let legend: Vec<String> = init["result"]["capabilities"]["semanticTokensProvider"]["legend"]
        ["tokenTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let doc = uri(&root.join("pf.conf"));
    let text = "ext = \"é\" # 😀\npass in on $ext to <t> port 22\n";
    c.open(&doc, 1, text);
    let r = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": doc } }),
    );
    let decode = |r: &Value| {
        let data: Vec<u64> = r["result"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        let mut decoded = Vec::new();
        let (mut line, mut column) = (0, 0);
        for t in data.chunks(5) {
            if t[0] > 0 {
                line += t[0];
                column = t[1];
            } else {
                column += t[1];
            }
            decoded.push((line, column, t[2], legend[t[3] as usize].clone(), t[4]));
        }
        decoded
    };
    let decoded = decode(&r);
    let expected = [
        (0, 0, 3, "variable", 1),
        (0, 4, 1, "operator", 0),
        (0, 6, 3, "string", 0),
        (0, 10, 4, "comment", 0),
        (1, 0, 4, "keyword", 0),
        (1, 5, 2, "keyword", 0),
        (1, 8, 2, "keyword", 0),
        (1, 11, 4, "variable", 0),
        (1, 16, 2, "keyword", 0),
        (1, 19, 3, "type", 0),
        (1, 23, 4, "keyword", 0),
        (1, 28, 2, "number", 0),
    ]
    .map(|(l, c, n, t, m)| (l, c, n, t.to_string(), m));
    assert_eq!(decoded, expected);
    // A range: the lines it touches, positions still from the document's
    // start.
    let r = c.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": doc }, "range": range(at(1, 3), at(1, 9)) }),
    );
    assert_eq!(decode(&r), expected[4..]);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn the_new_requests_answer_errors_for_bad_documents_positions_and_params() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let missing = uri(&root.join("missing.conf"));
    c.open(&doc, 1, "pass\n");
    let position = |uri: &str, p: Value| doc_at(uri, p);
    let with = |mut v: Value, key: &str, value: Value| {
        v[key] = value;
        v
    };
    let by_position = [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/prepareRename",
        "textDocument/completion",
    ];
    for method in by_position {
        for (uri, p) in [(&missing, at(0, 0)), (&doc, at(99, 0))] {
            let r = c.request(method, position(uri, p));
            assert_eq!(r["error"]["code"], -32602, "{method}: {r}");
        }
        let r = c.request(method, json!({ "textDocument": 7 }));
        assert_eq!(r["error"]["code"], -32602, "{method}: {r}");
    }
    let refs = with(
        position(&doc, at(99, 0)),
        "context",
        json!({ "includeDeclaration": true }),
    );
    let r = c.request("textDocument/references", refs);
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request(
        "textDocument/rename",
        with(position(&missing, at(0, 0)), "newName", json!("x")),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let r = c.request(method, json!({ "textDocument": { "uri": missing } }));
        assert_eq!(r["error"]["code"], -32602, "{method}: {r}");
    }
    let r = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": range(at(50, 0), at(51, 0)),
            "context": { "diagnostics": [] },
        }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": doc }, "range": range(at(0, 0), at(9, 0)) }),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Diagnostics that are not ours, or whose data is garbage: no action,
    // no error.
    let r = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": range(at(0, 0), at(0, 0)),
            "context": { "diagnostics": [
                { "range": range(at(0, 0), at(0, 4)), "message": "x", "source": "pfconf",
                  "code": "unused-macro", "data": { "fix": 3 } },
            ] },
        }),
    );
    assert_eq!(titles(&r["result"]), ["explain `unused-macro`"], "{r}");
    // Still serving.
    assert_eq!(
        hover(&mut c, &doc, at(0, 1))["contents"]["value"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next(),
        Some("`pass`")
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// The handbook's HA skeleton of `tests/fixtures/lsp-ha/` (the ruleset,
/// a fragment it includes, `pfconf.toml` naming the node directory, and
/// that node's hostname.if files) as a workspace folder.
fn handbook_workspace() -> (tempfile::TempDir, PathBuf) {
    workspace(&[
        ("pf.conf", include_str!("fixtures/lsp-ha/pf.conf")),
        ("pf/lan.conf", include_str!("fixtures/lsp-ha/pf/lan.conf")),
        ("pfconf.toml", include_str!("fixtures/lsp-ha/pfconf.toml")),
        (
            "nodes/fw1/hostname.em0",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.em0"),
        ),
        (
            "nodes/fw1/hostname.em1",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.em1"),
        ),
        (
            "nodes/fw1/hostname.em2",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.em2"),
        ),
        (
            "nodes/fw1/hostname.carp0",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.carp0"),
        ),
        (
            "nodes/fw1/hostname.carp1",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.carp1"),
        ),
        (
            "nodes/fw1/hostname.pfsync0",
            include_str!("fixtures/lsp-ha/nodes/fw1/hostname.pfsync0"),
        ),
        (
            "nodes/fw1/mygate",
            include_str!("fixtures/lsp-ha/nodes/fw1/mygate"),
        ),
    ])
}

/// The diagnostics of `code`.
fn with_code<'d>(diags: &'d [Value], code: &str) -> Vec<&'d Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

/// Issue #17's "done when": the handbook's HA skeleton opened in an
/// editor. carp(4) advertisements from the peer arrive on carp0's parent
/// em0 (pf filters them there), and pf.conf(5)'s last matching rule wins,
/// so `block in on $wan` after `pass on $wan proto carp` blocks them:
/// `carp-blocked` on that rule, with the node's hostname.carp0 as a
/// related place. A macro hovers to its value, the include path leads to
/// the fragment, and the fix (a quick pass for CARP on em0 before the
/// block, unsafe) makes the finding go once applied.
#[test]
fn the_handbooks_ha_skeleton_end_to_end() {
    let (_dir, root) = handbook_workspace();
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = include_str!("fixtures/lsp-ha/pf.conf");
    c.open(&doc, 1, text);

    // 1. carp-blocked on the rule that blocks CARP.
    let diags = c.diagnostics(&doc, Some(1));
    let blocked = with_code(&diags, "carp-blocked");
    assert_eq!(blocked.len(), 1, "{diags:#?}");
    let d = blocked[0].clone();
    let block_line = text.lines().position(|l| l == "block in on $wan").unwrap() as u32;
    assert_eq!(d["range"]["start"], at(block_line, 0), "{d:#}");
    assert_eq!(d["severity"], 1, "an error");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("CARP advertisements are blocked by this rule"),
        "{message}"
    );
    assert!(message.contains("in on em0"), "{message}");
    let related = d["relatedInformation"].as_array().unwrap();
    let pass_line = text
        .lines()
        .position(|l| l == "pass on $wan proto carp")
        .unwrap() as u32;
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == doc
                && r["location"]["range"]["start"] == at(pass_line, 0)),
        "the overridden pass: {related:#?}"
    );
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&root.join("nodes/fw1/hostname.carp0"))),
        "the node's file: {related:#?}"
    );
    assert!(with_code(&diags, "pfsync-blocked").is_empty(), "{diags:#?}");
    assert!(
        with_code(&diags, "undefined-macro").is_empty(),
        "{diags:#?}"
    );

    // 2. Hover on a macro: its value (and, after `on`, the interface).
    let h = hover(&mut c, &doc, pos(text, "$wan proto carp", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("```pf\nwan = \"em0\"\n```"), "{value}");
    assert!(
        value.contains("CARP parent of `carp0` (vhid 10)"),
        "{value}"
    );

    // 3. Definition on the include path: the included file.
    let r = c.request(
        "textDocument/definition",
        doc_at(&doc, pos(text, "pf/lan.conf", 3)),
    );
    let target = &r["result"];
    let target = if target.is_array() {
        &target[0]
    } else {
        target
    };
    assert_eq!(target["uri"], uri(&root.join("pf/lan.conf")), "{r}");

    // 4. The fix among the code actions at the diagnostic.
    let r = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": d["range"],
            "context": { "diagnostics": [d] },
        }),
    );
    let actions = &r["result"];
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("insert `pass quick on em0 proto carp"))
        })
        .unwrap_or_else(|| panic!("no quick-pass fix in {actions:#}"));
    let title = fix["title"].as_str().unwrap();
    assert!(title.contains("(unsafe: "), "{title}");
    assert_ne!(fix["isPreferred"], true, "an unsafe fix is not preferred");

    // 5. Applied, the finding is gone, and nothing else changed.
    let fixed = apply(text, &fix["edit"]["changes"][doc.as_str()]);
    assert_eq!(
        fixed,
        text.replace(
            "\nblock in on $wan\n",
            "\npass quick on em0 proto carp keep state (no-sync)\nblock in on $wan\n"
        )
    );
    c.change(&doc, 2, &fixed);
    let after = c.diagnostics(&doc, Some(2));
    assert!(with_code(&after, "carp-blocked").is_empty(), "{after:#?}");
    // What is left: the sync interface still filtered (as before), and
    // the earlier `pass on $wan proto carp`, which the quick pass now
    // decides before (shadowed).
    let mut left = codes(&after);
    left.sort_unstable();
    assert_eq!(left, ["shadowed-rule", "sync-not-skipped"], "{after:#?}");
    assert_eq!(
        with_code(&after, "shadowed-rule")[0]["range"]["start"],
        at(pass_line, 0)
    );
    let mut before = codes(&diags);
    before.sort_unstable();
    assert_eq!(before, ["carp-blocked", "sync-not-skipped"], "{diags:#?}");
    assert_eq!(c.shutdown(), Some(0));
}

/// A fragment opened on its own is checked through the ruleset that
/// includes it: the macros pf.conf defines are defined in it, and a
/// mistake in it is shown in it, at its own line.
#[test]
fn a_fragment_opened_alone_is_checked_through_its_includer() {
    let (_dir, root) = handbook_workspace();
    let (mut c, _) = Client::start(Some(&root));
    let lan = uri(&root.join("pf/lan.conf"));
    let text = include_str!("fixtures/lsp-ha/pf/lan.conf");
    c.open(&lan, 1, text);
    let diags = c.diagnostics(&lan, Some(1));
    assert!(
        with_code(&diags, "undefined-macro").is_empty(),
        "{diags:#?}"
    );
    // What lies in the includer stays the includer's.
    assert!(with_code(&diags, "carp-blocked").is_empty(), "{diags:#?}");
    assert_eq!(diags, Vec::<Value>::new());
    // Its macro hovers to the includer's value.
    let h = hover(&mut c, &lan, pos(text, "$lan", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("```pf\nlan = \"em1\"\n```\n\ndefined on `../pf.conf` line 9"),
        "{value}"
    );
    assert!(value.contains("interface `em1`"), "{value}");
    // port applies to tcp and udp only (pf.conf(5)).
    let broken = format!("{text}pass in on $lan proto icmp to port 22\n");
    c.change(&lan, 2, &broken);
    let diags = c.diagnostics(&lan, Some(2));
    assert_eq!(codes(&diags), ["port-without-tcp-udp"], "{diags:#?}");
    assert_eq!(diags[0]["range"]["start"], pos(&broken, "port 22", 0));
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("port only applies to tcp/udp"),
        "{diags:#?}"
    );
    // A ruleset nothing includes is checked alone: its $lan is undefined.
    let alone = uri(&root.join("other.pf"));
    c.open(&alone, 1, "pass in on $lan\n");
    let diags = c.diagnostics(&alone, Some(1));
    assert_eq!(codes(&diags), ["undefined-macro"], "{diags:#?}");
    assert_eq!(c.shutdown(), Some(0));
}

/// The node comes from `initializationOptions.node` too (relative to the
/// workspace folder): hover on an interface says what its hostname.if
/// file configures, and completion after `on` offers its interfaces and
/// groups. Without a node, hover says none is configured.
#[test]
fn hover_and_completion_know_the_interfaces_of_the_node() {
    let (_dir, root) = handbook_workspace();
    std::fs::remove_file(root.join("pfconf.toml")).unwrap();
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text = "set skip on lo\nblock all\npass on em0 proto carp\npass on carp proto tcp\n";
    c.open(&doc, 1, text);
    let h = hover(&mut c, &doc, pos(text, "em0", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("no node is configured"), "{value}");
    assert_eq!(c.shutdown(), Some(0));

    let (mut c, _) = Client::start_with(Some(&root), json!({ "node": "nodes/fw1" }));
    c.open(&doc, 1, text);
    let h = hover(&mut c, &doc, pos(text, "em0", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("interface `em0`"), "{value}");
    assert!(value.contains("addresses: 203.0.113.2/29"), "{value}");
    assert!(value.contains("groups: `egress`, `all`"), "{value}");
    assert!(
        value.contains("CARP parent of `carp0` (vhid 10)"),
        "{value}"
    );
    let h = hover(&mut c, &doc, pos(text, "carp proto tcp", 1));
    let value = h["contents"]["value"].as_str().unwrap();
    assert_eq!(value, "group `carp`: `carp0`, `carp1`, `pfsync0`");
    // The HA lints run with that node: carp1's parent em1 has no pass.
    let diags = c.diagnostics(&doc, Some(1));
    assert!(
        with_code(&diags, "carp-blocked")
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("on em1")),
        "{diags:#?}"
    );
    let items = completion(&mut c, &doc, &format!("{text}pass in on "));
    assert_eq!(item(&items, "carp0")["detail"], "CARP vhid 10");
    assert_eq!(item(&items, "em2")["detail"], "192.168.254.1/30");
    item(&items, "egress");
    assert_eq!(c.shutdown(), Some(0));
}

/// A file changed on disk (the client watches `pfconf.toml`, rulesets
/// and node files): the open documents are checked again, with the new
/// configuration, though their text did not change.
#[test]
fn a_watched_file_change_checks_the_open_documents_again() {
    let (_dir, root) = workspace(&[]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    c.open(&doc, 1, "ext = \"em0\"\nblock all\npass out\n");
    assert_eq!(codes(&c.diagnostics(&doc, Some(1))), ["unused-macro"]);
    std::fs::write(
        root.join("pfconf.toml"),
        "[lints]\nunused-macro = \"off\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&root.join("pfconf.toml")), "type": 1 }] }),
    );
    assert_eq!(c.diagnostics(&doc, Some(1)), Vec::<Value>::new());
    // Bad params are logged, not fatal.
    c.notify("workspace/didChangeWatchedFiles", json!({ "changes": 3 }));
    assert_eq!(c.shutdown(), Some(0));
}

/// A client that lets servers register capabilities
/// (`workspace.didChangeWatchedFiles.dynamicRegistration`) is asked,
/// after `initialized`, to watch the files checks depend on: rulesets,
/// `pfconf.toml`, the node's files and policy tests. Its answer (a
/// result or an error) is taken without stopping the server. A client
/// that does not is not asked.
#[test]
fn the_server_asks_a_client_that_can_register_watchers_to_watch_its_files() {
    let (_dir, root) = workspace(&[]);
    let can = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    for answer in [
        json!({ "result": null }),
        json!({ "error": { "code": -32601, "message": "no watching here" } }),
    ] {
        let (mut c, _) = Client::start_offering(Some(&root), can.clone(), Value::Null);
        let r = c.wait_for("client/registerCapability", |m| {
            m["method"] == "client/registerCapability"
        });
        assert!(r.get("id").is_some(), "a request: {r}");
        let registrations = r["params"]["registrations"].as_array().unwrap();
        assert_eq!(registrations.len(), 1, "{r}");
        assert_eq!(
            registrations[0]["method"],
            "workspace/didChangeWatchedFiles"
        );
        let globs: Vec<&str> = registrations[0]["registerOptions"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["globPattern"].as_str().unwrap())
            .collect();
        for glob in [
            "**/pf.conf",
            "**/pf.conf.*",
            "**/*.pf",
            "**/*.conf",
            "**/pfconf.toml",
            "**/hostname.*",
            "**/mygate",
            "**/*.pft",
        ] {
            assert!(globs.contains(&glob), "{glob} not in {globs:?}");
        }
        let mut reply = answer.clone();
        reply["jsonrpc"] = json!("2.0");
        reply["id"] = r["id"].clone();
        c.send(reply);
        // An answer to nothing asked is ignored too.
        c.send(json!({ "jsonrpc": "2.0", "id": "not-asked", "result": null }));
        // The server goes on serving.
        let doc = uri(&root.join("pf.conf"));
        c.open(&doc, 1, "pass in proto icmp to port 22\n");
        assert_eq!(
            codes(&c.diagnostics(&doc, Some(1))),
            ["port-without-tcp-udp"]
        );
        assert_eq!(c.shutdown(), Some(0));
    }

    // Without dynamic registration (or with it false): not asked.
    for caps in [
        json!({}),
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": false } } }),
        json!({ "workspace": { "didChangeWatchedFiles": "odd" } }),
    ] {
        let (mut c, _) = Client::start_offering(Some(&root), caps, Value::Null);
        let doc = uri(&root.join("pf.conf"));
        c.open(&doc, 1, "block all\n");
        c.diagnostics(&doc, Some(1));
        c.request("shutdown", Value::Null);
        assert!(
            c.log
                .iter()
                .chain(&c.unclaimed)
                .all(|m| m["method"] != "client/registerCapability"),
            "{:#?}",
            c.log
        );
        c.notify("exit", Value::Null);
        assert_eq!(c.wait_exit().code(), Some(0));
    }
}

/// A fragment (`lan.conf`, included by `pf.conf`, which defines its
/// macros and tables) is looked at through its includer: definition
/// leads to the includer's `lan = ...`, references are found in the
/// includer and its other includes, and a rename edits every file.
#[test]
fn definition_references_and_rename_in_a_fragment_go_through_its_includer() {
    let main = "lan = \"em1\"\ntable <bad> persist\nblock all\ninclude \"lan.conf\"\ninclude \"wifi.conf\"\npass out on $lan\n";
    let lan_text = "pass in on $lan from <bad>\n";
    let wifi_text = "pass in on $lan proto udp to port 53\n";
    let (_dir, root) = workspace(&[
        ("pf.conf", main),
        ("lan.conf", lan_text),
        ("wifi.conf", wifi_text),
    ]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let lan = uri(&root.join("lan.conf"));
    let wifi = uri(&root.join("wifi.conf"));
    c.open(&lan, 1, lan_text);
    // Checked through pf.conf: its includer is known.
    assert_eq!(c.diagnostics(&lan, Some(1)), Vec::<Value>::new());
    let location =
        |uri: &str, start: Value, end: Value| json!({ "uri": uri, "range": range(start, end) });

    let r = c.request(
        "textDocument/definition",
        doc_at(&lan, pos(lan_text, "$lan", 1)),
    );
    assert_eq!(r["result"], location(&doc, at(0, 0), at(0, 3)), "{r}");
    let r = c.request(
        "textDocument/definition",
        doc_at(&lan, pos(lan_text, "bad", 0)),
    );
    assert_eq!(r["result"], location(&doc, at(1, 7), at(1, 10)), "{r}");

    let mut p = doc_at(&lan, pos(lan_text, "$lan", 2));
    p["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", p);
    assert_eq!(
        r["result"],
        json!([
            location(&doc, at(0, 0), at(0, 3)),
            location(&doc, pos(main, "$lan", 0), pos(main, "$lan", 4)),
            location(&lan, pos(lan_text, "$lan", 0), pos(lan_text, "$lan", 4)),
            location(&wifi, pos(wifi_text, "$lan", 0), pos(wifi_text, "$lan", 4)),
        ]),
        "{r}"
    );

    let r = c.request(
        "textDocument/prepareRename",
        doc_at(&lan, pos(lan_text, "$lan", 1)),
    );
    assert_eq!(
        r["result"],
        json!({ "range": range(pos(lan_text, "$lan", 1), pos(lan_text, "$lan", 4)), "placeholder": "lan" })
    );
    let mut p = doc_at(&lan, pos(lan_text, "$lan", 1));
    p["newName"] = json!("inside");
    let r = c.request("textDocument/rename", p);
    let changes = &r["result"]["changes"];
    assert_eq!(changes.as_object().map(|o| o.len()), Some(3), "{r}");
    assert_eq!(
        apply(main, &changes[doc.as_str()]),
        main.replace("lan =", "inside =").replace("$lan", "$inside")
    );
    assert_eq!(
        apply(lan_text, &changes[lan.as_str()]),
        "pass in on $inside from <bad>\n"
    );
    assert_eq!(
        apply(wifi_text, &changes[wifi.as_str()]),
        "pass in on $inside proto udp to port 53\n"
    );
    // A table too; its own name again changes nothing.
    let mut p = doc_at(&lan, pos(lan_text, "<bad>", 1));
    p["newName"] = json!("bad");
    let r = c.request("textDocument/rename", p);
    assert_eq!(r["result"], json!({}), "the same name: no change; {r}");
    assert_eq!(c.shutdown(), Some(0));
}

/// A client offering `utf-8` positions gets them: the server announces
/// it, and every position it reads or writes counts bytes (diagnostics,
/// incremental changes, navigation, semantic tokens). Offered only
/// encodings it does not speak, it keeps `utf-16`.
#[test]
fn positions_count_bytes_when_the_client_offers_utf8() {
    let (_dir, root) = workspace(&[]);
    let (c, init) = Client::start_offering(
        Some(&root),
        json!({ "general": { "positionEncodings": ["utf-32"] } }),
        Value::Null,
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(c.shutdown(), Some(0));

    let (mut c, init) = Client::start_offering(
        Some(&root),
        json!({ "general": { "positionEncodings": ["utf-16", "utf-8"] } }),
        Value::Null,
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    let doc = uri(&root.join("pf.conf"));
    // `bogus` starts at byte 31 (UTF-16 unit 28) of its line.
    let text = "# café ☕ 😀\npass out on em0 label \"é😀\" bogus\n";
    c.open(&doc, 1, text);
    let d = c.diagnostics(&doc, Some(1));
    assert_eq!(codes(&d), ["syntax"], "{d:#?}");
    assert_eq!(d[0]["range"], range(at(1, 31), at(1, 36)));
    // An incremental change in bytes: ` bogus` removed, the rule (30
    // bytes) is whole and passes what no rule blocks.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": doc, "version": 2 },
            "contentChanges": [{ "range": range(at(1, 30), at(1, 36)), "text": "" }],
        }),
    );
    let d = c.diagnostics(&doc, Some(2));
    assert_eq!(codes(&d), ["no-default-block"], "{d:#?}");
    assert_eq!(d[0]["range"], range(at(1, 0), at(1, 30)));

    // `$ext` at byte 35 of its line (UTF-16 unit 32).
    let text = "ext = \"em0\" # é😀\npass out on em0 label \"é😀\" tag $ext\n";
    c.change(&doc, 3, text);
    let mut p = doc_at(&doc, at(1, 36));
    p["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", p);
    assert_eq!(
        r["result"],
        json!([
            { "uri": doc, "range": range(at(0, 0), at(0, 3)) },
            { "uri": doc, "range": range(at(1, 35), at(1, 39)) },
        ]),
        "{r}"
    );
    let r = c.request("textDocument/hover", doc_at(&doc, at(1, 36)));
    assert_eq!(r["result"]["range"], range(at(1, 35), at(1, 39)), "{r}");
    // Semantic tokens: the comment `# é😀` is 8 bytes, from byte 12.
    let r = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": doc } }),
    );
    let data: Vec<u64> = r["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    // ext (0,0,3), = (0,4,1), "em0" (0,6,5), the comment (0,12,8).
    assert_eq!(&data[15..18], &[0, 6, 8], "{data:?}");
    assert_eq!(c.shutdown(), Some(0));
}

/// Formatting right after a check formats from that check's report; the
/// text is what `pfconf fmt` gives (the formatter's safety net), for
/// plain rulesets, ones with includes defining the macros used, comments
/// and anchors, and nothing for a document with a syntax error.
#[test]
fn formatting_after_a_check_gives_what_the_formatter_gives() {
    let (_dir, root) = workspace(&[("lan.conf", "lan = \"em1\"\ntable <nets> { 10/8 }\n")]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let texts = [
        "# é😀\nblock   all\npass in on em0 proto {tcp udp} to port {22 443}\npass   out\n",
        "include \"lan.conf\"\npass  in on $lan proto {tcp,udp} from <nets>\n",
        "ext = \"em0\"\n\n\n# web\npass in on $ext proto tcp to port {80,443} # both\nanchor \"a\" {\n pass   out\n}\n",
        "pass in on $nowhere  proto tcp\n",
        "pas   in\nblock   all\n",
    ];
    for (i, text) in texts.into_iter().enumerate() {
        let version = i as i64 + 1;
        if i == 0 {
            c.open(&doc, version, text);
        } else {
            c.change(&doc, version, text);
        }
        c.diagnostics(&doc, Some(version));
        let r = formatting(&mut c, &doc);
        assert!(r.get("error").is_none(), "{r}");
        let expected = match pfconf::fmt::format_safely(
            "pf.conf",
            text,
            &pfconf::fmt::FormatOptions::default(),
        ) {
            Ok(f) => f.text,
            Err(_) => text.to_string(),
        };
        assert_eq!(apply(text, &r["result"]), expected, "{text}");
    }
    assert_eq!(c.shutdown(), Some(0));
}

/// The policy tests next to a ruleset run on it in the editor (#18: "the
/// LSP and lint can run them"): a failing flow is marked at the rule that
/// decides it, with the flow's line as related information; fixing the
/// rule clears it; `[test] flows` count too.
#[test]
fn policy_tests_next_to_the_ruleset_mark_the_rule_that_breaks_them() {
    let (_dir, root) = workspace(&[
        (
            "flows.pft",
            "# ssh from outside\nin on em0 proto tcp from 192.0.2.5 to 203.0.113.10 port 22 => pass\n",
        ),
        ("pfconf.toml", "[test]\nflows = [\"in on em2 proto pfsync => pass\"]\n"),
    ]);
    let (mut c, _) = Client::start(Some(&root));
    let doc = uri(&root.join("pf.conf"));
    let text =
        "block all\npass in on em0 proto tcp to port 22\nblock in on em0 proto tcp to port 22\n";
    c.open(&doc, 1, text);
    let d = c.diagnostics(&doc, Some(1));
    let failed = with_code(&d, "flow-failed");
    // The ssh flow: decided by the last block (line 3); the pfsync flow:
    // decided by `block all` (line 1).
    assert_eq!(failed.len(), 2, "{d:#?}");
    let ssh = failed
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("flows.pft:2"))
        .unwrap();
    assert_eq!(ssh["range"]["start"], at(2, 0));
    assert!(ssh["message"]
        .as_str()
        .unwrap()
        .contains("expected pass, got block"));
    let related = ssh["relatedInformation"].as_array().unwrap();
    assert!(related
        .iter()
        .any(|r| r["location"]["uri"] == uri(&root.join("flows.pft"))
            && r["location"]["range"]["start"] == at(1, 0)));
    let pfsync = failed
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("[test]"))
        .unwrap();
    assert_eq!(pfsync["range"]["start"], at(0, 0));

    // The fix: pass ssh last, pfsync quick.
    c.change(
        &doc,
        2,
        "block all\npass quick on em2 proto pfsync\nblock in on em0 proto tcp to port 22\npass in on em0 proto tcp to port 22\n",
    );
    let d = c.diagnostics(&doc, Some(2));
    assert!(with_code(&d, "flow-failed").is_empty(), "{d:#?}");
    assert_eq!(c.shutdown(), Some(0));
}
