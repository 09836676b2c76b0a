//! Runs the migrations up, down and up again against real databases.
//!
//! SQLite (in memory) is always tested. PostgreSQL is tested when
//! `GOPY_TEST_POSTGRES_URL` points at a scratch database, which this test
//! empties.

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Every table created by the initial migration.
const TABLES: [&str; 22] = [
    "admin_units",
    "unit_successions",
    "agencies",
    "agency_units",
    "organizations",
    "users",
    "sessions",
    "api_tokens",
    "consultations",
    "consultation_units",
    "clauses",
    "documents",
    "campaigns",
    "comments",
    "comment_revisions",
    "comment_attachments",
    "endorsements",
    "moderation_decisions",
    "assignments",
    "agency_responses",
    "audit_events",
    "outbox",
];

async fn existing_tables(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    let manager = SchemaManager::new(db);
    let mut found = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await? {
            found.push(table);
        }
    }
    Ok(found)
}

async fn up_down_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    assert_eq!(existing_tables(db).await?, TABLES.to_vec());
    let manager = SchemaManager::new(db);
    assert!(
        manager
            .has_index("comments", "uq_comments_author_id_idempotency_key")
            .await?
    );
    assert!(
        manager
            .has_index("outbox", "idx_outbox_processed_at_seq")
            .await?
    );

    Migrator::down(db, None).await?;
    assert!(existing_tables(db).await?.is_empty());

    Migrator::up(db, None).await?;
    assert_eq!(existing_tables(db).await?, TABLES.to_vec());
    Ok(())
}

#[tokio::test]
async fn sqlite_up_down_up() -> Result<(), DbErr> {
    // One connection only: every in-memory SQLite connection is its own
    // database.
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await?;
    up_down_up(&db).await
}

#[tokio::test]
async fn postgres_up_down_up() -> Result<(), DbErr> {
    let Ok(url) = std::env::var("GOPY_TEST_POSTGRES_URL") else {
        eprintln!("GOPY_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
        return Ok(());
    };
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    let db = Database::connect(options).await?;
    Migrator::reset(&db).await?;
    up_down_up(&db).await?;
    Migrator::reset(&db).await
}
