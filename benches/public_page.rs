//! The public page of a consultation with 1,000 approved comments: how fast its first page of
//! comments renders, in process through the real router (no network), on SQLite and (when
//! `BENCH_DATABASE_URL` names a PostgreSQL server) on PostgreSQL.
//!
//! ```text
//! cargo bench --bench public_page
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench public_page
//! ```

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use entity::enums::{Channel, CommentStatus, Consent, Stance};
use entity::{clauses, comments, consultations};
use gopy::config::Settings;
use gopy::startup::Application;
use http::Request;
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use tower::ServiceExt;

const COMMENTS: usize = 1_000;
const ROUNDS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn run(label: &str, url: &str, dir: &std::path::Path) {
    let mut settings = Settings::for_tests(dir, url);
    settings.load_samples = true;
    let app = Application::build(settings).await.unwrap();
    let state = app.state().clone();
    let db = &state.db;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let clause_ids: Vec<_> = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let now = chrono::Utc::now();
    let stances = [
        Stance::Support,
        Stance::Oppose,
        Stance::Suggest,
        Stance::Question,
    ];
    let consents = [
        Consent::PublicNamed,
        Consent::PublicAnonymous,
        Consent::PublicNamed,
        Consent::Private,
    ];
    let rows: Vec<comments::ActiveModel> = (0..COMMENTS)
        .map(|i| {
            let text = format!(
                "Ý kiến số {i}: đề nghị nâng cấp vỉa hè, trồng thêm cây xanh và bố trí chỗ đậu xe gần bến Ninh Kiều."
            );
            comments::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                tracking_code: Set(gopy::domain::tracking::TrackingCode::generate().as_str().to_owned()),
                consultation_id: Set(consultation.id),
                clause_id: Set(Some(clause_ids[i % clause_ids.len()])),
                author_id: Set(None),
                organization_id: Set(None),
                author_name: Set(Some(format!("Người góp ý {i}"))),
                channel: Set(Channel::PaperForm),
                entered_by: Set(None),
                stance: Set(stances[i % 4]),
                body: Set(text.clone()),
                consent: Set(consents[i % 4]),
                status: Set(CommentStatus::Approved),
                public_body: Set(Some(text)),
                unit_id: Set(None),
                lat: Set(None),
                lon: Set(None),
                campaign_id: Set(None),
                idempotency_key: Set(None),
                created_at: Set(now - chrono::Duration::seconds(i as i64)),
                updated_at: Set(now),
                moderated_at: Set(Some(now)),
                fingerprint: Set(None),
                status_reason: Set(None),
            }
        })
        .collect();
    for chunk in rows.chunks(200) {
        comments::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    let router = gopy::http::router(state.clone());
    for (name, uri) in [
        (
            "consultation page (HTML)",
            format!("/consultations/{}", consultation.id),
        ),
        (
            "public comments (API, 20 per page)",
            format!("/api/v1/consultations/{}/comments", consultation.id),
        ),
        (
            "most endorsed first (API)",
            format!(
                "/api/v1/consultations/{}/comments?sort=most_endorsed",
                consultation.id
            ),
        ),
    ] {
        let mut times = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS + 10 {
            let started = Instant::now();
            let response = router
                .clone()
                .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let _ = response.into_body().collect().await.unwrap();
            if round >= 10 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        println!(
            "{label:<10} {name:<36} {COMMENTS} comments: p50 {:>7.2} ms, p99 {:>7.2} ms ({ROUNDS} requests)",
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            percentile(&times, 0.99).as_secs_f64() * 1000.0,
        );
    }
    db.clone().close().await.ok();
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    run("sqlite", &sqlite, dir.path()).await;
    if let Ok(server) = std::env::var("BENCH_DATABASE_URL") {
        let scratch = support::ScratchDatabase::create(&server, "gopy_bench").await;
        let pg_dir = tempfile::tempdir().unwrap();
        run("postgres", &scratch.url, pg_dir.path()).await;
        scratch.drop_now().await;
    }
}
