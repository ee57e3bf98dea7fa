//! Domain services: the rules for each resource, free of HTTP. Endpoints call these; so do the
//! command line and the demo-data loader.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod case;
pub mod caselaw;
pub mod common;
pub mod court;
pub mod export;
pub mod figures;
pub mod hearing;
pub mod hearing_facts;
pub mod import;
pub mod library;
pub mod observation;
pub mod organisation;
pub mod party;
pub mod preview;
pub mod review;
pub mod ruling;
pub mod saved;
pub mod search;
pub mod sensitive;
pub mod settings;
pub mod stats;
pub mod two_factor;
pub mod users;
