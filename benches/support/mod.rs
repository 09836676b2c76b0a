//! What the benchmarks share: a scratch PostgreSQL database, created for one run and dropped
//! after it.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A database created on a PostgreSQL server for one benchmark run.
pub struct ScratchDatabase {
    admin: DatabaseConnection,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates a database named `<prefix>_<uuid>` on the server `server` (a URL naming any
    /// database the user may connect to).
    pub async fn create(server: &str, prefix: &str) -> Self {
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        let admin = Database::connect(server)
            .await
            .expect("connect to the server");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the scratch database");
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        let url = format!("{base}/{name}");
        Self { admin, name, url }
    }

    /// Drops the database (closing the connections still open to it).
    pub async fn drop_now(self) {
        self.admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .expect("drop the scratch database");
    }
}
