//! Moderation: what the screening found in each comment, the comment's near-duplicate
//! fingerprint, and the reason of its latest decision (for the public counts by reason).

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `comment_flags`, `comments.fingerprint` and `comments.status_reason`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .add_column(big_integer_null(Comments::Fingerprint))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .add_column(string_null(Comments::StatusReason))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentFlags::Table)
                    .col(pk_uuid(CommentFlags::Id))
                    .col(uuid(CommentFlags::CommentId))
                    .col(string(CommentFlags::Kind))
                    .col(integer(CommentFlags::StartChar))
                    .col(integer(CommentFlags::EndChar))
                    .col(text(CommentFlags::Excerpt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comment_flags_comment_id")
                            .from(CommentFlags::Table, CommentFlags::CommentId)
                            .to(Comments::Table, Comments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comment_flags_comment_id")
                    .table(CommentFlags::Table)
                    .col(CommentFlags::CommentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comment_flags_kind_comment_id")
                    .table(CommentFlags::Table)
                    .col(CommentFlags::Kind)
                    .col(CommentFlags::CommentId)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CommentFlags::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .drop_column(Comments::StatusReason)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Comments::Table)
                    .drop_column(Comments::Fingerprint)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CommentFlags {
    Table,
    Id,
    CommentId,
    Kind,
    StartChar,
    EndChar,
    Excerpt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    Fingerprint,
    StatusReason,
}
