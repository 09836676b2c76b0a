//! Export of the acceptance table of a consultation with 100,000 approved comments, half of
//! them answered, as CSV, XLSX and DOCX; then its sign-off (freezing every row) and the export
//! of the frozen version. On SQLite and (when `BENCH_DATABASE_URL` names a PostgreSQL server)
//! on PostgreSQL.
//!
//! ```text
//! cargo bench --bench acceptance
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench acceptance
//! BENCH_ROWS=20000 cargo bench --bench acceptance
//! ```
//!
//! The comments are written straight into the tables (approved, with published texts, spread
//! over the clauses and the draft as a whole, a tenth from organizations, a tenth not to be
//! published); the exports then go through `export::write_table` exactly as a download does,
//! into a temporary file. The peak resident memory of the process is printed after each step.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

use std::io::Seek;
use std::time::Instant;

use entity::enums::{AssignmentStatus, Channel, CommentStatus, Consent, Disposition, Role, Stance};
use entity::{agency_responses, assignments, clauses, comments, consultations, organizations};
use gopy::config::Settings;
use gopy::export::{Format, Meta, write_table};
use gopy::policy::{Actor, ActorAccount};
use gopy::services::acceptance;
use gopy::startup::Application;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};

const TEXTS: &[&str] = &[
    "Đề nghị nạo vét kênh Cái Khế trước mùa mưa, vì nước tràn vào nhà dân mỗi khi triều cường.",
    "Tôi đồng ý với việc mở rộng vỉa hè đường Hai Bà Trưng, nhưng cần giữ lại hàng cây dầu cổ thụ.",
    "Kiến nghị thành phố bố trí tái định cư tại chỗ cho các hộ bị giải tỏa ven sông.",
    "Xin hỏi khi nào sẽ nâng cấp trạm bơm Tầm Vu; bà con trong hẻm 51 chờ đã ba năm.",
    "Hội nông dân phường đề xuất làm cống ngăn triều ở rạch Cái Sơn, có cửa cho ghe qua lại.",
];

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn fill(db: &DatabaseConnection, consultation: &consultations::Model, rows: usize) {
    let clause_ids: Vec<Option<uuid::Uuid>> = std::iter::once(None)
        .chain(
            clauses::Entity::find()
                .filter(clauses::Column::ConsultationId.eq(consultation.id))
                .order_by_asc(clauses::Column::Position)
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|c| Some(c.id)),
        )
        .collect();
    let organization_ids: Vec<uuid::Uuid> = organizations::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let now = chrono::Utc::now();
    let due = gopy::services::assignments::today_vn() + chrono::Duration::days(20);
    for start in (0..rows).step_by(500) {
        let mut batch = Vec::new();
        let mut given = Vec::new();
        let mut answers = Vec::new();
        for i in start..(start + 500).min(rows) {
            let id = uuid::Uuid::now_v7();
            let text = format!("{} (ý kiến số {i})", TEXTS[i % TEXTS.len()]);
            let consent = match i % 10 {
                0 => Consent::Private,
                1..=4 => Consent::PublicNamed,
                _ => Consent::PublicAnonymous,
            };
            batch.push(
                comments::Model {
                    id,
                    tracking_code: gopy::domain::tracking::TrackingCode::generate()
                        .as_str()
                        .to_owned(),
                    consultation_id: consultation.id,
                    clause_id: clause_ids[i % clause_ids.len()],
                    author_id: None,
                    organization_id: (i % 10 == 3)
                        .then(|| organization_ids[i % organization_ids.len()]),
                    author_name: Some(format!("Người góp ý {i}")),
                    channel: Channel::PaperForm,
                    entered_by: None,
                    stance: Stance::Suggest,
                    body: text.clone(),
                    consent,
                    status: CommentStatus::Approved,
                    public_body: Some(text),
                    unit_id: None,
                    lat: None,
                    lon: None,
                    campaign_id: None,
                    idempotency_key: None,
                    created_at: now,
                    updated_at: now,
                    moderated_at: Some(now),
                    fingerprint: None,
                    status_reason: None,
                }
                .into_active_model(),
            );
            let assignment = uuid::Uuid::now_v7();
            let answered = i % 2 == 0;
            given.push(
                assignments::Model {
                    id: assignment,
                    comment_id: id,
                    agency_id: consultation.lead_agency_id,
                    is_lead: true,
                    status: if answered {
                        AssignmentStatus::Answered
                    } else {
                        AssignmentStatus::Open
                    },
                    assigned_by: None,
                    assigned_at: now,
                    due_on: due,
                    reminded_at: None,
                    overdue_at: None,
                    escalated_at: None,
                    answered_at: answered.then_some(now),
                }
                .into_active_model(),
            );
            if answered {
                answers.push(
                    agency_responses::Model {
                        id: uuid::Uuid::now_v7(),
                        assignment_id: assignment,
                        comment_id: id,
                        agency_id: consultation.lead_agency_id,
                        officer_id: None,
                        disposition: [
                            Disposition::Accepted,
                            Disposition::PartiallyAccepted,
                            Disposition::NotAccepted,
                            Disposition::Explained,
                        ][(i / 2) % 4],
                        body:
                            "Cơ quan chủ trì tiếp thu và sẽ chỉnh lý dự thảo tại điều tương ứng; \
                               nội dung chưa phù hợp đã được giải trình trong báo cáo."
                                .to_owned(),
                        created_at: now,
                    }
                    .into_active_model(),
                );
            }
        }
        for chunk in batch.chunks(100) {
            comments::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await
                .unwrap();
        }
        for chunk in given.chunks(200) {
            assignments::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await
                .unwrap();
        }
        for chunk in answers.chunks(200) {
            agency_responses::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await
                .unwrap();
        }
    }
}

async fn export(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation: &consultations::Model,
    version: Option<i32>,
    format: Format,
) -> (f64, u64) {
    let started = Instant::now();
    let (head, rows) = acceptance::open(db, actor, consultation.id, version)
        .await
        .unwrap();
    let meta = Meta {
        head,
        made_at: chrono::Utc::now(),
    };
    let (mut file, _) = write_table(db, meta, rows, format, tempfile::tempfile().unwrap())
        .await
        .unwrap();
    let size = file.stream_position().unwrap();
    (started.elapsed().as_secs_f64(), size)
}

async fn run(label: &str, database_url: &str, rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path(), database_url);
    settings.load_samples = true;
    let app = Application::build(settings).await.unwrap();
    let db = app.state().db.clone();
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    fill(&db, &consultation, rows).await;
    println!(
        "{label:<10} {rows} approved comments written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let moderator = Actor {
        account: Some(ActorAccount {
            user_id: uuid::Uuid::now_v7(),
            role: Role::Moderator,
            agency_id: None,
            organization_id: None,
            verified: true,
        }),
    };
    for format in [Format::Csv, Format::Xlsx, Format::Docx] {
        let (seconds, size) = export(&db, &moderator, &consultation, None, format).await;
        #[expect(clippy::cast_precision_loss, reason = "a size for people to read")]
        let mib = size as f64 / (1024.0 * 1024.0);
        println!(
            "{label:<10} live table  {:<5} {rows:>7} rows  {mib:>7.1} MiB  {seconds:>6.2} s  peak RSS {:>6.0} MiB",
            format.extension(),
            peak_rss_mib()
        );
    }

    // Sign-off: every row answered first, then the table is frozen.
    db.execute_unprepared(
        "INSERT INTO agency_responses (id, assignment_id, comment_id, agency_id, officer_id, disposition, body, created_at) \
         SELECT a.id, a.id, a.comment_id, a.agency_id, NULL, 'explained', 'Đã giải trình.', a.assigned_at \
         FROM assignments a WHERE a.status = 'open'",
    )
    .await
    .unwrap();
    let consultation = {
        use sea_orm::{ActiveModelTrait, Set};
        let mut active = consultation.into_active_model();
        active.status = Set(entity::enums::ConsultationStatus::Closed);
        active.update(&db).await.unwrap()
    };
    let officer = gopy::services::users::create(
        &db,
        gopy::services::users::NewUser {
            email: gopy::domain::account::Email::parse("bench@vidu.vn").unwrap(),
            password: gopy::domain::account::NewPassword::parse("mật khẩu đủ dài cho bench 2026")
                .unwrap(),
            display_name: "Cán bộ".to_owned(),
            role: Role::AgencyOfficer,
            agency_code: Some(
                entity::agencies::Entity::find_by_id(consultation.lead_agency_id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
                    .code,
            ),
            organization_code: None,
            verified: true,
        },
        app.state().settings.password,
    )
    .await
    .unwrap();
    let officer = Actor {
        account: Some(ActorAccount {
            user_id: officer.id,
            role: Role::AgencyOfficer,
            agency_id: officer.agency_id,
            organization_id: None,
            verified: true,
        }),
    };
    let started = Instant::now();
    let signed = acceptance::sign_off(&db, &officer, consultation.id)
        .await
        .unwrap();
    println!(
        "{label:<10} sign-off    {:>7} rows frozen  {:>6.2} s  peak RSS {:>6.0} MiB",
        signed.row_count,
        started.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    let (seconds, size) = export(
        &db,
        &officer,
        &consultation,
        Some(signed.version),
        Format::Docx,
    )
    .await;
    #[expect(clippy::cast_precision_loss, reason = "a size for people to read")]
    let mib = size as f64 / (1024.0 * 1024.0);
    println!(
        "{label:<10} version 1   docx  {rows:>7} rows  {mib:>7.1} MiB  {seconds:>6.2} s  peak RSS {:>6.0} MiB",
        peak_rss_mib()
    );
    db.close().await.ok();
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        run("SQLite", &sqlite, rows).await;

        if let Ok(server) = std::env::var("BENCH_DATABASE_URL")
            && !server.is_empty()
        {
            let name = format!("gopy_bench_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&server).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            run("PostgreSQL", &format!("{base}/{name}"), rows).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
    });
}
