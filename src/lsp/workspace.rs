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
//! counts from the next change. So is the node directory (`[node] dir`
//! of `pfconf.toml`, or `initializationOptions.node`, which wins as
//! `--node` wins on the command line), read as `pfconf lint --node DIR`
//! reads it.

use crate::resolve::{read_text, LoadError, Loader};
use crate::FsLoader;
use lsp_types::{Uri, WorkspaceFolder};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    #[serde(default)]
    initialization_options: Option<serde_json::Value>,
}

fn read<T: serde::de::DeserializeOwned>(v: &Option<serde_json::Value>) -> Option<T> {
    serde_json::from_value(v.clone()?).ok()
}

/// The workspace's root folders, and the node directory the editor names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workspace {
    roots: Vec<PathBuf>,
    /// `initializationOptions.node` (relative to the first folder).
    pub(crate) node: Option<PathBuf>,
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
        let node = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("node"))
            .and_then(|n| n.as_str())
            .filter(|n| !n.trim().is_empty())
            .map(|n| match roots.first() {
                Some(first) => first.join(n),
                None => PathBuf::from(n),
            });
        Workspace { roots, node }
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
    /// A mutex, not a cell: formatting resolves its output on two
    /// threads (`Loader + Sync`).
    reads: Mutex<Vec<Read>>,
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
            reads: Mutex::new(Vec::new()),
        }
    }

    /// Every file read, in order.
    pub(crate) fn into_reads(self) -> Vec<Read> {
        self.reads.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Loader for WorkspaceLoader<'_> {
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError> {
        let full = self.fs.locate(path, from)?;
        self.reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Read {
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

/// The project configuration of a document: lint levels, the node and
/// the format width of the nearest `pfconf.toml`, or the defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectConfig {
    /// Lint levels, `[ha]` roles and the node.
    pub(crate) lints: crate::lint::LintConfig,
    /// `[format] width`.
    pub(crate) width: Option<usize>,
    /// The node directory read, when there is one.
    pub(crate) node_dir: Option<PathBuf>,
    /// `[test] flows`: policy tests run on the document.
    pub(crate) flows: Vec<String>,
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
        let flows = crate::config::test_flows(&table, &name).map_err(text_of)?;
        Ok(ProjectConfig {
            lints,
            width,
            node_dir: None,
            flows,
        })
    }

    /// [`Self::find`], then the node: `node` (the editor's
    /// `initializationOptions.node`), else `[node] dir`, read as `pfconf
    /// lint --node DIR` reads it. What could not be used is said in the
    /// second value (the defaults, or no node, stand in for it).
    pub(crate) fn load(
        path: Option<&Path>,
        root: Option<&Path>,
        node: Option<&Path>,
    ) -> (ProjectConfig, Option<String>) {
        let (mut config, mut error) = match Self::find(path, root) {
            Ok(c) => (c, None),
            Err(e) => (
                ProjectConfig::default(),
                Some(format!("{e} (default settings used)")),
            ),
        };
        let dir = match (node, &config.lints.node_dir) {
            (Some(dir), _) => Some((dir.to_path_buf(), "initializationOptions.node")),
            (None, Some(dir)) => Some((dir.clone(), "[node] dir")),
            (None, None) => None,
        };
        if let Some((dir, from)) = dir {
            match config.lints.read_node(&dir) {
                Ok(()) => config.node_dir = Some(dir),
                Err(e) => {
                    let why = format!("{from}: {e} (the HA lints run without the node)");
                    error = Some(match error {
                        Some(first) => format!("{first}; {why}"),
                        None => why,
                    });
                }
            }
        }
        (config, error)
    }

    /// The node's files named by their path on this machine (they are
    /// `/etc/NAME` as the node sees them), so that findings can point
    /// into them; files that are not in the directory (from `[ha]`) keep
    /// their name.
    pub(crate) fn name_node_files(&mut self) {
        let (Some(dir), Some(node)) = (&self.node_dir, &mut self.lints.node) else {
            return;
        };
        let etc = if dir.join("etc").is_dir() {
            dir.join("etc")
        } else {
            dir.clone()
        };
        for f in &mut node.files {
            let on_disk = etc.join(f.path.trim_start_matches("/etc/"));
            if on_disk.is_file() {
                f.path = crate::includers::absolute(&on_disk).display().to_string();
            }
        }
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
