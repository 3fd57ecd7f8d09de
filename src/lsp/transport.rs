//! The wire: JSON-RPC messages framed by `Content-Length` headers, read
//! from one stream and written to another.
//!
//! lsp-server's own stdio transport ends the connection at the first body
//! that is not a message; this one answers it instead and carries on, as
//! JSON-RPC asks (a body that is not JSON is a parse error with a null id,
//! JSON that is no message an invalid request). Messages are lsp-server's
//! [`Message`], written with its framing.
//!
//! Invariants: a header line or a body larger than its bound is skipped,
//! never held (a body is read only once its length is known and within
//! [`MAX_BODY`], into a buffer that grows with the bytes received, not
//! with the length declared); after a malformed body the stream is still in step, since
//! the body's length was known; a header block without `Content-Length`
//! is reported and reading resumes at the next block.

use lsp_server::{ErrorCode, Message, ResponseError};
use std::io::{self, BufRead, Read, Write};

/// The largest message body read (a 256 MiB ruleset, escaped, fits).
pub(crate) const MAX_BODY: usize = 512 * 1024 * 1024;

/// The room a body's buffer starts with; it grows as the body arrives.
const FIRST_BODY_CHUNK: usize = 64 * 1024;

/// The longest header line kept.
const MAX_HEADER_LINE: u64 = 1024;

/// What arrives.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A request, response or notification.
    Message(Message),
    /// Something that is not a message: the answer to give (with the
    /// request's id when one could be read).
    Invalid {
        /// The id, when the body had one.
        id: Option<lsp_server::RequestId>,
        /// The error.
        error: ResponseError,
    },
}

/// What is sent.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A message.
    Message(Message),
    /// An error answering a message whose id could not be read (`id`:
    /// null).
    ErrorWithoutId(ResponseError),
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}

/// Reads the next message; None at the end of the stream.
pub(crate) fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut line = Vec::new();
    let mut any = false;
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if line.last() != Some(&b'\n') {
            // Longer than any header: skip the rest of the line.
            skip_line(input)?;
            bad_header.get_or_insert_with(|| "header line too long".to_string());
            any = true;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        any = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        bad_header = Some(format!("bad Content-Length: {}", value.trim()));
                    }
                }
            }
            Some(_) => {}
            None => {
                bad_header.get_or_insert_with(|| format!("malformed header: {text:?}"));
            }
        }
    }
    let Some(length) = length else {
        let why = bad_header.unwrap_or_else(|| "no Content-Length header".to_string());
        return Ok(Some(Incoming::Invalid {
            id: None,
            error: error(ErrorCode::ParseError, why),
        }));
    };
    if length > MAX_BODY {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Incoming::Invalid {
            id: None,
            error: error(
                ErrorCode::InvalidRequest,
                format!("message of {length} bytes, more than the {MAX_BODY} accepted"),
            ),
        }));
    }
    // The buffer grows with what arrives, not with what the header
    // declares: a frame announcing 500 MiB and then ending holds what was
    // sent, not 500 MiB.
    let mut body = Vec::with_capacity(length.min(FIRST_BODY_CHUNK));
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "the stream ended {} bytes into a body of {length}",
                body.len()
            ),
        ));
    }
    Ok(Some(parse(&body)))
}

fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// A body as a message, or the error to answer it with.
fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Invalid {
                id: None,
                error: error(ErrorCode::ParseError, format!("not JSON: {e}")),
            }
        }
    };
    let id = match value.get("id") {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(lsp_server::RequestId::from),
        Some(serde_json::Value::String(s)) => Some(lsp_server::RequestId::from(s.clone())),
        _ => None,
    };
    let is_object_with_method_or_id =
        value.is_object() && (value.get("method").is_some() || value.get("id").is_some());
    match serde_json::from_value::<Message>(value) {
        Ok(m) if is_object_with_method_or_id => Incoming::Message(m),
        Ok(_) => Incoming::Invalid {
            id,
            error: error(
                ErrorCode::InvalidRequest,
                "not a JSON-RPC message".to_string(),
            ),
        },
        Err(e) => Incoming::Invalid {
            id,
            error: error(
                ErrorCode::InvalidRequest,
                format!("not a JSON-RPC message: {e}"),
            ),
        },
    }
}

/// Writes one message with its header, and flushes.
pub(crate) fn write(output: &mut impl Write, message: Outgoing) -> io::Result<()> {
    match message {
        Outgoing::Message(m) => m.write(output),
        Outgoing::ErrorWithoutId(e) => {
            let body = serde_json::json!({ "jsonrpc": "2.0", "id": null, "error": e });
            let text = body.to_string();
            write!(output, "Content-Length: {}\r\n\r\n{text}", text.len())?;
            output.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<Incoming> {
        let mut r = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(m) = read(&mut r).unwrap() {
            out.push(m);
        }
        out
    }

    fn code(i: &Incoming) -> Option<i32> {
        match i {
            Incoming::Invalid { error, .. } => Some(error.code),
            Incoming::Message(_) => None,
        }
    }

    #[test]
    fn a_bad_body_is_answered_and_the_next_message_read() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":4,"method":7}"#),
            frame("[1, 2]"),
            frame(r#"{"jsonrpc":"2.0","id":5,"method":"shutdown"}"#),
        ]
        .concat();
        let got = read_all(&input);
        assert_eq!(got.len(), 4);
        assert_eq!(code(&got[0]), Some(ErrorCode::ParseError as i32));
        assert_eq!(code(&got[1]), Some(ErrorCode::InvalidRequest as i32));
        assert!(matches!(&got[1], Incoming::Invalid { id: Some(id), .. } if *id == 4.into()));
        assert_eq!(code(&got[2]), Some(ErrorCode::InvalidRequest as i32));
        assert!(
            matches!(&got[3], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
    }

    #[test]
    fn headers_are_read_leniently_and_bounded() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let input = format!(
            "content-length:{}\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
            body.len()
        );
        let got = read_all(&input);
        assert!(
            matches!(&got[..], [Incoming::Message(Message::Notification(n))] if n.method == "exit")
        );
        // No length: reported, and the next block is read.
        let input = format!("X-Other: 1\r\n\r\n{}", frame(body));
        let got = read_all(&input);
        assert_eq!(code(&got[0]), Some(ErrorCode::ParseError as i32));
        assert!(matches!(&got[1], Incoming::Message(_)));
        // A huge header line is skipped, not kept.
        let input = format!(
            "X-{}: 1\r\nContent-Length: {}\r\n\r\n{body}",
            "a".repeat(100_000),
            body.len()
        );
        let got = read_all(&input);
        assert!(matches!(&got[..], [Incoming::Message(_)]));
    }

    #[test]
    fn a_body_beyond_the_bound_is_skipped() {
        let input = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1);
        let got = read_all(&input);
        assert_eq!(code(&got[0]), Some(ErrorCode::InvalidRequest as i32));
    }

    /// A reader of a fixed text that records the largest read asked of
    /// it: `BufReader` hands a read larger than its buffer straight through,
    /// so this is the largest buffer the transport filled at once.
    struct Recording<'a> {
        text: &'a [u8],
        largest: usize,
    }

    impl Read for Recording<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.largest = self.largest.max(buf.len());
            self.text.read(buf)
        }
    }

    #[test]
    fn a_declared_length_is_not_allocated_before_the_bytes_arrive() {
        // 400 MiB declared (within the bound), 30 bytes sent, then the end.
        let input = format!(
            "Content-Length: {}\r\n\r\n{{\"jsonrpc\":\"2.0\",",
            400 << 20
        );
        let mut rec = Recording {
            text: input.as_bytes(),
            largest: 0,
        };
        let got = read(&mut io::BufReader::new(&mut rec));
        let err = got.expect_err("the stream ends inside the body");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            rec.largest <= 1 << 20,
            "a read of {} bytes was asked for a 400 MiB declaration",
            rec.largest
        );
    }

    #[test]
    fn a_body_sent_in_pieces_is_read_whole() {
        // A body far larger than the first chunk arrives intact.
        let text = "x".repeat(3 * FIRST_BODY_CHUNK);
        let body = format!(r#"{{"jsonrpc":"2.0","method":"m","params":{{"t":"{text}"}}}}"#);
        let got = read_all(&frame(&body));
        assert!(
            matches!(&got[..], [Incoming::Message(Message::Notification(n))] if n.params["t"] == text.as_str())
        );
    }

    #[test]
    fn an_error_without_id_is_written_with_a_null_id() {
        let mut out = Vec::new();
        write(
            &mut out,
            Outgoing::ErrorWithoutId(error(ErrorCode::ParseError, "x".into())),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(head, format!("Content-Length: {}", body.len()));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["id"], serde_json::Value::Null);
        assert_eq!(v["error"]["code"], -32700);
    }
}
