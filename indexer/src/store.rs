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

use crate::{error::IndexError, index::SearchIndex};

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
                Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(_))) => {
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
