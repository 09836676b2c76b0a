//! Moderation: the queue with its flags, decisions and their rules, near-duplicate campaigns,
//! bulk decisions, and what becomes public (and what never does), through the API and pages.

use entity::enums::{CommentStatus, Role};
use entity::{comments, consultations, moderation_decisions, users};
use http::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use std::time::Duration;

use crate::helpers::browser::Browser;
use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, TestResponse, account, bearer_for, select_texts};

const MARK: &str = "[đã ẩn thông tin cá nhân]";

struct World {
    sink: SmtpSink,
    app: TestApp,
    consultation: consultations::Model,
    moderator: users::Model,
    moderator_auth: String,
}

async fn world() -> World {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().samples().smtp(sink.port()).build().await;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let moderator = account(
        &app,
        "mttq@vidu.vn",
        "Kiểm duyệt viên",
        Role::Moderator,
        true,
    )
    .await;
    let moderator_auth = bearer_for(&app, &moderator).await;
    World {
        sink,
        app,
        consultation,
        moderator,
        moderator_auth,
    }
}

impl World {
    async fn resident(&self, email: &str) -> (users::Model, String) {
        let user = account(&self.app, email, "Nguyễn Thị Lan", Role::Resident, true).await;
        let auth = bearer_for(&self.app, &user).await;
        (user, auth)
    }

    /// Submits a comment as `auth`; returns its id.
    async fn comment(&self, auth: &str, text: &str, consent: &str) -> String {
        let response = self
            .app
            .json(
                Method::POST,
                &format!("/api/v1/consultations/{}/comments", self.consultation.id),
                &json!({"stance": "suggest", "body": text, "consent": consent}),
                &[("authorization", auth)],
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["id"].as_str().unwrap().to_owned()
    }

    async fn decide(&self, id: &str, body: Value) -> TestResponse {
        self.app
            .json(
                Method::POST,
                &format!("/api/v1/comments/{id}/moderation"),
                &body,
                &[("authorization", &self.moderator_auth)],
            )
            .await
    }

    async fn queue(&self, query: &str) -> Value {
        let response = self
            .app
            .send(
                http::Request::get(format!("/api/v1/moderation/queue{query}"))
                    .header("authorization", &self.moderator_auth)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }

    async fn get_as(&self, uri: &str, auth: &str) -> TestResponse {
        self.app
            .send(
                http::Request::get(uri)
                    .header("authorization", auth)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
    }

    /// Every public place a comment's text can appear, as one string.
    async fn everything_public(&self, id: &str) -> String {
        let c = self.consultation.id;
        let mut all = String::new();
        for uri in [
            format!("/api/v1/consultations/{c}/comments?per_page=100"),
            format!("/api/v1/comments/{id}"),
            format!("/consultations/{c}"),
            format!("/comments/{id}"),
        ] {
            let response = self.app.get_page(&uri, None).await;
            all.push_str(&response.text());
        }
        all
    }
}

#[tokio::test]
async fn the_queue_is_for_moderators_and_shows_each_flag_with_its_span() {
    let w = world().await;
    let (_, auth) = w.resident("lan@vidu.vn").await;
    let text = "Đề nghị làm rõ lộ giới đường Mậu Thân. Liên hệ tôi qua số 0912 345 678 nhé.";
    let id = w.comment(&auth, text, "public_named").await;

    let queue = w.queue("").await;
    assert_eq!(queue["counts"]["pending"], 1);
    let item = &queue["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["body"], text);
    let flag = item["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "phone")
        .expect("the phone number is flagged");
    let start = usize::try_from(flag["start"].as_u64().unwrap()).unwrap();
    let end = usize::try_from(flag["end"].as_u64().unwrap()).unwrap();
    let span: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(span, "0912 345 678");
    assert_eq!(flag["text"], "0912 345 678");

    // Filters: by flag, by author kind.
    assert_eq!(w.queue("?flag=phone").await["total"], 1);
    assert_eq!(w.queue("?flag=email").await["total"], 0);
    assert_eq!(w.queue("?flag=personal_data").await["total"], 1);
    assert_eq!(w.queue("?author_kind=imported").await["total"], 0);
    assert_eq!(w.queue("?author_kind=resident").await["total"], 1);

    // Separation of powers: an officer of the lead agency, an admin, the author: no queue.
    for (email, role) in [
        ("sxd@vidu.vn", Role::AgencyOfficer),
        ("admin2@vidu.vn", Role::Admin),
    ] {
        let user = account(&w.app, email, "Người khác", role, true).await;
        let other = bearer_for(&w.app, &user).await;
        w.get_as("/api/v1/moderation/queue", &other)
            .await
            .assert_problem(403, "forbidden");
        w.app
            .json(
                Method::POST,
                &format!("/api/v1/comments/{id}/moderation"),
                &json!({"decision": "approve"}),
                &[("authorization", &other)],
            )
            .await
            .assert_problem(403, "forbidden");
    }
    w.get_as("/api/v1/moderation/queue", &auth)
        .await
        .assert_problem(403, "forbidden");
    w.app
        .get("/api/v1/moderation/queue")
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn approval_publishes_only_the_redacted_text_and_tells_the_author() {
    let w = world().await;
    let (author, auth) = w.resident("lan@vidu.vn").await;
    let text = "Nhà tôi ở số 12/3 hẻm 45 đường Trần Hưng Đạo, bị ngập mỗi khi mưa. Gọi 0912.345.678 \
                hoặc email lan.nguyen@gmail.com, CCCD 092856732681. Ông Tư bán tạp hóa đầu hẻm cũng biết.";
    let id = w.comment(&auth, text, "public_named").await;
    let before = w.everything_public(&id).await;
    assert!(
        !before.contains("bị ngập mỗi khi mưa"),
        "pending is not public"
    );

    let decided = w
        .decide(
            &id,
            json!({"decision": "approve", "redact_texts": ["Ông Tư bán tạp hóa"]}),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text());
    let decided = decided.json();
    assert_eq!(decided["status"], "approved");
    let public = decided["public_body"].as_str().unwrap();
    assert!(public.contains("bị ngập mỗi khi mưa"), "{public}");
    assert!(public.contains(MARK), "{public}");

    let everything = w.everything_public(&id).await;
    assert!(
        everything.contains("bị ngập mỗi khi mưa"),
        "approved is public"
    );
    for secret in [
        "0912.345.678",
        "lan.nguyen@gmail.com",
        "092856732681",
        "12/3 hẻm 45",
        "Ông Tư bán tạp hóa",
    ] {
        assert!(!public.contains(secret), "{secret} in {public}");
        assert!(!everything.contains(secret), "{secret} is public");
    }
    // The tracking answer carries no text at all.
    let code = comments::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .tracking_code;
    let tracked = w.app.get(&format!("/api/v1/track/{code}")).await.json();
    assert_eq!(tracked["status"], "approved");
    assert!(!tracked.to_string().contains("0912"));

    // The author still sees the original.
    let own = w.get_as(&format!("/api/v1/comments/{id}"), &auth).await;
    assert!(own.text().contains("0912.345.678"));

    // The decision is recorded with its redactions, and the author is told.
    let decisions = moderation_decisions::Entity::find()
        .filter(moderation_decisions::Column::CommentId.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].moderator_id, w.moderator.id);
    let kinds: Vec<String> = decisions[0]
        .redactions
        .as_ref()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["phone", "email", "citizen_id", "address", "moderator"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let code_subject = format!("Ý kiến {code} đã được duyệt");
    w.sink
        .wait_for_subject(&author.email, &code_subject, Duration::from_secs(10))
        .await;

    // A decided comment cannot be decided again.
    w.decide(&id, json!({"decision": "reject", "reason_code": "spam"}))
        .await
        .assert_problem(409, "not_pending");
}

/// Comments from the generator's output whose ground truth lists personal data: once
/// approved, none of those values appears on any public page or API answer.
#[tokio::test]
async fn no_personal_data_of_the_corpus_appears_anywhere_public_after_approval() {
    let w = world().await;
    let fixture = include_str!("../fixtures/screening/corpus-sample.jsonl");
    let mut lines = String::new();
    let mut secrets = Vec::new();
    for line in fixture.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let pii = row["pii"].as_array().unwrap();
        if pii.is_empty() {
            continue;
        }
        secrets.extend(pii.iter().map(|p| p["value"].as_str().unwrap().to_owned()));
        lines.push_str(
            &json!({"body": row["body"], "stance": "suggest", "consent": "public_anonymous"})
                .to_string(),
        );
        lines.push('\n');
        if secrets.len() >= 60 {
            break;
        }
    }
    let report = gopy::services::import::import_comments(
        &w.app.state.db,
        w.consultation.id,
        Some(w.moderator.id),
        gopy::services::import::Format::JsonLines,
        lines.as_bytes(),
    )
    .await
    .unwrap();
    assert!(report.imported >= 50);
    let queue = w.queue("?per_page=200").await;
    let ids: Vec<Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids.len(), report.imported);
    let bulk = w
        .app
        .json(
            Method::POST,
            "/api/v1/moderation/bulk",
            &json!({"comment_ids": ids, "decision": "approve"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text());
    assert_eq!(
        bulk.json()["decided"].as_array().unwrap().len(),
        report.imported
    );

    let c = w.consultation.id;
    let mut everything = String::new();
    for page in 1..=3 {
        everything.push_str(
            &w.app
                .get(&format!(
                    "/api/v1/consultations/{c}/comments?per_page=100&page={page}"
                ))
                .await
                .text(),
        );
        everything.push_str(
            &w.app
                .get_page(&format!("/consultations/{c}?page={page}"), None)
                .await
                .text(),
        );
    }
    let published = comments::Entity::find()
        .filter(comments::Column::Status.eq(CommentStatus::Approved))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(published.len(), report.imported);
    for comment in &published {
        everything.push_str(
            &w.app
                .get_page(&format!("/comments/{}", comment.id), None)
                .await
                .text(),
        );
    }
    assert!(everything.contains(MARK));
    for secret in &secrets {
        assert!(!everything.contains(secret.as_str()), "{secret} is public");
    }
}

#[tokio::test]
async fn a_rejected_comment_never_becomes_public_and_the_counts_say_why() {
    let w = world().await;
    let (_, auth) = w.resident("lan@vidu.vn").await;
    let id = w
        .comment(
            &auth,
            "Bán đất nền giá rẻ, liên hệ ngay hôm nay!",
            "public_named",
        )
        .await;
    w.decide(&id, json!({"decision": "reject"}))
        .await
        .assert_problem(422, "validation_failed");
    w.decide(&id, json!({"decision": "reject", "reason_code": "rude"}))
        .await
        .assert_problem(422, "validation_failed");
    w.decide(&id, json!({"decision": "reject", "reason_code": "other"}))
        .await
        .assert_problem(422, "validation_failed");
    let decided = w
        .decide(
            &id,
            json!({"decision": "reject", "reason_code": "spam", "note": "Nội dung quảng cáo."}),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text());
    assert_eq!(decided.json()["status"], "rejected");
    // Not even an approval afterwards can publish it.
    w.decide(&id, json!({"decision": "approve"}))
        .await
        .assert_problem(409, "not_pending");
    assert!(!w.everything_public(&id).await.contains("Bán đất nền"));
    w.app
        .get(&format!("/api/v1/comments/{id}"))
        .await
        .assert_problem(404, "not_found");

    let detail = w
        .app
        .get(&format!("/api/v1/consultations/{}", w.consultation.id))
        .await
        .json();
    assert_eq!(detail["moderation"]["rejected"], 1);
    assert_eq!(detail["moderation"]["rejected_by_reason"]["spam"], 1);
    assert_eq!(detail["moderation"]["rejected_by_reason"]["abusive"], 0);
    let page = w
        .app
        .get_page(&format!("/consultations/{}", w.consultation.id), None)
        .await;
    let counts = select_texts(&page.html(), "[data-testid=count-rejected]");
    assert_eq!(counts, vec!["1 (Quảng cáo, tin rác: 1)"]);
}

#[tokio::test]
async fn an_edit_request_returns_the_comment_to_its_author_then_to_the_queue() {
    let w = world().await;
    let (author, auth) = w.resident("lan@vidu.vn").await;
    let id = w
        .comment(
            &auth,
            "Đường này hư lâu rồi, mấy ông làm ăn kiểu gì vậy.",
            "public_named",
        )
        .await;
    w.decide(&id, json!({"decision": "request_edit"}))
        .await
        .assert_problem(422, "validation_failed");
    let decided = w
        .decide(
            &id,
            json!({"decision": "request_edit", "note": "Xin nêu rõ đoạn đường và đề xuất cụ thể."}),
        )
        .await;
    assert_eq!(decided.json()["status"], "edit_requested");
    assert_eq!(w.queue("").await["total"], 0);
    assert_eq!(w.queue("?status=edit_requested").await["total"], 1);
    let mail = w
        .sink
        .wait_for_subject(&author.email, "cần được chỉnh sửa", Duration::from_secs(10))
        .await;
    assert!(
        mail.text_body().contains("Xin nêu rõ đoạn đường"),
        "{}",
        mail.text_body()
    );

    let edited = w
        .app
        .json(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            &json!({"body": "Đoạn đường Mậu Thân từ cầu Rạch Ngỗng đến chợ bị hư, đề nghị sửa trước mùa mưa."}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let queue = w.queue("").await;
    assert_eq!(queue["total"], 1);
    let review = w
        .get_as(
            &format!("/api/v1/moderation/comments/{id}"),
            &w.moderator_auth,
        )
        .await
        .json();
    assert_eq!(review["decisions"][0]["decision"], "request_edit");
    assert_eq!(review["revisions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn near_duplicates_are_grouped_and_merged_into_one_campaign() {
    let w = world().await;
    let letter = "Chúng tôi là cư dân khu vực ven rạch Khai Luông, kiến nghị giữ lại hàng cây dầu \
                  cổ thụ trên đường Hai Bà Trưng, không chặt hạ khi mở rộng vỉa hè, và bổ sung \
                  ghế đá, đèn chiếu sáng cho người đi bộ vào buổi tối.";
    let variants = [
        letter.to_owned(),
        letter.replace("Chúng tôi là", "Tôi là một"),
        gopy::domain::text::fold(letter),
        letter.replace(", và bổ sung", ". Bổ sung"),
        format!("{letter} Xin cảm ơn."),
    ];
    let mut ids = Vec::new();
    for (i, text) in variants.iter().enumerate() {
        let (_, auth) = w.resident(&format!("cudan{i}@vidu.vn")).await;
        ids.push(w.comment(&auth, text, "public_anonymous").await);
    }
    let (_, other) = w.resident("khac@vidu.vn").await;
    let unrelated = w
        .comment(
            &other,
            "Đề nghị bố trí thêm bãi giữ xe gần chợ Xuân Khánh vì hiện nay xe đậu tràn lòng đường.",
            "public_anonymous",
        )
        .await;

    let queue = w.queue("").await;
    for item in queue["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        if id == unrelated {
            assert!(item["near_duplicates"].is_null(), "{item}");
        } else {
            assert_eq!(item["near_duplicates"]["size"], 5, "{item}");
            assert_eq!(item["near_duplicates"]["key"], ids[0].as_str());
        }
    }
    assert_eq!(w.queue("?flag=near_duplicate").await["total"], 5);
    assert_eq!(w.queue(&format!("?group_of={}", ids[3])).await["total"], 5);
    let campaigns = w
        .get_as("/api/v1/moderation/campaigns", &w.moderator_auth)
        .await
        .json();
    assert_eq!(
        campaigns["suggested"][0]["comment_ids"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let merged = w
        .app
        .json(
            Method::POST,
            "/api/v1/moderation/bulk",
            &json!({"comment_ids": ids, "decision": "merge", "campaign_label": "Giữ cây dầu đường Hai Bà Trưng"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    let campaign_id = merged.json()["campaign_id"].as_str().unwrap().to_owned();
    let campaigns = w
        .get_as("/api/v1/moderation/campaigns", &w.moderator_auth)
        .await
        .json();
    assert_eq!(campaigns["campaigns"][0]["id"], campaign_id.as_str());
    assert_eq!(campaigns["campaigns"][0]["size"], 5);
    assert!(campaigns["suggested"].as_array().unwrap().is_empty());
    // Each comment keeps its own record.
    let decisions = moderation_decisions::Entity::find()
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(decisions, 5);
    // A merge across consultations is refused.
    let (_, auth) = w.resident("nua@vidu.vn").await;
    let here = w
        .comment(&auth, "Ý kiến thêm về cây xanh ven đường.", "private")
        .await;
    let elsewhere = consultations::Entity::find()
        .filter(consultations::Column::Id.ne(w.consultation.id))
        .filter(consultations::Column::Status.ne(entity::enums::ConsultationStatus::Draft))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let other_report = gopy::services::import::import_comments(
        &w.app.state.db,
        elsewhere.id,
        Some(w.moderator.id),
        gopy::services::import::Format::JsonLines,
        r#"{"body": "Ý kiến trên phiếu góp ý giấy.", "stance": "support"}"#.as_bytes(),
    )
    .await
    .unwrap();
    let other_id = comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq(other_report.tracking_codes[0].as_str()))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    w.app
        .json(
            Method::POST,
            "/api/v1/moderation/bulk",
            &json!({"comment_ids": [here, other_id], "decision": "merge"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(400, "mixed_consultations");
}

#[tokio::test]
async fn bulk_decisions_clear_a_queue_and_never_decide_a_comment_twice() {
    let w = world().await;
    let mut lines = String::new();
    for i in 0..1500 {
        lines.push_str(
            &json!({"body": format!("Ý kiến số {i} về quy hoạch cây xanh và vỉa hè khu vực trung tâm."), "stance": "support", "consent": "public_anonymous"})
                .to_string(),
        );
        lines.push('\n');
    }
    gopy::services::import::import_comments(
        &w.app.state.db,
        w.consultation.id,
        Some(w.moderator.id),
        gopy::services::import::Format::JsonLines,
        lines.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(w.queue("").await["counts"]["pending"], 1500);
    let mut rounds = 0;
    loop {
        let page = w.queue("?per_page=200").await;
        let ids: Vec<Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].clone())
            .collect();
        if ids.is_empty() {
            break;
        }
        // Two moderators press at once: each comment is decided exactly once.
        let body = json!({"comment_ids": ids, "decision": "approve"});
        let headers = [("authorization", w.moderator_auth.as_str())];
        let (a, b) = tokio::join!(
            w.app
                .json(Method::POST, "/api/v1/moderation/bulk", &body, &headers),
            w.app
                .json(Method::POST, "/api/v1/moderation/bulk", &body, &headers),
        );
        let decided = a.json()["decided"].as_array().unwrap().len()
            + b.json()["decided"].as_array().unwrap().len();
        assert_eq!(decided, ids.len());
        rounds += 1;
        assert!(rounds <= 8, "the queue does not empty");
    }
    let counts = w.queue("").await["counts"].clone();
    assert_eq!(counts["pending"], 0);
    assert_eq!(counts["approved"], 1500);
    assert_eq!(
        moderation_decisions::Entity::find()
            .count(&w.app.state.db)
            .await
            .unwrap(),
        1500
    );
    let too_many: Vec<String> = (0..1001)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    w.app
        .json(
            Method::POST,
            "/api/v1/moderation/bulk",
            &json!({"comment_ids": too_many, "decision": "approve"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn bad_decisions_and_filters_get_clear_errors() {
    let w = world().await;
    let (_, auth) = w.resident("lan@vidu.vn").await;
    let id = w
        .comment(
            &auth,
            "Đề nghị mở rộng đường Nguyễn Văn Cừ.",
            "public_named",
        )
        .await;
    let out_of_range = w
        .decide(
            &id,
            json!({"decision": "approve", "redactions": [{"start": 5, "end": 500}]}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(out_of_range["errors"][0]["field"], "redactions");
    let unknown = w.decide(&id, json!({"decision": "publish"})).await;
    assert!(
        unknown.status == 400 || unknown.status == 422,
        "{}",
        unknown.status
    );
    w.decide(&id, json!({"decision": "approve", "reason_code": "spam"}))
        .await
        .assert_problem(422, "validation_failed");
    w.decide(
        &uuid::Uuid::now_v7().to_string(),
        json!({"decision": "approve"}),
    )
    .await
    .assert_problem(404, "not_found");
    for query in [
        "?flag=nonsense",
        "?status=deleted",
        "?author_kind=robot",
        "?per_page=0",
        "?page=0",
        "?sort=x",
    ] {
        let response = w
            .get_as(
                &format!("/api/v1/moderation/queue{query}"),
                &w.moderator_auth,
            )
            .await;
        assert!(
            response.status == 400 || response.status == 422,
            "{query}: {}",
            response.status
        );
    }
    // A chosen span of the text is hidden too.
    let decided = w
        .decide(
            &id,
            json!({"decision": "approve", "redactions": [{"start": 18, "end": 35}]}),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text());
    assert_eq!(
        decided.json()["public_body"],
        format!("Đề nghị mở rộng đư{MARK}.")
    );
}

#[tokio::test]
async fn text_sent_again_and_again_by_one_account_is_flagged() {
    let w = world().await;
    let (_, auth) = w.resident("lan@vidu.vn").await;
    let text = "Phản đối dự án này, phản đối dự án này, phản đối!";
    for _ in 0..3 {
        w.comment(&auth, text, "public_named").await;
    }
    let flagged = w.queue("?flag=repeated_text").await;
    assert_eq!(flagged["total"], 1, "only the third copy: {flagged}");
}

#[tokio::test]
async fn a_moderator_decides_from_the_pages_and_the_public_page_shows_the_redaction() {
    let w = world().await;
    let (_, auth) = w.resident("lan@vidu.vn").await;
    let first = w
        .comment(
            &auth,
            "Cống thoát nước trước nhà bị nghẹt, gọi tôi 0939 123 456 để khảo sát.",
            "public_named",
        )
        .await;
    let second = w
        .comment(
            &auth,
            "Đề nghị trồng thêm cây xanh dọc bờ kè sông Cần Thơ.",
            "public_named",
        )
        .await;
    let mut browser = Browser::signed_in(&w.app, &w.moderator).await;
    let queue = browser.get("/moderation").await;
    assert_eq!(queue.status, 200);
    let doc = queue.html();
    assert_eq!(
        select_texts(&doc, "mark[data-flag=phone]"),
        vec!["0939 123 456"]
    );
    assert_eq!(select_texts(&doc, "[data-testid=queue-row]").len(), 2);

    // Approving from the review page goes straight to the next pending comment.
    let review = format!("/moderation/comments/{first}");
    let page = browser.get(&review).await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=review-preview]"),
        vec![format!(
            "Cống thoát nước trước nhà bị nghẹt, gọi tôi {MARK} để khảo sát."
        )]
    );
    let done = browser
        .submit(
            &review,
            &review,
            &[("decision", "approve"), ("redact_texts", "")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text());
    assert_eq!(
        done.headers["location"],
        format!("/moderation/comments/{second}?notice=moderation_decided").as_str()
    );

    // A rejection without a reason is sent back with the error.
    let second_review = format!("/moderation/comments/{second}");
    let refused = browser
        .submit(&second_review, &second_review, &[("decision", "reject")])
        .await;
    assert_eq!(refused.status, 200);
    assert_eq!(
        select_texts(&refused.html(), "[data-testid=error-summary] a"),
        vec!["Chọn lý do từ chối"]
    );
    // Bulk with nothing selected says so; with the page scope it decides the page.
    let nothing = browser
        .submit(
            "/moderation",
            "/moderation/bulk",
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(nothing.status, 303);
    let back = browser
        .get(nothing.headers["location"].to_str().unwrap())
        .await;
    assert_eq!(
        select_texts(&back.html(), "[data-testid=queue-error]").len(),
        1
    );
    let all = browser
        .submit(
            "/moderation",
            "/moderation/bulk",
            &[
                ("decision", "approve"),
                ("scope", "page"),
                ("page_ids", &second),
            ],
        )
        .await;
    assert_eq!(all.status, 303);
    assert_eq!(w.queue("").await["total"], 0);

    let public = w
        .app
        .get_page(&format!("/consultations/{}", w.consultation.id), None)
        .await
        .text();
    assert!(public.contains("Cống thoát nước trước nhà bị nghẹt"));
    assert!(public.contains(MARK));
    assert!(!public.contains("0939 123 456"));

    // An officer of the lead agency gets no queue page.
    let officer = account(&w.app, "sxd@vidu.vn", "Cán bộ", Role::AgencyOfficer, true).await;
    let mut officer_browser = Browser::signed_in(&w.app, &officer).await;
    assert_eq!(officer_browser.get("/moderation").await.status, 403);
}
