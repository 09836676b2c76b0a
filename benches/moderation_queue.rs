//! The moderation queue with 10,000 pending comments: how fast a page of the queue is served
//! (API and HTML, with and without a flag filter), and how long a moderator takes to clear the
//! whole queue with bulk approvals of 1,000 comments. In process through the real router, on
//! SQLite and (when `BENCH_DATABASE_URL` names a PostgreSQL server) on PostgreSQL.
//!
//! The comments are generated texts (`tests/fixtures/screening/corpus-sample.jsonl`, about half
//! of them with personal data), imported as paper forms so that each is screened as in
//! production.
//!
//! ```text
//! cargo bench --bench moderation_queue
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench moderation_queue
//! ```

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use entity::consultations;
use entity::enums::Role;
use gopy::config::Settings;
use gopy::startup::Application;
use http::Request;
use http_body_util::BodyExt;
use sea_orm::{EntityTrait, QueryOrder};
use tower::ServiceExt;

const COMMENTS: usize = 10_000;
const ROUNDS: usize = 100;
const BULK: usize = 1_000;

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
    let bodies: Vec<String> = include_str!("../tests/fixtures/screening/corpus-sample.jsonl")
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            row["body"].as_str().unwrap().to_owned()
        })
        .collect();
    let mut file = String::new();
    for i in 0..COMMENTS {
        let row = serde_json::json!({
            "body": bodies[i % bodies.len()],
            "stance": "suggest",
            "consent": "public_anonymous",
        });
        file.push_str(&row.to_string());
        file.push('\n');
    }
    let started = Instant::now();
    gopy::services::import::import_comments(
        db,
        consultation.id,
        None,
        gopy::services::import::Format::JsonLines,
        file.as_bytes(),
    )
    .await
    .unwrap();
    println!(
        "{label:<10} import and screen {COMMENTS} comments: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let moderator = gopy::services::users::create(
        db,
        gopy::services::users::NewUser {
            email: gopy::domain::account::Email::parse("bench-mttq@vidu.vn").unwrap(),
            password: gopy::domain::account::NewPassword::parse("mật khẩu đo hiệu năng").unwrap(),
            display_name: "Kiểm duyệt viên".to_owned(),
            role: Role::Moderator,
            agency_code: None,
            organization_code: Some("MTTQ-TP".to_owned()),
            verified: true,
        },
        state.settings.password,
    )
    .await
    .unwrap();
    let session = gopy::services::sessions::open(db, moderator.id, None, None, &state.settings)
        .await
        .unwrap();
    let bearer = format!("Bearer {}", session.token);
    let cookie = format!("gopy_session={}", session.token);
    let router = gopy::http::router(state.clone());
    for (name, uri, html) in [
        (
            "queue (API, 50 a page)",
            "/api/v1/moderation/queue".to_owned(),
            false,
        ),
        (
            "queue, personal data only (API)",
            "/api/v1/moderation/queue?flag=personal_data".to_owned(),
            false,
        ),
        ("queue page (HTML)", "/moderation".to_owned(), true),
        (
            "queue page, last page (HTML)",
            format!("/moderation?page={}", COMMENTS / 50),
            true,
        ),
    ] {
        let mut times = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS + 5 {
            let request = if html {
                Request::get(&uri).header("cookie", &cookie)
            } else {
                Request::get(&uri).header("authorization", &bearer)
            };
            let started = Instant::now();
            let response = router
                .clone()
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{uri}");
            let _ = response.into_body().collect().await.unwrap();
            if round >= 5 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        println!(
            "{label:<10} {name:<34} {COMMENTS} pending: p50 {:>7.2} ms, p99 {:>7.2} ms ({ROUNDS} requests)",
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            percentile(&times, 0.99).as_secs_f64() * 1000.0,
        );
    }
    // Clear the queue: list 1,000, approve them in one request, until nothing is left.
    let started = Instant::now();
    let mut requests = 0;
    loop {
        let ids: Vec<uuid::Uuid> = gopy::services::moderation::queue(
            db,
            &gopy::policy::Actor {
                account: Some(gopy::policy::ActorAccount {
                    user_id: moderator.id,
                    role: Role::Moderator,
                    agency_id: None,
                    organization_id: moderator.organization_id,
                    verified: true,
                }),
            },
            &gopy::services::moderation::QueueFilter::default(),
            1,
            BULK as u64,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.comment.id)
        .collect();
        if ids.is_empty() {
            break;
        }
        let body = serde_json::json!({"comment_ids": ids, "decision": "approve"});
        let response = router
            .clone()
            .oneshot(
                Request::post("/api/v1/moderation/bulk")
                    .header("authorization", &bearer)
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let _ = response.into_body().collect().await.unwrap();
        requests += 1;
    }
    println!(
        "{label:<10} clear {COMMENTS} pending comments with bulk approvals of {BULK}: {:.2} s ({requests} requests)",
        started.elapsed().as_secs_f64()
    );
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
