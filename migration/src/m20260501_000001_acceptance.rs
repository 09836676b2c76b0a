//! Signed-off acceptance tables: each version a lead agency signs, and its rows frozen as
//! signed.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `acceptance_signoffs` and `acceptance_rows`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AcceptanceSignoffs::Table)
                    .col(pk_uuid(AcceptanceSignoffs::Id))
                    .col(uuid(AcceptanceSignoffs::ConsultationId))
                    .col(integer(AcceptanceSignoffs::Version))
                    .col(string(AcceptanceSignoffs::ContentHash))
                    .col(big_integer(AcceptanceSignoffs::RowCount))
                    .col(uuid_null(AcceptanceSignoffs::SignedBy))
                    .col(timestamp_with_time_zone(AcceptanceSignoffs::SignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_acceptance_signoffs_consultation_id")
                            .from(
                                AcceptanceSignoffs::Table,
                                AcceptanceSignoffs::ConsultationId,
                            )
                            .to(Consultations::Table, Consultations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_acceptance_signoffs_signed_by")
                            .from(AcceptanceSignoffs::Table, AcceptanceSignoffs::SignedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_acceptance_signoffs_consultation_version")
                    .table(AcceptanceSignoffs::Table)
                    .col(AcceptanceSignoffs::ConsultationId)
                    .col(AcceptanceSignoffs::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcceptanceRows::Table)
                    .col(uuid(AcceptanceRows::SignoffId))
                    .col(big_integer(AcceptanceRows::Number))
                    .col(text(AcceptanceRows::Clause))
                    .col(text(AcceptanceRows::Commenter))
                    .col(string(AcceptanceRows::GroupKind))
                    .col(string(AcceptanceRows::TrackingCode))
                    .col(big_integer(AcceptanceRows::CommentCount))
                    .col(text(AcceptanceRows::Content))
                    .col(string_null(AcceptanceRows::Disposition))
                    .col(text(AcceptanceRows::Explanation))
                    .primary_key(
                        Index::create()
                            .name("pk_acceptance_rows")
                            .col(AcceptanceRows::SignoffId)
                            .col(AcceptanceRows::Number),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_acceptance_rows_signoff_id")
                            .from(AcceptanceRows::Table, AcceptanceRows::SignoffId)
                            .to(AcceptanceSignoffs::Table, AcceptanceSignoffs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AcceptanceRows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AcceptanceSignoffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AcceptanceSignoffs {
    Table,
    Id,
    ConsultationId,
    Version,
    ContentHash,
    RowCount,
    SignedBy,
    SignedAt,
}

#[derive(DeriveIden)]
enum AcceptanceRows {
    Table,
    SignoffId,
    Number,
    Clause,
    Commenter,
    GroupKind,
    TrackingCode,
    CommentCount,
    Content,
    Disposition,
    Explanation,
}

#[derive(DeriveIden)]
enum Consultations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
