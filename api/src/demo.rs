//! Fictional demo data (filled in below).
use crate::{error::ServiceError, state::AppState};
/// Loads the demo data set.
pub async fn load(_state: &AppState) -> Result<Option<String>, ServiceError> {
    Ok(None)
}
