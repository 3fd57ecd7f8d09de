//! Reading files: the `Loader` trait and its two implementations,
//! `MemoryLoader` (tests, embedders, the language server's buffers) and
//! `FsLoader` (the disk, with `--root DIR` so that absolute paths
//! resolve inside DIR and never escape it). Files are read as bytes and
//! decoded as pfctl reads them (`crate::encoding`), at most
//! `MAX_FILE_SIZE` each. Failures are `LoadError` values.

use super::MAX_FILE_SIZE;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// No such file.
    NotFound(String),
    /// The path leaves the `--root` directory.
    EscapesRoot(String),
    /// Not UTF-8: byte offset of the first bad byte. [`read_text`] no
    /// longer gives it (it carries such bytes); a [`Loader`] may.
    InvalidUtf8(String, usize),
    /// Any other I/O problem.
    Io(String, String),
}

impl LoadError {
    /// The path that could not be read.
    pub fn path(&self) -> &str {
        match self {
            LoadError::NotFound(p)
            | LoadError::EscapesRoot(p)
            | LoadError::InvalidUtf8(p, _)
            | LoadError::Io(p, _) => p,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "{p}: No such file or directory"),
            LoadError::EscapesRoot(p) => write!(f, "{p}: path escapes the root directory"),
            LoadError::InvalidUtf8(p, off) => write!(f, "{p}: invalid UTF-8 at byte {off}"),
            LoadError::Io(p, e) => write!(f, "{p}: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads the files a ruleset names.
pub trait Loader {
    /// Reads `path` as written in a statement of the file `from` (the name
    /// the loader itself returned for it earlier, or the main file's name).
    /// Returns the name to display for the file and its text.
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError>;
}

/// Files held in memory, by exact path (for tests and embedders).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    /// Path to contents.
    pub files: HashMap<String, String>,
}

impl MemoryLoader {
    /// Adds a file.
    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.files.insert(path.to_string(), text.to_string());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &str, _from: &str) -> Result<(String, String), LoadError> {
        self.files
            .get(path)
            .map(|t| (path.to_string(), t.clone()))
            .ok_or_else(|| LoadError::NotFound(path.to_string()))
    }
}

/// Reads files from disk. Relative paths are taken from the including
/// file's directory; absolute paths are taken under `root` when one is set.
#[derive(Debug, Clone, Default)]
pub struct FsLoader {
    /// `--root DIR`: absolute paths resolve inside it and may not leave it.
    pub root: Option<PathBuf>,
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// `p` made absolute against the working directory, without `.`/`..`.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        normalize(&cwd.join(p))
    }
}

impl FsLoader {
    /// The file `path` names when written in the file `from`: relative to
    /// `from`'s directory, absolute ones under the root; an error when it
    /// would leave the root.
    pub fn locate(&self, path: &str, from: &str) -> Result<PathBuf, LoadError> {
        let p = Path::new(path);
        let root = self.root.as_deref().map(absolute);
        // A file inside the root is named as the node sees it
        // (`/etc/pf.conf`, see `load`): its directory is under the root.
        let from_path = match &root {
            Some(r) if from.starts_with('/') => {
                let inside = r.join(from.trim_start_matches('/'));
                if inside.is_file() {
                    inside
                } else {
                    PathBuf::from(from)
                }
            }
            _ => PathBuf::from(from),
        };
        let base = from_path.parent().unwrap_or(Path::new(""));
        let full = if p.is_absolute() {
            match &root {
                Some(root) => root.join(p.strip_prefix("/").unwrap_or(p)),
                None => p.to_path_buf(),
            }
        } else {
            base.join(p)
        };
        let full = absolute(&full);
        // Absolute paths, and relative paths written in a file inside the
        // root, must stay inside the root.
        if let Some(root) = &root {
            let from_inside = absolute(base).starts_with(root);
            if (p.is_absolute() || from_inside) && !full.starts_with(root) {
                return Err(LoadError::EscapesRoot(path.to_string()));
            }
        }
        Ok(full)
    }
}

/// Reads a file as text, bounded in size; bytes that are not UTF-8 are
/// carried as [`crate::encoding`] says (pfctl reads bytes).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    read_bytes_as_text(path).map(|(text, _)| text)
}

/// [`read_text`], and whether the file held bytes that are not UTF-8
/// (then [`crate::encoding::encode`] writes them back).
pub fn read_bytes_as_text(path: &Path) -> Result<(String, bool), LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(name.clone()),
        _ => LoadError::Io(name.clone(), e.to_string()),
    })?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(LoadError::Io(
            name,
            format!("file larger than {} MiB", MAX_FILE_SIZE / (1024 * 1024)),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io(name.clone(), e.to_string()))?;
    Ok(crate::encoding::decode(bytes))
}

impl FsLoader {
    /// A file's name as the ruleset sees it: under `root`, the path from
    /// the root (`/etc/pf/lan.conf`), never the host path; otherwise the
    /// path from the working directory when the file lies below it.
    pub fn shown(&self, full: &Path) -> String {
        if let Some(root) = self.root.as_deref().map(absolute) {
            if let Ok(rel) = absolute(full).strip_prefix(&root) {
                return format!("/{}", rel.display());
            }
        }
        // Below the working directory, the path from there (what a
        // terminal or an editor opens); elsewhere, the full path.
        let cwd = absolute(Path::new("."));
        match absolute(full).strip_prefix(&cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
            _ => full.display().to_string(),
        }
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError> {
        let full = self.locate(path, from)?;
        let text = read_text(&full)?;
        Ok((self.shown(&full), text))
    }
}
