//! Integration tests over real HTTP, one module per resource. Every test runs on a fresh SQLite
//! database, and again on a fresh PostgreSQL database when `COURTWATCH_TEST_POSTGRES` is set.

mod access;
mod admin;
mod backup;
mod browser;
mod cases;
mod cases_web;
mod crash;
mod datasets;
mod demo;
mod errors;
mod glossary;
mod hardening;
mod isolation;
mod languages;
mod methodology;
mod new_version;
mod observations;
mod offline;
mod openapi;
mod parties_hearings;
mod recording;
mod redaction;
mod redaction_corpus;
mod redaction_fields;
mod reindex;
mod review;
mod rulings;
mod schemathesis;
mod search;
mod search_web;
mod statistics_web;
mod stats;
mod tokens;
mod users;
mod web;
