//! The entities match the schema created by the migration, on both databases.
//!
//! One row is written to and read back from every table, then relations,
//! unique indexes and `ON DELETE` rules are exercised.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::*;
use entity::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::entity::prelude::*;
use sea_orm::{
    ActiveValue::Set, Database, DatabaseConnection, ExprTrait, IntoActiveModel, JoinType,
    QueryOrder, QuerySelect, Statement,
};
use serde_json::json;

/// Inserts `$model` into `$module`'s table, checks that the database returns
/// it unchanged and that it can be read back, and evaluates to the model.
macro_rules! roundtrip {
    ($db:expr, $module:ident, $model:expr) => {{
        let model: $module::Model = $model;
        let inserted = model
            .clone()
            .into_active_model()
            .reset_all()
            .insert($db)
            .await?;
        assert_eq!(inserted, model, "insert into {}", stringify!($module));
        let all = $module::Entity::find().all($db).await?;
        assert!(
            all.contains(&model),
            "read back from {}",
            stringify!($module)
        );
        model
    }};
}

fn at(seconds: i64) -> DateTimeUtc {
    DateTime::<Utc>::from_timestamp(1_767_225_600 + seconds, 123_456_000).expect("valid timestamp")
}

fn day(y: i32, m: u32, d: u32) -> Date {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

async fn exercise(db: &DatabaseConnection) -> Result<(), DbErr> {
    // Administrative units and their history.
    let city = roundtrip!(
        db,
        admin_units,
        admin_units::Model {
            id: Uuid::now_v7(),
            code: Some("79".into()),
            name: "Hồ Chí Minh".into(),
            unit_type: "Thành phố".into(),
            level: UnitLevel::Province,
            parent_id: None,
            valid_from: day(1976, 7, 2),
            valid_to: None,
            lat: Some(10.776_889),
            lon: Some(106.700_806),
            area_km2: Some(6_772.59),
        }
    );
    let district = roundtrip!(
        db,
        admin_units,
        admin_units::Model {
            id: Uuid::now_v7(),
            code: None,
            name: "1".into(),
            unit_type: "Quận".into(),
            level: UnitLevel::District,
            parent_id: Some(city.id),
            valid_from: day(1976, 7, 2),
            valid_to: Some(day(2025, 6, 30)),
            lat: None,
            lon: None,
            area_km2: None,
        }
    );
    let old_ward = roundtrip!(
        db,
        admin_units,
        admin_units::Model {
            id: Uuid::now_v7(),
            code: Some("26740".into()),
            name: "Nguyễn Thái Bình".into(),
            unit_type: "Phường".into(),
            level: UnitLevel::Commune,
            parent_id: Some(district.id),
            valid_from: day(1976, 7, 2),
            valid_to: Some(day(2025, 6, 30)),
            lat: None,
            lon: None,
            area_km2: Some(0.49),
        }
    );
    let ward = roundtrip!(
        db,
        admin_units,
        admin_units::Model {
            id: Uuid::now_v7(),
            code: Some("26734".into()),
            name: "Bến Thành".into(),
            unit_type: "Phường".into(),
            level: UnitLevel::Commune,
            parent_id: Some(city.id),
            valid_from: day(2025, 7, 1),
            valid_to: None,
            lat: Some(10.772),
            lon: Some(106.698),
            area_km2: None,
        }
    );
    roundtrip!(
        db,
        unit_successions,
        unit_successions::Model {
            predecessor_id: old_ward.id,
            successor_id: ward.id,
        }
    );

    // Agencies, organisations, accounts.
    let committee = roundtrip!(
        db,
        agencies,
        agencies::Model {
            id: Uuid::now_v7(),
            code: "UBND-TP".into(),
            name: "Ủy ban nhân dân Thành phố".into(),
            name_en: Some("City People's Committee".into()),
            kind: AgencyKind::CityCommittee,
            email: None,
            phone: None,
            parent_id: None,
            valid_from: day(1976, 7, 2),
            valid_to: None,
            created_at: at(0),
        }
    );
    let department = roundtrip!(
        db,
        agencies,
        agencies::Model {
            id: Uuid::now_v7(),
            code: "SXD".into(),
            name: "Sở Xây dựng".into(),
            name_en: None,
            kind: AgencyKind::Department,
            email: Some("sxd@example.org".into()),
            phone: Some("028 0000 0000".into()),
            parent_id: Some(committee.id),
            valid_from: day(2000, 1, 1),
            valid_to: None,
            created_at: at(1),
        }
    );
    roundtrip!(
        db,
        agency_units,
        agency_units::Model {
            agency_id: department.id,
            unit_id: ward.id,
        }
    );
    let front = roundtrip!(
        db,
        organizations,
        organizations::Model {
            id: Uuid::now_v7(),
            code: "MTTQ".into(),
            name: "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố".into(),
            name_en: None,
            kind: OrganizationKind::FatherlandFront,
            email: None,
            valid_from: day(1976, 7, 2),
            valid_to: None,
            created_at: at(2),
        }
    );
    let user = |email: &str, role: Role| users::Model {
        id: Uuid::now_v7(),
        email: email.into(),
        phone: None,
        display_name: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        agency_id: None,
        organization_id: None,
        email_verified_at: Some(at(3)),
        is_active: true,
        failed_logins: 0,
        locked_until: None,
        created_at: at(3),
        updated_at: at(3),
        deleted_at: None,
    };
    let resident = roundtrip!(db, users, user("an@example.org", Role::Resident));
    let officer = roundtrip!(
        db,
        users,
        users::Model {
            agency_id: Some(department.id),
            ..user("officer@example.org", Role::AgencyOfficer)
        }
    );
    let moderator = roundtrip!(db, users, user("mod@example.org", Role::Moderator));
    let rep = roundtrip!(
        db,
        users,
        users::Model {
            organization_id: Some(front.id),
            failed_logins: 2,
            locked_until: Some(at(60)),
            ..user("rep@example.org", Role::OrganizationRep)
        }
    );
    let session = roundtrip!(
        db,
        sessions,
        sessions::Model {
            id: "5f1d0c3e".into(),
            user_id: resident.id,
            csrf_token: "csrf".into(),
            created_at: at(4),
            last_seen_at: at(5),
            expires_at: at(86_400),
            user_agent: Some("Mozilla/5.0".into()),
            ip: Some("203.0.113.7".into()),
        }
    );
    roundtrip!(
        db,
        api_tokens,
        api_tokens::Model {
            id: Uuid::now_v7(),
            user_id: rep.id,
            name: "import script".into(),
            token_hash: "9b74c9897bac770f".into(),
            created_at: at(4),
            last_used_at: None,
            revoked_at: None,
        }
    );

    // A consultation and its content.
    let consultation = roundtrip!(
        db,
        consultations,
        consultations::Model {
            id: Uuid::now_v7(),
            title: "Điều chỉnh quy hoạch khu trung tâm".into(),
            summary: "Tóm tắt".into(),
            body: "Nội dung".into(),
            kind: ConsultationKind::ZoningPlan,
            lead_agency_id: department.id,
            legal_basis: "Luật Quy hoạch đô thị và nông thôn".into(),
            opens_at: at(10),
            closes_at: at(10 + 30 * 86_400),
            short_window_reason: None,
            status: ConsultationStatus::Open,
            version: 1,
            previous_version_id: None,
            area_geojson: Some(json!({"type": "Point", "coordinates": [106.698, 10.772]})),
            created_by: Some(officer.id),
            published_at: Some(at(10)),
            created_at: at(6),
            updated_at: at(10),
        }
    );
    roundtrip!(
        db,
        consultation_units,
        consultation_units::Model {
            consultation_id: consultation.id,
            unit_id: ward.id,
        }
    );
    let chapter = roundtrip!(
        db,
        clauses,
        clauses::Model {
            id: Uuid::now_v7(),
            consultation_id: consultation.id,
            parent_id: None,
            stable_key: Uuid::now_v7(),
            level: ClauseLevel::Chuong,
            number: "I".into(),
            heading: Some("Quy định chung".into()),
            body: String::new(),
            position: 0,
        }
    );
    let article = roundtrip!(
        db,
        clauses,
        clauses::Model {
            id: Uuid::now_v7(),
            consultation_id: consultation.id,
            parent_id: Some(chapter.id),
            stable_key: Uuid::now_v7(),
            level: ClauseLevel::Dieu,
            number: "5".into(),
            heading: None,
            body: "Chiều cao tối đa 40 tầng.".into(),
            position: 1,
        }
    );
    roundtrip!(
        db,
        documents,
        documents::Model {
            id: Uuid::now_v7(),
            consultation_id: consultation.id,
            file_name: "ban-do.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 5_000_000_000,
            storage_key: "documents/ban-do.pdf".into(),
            sha256: "e3b0c44298fc1c149afbf4c8996fb924".into(),
            uploaded_by: Some(officer.id),
            created_at: at(7),
        }
    );
    let campaign = roundtrip!(
        db,
        campaigns,
        campaigns::Model {
            id: Uuid::now_v7(),
            consultation_id: consultation.id,
            label: Some("Giữ lại công viên".into()),
            created_at: at(20),
        }
    );

    // Comments and their processing.
    let online = roundtrip!(
        db,
        comments,
        comments::Model {
            id: Uuid::now_v7(),
            tracking_code: "GY-7K3M-9Q".into(),
            consultation_id: consultation.id,
            clause_id: Some(article.id),
            author_id: Some(resident.id),
            organization_id: None,
            author_name: None,
            channel: Channel::Online,
            entered_by: None,
            stance: Stance::Oppose,
            body: "Quá cao so với khu phố cũ.".into(),
            consent: Consent::PublicNamed,
            status: CommentStatus::Approved,
            public_body: Some("Quá cao so với khu phố cũ.".into()),
            unit_id: Some(ward.id),
            lat: Some(10.7721),
            lon: Some(106.6983),
            campaign_id: Some(campaign.id),
            idempotency_key: Some("k-1".into()),
            created_at: at(11),
            updated_at: at(12),
            moderated_at: Some(at(12)),
            fingerprint: Some(-7_301_234_567_890_123_456),
            status_reason: None,
        }
    );
    let paper = roundtrip!(
        db,
        comments,
        comments::Model {
            id: Uuid::now_v7(),
            tracking_code: "GY-2B8D-4H".into(),
            consultation_id: consultation.id,
            clause_id: None,
            author_id: None,
            organization_id: Some(front.id),
            author_name: Some("Trần Văn B".into()),
            channel: Channel::PaperForm,
            entered_by: Some(officer.id),
            stance: Stance::Suggest,
            body: "Đề nghị thêm cây xanh.".into(),
            consent: Consent::PublicAnonymous,
            status: CommentStatus::Pending,
            public_body: None,
            unit_id: None,
            lat: None,
            lon: None,
            campaign_id: None,
            idempotency_key: Some("k-1".into()),
            created_at: at(13),
            updated_at: at(13),
            moderated_at: None,
            fingerprint: Some(-7_301_234_567_890_123_456),
            status_reason: None,
        }
    );
    roundtrip!(
        db,
        comment_revisions,
        comment_revisions::Model {
            id: Uuid::now_v7(),
            comment_id: online.id,
            stance: Stance::Question,
            clause_id: Some(article.id),
            body: "Bản cũ".into(),
            edited_at: at(12),
        }
    );
    roundtrip!(
        db,
        comment_attachments,
        comment_attachments::Model {
            id: Uuid::now_v7(),
            comment_id: online.id,
            file_name: "anh.jpg".into(),
            content_type: "image/jpeg".into(),
            size_bytes: 123_456,
            storage_key: "attachments/anh.jpg".into(),
            sha256: "2c26b46b68ffc68ff99b453c1d304134".into(),
            created_at: at(11),
        }
    );
    roundtrip!(
        db,
        comment_flags,
        comment_flags::Model {
            id: Uuid::now_v7(),
            comment_id: online.id,
            kind: "phone".into(),
            start_char: 12,
            end_char: 24,
            excerpt: "0912 345 678".into(),
        }
    );
    roundtrip!(
        db,
        endorsements,
        endorsements::Model {
            comment_id: online.id,
            user_id: rep.id,
            created_at: at(30),
        }
    );
    roundtrip!(
        db,
        moderation_decisions,
        moderation_decisions::Model {
            id: Uuid::now_v7(),
            comment_id: online.id,
            moderator_id: moderator.id,
            decision: Decision::Merge,
            reason_code: None,
            note: Some("Trùng với chiến dịch".into()),
            redactions: Some(json!([{"start": 0, "end": 3, "reason": "phone"}])),
            created_at: at(12),
        }
    );
    let assignment = roundtrip!(
        db,
        assignments,
        assignments::Model {
            id: Uuid::now_v7(),
            comment_id: online.id,
            agency_id: department.id,
            is_lead: true,
            status: AssignmentStatus::Answered,
            assigned_by: Some(moderator.id),
            assigned_at: at(13),
            due_on: day(2026, 2, 15),
            reminded_at: None,
            overdue_at: None,
            escalated_at: None,
            answered_at: Some(at(40)),
        }
    );
    roundtrip!(
        db,
        agency_responses,
        agency_responses::Model {
            id: Uuid::now_v7(),
            assignment_id: assignment.id,
            comment_id: online.id,
            agency_id: department.id,
            officer_id: Some(officer.id),
            disposition: Disposition::PartiallyAccepted,
            body: "Giảm xuống 30 tầng.".into(),
            created_at: at(40),
        }
    );

    // Append-only logs: the database assigns `seq`.
    let mut seqs = Vec::new();
    for n in 0..2 {
        let event = audit_events::ActiveModel {
            id: Set(Uuid::now_v7()),
            occurred_at: Set(at(50 + n)),
            actor_id: Set(Some(moderator.id)),
            action: Set("comment.approve".into()),
            entity_type: Set("comment".into()),
            entity_id: Set(online.id.to_string()),
            payload: Set(json!({"n": n})),
            prev_hash: Set(format!("prev{n}")),
            hash: Set(format!("hash{n}")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        assert_eq!(event.payload, json!({"n": n}));
        seqs.push(event.seq);
        let message = outbox::ActiveModel {
            topic: Set("mail.comment_answered".into()),
            aggregate_type: Set("comment".into()),
            aggregate_id: Set(online.id.to_string()),
            payload: Set(json!({"to": "an@example.org"})),
            created_at: Set(at(50)),
            available_at: Set(at(50)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        assert_eq!(message.attempts, 0, "default applied");
        assert_eq!(message.processed_at, None);
        seqs.push(message.seq);
    }
    assert!(seqs[0] < seqs[2] && seqs[1] < seqs[3], "{seqs:?}");
    let pending = outbox::Entity::find()
        .filter(outbox::Column::ProcessedAt.is_null())
        .order_by_asc(outbox::Column::Seq)
        .all(db)
        .await?;
    assert_eq!(pending.len(), 2);

    // Enumerations are stored as their snake_case strings.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT status, channel FROM comments WHERE tracking_code = 'GY-2B8D-4H'",
        ))
        .await?
        .expect("comment row");
    assert_eq!(row.try_get::<String>("", "status")?, "pending");
    assert_eq!(row.try_get::<String>("", "channel")?, "paper_form");
    let found = comments::Entity::find()
        .filter(comments::Column::Status.eq(CommentStatus::Pending))
        .all(db)
        .await?;
    assert_eq!(found, vec![paper.clone()]);

    // Relations.
    let agencies_of_ward = ward.find_related(agencies::Entity).all(db).await?;
    assert_eq!(agencies_of_ward, vec![department.clone()]);
    let units = consultation
        .find_related(admin_units::Entity)
        .all(db)
        .await?;
    assert_eq!(units, vec![ward.clone()]);
    let children = admin_units::Entity::find()
        .join_as(
            JoinType::InnerJoin,
            admin_units::Relation::Children.def(),
            "child",
        )
        .filter(Expr::col(("child", admin_units::Column::Id)).eq(old_ward.id))
        .all(db)
        .await?;
    assert_eq!(children, vec![district.clone()], "parent of the old ward");
    let successors = admin_units::Entity::find()
        .join(
            JoinType::InnerJoin,
            admin_units::Relation::SuccessionsAsSuccessor.def(),
        )
        .filter(unit_successions::Column::PredecessorId.eq(old_ward.id))
        .all(db)
        .await?;
    assert_eq!(successors, vec![ward.clone()]);
    let clerks = users::Entity::find()
        .join(JoinType::InnerJoin, users::Relation::EnteredComments.def())
        .all(db)
        .await?;
    assert_eq!(clerks, vec![officer.clone()]);
    let with_response = comments::Entity::find()
        .find_with_related(agency_responses::Entity)
        .all(db)
        .await?;
    let answered: Vec<_> = with_response
        .iter()
        .filter(|(_, responses)| !responses.is_empty())
        .map(|(comment, _)| comment.id)
        .collect();
    assert_eq!(answered, vec![online.id]);
    let sub_clauses = clauses::Entity::find()
        .join_as(
            JoinType::InnerJoin,
            clauses::Relation::Parent.def(),
            "parent",
        )
        .all(db)
        .await?;
    assert_eq!(sub_clauses, vec![article.clone()]);

    // Unique (author_id, idempotency_key): a retry by the same author fails,
    // while NULL authors never collide.
    let retry = comments::Model {
        id: Uuid::now_v7(),
        tracking_code: "GY-RETRY".into(),
        ..online.clone()
    };
    assert!(
        retry
            .into_active_model()
            .reset_all()
            .insert(db)
            .await
            .is_err(),
        "duplicate idempotency key accepted"
    );
    roundtrip!(
        db,
        comments,
        comments::Model {
            id: Uuid::now_v7(),
            tracking_code: "GY-PAPER-2".into(),
            ..paper.clone()
        }
    );

    // ON DELETE rules.
    assert!(
        consultations::Entity::delete_by_id(consultation.id)
            .exec(db)
            .await
            .is_err(),
        "a consultation with comments must not be deletable"
    );
    assert!(
        users::Entity::delete_by_id(resident.id)
            .exec(db)
            .await
            .is_err(),
        "an author must not be deletable"
    );
    let leaver = roundtrip!(db, users, user("leaver@example.org", Role::Resident));
    roundtrip!(
        db,
        sessions,
        sessions::Model {
            id: "leaver-session".into(),
            user_id: leaver.id,
            ..session.clone()
        }
    );
    users::Entity::delete_by_id(leaver.id).exec(db).await?;
    assert!(
        sessions::Entity::find_by_id("leaver-session".to_owned())
            .one(db)
            .await?
            .is_none(),
        "sessions are deleted with their user"
    );
    comments::Entity::delete_many()
        .filter(comments::Column::Status.eq(CommentStatus::Pending))
        .exec(db)
        .await?;
    assert_eq!(
        comment_revisions::Entity::find().count(db).await?,
        1,
        "revisions of other comments survive"
    );

    // A draft consultation is deletable with everything it owns, including a
    // clause tree.
    let draft = roundtrip!(
        db,
        consultations,
        consultations::Model {
            id: Uuid::now_v7(),
            status: ConsultationStatus::Draft,
            version: 2,
            previous_version_id: Some(consultation.id),
            published_at: None,
            area_geojson: None,
            ..consultation.clone()
        }
    );
    let draft_chapter = roundtrip!(
        db,
        clauses,
        clauses::Model {
            id: Uuid::now_v7(),
            consultation_id: draft.id,
            ..chapter.clone()
        }
    );
    roundtrip!(
        db,
        clauses,
        clauses::Model {
            id: Uuid::now_v7(),
            consultation_id: draft.id,
            parent_id: Some(draft_chapter.id),
            ..article.clone()
        }
    );
    consultations::Entity::delete_by_id(draft.id)
        .exec(db)
        .await?;
    assert_eq!(
        clauses::Entity::find()
            .filter(clauses::Column::ConsultationId.eq(draft.id))
            .count(db)
            .await?,
        0
    );
    let columns = clauses::Entity::find()
        .select_only()
        .column(clauses::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    assert_eq!(columns.len(), 2);
    Ok(())
}

#[tokio::test]
async fn every_table_round_trips_and_rolls_back_with_data() -> Result<(), DbErr> {
    let dir = tempfile::tempdir().expect("temp dir");
    let test_db = crate::helpers::TestDb::create(dir.path()).await;
    let db = Database::connect(&test_db.url).await?;
    Migrator::up(&db, None).await?;
    exercise(&db).await?;
    // Rolling back works with data in every table, and so does re-applying.
    Migrator::down(&db, None).await?;
    Migrator::up(&db, None).await?;
    db.close().await
}
