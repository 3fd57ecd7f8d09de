//! Times `pfconf lsp` requests on a generated ruleset of about 5 MB:
//! `cargo build --release && cargo run --release --example lsp_timing --
//! target/release/pfconf [MEGABYTES]`.
//!
//! It speaks to the server over its pipes as an editor does (no timed
//! test does this: timings depend on the machine), opens the ruleset,
//! waits for its diagnostics, then asks formatting twice (from the
//! check just made), then each kind of request (hover twice: the first
//! hover or definition builds the document's analysis, the rest reuse
//! it) and prints how long each answer took.
#[path = "../benches/gen.rs"]
mod gen;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

struct Client {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: i64,
}

impl Client {
    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).expect("read");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("json")
    }

    /// Sends a request; its answer and how long it took.
    fn request(&mut self, method: &str, params: Value) -> (Value, Duration) {
        self.next += 1;
        let id = self.next;
        let t = Instant::now();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.read();
            if m["id"] == id && m.get("method").is_none() {
                return (m, t.elapsed());
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .unwrap_or_else(|| "target/release/pfconf".into());
    let megabytes: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5.0);
    // About 110 bytes a rule.
    let text = gen::realistic((megabytes * 1e6 / 110.0) as usize);
    let dir = std::env::temp_dir().join(format!("pfconf-lsp-timing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("pf.conf");
    std::fs::write(&path, &text).expect("ruleset written");
    let uri = format!("file://{}", path.display());
    let root = format!("file://{}", dir.display());

    let mut child = Command::new(&binary)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{binary}: {e}"));
    let mut c = Client {
        stdin: child.stdin.take().expect("stdin"),
        stdout: BufReader::new(child.stdout.take().expect("stdout")),
        next: 0,
    };
    c.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {},
                "workspaceFolders": [{ "uri": root, "name": "t" }] }),
    );
    c.notify("initialized", json!({}));
    let t = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "pf", "version": 1, "text": text } }),
    );
    let diagnostics = loop {
        let m = c.read();
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
            break m["params"]["diagnostics"].clone();
        }
    };
    println!(
        "{:.1} MB, {} lines; diagnostics ({} findings) published after {:?}",
        text.len() as f64 / 1e6,
        text.lines().count(),
        diagnostics.as_array().map_or(0, Vec::len),
        t.elapsed()
    );

    // Positions in the last rules (the worst place for a line index).
    let lines: Vec<&str> = text.lines().collect();
    let last = lines
        .iter()
        .rposition(|l| l.contains("$vip port"))
        .expect("a rule with $vip");
    let column = lines[last].find("$vip").expect("$vip") as u32 + 1;
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": last, "character": column } });
    let document = json!({ "textDocument": { "uri": uri } });
    let with = |extra: Value| {
        let mut p = at.clone();
        for (k, v) in extra.as_object().expect("object") {
            p[k] = v.clone();
        }
        p
    };
    let formatting = json!({ "textDocument": { "uri": uri },
                             "options": { "tabSize": 4, "insertSpaces": true } });
    let requests: Vec<(&str, Value)> = vec![
        // Right after the check: formatted from the check's report.
        ("textDocument/formatting", formatting.clone()),
        ("textDocument/formatting", formatting),
        ("textDocument/hover", at.clone()),
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        (
            "textDocument/references",
            with(json!({ "context": { "includeDeclaration": true } })),
        ),
        ("textDocument/rename", with(json!({ "newName": "vip2" }))),
        ("textDocument/completion", at.clone()),
        ("textDocument/documentSymbol", document.clone()),
        ("workspace/symbol", json!({ "query": "admins" })),
        ("textDocument/semanticTokens/full", document.clone()),
        (
            "textDocument/semanticTokens/range",
            json!({ "textDocument": { "uri": uri },
                    "range": { "start": { "line": last - 60, "character": 0 }, "end": { "line": last, "character": 0 } } }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri },
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                    "context": { "diagnostics": diagnostics.as_array().map(|d| d.iter().take(1).cloned().collect::<Vec<_>>()).unwrap_or_default() } }),
        ),
    ];
    for (method, params) in requests {
        let (answer, took) = c.request(method, params);
        let size = answer["result"].to_string().len();
        let error = answer
            .get("error")
            .map(|e| format!(" error {e}"))
            .unwrap_or_default();
        println!("{method:36} {took:>12.1?}  ({size} bytes){error}");
    }
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
