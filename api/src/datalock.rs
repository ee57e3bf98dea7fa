//! One lock file per data directory, taken by every courtwatch process that uses it.
//!
//! The server, `backup`, `import`, `reindex`, `export` and the admin commands hold it shared, so
//! they run side by side; `restore` needs it alone, because it moves the database file aside and
//! puts another in its place. A server still writing to the moved file would lose every write
//! from then on, and a restore that replaced the file under a running server did exactly that.
//! The lock is the operating system's advisory file lock (`flock`): it is released when the
//! process ends, however it ends, so a crash never leaves a stale lock behind.

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::{Path, PathBuf},
};

/// The lock file's name inside the data directory.
pub const FILE_NAME: &str = "courtwatch.lock";

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

impl DataLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open(data_dir: &Path) -> Result<(File, PathBuf), String> {
    let path = data_dir.join(FILE_NAME);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    Ok((file, path))
}

/// The shared lock of every process but `restore`; refused while a restore runs.
pub fn shared(data_dir: &Path) -> Result<DataLock, String> {
    let (file, path) = open(data_dir)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DataLock { _file: file, path }),
        Err(TryLockError::WouldBlock) => Err(format!(
            "a restore is replacing the database in {}; wait until it has finished, then try again",
            data_dir.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// The exclusive lock of `restore`; refused while any other courtwatch process uses the directory.
pub fn exclusive(data_dir: &Path) -> Result<DataLock, String> {
    let (file, path) = open(data_dir)?;
    match file.try_lock() {
        Ok(()) => Ok(DataLock { _file: file, path }),
        Err(TryLockError::WouldBlock) => Err(format!(
            "another courtwatch process (a server, backup, import, reindex or export) is using {}; \
             stop it first (a restore replaces the database file under it, and its writes would be lost)",
            data_dir.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_is_refused_while_another_process_holds_the_directory_and_the_other_way_round() {
        let dir = std::env::temp_dir().join(format!("courtwatch-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let server = shared(&dir).expect("first shared lock");
        let backup = shared(&dir).expect("shared locks coexist");
        let refused = exclusive(&dir).expect_err("restore must wait for the others");
        assert!(refused.contains("stop it first"), "{refused}");
        drop((server, backup));
        let restore = exclusive(&dir).expect("exclusive once the others are gone");
        let refused = shared(&dir).expect_err("nothing starts during a restore");
        assert!(refused.contains("restore is replacing"), "{refused}");
        drop(restore);
        shared(&dir).expect("shared again after the restore");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
