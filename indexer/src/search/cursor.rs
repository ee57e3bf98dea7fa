//! The cursor of keyset paging: the position after a page's last hit, tied to its search.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::SearchRequest;
use crate::error::IndexError;

/// Position after the last hit of a page.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct CursorData {
    /// Hash of the search it belongs to.
    pub(super) s: u64,
    /// Primary sort value of the last hit.
    pub(super) p: f64,
    /// Key hash of the last hit.
    pub(super) k: u64,
}

/// Identifies a search (query, mode, filters, order) so that a cursor cannot be replayed on
/// another search by mistake. The viewer is left out: the same search by a colleague may page on.
pub(super) fn signature(request: &SearchRequest) -> u64 {
    let f = &request.filters;
    let text = format!(
        "{}\u{1}{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{}\u{1}{:?}",
        request.query,
        request.exact,
        request.sort,
        f.kinds,
        f.jurisdictions,
        f.courts,
        f.grounds,
        f.proceeding_types,
        f.outcomes,
        f.languages,
        f.case_ids,
        f.date_from,
        f.date_to,
        f.match_all,
        f.ids
    );
    crate::index::key_hash(&text)
}

pub(super) fn encode_cursor(data: CursorData) -> String {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&data.s.to_be_bytes());
    bytes.extend_from_slice(&data.p.to_bits().to_be_bytes());
    bytes.extend_from_slice(&data.k.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn decode_cursor(text: &str, signature: u64) -> Result<CursorData, IndexError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| IndexError::cursor("it is not a cursor this service handed out"))?;
    let word = |i: usize| -> Option<u64> {
        bytes
            .get(i * 8..i * 8 + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
    };
    match (bytes.len(), word(0), word(1), word(2)) {
        (24, Some(s), Some(p), Some(k)) => {
            if s != signature {
                return Err(IndexError::cursor(
                    "it belongs to a different search (query, filters or order changed)",
                ));
            }
            Ok(CursorData {
                s,
                p: f64::from_bits(p),
                k,
            })
        }
        _ => Err(IndexError::cursor(
            "it is not a cursor this service handed out",
        )),
    }
}
