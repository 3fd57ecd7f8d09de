//! The open documents: the latest text and version of each pf.conf file
//! the editor has open, and which files count as pf.conf files.
//!
//! Invariants: one entry per open URI holding only its latest text (no
//! history, so memory stays bounded however many edits arrive); texts are
//! shared (`Arc<str>`) with the diagnostics worker, never copied per job;
//! a document the selector refuses is not stored (requests about it are
//! answered as for any unknown document); a file URI's path is the key
//! other files' includes find it by, so an include reads the editor's
//! unsaved text rather than the file on disk.

use super::position::{Encoding, LineIndex};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// One open document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// The version the editor gave with the latest text.
    pub(crate) version: i32,
    /// The latest text.
    pub(crate) text: Arc<str>,
    /// The file, for a `file:` URI.
    pub(crate) path: Option<PathBuf>,
}

impl Document {
    /// The name pfconf gives the document in diagnostics and as the
    /// `from` of its includes: its path, else its URI.
    pub(crate) fn name(&self, uri: &Uri) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => uri.as_str().to_string(),
        }
    }
}

/// The open documents, by URI (and by path for file URIs).
#[derive(Debug, Default)]
pub(crate) struct Documents {
    docs: HashMap<Uri, Document>,
    by_path: HashMap<PathBuf, Uri>,
}

impl Documents {
    /// Opens a document; false (and nothing stored) when it is not a
    /// pf.conf file ([`is_pf_document`]).
    pub(crate) fn open(&mut self, uri: Uri, language_id: &str, version: i32, text: String) -> bool {
        if !is_pf_document(&uri, language_id) {
            return false;
        }
        let path = uri_to_path(&uri);
        if let Some(p) = &path {
            self.by_path.insert(p.clone(), uri.clone());
        }
        let doc = Document {
            version,
            text: Arc::from(text),
            path,
        };
        self.docs.insert(uri, doc);
        true
    }

    /// Applies the changes of a `didChange` in order: a change without a
    /// range replaces the text, one with a range replaces that range.
    /// Errors for an unknown document or a range outside the text (the
    /// document is then left as it was).
    pub(crate) fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<(), String> {
        let doc = self
            .docs
            .get_mut(uri)
            .ok_or_else(|| format!("{}: not an open pf.conf document", uri.as_str()))?;
        let mut text: Option<String> = None;
        for change in changes {
            match change.range {
                None => text = Some(change.text),
                Some(range) => {
                    let current = text.as_deref().unwrap_or(&doc.text);
                    let index = LineIndex::new(current, encoding);
                    let (Some(start), Some(end)) =
                        (index.offset(range.start), index.offset(range.end))
                    else {
                        return Err(format!("{}: change outside the text", uri.as_str()));
                    };
                    let (start, end) = (start.min(end), start.max(end));
                    let mut next = String::with_capacity(current.len() + change.text.len());
                    next.push_str(&current[..start]);
                    next.push_str(&change.text);
                    next.push_str(&current[end..]);
                    text = Some(next);
                }
            }
        }
        if let Some(t) = text {
            doc.text = Arc::from(t);
        }
        doc.version = version;
        Ok(())
    }

    /// Closes a document; false when it was not open.
    pub(crate) fn close(&mut self, uri: &Uri) -> bool {
        match self.docs.remove(uri) {
            Some(doc) => {
                if let Some(p) = doc.path {
                    self.by_path.remove(&p);
                }
                true
            }
            None => false,
        }
    }

    /// The document at `uri`, if open.
    pub(crate) fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// The URIs of the open documents.
    pub(crate) fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    /// The open texts by path (what includes read instead of the disk),
    /// with their URIs.
    pub(crate) fn by_path(&self) -> HashMap<PathBuf, (Uri, Arc<str>)> {
        self.by_path
            .iter()
            .filter_map(|(p, u)| Some((p.clone(), (u.clone(), self.docs.get(u)?.text.clone()))))
            .collect()
    }
}

/// Whether a document is a pf.conf file: language id `pf`, or a file
/// named `pf.conf`, `*.pf` or `pf.conf.*`.
pub(crate) fn is_pf_document(uri: &Uri, language_id: &str) -> bool {
    if language_id == "pf" {
        return true;
    }
    let path = uri.path().as_str();
    let last = path.rsplit('/').next().unwrap_or(path);
    let name = percent_decode_str(last).decode_utf8_lossy();
    name == "pf.conf" || name.ends_with(".pf") || name.starts_with("pf.conf.")
}

/// The path of a `file:` URI (with an empty or `localhost` authority).
pub(crate) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme()?.eq_lowercase("file") {
        return None;
    }
    if let Some(auth) = uri.authority() {
        let host = auth.host().as_str();
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return None;
        }
    }
    let bytes: Vec<u8> = percent_decode_str(uri.path().as_str()).collect();
    bytes_to_path(bytes)
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    if bytes.first() != Some(&b'/') {
        return None;
    }
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    let s = String::from_utf8(bytes).ok()?;
    // `/C:/x` is `C:/x`.
    let s = match s.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s[1..].to_string(),
        _ => s,
    };
    Some(PathBuf::from(s))
}

/// What is escaped in a file URI's path: all but letters, digits, `/`
/// and the unreserved `-._~`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `file:` URI of an absolute path.
pub(crate) fn path_to_uri(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let text = path_text(path)?;
    let escaped = utf8_percent_encode(&text, PATH).to_string();
    let escaped = escaped.strip_prefix('/').unwrap_or(&escaped);
    Uri::from_str(&format!("file:///{escaped}")).ok()
}

#[cfg(unix)]
fn path_text(path: &Path) -> Option<String> {
    path.to_str().map(str::to_string)
}

#[cfg(not(unix))]
fn path_text(path: &Path) -> Option<String> {
    path.to_str().map(|s| s.replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn uri(s: &str) -> Uri {
        Uri::from_str(s).unwrap()
    }

    #[test]
    fn pf_documents_are_chosen_by_name_or_language() {
        assert!(is_pf_document(&uri("file:///etc/pf.conf"), "plaintext"));
        assert!(is_pf_document(&uri("file:///x/lan.pf"), ""));
        assert!(is_pf_document(&uri("file:///x/pf.conf.orig"), ""));
        assert!(is_pf_document(&uri("file:///x/lan.conf"), "pf"));
        assert!(is_pf_document(&uri("untitled:Untitled-1"), "pf"));
        assert!(!is_pf_document(&uri("file:///x/lan.conf"), "conf"));
        assert!(!is_pf_document(&uri("file:///x/pf.config"), ""));
        assert!(!is_pf_document(&uri("file:///x/mypf.conf"), ""));
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_and_paths_convert_both_ways() {
        let p = Path::new("/srv/a b/ü%#/pf.conf");
        let u = path_to_uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///srv/a%20b/%C3%BC%25%23/pf.conf");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert_eq!(
            uri_to_path(&uri("file://localhost/etc/pf.conf")).unwrap(),
            Path::new("/etc/pf.conf")
        );
        assert_eq!(uri_to_path(&uri("file://server/etc/pf.conf")), None);
        assert_eq!(uri_to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(path_to_uri(Path::new("relative/pf.conf")), None);
    }

    #[test]
    fn only_the_latest_text_is_kept_across_many_edits() {
        let mut docs = Documents::default();
        let u = uri("file:///w/pf.conf");
        assert!(docs.open(u.clone(), "pf", 1, "pass\n".into()));
        for v in 2..5000 {
            let change = TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: format!("pass # {v}\n"),
            };
            docs.change(&u, v, vec![change], Encoding::Utf16).unwrap();
        }
        assert_eq!(docs.docs.len(), 1);
        let doc = docs.get(&u).unwrap();
        assert_eq!((doc.version, &*doc.text), (4999, "pass # 4999\n"));
        assert_eq!(docs.by_path().len(), 1);
        assert!(docs.close(&u));
        assert!(docs.by_path().is_empty() && docs.get(&u).is_none());
    }

    #[test]
    fn ranged_changes_are_applied_in_order() {
        let mut docs = Documents::default();
        let u = uri("file:///w/pf.conf");
        docs.open(u.clone(), "pf", 1, "# é\npass in\n".into());
        let at = |l, c| Position::new(l, c);
        let changes = vec![
            TextDocumentContentChangeEvent {
                range: Some(Range::new(at(1, 5), at(1, 7))),
                range_length: None,
                text: "out".into(),
            },
            TextDocumentContentChangeEvent {
                range: Some(Range::new(at(0, 2), at(0, 3))),
                range_length: None,
                text: "ü😀".into(),
            },
        ];
        docs.change(&u, 2, changes, Encoding::Utf16).unwrap();
        assert_eq!(&*docs.get(&u).unwrap().text, "# ü😀\npass out\n");
        let outside = TextDocumentContentChangeEvent {
            range: Some(Range::new(at(9, 0), at(9, 1))),
            range_length: None,
            text: "x".into(),
        };
        assert!(docs.change(&u, 3, vec![outside], Encoding::Utf16).is_err());
        assert_eq!(docs.get(&u).unwrap().version, 2);
    }

    #[test]
    fn other_files_are_not_stored() {
        let mut docs = Documents::default();
        assert!(!docs.open(uri("file:///w/notes.txt"), "plaintext", 1, String::new()));
        assert!(docs.docs.is_empty());
        let change = |t: &str| TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: t.into(),
        };
        assert!(docs
            .change(
                &uri("file:///w/notes.txt"),
                2,
                vec![change("x")],
                Encoding::Utf16
            )
            .is_err());
    }
}
