//! Index generations on disk, so that a full rebuild can happen beside the index that serves.
//!
//! ```text
//! <root>/CURRENT          name of the generation in use (replaced atomically)
//! <root>/g-<millis>/      one tantivy index per generation
//! <root>/REINDEXING      present while a rebuild runs; holds the rebuilding process id
//! ```
//!
//! A rebuild creates a new generation, fills it, then points `CURRENT` at it; the service notices
//! and switches. While `REINDEXING` names a live process the service must keep change records it has
//! applied (the new generation needs them too); see the service's search sync.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use crate::{
    error::{IndexError, InternalError},
    index::SearchIndex,
};

const CURRENT: &str = "CURRENT";
const REINDEXING: &str = "REINDEXING";

/// The index directory with its generations.
#[derive(Debug, Clone)]
pub struct IndexStore {
    root: PathBuf,
}

impl IndexStore {
    /// The store under `root` (created when needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation in use, if any.
    pub fn current(&self) -> Result<Option<String>, IndexError> {
        match fs::read_to_string(self.root.join(CURRENT)) {
            Ok(text) => {
                let name = text.trim().to_string();
                Ok((!name.is_empty()).then_some(name))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the generation in use, creating and publishing an empty one if there is none.
    pub fn open_current(&self) -> Result<(String, SearchIndex), IndexError> {
        match self.current()? {
            Some(name) => match SearchIndex::open(&self.root.join(&name)) {
                Ok(index) => Ok((name, index)),
                // An index written by an older courtwatch with another schema: start a new
                // generation, which the service fills from the database.
                Err(IndexError::Internal(InternalError::Tantivy(
                    tantivy::TantivyError::SchemaError(_),
                ))) => {
                    let (name, index) = self.create_generation()?;
                    self.publish(&name)?;
                    self.remove_others(&name)?;
                    Ok((name, index))
                }
                Err(e) => Err(e),
            },
            None => {
                let (name, index) = self.create_generation()?;
                self.publish(&name)?;
                Ok((name, index))
            }
        }
    }

    /// Opens a named generation.
    pub fn open(&self, name: &str) -> Result<SearchIndex, IndexError> {
        SearchIndex::open(&self.root.join(name))
    }

    /// Creates a new, empty generation (not yet in use).
    pub fn create_generation(&self) -> Result<(String, SearchIndex), IndexError> {
        fs::create_dir_all(&self.root)?;
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let mut name = format!("g-{millis}");
        let mut n = 1;
        while self.root.join(&name).exists() {
            name = format!("g-{millis}-{n}");
            n += 1;
        }
        let index = SearchIndex::open(&self.root.join(&name))?;
        Ok((name, index))
    }

    /// Puts a generation in use (atomically, durably).
    pub fn publish(&self, name: &str) -> Result<(), IndexError> {
        let tmp = self.root.join(format!("{CURRENT}.tmp"));
        {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(name.as_bytes())?;
            file.sync_all()?;
        }
        fs::rename(&tmp, self.root.join(CURRENT))?;
        if let Ok(dir) = fs::File::open(&self.root) {
            // Make the rename itself durable; not every filesystem supports syncing a directory.
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// The generations on disk created before `keep`, by name. A generation created after it
    /// belongs to a rebuild still running and is left alone.
    pub fn older_than(&self, keep: &str) -> Result<Vec<String>, IndexError> {
        let Some(keep_key) = generation_key(keep) else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.path().is_dir() && generation_key(&name).is_some_and(|k| k < keep_key) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Deletes one generation that is no longer in use; `Ok(())` also when it is already gone.
    pub fn remove(&self, name: &str) -> Result<(), IndexError> {
        if !name.starts_with("g-") || name.contains(['/', '\\']) || name.contains("..") {
            return Err(IndexError::from(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a generation name: {name}"),
            )));
        }
        let path = self.root.join(name);
        let result = fs::remove_dir_all(&path);
        // Judged by what is left: a file deleted by someone else mid-way is not a failure, and
        // a directory still there is one even when nothing reported an error.
        if !path.exists() {
            return Ok(());
        }
        Err(match result {
            Err(e) => e.into(),
            Ok(()) => std::io::Error::other(format!("{name} is still there")).into(),
        })
    }

    /// Deletes every generation except `keep`.
    pub fn remove_others(&self, keep: &str) -> Result<usize, IndexError> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("g-") && name != keep && entry.path().is_dir() {
                fs::remove_dir_all(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Marks a rebuild in progress by this process; the mark goes when the guard is dropped.
    pub fn begin_rebuild(&self) -> Result<RebuildGuard, IndexError> {
        fs::create_dir_all(&self.root)?;
        let path = self.root.join(REINDEXING);
        fs::write(&path, std::process::id().to_string())?;
        Ok(RebuildGuard { path })
    }

    /// Whether a rebuild is running (the mark exists and names a live process).
    pub fn rebuild_running(&self) -> bool {
        let Ok(text) = fs::read_to_string(self.root.join(REINDEXING)) else {
            return false;
        };
        match text.trim().parse::<u32>() {
            Ok(pid) => Path::new(&format!("/proc/{pid}")).exists() || !Path::new("/proc").exists(),
            Err(_) => false,
        }
    }
}

/// Orders generation names by creation: `g-{millis}` or `g-{millis}-{n}`.
fn generation_key(name: &str) -> Option<(u128, u32)> {
    let rest = name.strip_prefix("g-")?;
    let (millis, n) = match rest.split_once('-') {
        Some((millis, n)) => (millis, n.parse().ok()?),
        None => (rest, 0),
    };
    Some((millis.parse().ok()?, n))
}

/// Removes the rebuild mark when dropped.
#[derive(Debug)]
pub struct RebuildGuard {
    path: PathBuf,
}

impl Drop for RebuildGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_older_generations_are_retired_and_removal_is_idempotent() {
        let root = std::env::temp_dir().join(format!("cw-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let store = IndexStore::new(&root);
        for name in ["g-100", "g-100-1", "g-200", "g-300", "g-junk", "other"] {
            fs::create_dir_all(root.join(name)).expect("mkdir");
        }
        // A generation made after the published one (a rebuild still running) is kept.
        assert_eq!(
            store.older_than("g-200").expect("list"),
            ["g-100", "g-100-1"]
        );
        assert_eq!(store.older_than("g-100-1").expect("list"), ["g-100"]);
        assert!(
            store
                .older_than("not-a-generation")
                .expect("list")
                .is_empty()
        );
        store.remove("g-100").expect("remove");
        store.remove("g-100").expect("already gone is fine");
        assert!(!root.join("g-100").exists());
        assert!(store.remove("../other").is_err());
        assert!(store.remove("other").is_err());
        assert!(root.join("other").exists());
        let _ = fs::remove_dir_all(&root);
    }
}
