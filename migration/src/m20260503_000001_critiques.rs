//! The Fatherland Front's critique documents ("văn bản phản biện, kiến nghị") on a consultation,
//! the comments and themes they cite, and the lead agency's written reply with its deadline.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `critiques` and `critique_citations`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Critiques::Table)
                    .col(pk_uuid(Critiques::Id))
                    .col(uuid(Critiques::ConsultationId))
                    .col(string(Critiques::Title))
                    .col(text(Critiques::Body))
                    .col(string(Critiques::Status))
                    .col(uuid_null(Critiques::CreatedBy))
                    .col(timestamp_with_time_zone(Critiques::CreatedAt))
                    .col(timestamp_with_time_zone(Critiques::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Critiques::SentAt))
                    .col(date_null(Critiques::DueOn))
                    .col(text_null(Critiques::ReplyBody))
                    .col(uuid_null(Critiques::RepliedBy))
                    .col(timestamp_with_time_zone_null(Critiques::RepliedAt))
                    .col(timestamp_with_time_zone_null(Critiques::OverdueAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critiques_consultation_id")
                            .from(Critiques::Table, Critiques::ConsultationId)
                            .to(Consultations::Table, Consultations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critiques_created_by")
                            .from(Critiques::Table, Critiques::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critiques_replied_by")
                            .from(Critiques::Table, Critiques::RepliedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_critiques_consultation_id")
                    .table(Critiques::Table)
                    .col(Critiques::ConsultationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CritiqueCitations::Table)
                    .col(pk_uuid(CritiqueCitations::Id))
                    .col(uuid(CritiqueCitations::CritiqueId))
                    .col(uuid_null(CritiqueCitations::CommentId))
                    .col(uuid_null(CritiqueCitations::ThemeId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critique_citations_critique_id")
                            .from(CritiqueCitations::Table, CritiqueCitations::CritiqueId)
                            .to(Critiques::Table, Critiques::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critique_citations_comment_id")
                            .from(CritiqueCitations::Table, CritiqueCitations::CommentId)
                            .to(Comments::Table, Comments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_critique_citations_theme_id")
                            .from(CritiqueCitations::Table, CritiqueCitations::ThemeId)
                            .to(Themes::Table, Themes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_critique_citations_critique_id")
                    .table(CritiqueCitations::Table)
                    .col(CritiqueCitations::CritiqueId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CritiqueCitations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Critiques::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Critiques {
    Table,
    Id,
    ConsultationId,
    Title,
    Body,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    SentAt,
    DueOn,
    ReplyBody,
    RepliedBy,
    RepliedAt,
    OverdueAt,
}

#[derive(DeriveIden)]
enum CritiqueCitations {
    Table,
    Id,
    CritiqueId,
    CommentId,
    ThemeId,
}

#[derive(DeriveIden)]
enum Consultations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Themes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
