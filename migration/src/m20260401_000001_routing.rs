//! Routing: the rules that propose the agency responsible for a comment, the calendar's
//! exceptions (make-up working days, extra days off), requests to transfer an assignment or
//! extend its deadline, and in-app notifications.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `routing_rules`, `calendar_days`, `assignment_requests` and `notifications`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoutingRules::Table)
                    .col(pk_uuid(RoutingRules::Id))
                    .col(string(RoutingRules::Name))
                    .col(integer(RoutingRules::Priority))
                    .col(uuid_null(RoutingRules::ConsultationId))
                    .col(string_null(RoutingRules::ConsultationKind))
                    .col(uuid_null(RoutingRules::ClauseStableKey))
                    .col(string_null(RoutingRules::Keyword))
                    .col(uuid_null(RoutingRules::UnitId))
                    .col(string(RoutingRules::Target))
                    .col(uuid_null(RoutingRules::AgencyId))
                    .col(integer_null(RoutingRules::WorkingDays))
                    .col(boolean(RoutingRules::IsActive))
                    .col(timestamp_with_time_zone(RoutingRules::CreatedAt))
                    .col(timestamp_with_time_zone(RoutingRules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_routing_rules_consultation_id")
                            .from(RoutingRules::Table, RoutingRules::ConsultationId)
                            .to(Consultations::Table, Consultations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_routing_rules_unit_id")
                            .from(RoutingRules::Table, RoutingRules::UnitId)
                            .to(AdminUnits::Table, AdminUnits::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_routing_rules_agency_id")
                            .from(RoutingRules::Table, RoutingRules::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarDays::Table)
                    .col(date(CalendarDays::Day).primary_key())
                    .col(boolean(CalendarDays::IsWorkingDay))
                    .col(string(CalendarDays::Note))
                    .col(uuid_null(CalendarDays::CreatedBy))
                    .col(timestamp_with_time_zone(CalendarDays::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssignmentRequests::Table)
                    .col(pk_uuid(AssignmentRequests::Id))
                    .col(uuid(AssignmentRequests::AssignmentId))
                    .col(string(AssignmentRequests::Kind))
                    .col(text(AssignmentRequests::Reason))
                    .col(uuid_null(AssignmentRequests::TargetAgencyId))
                    .col(integer_null(AssignmentRequests::ExtraWorkingDays))
                    .col(string(AssignmentRequests::Status))
                    .col(uuid(AssignmentRequests::RequestedBy))
                    .col(timestamp_with_time_zone(AssignmentRequests::RequestedAt))
                    .col(uuid_null(AssignmentRequests::DecidedBy))
                    .col(timestamp_with_time_zone_null(AssignmentRequests::DecidedAt))
                    .col(text_null(AssignmentRequests::DecisionNote))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assignment_requests_assignment_id")
                            .from(AssignmentRequests::Table, AssignmentRequests::AssignmentId)
                            .to(Assignments::Table, Assignments::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assignment_requests_target_agency_id")
                            .from(
                                AssignmentRequests::Table,
                                AssignmentRequests::TargetAgencyId,
                            )
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignment_requests_status")
                    .table(AssignmentRequests::Table)
                    .col(AssignmentRequests::Status)
                    .col(AssignmentRequests::RequestedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(string(Notifications::Kind))
                    .col(string(Notifications::Title))
                    .col(string(Notifications::Link))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_user_id")
                            .from(Notifications::Table, Notifications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_user_id_created_at")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignments_status_due_on")
                    .table(Assignments::Table)
                    .col(Assignments::Status)
                    .col(Assignments::DueOn)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_assignments_status_due_on")
                    .table(Assignments::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            Notifications::Table.into_iden(),
            AssignmentRequests::Table.into_iden(),
            CalendarDays::Table.into_iden(),
            RoutingRules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RoutingRules {
    Table,
    Id,
    Name,
    Priority,
    ConsultationId,
    ConsultationKind,
    ClauseStableKey,
    Keyword,
    UnitId,
    Target,
    AgencyId,
    WorkingDays,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarDays {
    Table,
    Day,
    IsWorkingDay,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssignmentRequests {
    Table,
    Id,
    AssignmentId,
    Kind,
    Reason,
    TargetAgencyId,
    ExtraWorkingDays,
    Status,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    DecisionNote,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Consultations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AdminUnits {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    Status,
    DueOn,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
