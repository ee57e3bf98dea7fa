//! A whole dataset release written to a folder (`courtwatch export`): the five files, the
//! codebook, the Data Package and their checksums.

use super::{
    Dataset, ExportRequest,
    codebook::{PackageOptions, codebook_csv, codebook_value, datapackage},
    resolve_methodology, stream,
};
use crate::{error::ServiceError, state::AppState};

/// A file written by [`write_package`].
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// File name inside the folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Writes a whole dataset release into `dir`: the five CSV files, `datapackage.json`,
/// `codebook.csv`, `codebook.json` and `SHA256SUMS` (in `sha256sum -c` format). Each file is
/// written as `<name>.part` and renamed when complete, so a failed export leaves no file that
/// looks whole. `progress(file, bytes_so_far)` is called as data arrives.
pub async fn write_package(
    state: &AppState,
    dir: &std::path::Path,
    request: &ExportRequest,
    mut progress: impl FnMut(&str, u64),
) -> Result<Vec<WrittenFile>, ServiceError> {
    use futures_util::StreamExt;
    use sha2::{Digest, Sha256};
    use tokio::io::AsyncWriteExt;

    let io = |path: &std::path::Path, e: std::io::Error| {
        ServiceError::internal_from(format!("cannot write {}", path.display()), e)
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let put = async |name: &str, content: Vec<u8>| -> Result<WrittenFile, ServiceError> {
        let part = dir.join(format!("{name}.part"));
        let mut file = create_private(&part).await.map_err(|e| io(&part, e))?;
        file.write_all(&content).await.map_err(|e| io(&part, e))?;
        file.sync_all().await.map_err(|e| io(&part, e))?;
        drop(file);
        let path = dir.join(name);
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| io(&path, e))?;
        Ok(WrittenFile {
            name: name.to_string(),
            bytes: content.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&content)),
        })
    };
    for dataset in Dataset::ALL {
        let name = format!("{}.csv", dataset.name());
        let part = dir.join(format!("{name}.part"));
        let mut file = create_private(&part).await.map_err(|e| io(&part, e))?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut chunks = std::pin::pin!(stream(state, dataset, request.clone())?);
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| ServiceError::internal_from(name.to_string(), e))?;
            hasher.update(&chunk);
            bytes += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| io(&part, e))?;
            progress(&name, bytes);
        }
        file.flush().await.map_err(|e| io(&part, e))?;
        file.sync_all().await.map_err(|e| io(&part, e))?;
        drop(file);
        let path = dir.join(&name);
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| io(&path, e))?;
        written.push(WrittenFile {
            name,
            bytes,
            sha256: format!("{:x}", hasher.finalize()),
        });
    }
    let methodology = resolve_methodology(state, request.methodology_version)?;
    let package = datapackage(
        state,
        &PackageOptions {
            methodology_version: request.methodology_version,
            labels: request.labels,
            bom: request.bom,
            full_text: request.full_text,
        },
    )?;
    let package = serde_json::to_vec_pretty(&package)
        .map_err(|e| ServiceError::internal_from("datapackage", e))?;
    written.push(put("datapackage.json", package).await?);
    written.push(put("codebook.csv", codebook_csv(methodology)?).await?);
    let codebook_json = serde_json::to_vec_pretty(&codebook_value(methodology))
        .map_err(|e| ServiceError::internal_from("codebook", e))?;
    written.push(put("codebook.json", codebook_json).await?);
    let sums: String = written
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.name))
        .collect();
    put("SHA256SUMS", sums.into_bytes()).await?;
    Ok(written)
}

/// A new file readable by its owner alone (0600: the datasets describe people), created where
/// nothing is: whatever stands at `path` (a stale `.part`, or a symbolic link someone placed
/// there) is removed first, and the file is created exclusively, so no link is ever followed.
/// Renaming it into place then replaces a link at the final name instead of writing through it.
async fn create_private(path: &std::path::Path) -> std::io::Result<tokio::fs::File> {
    if tokio::fs::symlink_metadata(path).await.is_ok() {
        tokio::fs::remove_file(path).await?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}
