//! The search index lives here (issue 3). This crate depends on neither poem nor sea-orm.
