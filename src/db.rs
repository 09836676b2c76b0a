//! Database connection: SQLite (embedded default) or PostgreSQL, chosen by the URL scheme.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use secrecy::ExposeSecret;

use crate::config::Settings;

/// Opens a connection pool for the configured database.
///
/// SQLite runs in WAL mode with `synchronous=FULL`, so an acknowledged write survives a crash or
/// a power cut, with foreign keys enforced and a busy timeout instead of instant lock errors.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let url = settings.database_url.expose_secret().to_owned();
    if settings.is_sqlite()
        && let Some(parent) = sqlite_file(&url).and_then(|p| p.parent().map(ToOwned::to_owned))
    {
        std::fs::create_dir_all(&parent).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create database directory {}: {e}",
                parent.display()
            ))
        })?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    Database::connect(options).await
}

/// Applies all pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The file path in a `sqlite://` URL, if any (not for in-memory databases).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Begins a transaction that will write.
///
/// On SQLite it takes the write lock at `BEGIN` (`BEGIN IMMEDIATE`): a deferred transaction that
/// reads first and writes later fails at once with `SQLITE_BUSY_SNAPSHOT` when another writer
/// committed in between, which the busy timeout cannot cure. PostgreSQL ignores the mode.
pub async fn begin_write<C: sea_orm::TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
