//! Database migrations. The same migrations build the SQLite and the PostgreSQL schema; they use
//! only portable column types (text ids, timestamps, dates, text) so both backends behave alike.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_core;
mod m20261121_000002_search_outbox;
mod m20261122_000003_review_audit;
mod m20261123_000004_sensitive_terms;
mod m20261201_000005_user_deactivation;
mod m20261202_000006_scoped_uniqueness;
mod m20261203_000007_organisation_wide_terms;
mod m20261204_000008_web_sign_in;
mod m20261205_000009_administration;
mod m20261206_000010_record_versions;
mod m20261207_000011_saved_searches;

/// Every migration, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_core::Migration),
            Box::new(m20261121_000002_search_outbox::Migration),
            Box::new(m20261122_000003_review_audit::Migration),
            Box::new(m20261123_000004_sensitive_terms::Migration),
            Box::new(m20261201_000005_user_deactivation::Migration),
            Box::new(m20261202_000006_scoped_uniqueness::Migration),
            Box::new(m20261203_000007_organisation_wide_terms::Migration),
            Box::new(m20261204_000008_web_sign_in::Migration),
            Box::new(m20261205_000009_administration::Migration),
            Box::new(m20261206_000010_record_versions::Migration),
            Box::new(m20261207_000011_saved_searches::Migration),
        ]
    }
}
