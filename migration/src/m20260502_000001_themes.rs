//! Themes: the subjects moderators group a consultation's comments under for its synthesis.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `themes` and `comment_themes`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Themes::Table)
                    .col(pk_uuid(Themes::Id))
                    .col(uuid(Themes::ConsultationId))
                    .col(string(Themes::Label))
                    .col(uuid_null(Themes::CreatedBy))
                    .col(timestamp_with_time_zone(Themes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_themes_consultation_id")
                            .from(Themes::Table, Themes::ConsultationId)
                            .to(Consultations::Table, Consultations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_themes_created_by")
                            .from(Themes::Table, Themes::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_themes_consultation_label")
                    .table(Themes::Table)
                    .col(Themes::ConsultationId)
                    .col(Themes::Label)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentThemes::Table)
                    .col(uuid(CommentThemes::ThemeId))
                    .col(uuid(CommentThemes::CommentId))
                    .col(timestamp_with_time_zone(CommentThemes::CreatedAt))
                    .primary_key(
                        Index::create()
                            .name("pk_comment_themes")
                            .col(CommentThemes::ThemeId)
                            .col(CommentThemes::CommentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comment_themes_theme_id")
                            .from(CommentThemes::Table, CommentThemes::ThemeId)
                            .to(Themes::Table, Themes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comment_themes_comment_id")
                            .from(CommentThemes::Table, CommentThemes::CommentId)
                            .to(Comments::Table, Comments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comment_themes_comment_id")
                    .table(CommentThemes::Table)
                    .col(CommentThemes::CommentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CommentThemes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Themes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Themes {
    Table,
    Id,
    ConsultationId,
    Label,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CommentThemes {
    Table,
    ThemeId,
    CommentId,
    CreatedAt,
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
enum Users {
    Table,
    Id,
}
