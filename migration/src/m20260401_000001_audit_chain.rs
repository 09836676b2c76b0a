//! The audit chain's indexes: no fork, daily heads by time, an object's history.

use sea_orm_migration::prelude::*;

/// Adds the indexes of `audit_events`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Two events can never follow the same one: if the writers' lock ever failed, the
        // second insert would be refused instead of forking the chain silently.
        manager
            .create_index(
                Index::create()
                    .name("uq_audit_events_prev_hash")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::PrevHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The last event before a given time (the head of each day).
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_occurred_at")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        // The events of one object (a comment's submission event for its receipt).
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_entity")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::EntityType)
                    .col(AuditEvents::EntityId)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_audit_events_entity",
            "idx_audit_events_occurred_at",
            "uq_audit_events_prev_hash",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(AuditEvents::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    PrevHash,
    OccurredAt,
    EntityType,
    EntityId,
}
