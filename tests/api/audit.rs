//! The tamper-evident audit trail: events appended with the changes they record, a linear
//! chain under concurrent writers, `verify` naming the first altered or orphaned event, the
//! `gopy audit verify` command, the public heads (API and page) and the receipt's hash.

use std::process::Command;

use entity::enums::{ConsultationStatus, Role};
use entity::{audit_events, consultations, users};
use gopy::domain::audit::{EventContent, GENESIS_HASH, event_hash};
use gopy::domain::time::VIETNAM;
use gopy::policy::{Actor, ActorAccount};
use gopy::services::audit::{self, Break};
use http::Method;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Set, Statement,
};
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::browser::Browser;
use crate::helpers::{TestApp, account, bearer_for, select_texts};

struct World {
    app: TestApp,
    consultation: consultations::Model,
}

async fn world() -> World {
    let app = TestApp::with_samples().await;
    let now = gopy::services::now();
    let consultation = consultations::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(
            &consultations::Column::Status,
            ConsultationStatus::Open,
        ))
        .order_by_asc(consultations::Column::Title)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.opens_at <= now && c.closes_at > now)
        .expect("an open sample consultation");
    World { app, consultation }
}

impl World {
    fn db(&self) -> &DatabaseConnection {
        &self.app.state.db
    }

    async fn resident(&self, n: usize) -> (users::Model, String) {
        let user = account(
            &self.app,
            &format!("dan{n}@vidu.vn"),
            "Trần Văn Bình",
            Role::Resident,
            true,
        )
        .await;
        let auth = bearer_for(&self.app, &user).await;
        (user, auth)
    }

    fn comment_request(&self, auth: &str, text: &str) -> http::Request<axum::body::Body> {
        http::Request::post(format!(
            "/api/v1/consultations/{}/comments",
            self.consultation.id
        ))
        .header("content-type", "application/json")
        .header("authorization", auth)
        .body(axum::body::Body::from(
            json!({"stance": "suggest", "body": text, "consent": "public_named"}).to_string(),
        ))
        .unwrap()
    }

    /// Submits a comment; returns the API's answer.
    async fn comment(&self, auth: &str, text: &str) -> serde_json::Value {
        let response = self.app.send(self.comment_request(auth, text)).await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }

    async fn events(&self) -> Vec<audit_events::Model> {
        audit_events::Entity::find()
            .order_by_asc(audit_events::Column::Seq)
            .all(self.db())
            .await
            .unwrap()
    }

    async fn sql(&self, sql: &str) {
        let db = self.db();
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }
}

/// Every event links to the one before it, the first to the genesis hash.
fn assert_linear(events: &[audit_events::Model]) {
    let mut prev = GENESIS_HASH.to_owned();
    for event in events {
        assert_eq!(event.prev_hash, prev, "event {} links back", event.seq);
        prev = event.hash.clone();
    }
}

fn admin_actor(user: &users::Model) -> Actor {
    Actor {
        account: Some(ActorAccount {
            user_id: user.id,
            role: Role::Admin,
            agency_id: None,
            organization_id: None,
            verified: true,
        }),
    }
}

#[tokio::test]
async fn submission_moderation_and_publication_append_a_linear_chain() {
    let w = world().await;
    assert!(
        w.events().await.is_empty(),
        "loading samples records nothing"
    );
    let (resident, auth) = w.resident(1).await;
    let text = "Đề nghị bổ sung vỉa hè cho người đi bộ, gọi 0903 123 456.";
    let created = w.comment(&auth, text).await;
    let comment_id = created["id"].as_str().unwrap().to_owned();

    let moderator = account(&w.app, "mttq@vidu.vn", "Kiểm duyệt", Role::Moderator, true).await;
    let moderator_auth = bearer_for(&w.app, &moderator).await;
    let decided = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/comments/{comment_id}/moderation"),
            &json!({"decision": "approve"}),
            &[("authorization", &moderator_auth)],
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text());

    let admin = account(&w.app, "qtv@vidu.vn", "Quản trị", Role::Admin, true).await;
    let actor = admin_actor(&admin);
    let draft = gopy::services::authoring::new_version(w.db(), &actor, w.consultation.id)
        .await
        .unwrap();
    gopy::services::authoring::publish(w.db(), &actor, draft.id)
        .await
        .unwrap();

    let all = w.events().await;
    assert_linear(&all);
    // The changes made here, in order (routing may add its own events in between).
    let expected = [
        "comment.submit",
        "comment.approve",
        "consultation.new_version",
        "consultation.publish",
    ];
    let events: Vec<&audit_events::Model> = all
        .iter()
        .filter(|e| expected.contains(&e.action.as_str()))
        .collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, expected);
    let submit = events[0];
    assert_eq!(submit.actor_id, Some(resident.id));
    assert_eq!(
        (submit.entity_type.as_str(), submit.entity_id.as_str()),
        ("comment", comment_id.as_str())
    );
    assert_eq!(submit.payload["tracking_code"], created["tracking_code"]);
    assert_eq!(submit.payload["stance"], "suggest");
    assert_eq!(
        submit.payload["body_sha256"],
        gopy::domain::audit::text_digest(text)
    );
    // The trail holds no personal data: not the text, not the phone number in it.
    let stored = serde_json::to_string(&all).unwrap();
    assert!(
        !stored.contains("0903") && !stored.contains("vỉa hè"),
        "{stored}"
    );
    let approve = events[1];
    assert_eq!(approve.actor_id, Some(moderator.id));
    assert_eq!(approve.payload["redactions"], 1, "{}", approve.payload);
    assert_eq!(
        approve.payload["redaction_kinds"]["phone"], 1,
        "{}",
        approve.payload
    );
    assert_eq!(events[3].entity_id, draft.id.to_string());
    assert_eq!(events[3].payload["version"], draft.version);
    assert!(all.windows(2).all(|p| p[0].occurred_at <= p[1].occurred_at));

    let report = audit::verify(w.db()).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checked, all.len() as u64);
    assert_eq!(report.head.unwrap().hash, events[3].hash);
    assert_eq!(created["submission_hash"], submit.hash.as_str());
}

#[tokio::test]
async fn verify_names_the_altered_event_and_the_one_after_a_deleted_event() {
    let w = world().await;
    let (_, auth) = w.resident(1).await;
    for n in 0..5 {
        w.comment(&auth, &format!("Ý kiến số {n} về quy hoạch khu dân cư."))
            .await;
    }
    let events = w.events().await;
    assert_eq!(events.len(), 5);
    let report = audit::verify(w.db()).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checked, 5);

    // A payload changed in place: the content no longer hashes to the stored hash.
    let middle = &events[2];
    let original = serde_json::to_string(&middle.payload).unwrap();
    w.sql(&format!(
        "UPDATE audit_events SET payload = '{{\"tracking_code\":\"GY-0000-00000\"}}' WHERE seq = {}",
        middle.seq
    ))
    .await;
    let report = audit::verify(w.db()).await.unwrap();
    let broken = report.broken.clone().expect("broken");
    assert_eq!((broken.seq, broken.id), (middle.seq, middle.id));
    assert!(
        matches!(broken.reason, Break::ContentMismatch { .. }),
        "{broken:?}"
    );
    assert_eq!(report.checked, 2);
    w.sql(&format!(
        "UPDATE audit_events SET payload = '{original}' WHERE seq = {}",
        middle.seq
    ))
    .await;
    assert!(audit::verify(w.db()).await.unwrap().is_intact());

    // The actor changed: detected too.
    w.sql(&format!(
        "UPDATE audit_events SET actor_id = NULL WHERE seq = {}",
        events[1].seq
    ))
    .await;
    let broken = audit::verify(w.db()).await.unwrap().broken.expect("broken");
    assert_eq!((broken.seq, broken.id), (events[1].seq, events[1].id));
    assert!(matches!(broken.reason, Break::ContentMismatch { .. }));
    w.sql(&format!(
        "DELETE FROM audit_events WHERE seq <= {}",
        events[1].seq
    ))
    .await;
    // Deleting the start: the new first event does not link to the genesis hash.
    let broken = audit::verify(w.db()).await.unwrap().broken.expect("broken");
    assert_eq!(broken.seq, events[2].seq);
    assert_eq!(
        broken.reason,
        Break::WrongLink {
            expected: GENESIS_HASH.to_owned(),
            found: events[1].hash.clone()
        }
    );
}

#[tokio::test]
async fn deleting_a_middle_event_breaks_the_link_of_the_next() {
    let w = world().await;
    let (_, auth) = w.resident(1).await;
    for n in 0..4 {
        w.comment(&auth, &format!("Ý kiến số {n} về chợ nổi Cái Răng."))
            .await;
    }
    let events = w.events().await;
    w.sql(&format!(
        "DELETE FROM audit_events WHERE seq = {}",
        events[1].seq
    ))
    .await;
    let report = audit::verify(w.db()).await.unwrap();
    let broken = report.broken.expect("broken");
    assert_eq!((broken.seq, broken.id), (events[2].seq, events[2].id));
    assert_eq!(
        broken.reason,
        Break::WrongLink {
            expected: events[0].hash.clone(),
            found: events[1].hash.clone()
        }
    );
    assert_eq!(report.checked, 1);
}

#[tokio::test]
async fn concurrent_submissions_keep_the_chain_linear() {
    let w = world().await;
    let mut requests = Vec::new();
    for n in 0..20 {
        let (_, auth) = w.resident(n).await;
        requests
            .push(w.comment_request(&auth, &format!("Ý kiến đồng thời số {n} về cầu Cần Thơ.")));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for request in requests {
        let router = w.app.router.clone();
        tasks.spawn(async move { router.oneshot(request).await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 201);
    }
    let events = w.events().await;
    assert_eq!(events.len(), 20);
    assert_linear(&events);
    let report = audit::verify(w.db()).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checked, 20);
}

#[tokio::test]
async fn imported_comments_get_one_event_each_in_the_chain() {
    let w = world().await;
    let (_, auth) = w.resident(1).await;
    w.comment(&auth, "Ý kiến gửi trực tuyến trước khi nhập phiếu.")
        .await;
    let csv = "body,stance\nPhiếu góp ý thứ nhất về đường Ba Tháng Hai.,đồng ý\n\
               Phiếu góp ý thứ hai về đường Ba Tháng Hai.,đề xuất\n";
    let report = gopy::services::import::import_comments(
        w.db(),
        w.consultation.id,
        None,
        gopy::services::import::Format::Csv,
        csv.as_bytes(),
    )
    .await
    .unwrap();
    let events = w.events().await;
    assert_linear(&events);
    let imported: Vec<&audit_events::Model> = events
        .iter()
        .filter(|e| e.action == "comment.import")
        .collect();
    let codes: Vec<&str> = imported
        .iter()
        .map(|e| e.payload["tracking_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, report.tracking_codes);
    let first: uuid::Uuid = imported[0].entity_id.parse().unwrap();
    assert_eq!(
        audit::submission_hash(w.db(), first).await.unwrap(),
        Some(imported[0].hash.clone())
    );
    assert!(audit::verify(w.db()).await.unwrap().is_intact());
}

/// The `gopy` binary on the test's database, as operators run it.
fn gopy(dir: &std::path::Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gopy"));
    command
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("GOPY_LOG", "warn")
        .env_remove("GOPY_LISTEN")
        .env_remove("GOPY_DATA_DIR")
        .env_remove("RUST_LOG");
    command
}

#[tokio::test]
async fn gopy_audit_verify_passes_then_fails_naming_the_altered_event() {
    let w = world().await;
    let (_, auth) = w.resident(1).await;
    for n in 0..3 {
        w.comment(&auth, &format!("Ý kiến số {n} về bến Ninh Kiều."))
            .await;
    }
    let events = w.events().await;
    let dir = tempfile::tempdir().unwrap();
    let out = gopy(dir.path(), &w.app.db.url)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("audit chain intact: 3 events") && stdout.contains(&events[2].hash),
        "{stdout}"
    );

    w.sql(&format!(
        "UPDATE audit_events SET entity_id = 'khác' WHERE seq = {}",
        events[1].seq
    ))
    .await;
    let out = gopy(dir.path(), &w.app.db.url)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "audit chain broken at event seq {} (id {}): content hash mismatch",
            events[1].seq, events[1].id
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_head_api_and_page_show_the_head_of_each_day() {
    let w = world().await;
    let empty = w.app.get("/api/v1/audit/head").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["head"], serde_json::Value::Null);
    assert_eq!(empty.json()["days"], json!([]));

    // An event two days ago, chained from the genesis as `append` would have done.
    let earlier = gopy::services::now() - chrono::TimeDelta::days(2);
    let payload = json!({"note": "earlier"});
    let id = uuid::Uuid::now_v7();
    let hash = event_hash(
        GENESIS_HASH,
        &EventContent {
            id,
            occurred_at: earlier,
            actor_id: None,
            action: "test.event",
            entity_type: "test",
            entity_id: "1",
            payload: &payload,
        },
    );
    let first = audit_events::ActiveModel {
        id: Set(id),
        occurred_at: Set(earlier),
        actor_id: Set(None),
        action: Set("test.event".into()),
        entity_type: Set("test".into()),
        entity_id: Set("1".into()),
        payload: Set(payload),
        prev_hash: Set(GENESIS_HASH.into()),
        hash: Set(hash.clone()),
        ..Default::default()
    }
    .insert(w.db())
    .await
    .unwrap();
    let (_, auth) = w.resident(1).await;
    w.comment(&auth, "Ý kiến hôm nay về công viên bờ sông.")
        .await;
    w.comment(&auth, "Ý kiến thứ hai hôm nay về công viên.")
        .await;
    let events = w.events().await;
    assert_linear(&events);
    let last = events.last().unwrap();

    let body = w.app.get("/api/v1/audit/head").await.json();
    assert_eq!(body["head"]["seq"], last.seq);
    assert_eq!(body["head"]["hash"], last.hash.as_str());
    assert_eq!(body["genesis_hash"], GENESIS_HASH);
    let today = gopy::services::now().with_timezone(&VIETNAM).date_naive();
    let day_of = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&VIETNAM).date_naive();
    assert_eq!(
        body["days"],
        json!([
            {"date": today.to_string(), "seq": last.seq, "hash": last.hash,
             "occurred_at": last.occurred_at},
            {"date": day_of(earlier).to_string(), "seq": first.seq, "hash": hash,
             "occurred_at": first.occurred_at},
        ])
    );

    let page = w.app.get_page("/audit", None).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=audit-head-hash]"),
        std::slice::from_ref(&last.hash)
    );
    assert_eq!(
        select_texts(&doc, "[data-testid=audit-day-hash]"),
        [last.hash.clone(), hash]
    );
    assert_eq!(
        select_texts(&doc, "[data-testid=audit-day-date]")[0],
        today.format("%d/%m/%Y").to_string()
    );
    // Linked from every page's footer.
    let home = w.app.get_page("/", None).await.html();
    let footer = scraper::Selector::parse("footer a[href='/audit']").unwrap();
    assert_eq!(home.select(&footer).count(), 1);
}

#[tokio::test]
async fn the_receipt_shows_the_hash_of_the_submission_event() {
    let w = world().await;
    let (resident, auth) = w.resident(1).await;
    let created = w
        .comment(&auth, "Ý kiến có biên nhận và mã xác thực.")
        .await;
    let events = w.events().await;
    let mut browser = Browser::signed_in(&w.app, &resident).await;
    let receipt = browser
        .get(&format!(
            "/comments/{}/receipt",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(receipt.status, 200, "{}", receipt.text());
    let doc = receipt.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=submission-hash]"),
        [events[0].hash.clone()]
    );
    let link = scraper::Selector::parse("[data-testid=audit-link]").unwrap();
    assert_eq!(
        doc.select(&link)
            .next()
            .and_then(|a| a.value().attr("href")),
        Some("/audit")
    );
}
