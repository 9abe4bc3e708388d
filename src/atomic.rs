//! Writing files so that nobody ever sees half of one: content goes to a temporary file in the
//! target's folder, is flushed, and is renamed into place. Temporary files are created private
//! (0600). A replaced file keeps its mode (a 0600 answers file stays 0600); a new file gets the
//! mode the user's umask gives new files (0644 under the usual 022, 0600 under 077): these files
//! hold confidential answers, and a tool must not widen who may read them.
//!
//! Changes that span several files go through a [`Transaction`]: it keeps each file's original
//! bytes the first time it is touched and puts them all back unless the change is committed.

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
        let mode = mode_for(target);
        tmp.as_file()
            .set_permissions(mode)
            .map_err(|e| Error::io("cannot set the permissions of", tmp.path().to_path_buf(), e))?;
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

/// The permissions a file written at `target` gets: the replaced file's own, else what the
/// umask leaves of 0666, as for any file a program creates.
#[cfg(unix)]
fn mode_for(target: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(target)
        && meta.is_file()
    {
        return std::fs::Permissions::from_mode(meta.permissions().mode() & 0o7777);
    }
    std::fs::Permissions::from_mode(0o666 & !umask(&folder_of(target)))
}

/// The process's umask, read without changing it (`umask(2)` can only be read by setting it,
/// which races with other threads creating files): a probe file is created with mode 0666 in
/// `dir`, and the bits the kernel took away are the umask. 0o022 if no probe can be made.
#[cfg(unix)]
fn umask(dir: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(".trustfill-umask-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .ok()
        .and_then(|probe| probe.as_file().metadata().ok())
        .map_or(0o022, |m| !m.permissions().mode() & 0o666)
}

/// The folder a path lives in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Write `bytes` to `target` through a temporary file and a rename (replacing it).
pub fn write(target: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = folder_of(target);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let mut tmp = temp_beside(target)?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    publish(tmp, target, true)
}

/// A change to several files that happens whole or not at all: call [`Transaction::keep`]
/// before a file is first written, and [`Transaction::commit`] when every write (and the check
/// that the result loads) succeeded. Dropped uncommitted — an error returned with `?` — it puts
/// every kept file back as it was, byte for byte, and removes the files that did not exist.
/// Each file's original is recorded once, so a file written twice (updated, then appended to)
/// comes back as it was before the first write. (cargo's `ops/cargo_install.rs` undoes a
/// half-done install the same way.)
#[derive(Debug, Default)]
#[must_use = "a transaction undoes its writes unless committed"]
pub struct Transaction {
    /// Each touched file and its bytes before the first write (None: it did not exist).
    originals: Vec<(PathBuf, Option<Vec<u8>>)>,
    committed: bool,
}

impl Transaction {
    pub fn new() -> Transaction {
        Transaction::default()
    }

    /// Remember `file` as it is now, unless it was remembered already.
    pub fn keep(&mut self, file: &Path) -> Result<()> {
        if self.originals.iter().any(|(p, _)| p == file) {
            return Ok(());
        }
        let bytes = match std::fs::read(file) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("cannot read", file, e)),
        };
        self.originals.push((file.to_path_buf(), bytes));
        Ok(())
    }

    /// The change is complete: keep it.
    pub fn commit(mut self) {
        self.committed = true;
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for (file, original) in self.originals.iter().rev() {
            let _ = match original {
                Some(bytes) => write(file, bytes),
                None => std::fs::remove_file(file)
                    .or_else(|e| {
                        if e.kind() == std::io::ErrorKind::NotFound {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(|e| Error::io("cannot remove", file, e)),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncommitted_transaction_restores_each_file_to_before_its_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let edited = dir.path().join("a.toml");
        let created = dir.path().join("b.toml");
        std::fs::write(&edited, "original").unwrap();
        {
            let mut tx = Transaction::new();
            tx.keep(&edited).unwrap();
            write(&edited, b"updated").unwrap();
            // The same file again (updated, then appended to): its original is kept once.
            tx.keep(&edited).unwrap();
            write(&edited, b"updated and appended").unwrap();
            tx.keep(&created).unwrap();
            write(&created, b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&edited).unwrap(), "original");
        assert!(
            !created.exists(),
            "a file the transaction created is removed"
        );
    }

    /// Only a file that does not exist is recorded as absent (and removed on rollback); one
    /// that cannot be read is an error, never taken for absent and deleted.
    #[test]
    fn a_transaction_refuses_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("answers.toml");
        std::fs::create_dir(&folder).unwrap();
        let mut tx = Transaction::new();
        assert!(tx.keep(&folder).is_err());
        drop(tx);
        assert!(folder.is_dir(), "left alone");
    }

    #[test]
    fn a_committed_transaction_keeps_its_writes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "original").unwrap();
        let mut tx = Transaction::new();
        tx.keep(&file).unwrap();
        write(&file, b"updated").unwrap();
        tx.commit();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "updated");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private.toml");
        std::fs::write(&private, "secret").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        write(&private, b"still secret").unwrap();
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a replaced file keeps its mode");

        let shared = dir.path().join("shared.toml");
        std::fs::write(&shared, "x").unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
        write(&shared, b"y").unwrap();
        let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o664, "a wider mode the user chose is kept too");

        // A new file: what a plain create gives under this process's umask.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new.toml");
        write(&new, b"z").unwrap();
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "a new file gets the umask's mode");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".trustfill-"))
            .collect();
        assert!(leftovers.is_empty(), "no probe or temporary file is left");
    }
}
