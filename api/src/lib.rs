//! courtwatch: a trial-monitoring and case-law research service for discrimination cases.
//!
//! Layers, from the outside in: [`endpoints`] (HTTP, poem-openapi) and [`web`] (pages) → [`services`] (domain rules)
//! → [`entities`] (sea-orm tables). The methodology and the search index are separate crates that
//! know nothing of HTTP or the database.

pub mod access;
pub mod app;
pub mod backup;
pub mod cli;
pub mod config;
pub mod conformance;
pub mod datalock;
pub mod db;
pub mod demo;
pub mod endpoints;
pub mod entities;
pub mod error;
pub mod health;
pub mod index;
pub mod metrics;
pub mod outbox;
pub mod redact;
pub mod search;
pub mod services;
pub mod state;
pub mod web;
