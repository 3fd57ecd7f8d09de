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
        let mut c = Client::spawn();
        let params = match root {
            Some(r) => json!({
                "processId": null,
                "rootUri": uri(r),
                "capabilities": {},
                "workspaceFolders": [{ "uri": uri(r), "name": "ws" }],
            }),
            None => json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        };
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

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn initialize_advertises_sync_and_formatting_only() {
    let (c, init) = Client::start(None);
    let caps = init["result"]["capabilities"].as_object().unwrap();
    let mut keys: Vec<&str> = caps.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "documentFormattingProvider",
            "documentRangeFormattingProvider",
            "textDocumentSync"
        ]
    );
    assert_eq!(caps["textDocumentSync"], 1, "full sync");
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
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": options }),
    );
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
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": options }),
    );
    assert_eq!(r["result"], json!([]));
    c.change(&doc, 3, "pas   in\nblock   all\n");
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": options }),
    );
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
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
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
        "textDocument/hover",
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
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": doc }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
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
