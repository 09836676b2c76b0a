//! Migrations go up, down and up again on both databases.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

use crate::helpers::TestDb;

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::create(dir.path()).await;
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap();
    assert!(!applied.is_empty());
    db.execute_unprepared("SELECT count(*) FROM comments")
        .await
        .unwrap();

    Migrator::down(&db, None).await.unwrap();
    assert!(
        Migrator::get_applied_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.execute_unprepared("SELECT count(*) FROM comments")
            .await
            .is_err(),
        "tables are gone after down"
    );

    Migrator::up(&db, None).await.unwrap();
    db.execute_unprepared("SELECT count(*) FROM audit_events")
        .await
        .unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    db.close().await.unwrap();
}
