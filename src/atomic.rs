//! Writing files so that nobody ever sees half of one: content goes to a temporary file in the
//! target's folder, is flushed, and is renamed into place. Temporary files are created private
//! (0600); the published file gets the ordinary 0644 a user expects of a document.

use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::fault::{self, Fault};

/// A temporary file beside `target`, named so it is obviously ours if a crash leaves it.
pub fn temp_beside(target: &Path) -> Result<NamedTempFile> {
    let dir = folder_of(target);
    tempfile::Builder::new()
        .prefix(".trustfill-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io("cannot create a temporary file in", dir, e))
}

/// Flush `tmp` and rename it to `target`; with `replace: false` an existing target is an error.
pub fn publish(tmp: NamedTempFile, target: &Path, replace: bool) -> Result<()> {
    match fault::check("write") {
        Fault::None => {}
        Fault::Error => return Err(fault::error("write")),
        Fault::Crash => {
            // Half the bytes reached the disk when the process died.
            let len = tmp.as_file().metadata().map_or(0, |m| m.len());
            let _ = tmp.as_file().set_len(len / 2);
            fault::crash("write")
        }
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    fault::point("rename")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644));
    }
    let result = if replace {
        tmp.persist(target)
    } else {
        tmp.persist_noclobber(target)
    };
    result
        .map(|_| ())
        .map_err(|e| Error::io("cannot write", target, e.error))
}

/// The folder a path lives in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
