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

/// One file of a release, in the order written: a dataset (streamed from the database when its
/// turn comes) or bytes made beforehand.
enum Content {
    Csv(Dataset),
    Bytes(Vec<u8>),
    /// `SHA256SUMS`: the checksums of the files written before it.
    Sums,
}

impl Content {
    fn or_sums(self, written: &[WrittenFile]) -> Content {
        match self {
            Content::Sums => Content::Bytes(sums(written)),
            other => other,
        }
    }
}

fn io_error(name: &str, e: std::io::Error) -> ServiceError {
    ServiceError::internal_from(format!("cannot write {name}"), e)
}

/// The files of a release with `request`, but `SHA256SUMS` (made from what was written): the
/// five CSV files, `datapackage.json`, `codebook.csv`, `codebook.json`. The folder and the zip
/// are both written from this list, so they hold the same bytes.
fn release(
    state: &AppState,
    request: &ExportRequest,
) -> Result<Vec<(String, Content)>, ServiceError> {
    let methodology = resolve_methodology(state, request.methodology_version)?;
    let mut files: Vec<(String, Content)> = Dataset::ALL
        .into_iter()
        .map(|d| (format!("{}.csv", d.name()), Content::Csv(d)))
        .collect();
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
    files.push(("datapackage.json".into(), Content::Bytes(package)));
    files.push((
        "codebook.csv".into(),
        Content::Bytes(codebook_csv(methodology)?),
    ));
    let codebook_json = serde_json::to_vec_pretty(&codebook_value(methodology))
        .map_err(|e| ServiceError::internal_from("codebook", e))?;
    files.push(("codebook.json".into(), Content::Bytes(codebook_json)));
    Ok(files)
}

/// `SHA256SUMS` of the files written, in `sha256sum -c` format.
fn sums(written: &[WrittenFile]) -> Vec<u8> {
    written
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.name))
        .collect::<String>()
        .into_bytes()
}

/// Writes one file's bytes to `out` as they come, and says what was written.
async fn write_file<W: futures_util::AsyncWrite + Unpin>(
    state: &AppState,
    request: &ExportRequest,
    name: &str,
    content: Content,
    out: &mut W,
    progress: &mut impl FnMut(&str, u64),
) -> Result<WrittenFile, ServiceError> {
    use futures_util::AsyncWriteExt;
    use futures_util::StreamExt;
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    match content {
        Content::Sums => {}
        Content::Bytes(content) => {
            hasher.update(&content);
            bytes = content.len() as u64;
            out.write_all(&content)
                .await
                .map_err(|e| io_error(name, e))?;
        }
        Content::Csv(dataset) => {
            let mut chunks = std::pin::pin!(stream(state, dataset, request.clone())?);
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| ServiceError::internal_from(name.to_string(), e))?;
                hasher.update(&chunk);
                bytes += chunk.len() as u64;
                out.write_all(&chunk).await.map_err(|e| io_error(name, e))?;
                progress(name, bytes);
            }
        }
    }
    Ok(WrittenFile {
        name: name.to_string(),
        bytes,
        sha256: format!("{:x}", hasher.finalize()),
    })
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
    use futures_util::AsyncWriteExt;
    use tokio_util::compat::TokioAsyncWriteCompatExt;

    let io = |path: &std::path::Path, e: std::io::Error| {
        ServiceError::internal_from(format!("cannot write {}", path.display()), e)
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let mut files = release(state, request)?;
    files.push(("SHA256SUMS".into(), Content::Sums));
    for (name, content) in files {
        let content = content.or_sums(&written);
        let part = dir.join(format!("{name}.part"));
        let file = create_private(&part).await.map_err(|e| io(&part, e))?;
        let mut file = file.compat_write();
        let done = write_file(state, request, &name, content, &mut file, &mut progress).await?;
        file.flush().await.map_err(|e| io(&part, e))?;
        let file = file.into_inner();
        file.sync_all().await.map_err(|e| io(&part, e))?;
        drop(file);
        let path = dir.join(&name);
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| io(&path, e))?;
        if name != "SHA256SUMS" {
            written.push(done);
        }
    }
    Ok(written)
}

/// The same release as one zip, written to `out` as it is made (`GET /datasets/package.zip`):
/// the entries hold exactly the bytes [`write_package`] writes to its files, in the same order,
/// stored (not compressed), their sizes and CRCs in data descriptors after their data.
pub async fn write_zip<W: tokio::io::AsyncWrite + Unpin>(
    state: &AppState,
    request: &ExportRequest,
    out: W,
) -> Result<Vec<WrittenFile>, ServiceError> {
    use async_zip::{Compression, ZipEntryBuilder, base::write::ZipFileWriter};
    use futures_util::AsyncWriteExt;

    let zip_error = |e: async_zip::error::ZipError| ServiceError::internal_from("package.zip", e);
    let mut zip = ZipFileWriter::with_tokio(out);
    let mut written = Vec::new();
    let mut files = release(state, request)?;
    files.push(("SHA256SUMS".into(), Content::Sums));
    for (name, content) in files {
        let content = content.or_sums(&written);
        let entry =
            ZipEntryBuilder::new(name.clone().into(), Compression::Stored).unix_permissions(0o600);
        let mut writer = zip.write_entry_stream(entry).await.map_err(zip_error)?;
        let done = write_file(state, request, &name, content, &mut writer, &mut |_, _| {}).await?;
        writer.close().await.map_err(zip_error)?;
        if name != "SHA256SUMS" {
            written.push(done);
        }
    }
    let mut out = zip.close().await.map_err(zip_error)?;
    out.close().await.map_err(|e| io_error("package.zip", e))?;
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

/// The release as a zip streamed to a client: checked first (a bad request is an error before
/// any byte is sent), then written on its own task as the client reads. A failure half-way ends
/// the stream with an error, so the response is cut off rather than ending like a whole file.
pub fn zip_stream(
    state: &AppState,
    request: ExportRequest,
) -> Result<
    impl futures_util::Stream<Item = Result<tokio_util::bytes::Bytes, std::io::Error>> + Send + 'static,
    ServiceError,
> {
    release(state, &request)?;
    // The pipe between the zip writer and the response: large enough that neither waits on
    // the other for every chunk.
    let (writer, reader) = tokio::io::duplex(1 << 20);
    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<String>();
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = write_zip(&state, &request, writer).await {
            tracing::warn!(error = %e, "package.zip failed half-way");
            let _ = failed_tx.send(e.to_string());
        }
    });
    let bytes = tokio_util::io::ReaderStream::with_capacity(reader, 1 << 20);
    Ok(futures_util::stream::unfold(
        (bytes, Some(failed_rx)),
        |(mut bytes, failed)| async move {
            use futures_util::StreamExt;
            match bytes.next().await {
                Some(chunk) => Some((chunk, (bytes, failed))),
                None => match failed?.await {
                    // The writer ended with an error: the client must not take this for a whole
                    // file.
                    Ok(e) => Some((Err(std::io::Error::other(e)), (bytes, None))),
                    Err(_) => None,
                },
            }
        },
    ))
}
