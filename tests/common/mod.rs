//! What the corpus tests share: where the corpus is.

use std::path::PathBuf;

/// The corpus directory named by `PFCONF_CORPUS`. The corpus tests are
/// ignored when it is unset (see build.rs); a name that is not a directory
/// fails loudly rather than testing nothing.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("PFCONF_CORPUS").filter(|d| !d.is_empty())?;
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "PFCONF_CORPUS names {}, which is not a directory",
        dir.display()
    );
    Some(dir)
}
