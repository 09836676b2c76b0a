//! Database schema migrations for gopy.
//!
//! The schema is managed with `sea-orm-migration` and must behave the same on
//! SQLite and PostgreSQL. This crate deliberately does not depend on the
//! `entity` crate: migrations describe the schema as it was at the time they
//! were written, whereas entities always describe the current schema.

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_initial;
mod m20260201_000001_accounts;
mod m20260301_000001_moderation;
mod m20260401_000001_audit_chain;
mod m20260401_000001_routing;
mod m20260501_000001_acceptance;
mod m20260502_000001_themes;
mod m20260503_000001_critiques;

/// Runs every gopy migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_initial::Migration),
            Box::new(m20260201_000001_accounts::Migration),
            Box::new(m20260301_000001_moderation::Migration),
            Box::new(m20260401_000001_routing::Migration),
            Box::new(m20260401_000001_audit_chain::Migration),
            Box::new(m20260501_000001_acceptance::Migration),
            Box::new(m20260502_000001_themes::Migration),
            Box::new(m20260503_000001_critiques::Migration),
        ]
    }
}
