//! sea-orm entities, one module per table. Plain data: rules live in `services`.

pub mod api_token;
pub mod audit_log;
pub mod case;
pub mod case_ground;
pub mod court;
pub mod hearing;
pub mod observation;
pub mod organisation;
pub mod party;
pub mod recovery_code;
pub mod ruling;
pub mod saved_search;
pub mod saved_search_match;
pub mod search_outbox;
pub mod sensitive_term;
pub mod setting;
pub mod sign_in_failure;
pub mod sign_in_link;
pub mod user;
pub mod web_session;
