//! The workspace: its root folders, the loader that reads the files a
//! document names, and the project configuration that applies to a
//! document.
//!
//! Invariants: a document's absolute `include`, `load anchor ... from` and
//! `table ... file` paths resolve under the workspace folder holding it, as
//! `--root DIR` does on the command line (`FsLoader { root }`); relative
//! paths resolve from the including file's directory; a document outside
//! every folder resolves absolute paths as written. A file open in the
//! editor is read from its latest text, not from the disk. Every file a
//! check read is recorded, so that an edit to one re-checks the documents
//! that read it. `pfconf.toml` is found from the document's directory
//! ([`crate::config::find`]) and read again at each check: an edit to it
//! counts from the next change.

use crate::resolve::{read_text, LoadError, Loader};
use crate::FsLoader;
use lsp_types::{Uri, WorkspaceFolder};
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `initialize` says about the workspace, read leniently: the rest
/// of the parameters is not needed, and a field this server cannot read
/// (an odd URI) is left out rather than refusing to start.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkspaceParams {
    #[serde(default)]
    root_uri: Option<serde_json::Value>,
    #[serde(default)]
    root_path: Option<serde_json::Value>,
    #[serde(default)]
    workspace_folders: Option<Vec<serde_json::Value>>,
}

fn read<T: serde::de::DeserializeOwned>(v: &Option<serde_json::Value>) -> Option<T> {
    serde_json::from_value(v.clone()?).ok()
}

/// The workspace's root folders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workspace {
    roots: Vec<PathBuf>,
}

impl Workspace {
    /// The folders of `initialize`: `workspaceFolders`, else `rootUri`,
    /// else `rootPath`.
    pub(crate) fn from_params(params: &WorkspaceParams) -> Workspace {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| serde_json::from_value::<WorkspaceFolder>(f.clone()).ok())
            .filter_map(|f| super::documents::uri_to_path(&f.uri))
            .collect();
        if roots.is_empty() {
            let from_uri = read::<Uri>(&params.root_uri)
                .as_ref()
                .and_then(super::documents::uri_to_path);
            let from_path = read::<String>(&params.root_path).map(PathBuf::from);
            roots.extend(from_uri.or(from_path).filter(|p| p.is_absolute()));
        }
        Workspace { roots }
    }

    /// The root for a document: the deepest folder holding it.
    pub(crate) fn root_for(&self, path: Option<&Path>) -> Option<PathBuf> {
        let path = path?;
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
    }
}

/// Open documents by path: their URI and latest text.
pub(crate) type OpenFiles = HashMap<PathBuf, (Uri, Arc<str>)>;

/// Reads what a document names, as [`FsLoader`] does, but from the editor
/// for open files; names every file by its full path (so that labels can
/// point at it) and records every read.
pub(crate) struct WorkspaceLoader<'a> {
    fs: FsLoader,
    open: &'a OpenFiles,
    reads: RefCell<Vec<Read>>,
}

/// One file a check read (or tried to).
#[derive(Debug, Clone)]
pub(crate) struct Read {
    /// The name of the file holding the statement.
    pub(crate) from: String,
    /// The path as the statement gives it.
    pub(crate) path: String,
    /// The file it named.
    pub(crate) full: PathBuf,
}

impl<'a> WorkspaceLoader<'a> {
    /// A loader with `root` for absolute paths.
    pub(crate) fn new(root: Option<PathBuf>, open: &'a OpenFiles) -> WorkspaceLoader<'a> {
        WorkspaceLoader {
            fs: FsLoader { root },
            open,
            reads: RefCell::new(Vec::new()),
        }
    }

    /// Every file read, in order.
    pub(crate) fn into_reads(self) -> Vec<Read> {
        self.reads.into_inner()
    }
}

impl Loader for WorkspaceLoader<'_> {
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError> {
        let full = self.fs.locate(path, from)?;
        self.reads.borrow_mut().push(Read {
            from: from.to_string(),
            path: path.to_string(),
            full: full.clone(),
        });
        let text = match self.open.get(&full) {
            Some((_, text)) => text.to_string(),
            None => read_text(&full)?,
        };
        Ok((full.display().to_string(), text))
    }
}

/// The project configuration of a document: lint levels and the format
/// width of the nearest `pfconf.toml`, or the defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectConfig {
    /// Lint levels and `[ha]` roles.
    pub(crate) lints: crate::lint::LintConfig,
    /// `[format] width`.
    pub(crate) width: Option<usize>,
}

impl ProjectConfig {
    /// The configuration for a document at `path` (found from its
    /// directory), or for a document without a path, from `root`. An error
    /// names the file and what is wrong in it.
    pub(crate) fn find(path: Option<&Path>, root: Option<&Path>) -> Result<ProjectConfig, String> {
        let dir = match path {
            Some(p) => p.parent(),
            None => root,
        };
        let Some(file) = dir.and_then(crate::config::find) else {
            return Ok(ProjectConfig::default());
        };
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{name}: {e}"))?;
        let text_of = |e: crate::config::ConfigError| e.to_string();
        let lints = crate::lint::LintConfig::from_toml_file(&text, &name).map_err(text_of)?;
        let table = crate::config::check_keys(&text, &name).map_err(text_of)?;
        let width = crate::config::format_width(&table, &name).map_err(text_of)?;
        Ok(ProjectConfig { lints, width })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn the_deepest_folder_holding_a_document_is_its_root() {
        let folder = |p: &str| WorkspaceFolder {
            uri: Uri::from_str(&format!("file://{p}")).unwrap(),
            name: p.into(),
        };
        let folders = [folder("/w"), folder("/w/site"), folder("/other")];
        let params = WorkspaceParams {
            workspace_folders: Some(
                folders
                    .iter()
                    .map(|f| serde_json::to_value(f).unwrap())
                    .collect(),
            ),
            ..WorkspaceParams::default()
        };
        let ws = Workspace::from_params(&params);
        let root = |p: &str| ws.root_for(Some(Path::new(p)));
        assert_eq!(root("/w/site/etc/pf.conf"), Some(PathBuf::from("/w/site")));
        assert_eq!(root("/w/pf.conf"), Some(PathBuf::from("/w")));
        assert_eq!(root("/elsewhere/pf.conf"), None);
        assert_eq!(ws.root_for(None), None);
    }

    #[test]
    fn root_uri_and_root_path_are_the_fallbacks() {
        let json = serde_json::json!({ "rootUri": "file:///w", "rootPath": "/ignored" });
        let params: WorkspaceParams = serde_json::from_value(json).unwrap();
        let root = Workspace::from_params(&params).root_for(Some(Path::new("/w/pf.conf")));
        assert_eq!(root, Some(PathBuf::from("/w")));
        let json = serde_json::json!({ "rootPath": "/v", "capabilities": {} });
        let params: WorkspaceParams = serde_json::from_value(json).unwrap();
        let root = Workspace::from_params(&params).root_for(Some(Path::new("/v/pf.conf")));
        assert_eq!(root, Some(PathBuf::from("/v")));
        // What cannot be read is left out.
        let json = serde_json::json!({ "rootUri": "not a uri at all", "rootPath": 5,
            "workspaceFolders": [{ "uri": 3 }, { "uri": "file:///u", "name": "u" }] });
        let params: WorkspaceParams = serde_json::from_value(json).unwrap();
        let root = Workspace::from_params(&params).root_for(Some(Path::new("/u/pf.conf")));
        assert_eq!(root, Some(PathBuf::from("/u")));
    }

    #[test]
    fn open_files_are_read_from_the_editor() {
        let mut open = OpenFiles::new();
        let uri = Uri::from_str("file:///w/etc/lan.conf").unwrap();
        open.insert(PathBuf::from("/w/etc/lan.conf"), (uri, Arc::from("pass\n")));
        let loader = WorkspaceLoader::new(Some(PathBuf::from("/w")), &open);
        let (name, text) = loader.load("/etc/lan.conf", "/w/pf.conf").unwrap();
        assert_eq!(
            (name.as_str(), text.as_str()),
            ("/w/etc/lan.conf", "pass\n")
        );
        assert!(loader.load("/nope.conf", "/w/pf.conf").is_err());
        let reads = loader.into_reads();
        assert_eq!(reads.len(), 2);
        assert_eq!(reads[1].full, PathBuf::from("/w/nope.conf"));
    }
}
