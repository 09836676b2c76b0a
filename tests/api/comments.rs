//! Comments: submission rules, tracking, visibility, consent on public pages, endorsements.

use std::time::Duration;

use axum::body::Body;
use entity::enums::{CommentStatus, Role};
use entity::{clauses, comments, consultations, users};
use http::{Method, Request, header};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, TestResponse, account, bearer_for};

struct World {
    app: TestApp,
    consultation: consultations::Model,
    clause: clauses::Model,
}

async fn world() -> World {
    world_with(TestApp::with_samples().await).await
}

async fn world_with(app: TestApp) -> World {
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let clause = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation.id))
        .order_by_asc(clauses::Column::Position)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    World {
        app,
        consultation,
        clause,
    }
}

/// A signed-in account of `role`; returns its bearer header value.
async fn person(app: &TestApp, email: &str, name: &str, role: Role, verified: bool) -> String {
    let user = account(app, email, name, role, verified).await;
    bearer_for(app, &user).await
}

async fn post_comment(
    w: &World,
    auth: &str,
    body: serde_json::Value,
    key: Option<&str>,
) -> TestResponse {
    let mut headers = vec![("authorization", auth)];
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    w.app
        .json(
            Method::POST,
            &format!("/api/v1/consultations/{}/comments", w.consultation.id),
            &body,
            &headers,
        )
        .await
}

fn comment_body(w: &World, text: &str, consent: &str) -> serde_json::Value {
    json!({"clause_id": w.clause.id, "stance": "suggest", "body": text, "consent": consent})
}

async fn get_as(app: &TestApp, uri: &str, auth: Option<&str>) -> TestResponse {
    let mut request = Request::get(uri);
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// Approves a comment as a moderator would (moderation itself comes with the queue).
async fn approve(app: &TestApp, id: &str) {
    let id: uuid::Uuid = id.parse().unwrap();
    let comment = comments::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut active = comment.clone().into_active_model();
    active.status = Set(CommentStatus::Approved);
    active.public_body = Set(Some(comment.body.clone()));
    active.moderated_at = Set(Some(chrono::Utc::now()));
    active.update(&app.state.db).await.unwrap();
}

#[tokio::test]
async fn a_resident_comments_on_a_clause_and_follows_it_by_code() {
    let sink = SmtpSink::start().await;
    let w = world_with(TestApp::builder().samples().smtp(sink.port()).build().await).await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let text = "Đề nghị giữ lại hàng cây dầu cổ thụ trên đường Hai Bà Trưng khi mở rộng vỉa hè.";
    let created = post_comment(&w, &lan, comment_body(&w, text, "public_named"), None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    assert_eq!(created["status"], "pending");
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    assert!(
        gopy::domain::tracking::TrackingCode::parse(&code).is_ok(),
        "{code}"
    );

    let tracked = w
        .app
        .get(&format!(
            "/api/v1/track/{}",
            code.to_lowercase().replace('-', "%20")
        ))
        .await;
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    let tracked_json = tracked.json();
    assert_eq!(tracked_json["tracking_code"], code.as_str());
    assert_eq!(tracked_json["status"], "pending");
    assert_eq!(
        tracked_json["consultation_id"],
        w.consultation.id.to_string()
    );
    let raw = tracked.text();
    assert!(
        !raw.contains("Lan") && !raw.contains("lan@") && !raw.contains("cây dầu"),
        "no personal data or text: {raw}"
    );
    w.app
        .get("/api/v1/track/GY-0000-0000")
        .await
        .assert_problem(404, "not_found");

    let mail = sink.wait_for("lan@vidu.vn", Duration::from_secs(20)).await;
    assert!(mail.subject().contains(&code), "{}", mail.subject());
    assert!(mail.text_body().contains(&format!("/track/{code}")));
}

#[tokio::test]
async fn a_pending_comment_is_visible_to_its_author_and_moderators_only() {
    let w = world().await;
    let author = person(&w.app, "an@vidu.vn", "Trần An", Role::Resident, true).await;
    let other = person(&w.app, "binh@vidu.vn", "Lê Bình", Role::Resident, true).await;
    let moderator = person(&w.app, "mttq@vidu.vn", "Cán bộ MTTQ", Role::Moderator, true).await;
    let officer = person(
        &w.app,
        "sxd@vidu.vn",
        "Cán bộ SXD",
        Role::AgencyOfficer,
        true,
    )
    .await;
    let created = post_comment(
        &w,
        &author,
        comment_body(
            &w,
            "Vỉa hè đường 30/4 bị lấn chiếm, cần xử lý.",
            "public_named",
        ),
        None,
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/comments/{id}");

    let own = get_as(&w.app, &uri, Some(&author)).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["status"], "pending");
    assert_eq!(
        get_as(&w.app, &uri, Some(&moderator)).await.json()["status"],
        "pending"
    );
    for reader in [None, Some(other.as_str()), Some(officer.as_str())] {
        get_as(&w.app, &uri, reader)
            .await
            .assert_problem(404, "not_found");
    }
    let list = w
        .app
        .get(&format!(
            "/api/v1/consultations/{}/comments",
            w.consultation.id
        ))
        .await
        .json();
    assert_eq!(list["total"], 0, "pending comments are not listed");
}

#[tokio::test]
async fn comments_are_accepted_only_inside_the_window() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let mut closed = w.consultation.clone().into_active_model();
    closed.closes_at = Set(chrono::Utc::now() - chrono::Duration::hours(1));
    closed.update(&w.app.state.db).await.unwrap();
    let p = post_comment(
        &w,
        &lan,
        comment_body(&w, "Góp ý sau khi đã hết hạn lấy ý kiến.", "public_named"),
        None,
    )
    .await
    .assert_problem(409, "outside_comment_window");
    assert!(
        p["detail"].as_str().unwrap().contains('/'),
        "the dates are named: {p}"
    );

    let mut future = w.consultation.clone().into_active_model();
    future.opens_at = Set(chrono::Utc::now() + chrono::Duration::days(2));
    future.closes_at = Set(chrono::Utc::now() + chrono::Duration::days(40));
    future.update(&w.app.state.db).await.unwrap();
    post_comment(
        &w,
        &lan,
        comment_body(&w, "Góp ý trước khi mở lấy ý kiến.", "public_named"),
        None,
    )
    .await
    .assert_problem(409, "outside_comment_window");
}

#[tokio::test]
async fn bodies_are_limited_to_5000_characters_not_bytes() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let ok = post_comment(
        &w,
        &lan,
        comment_body(&w, &"ệ".repeat(5_000), "private"),
        None,
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    let p = post_comment(
        &w,
        &lan,
        comment_body(&w, &"ệ".repeat(5_001), "private"),
        None,
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "body");
    assert_eq!(p["errors"][0]["code"], "too_long");
    let bad = json!({"stance": "maybe", "body": "ngắn", "consent": "everyone", "clause_id": uuid::Uuid::now_v7()});
    let p = post_comment(&w, &lan, bad, None)
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["stance", "consent", "body", "clause_id"]);
}

#[tokio::test]
async fn only_verified_residents_and_representatives_comment() {
    let w = world().await;
    let unverified = person(&w.app, "moi@vidu.vn", "Mới", Role::Resident, false).await;
    let officer = person(&w.app, "sxd@vidu.vn", "SXD", Role::AgencyOfficer, true).await;
    let rep = person(
        &w.app,
        "hoi@vidu.vn",
        "Hội Phụ nữ",
        Role::OrganizationRep,
        true,
    )
    .await;
    let text = "Hội đề nghị bố trí nhà vệ sinh công cộng dọc bờ kè.";
    post_comment(
        &w,
        &unverified,
        comment_body(&w, text, "public_named"),
        None,
    )
    .await
    .assert_problem(409, "email_not_verified");
    post_comment(&w, &officer, comment_body(&w, text, "public_named"), None)
        .await
        .assert_problem(403, "forbidden");
    let mut body = comment_body(&w, text, "public_named");
    body["on_behalf_of_organization"] = json!(true);
    let created = post_comment(&w, &rep, body, None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    approve(&w.app, &id).await;
    let shown = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
    assert_eq!(shown["author"], "Hội Liên hiệp Phụ nữ thành phố Cần Thơ");
    assert_eq!(shown["by_organization"], true);
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let mut body = comment_body(&w, text, "public_named");
    body["on_behalf_of_organization"] = json!(true);
    post_comment(&w, &lan, body, None)
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_comment() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let body = comment_body(
        &w,
        "Mạng yếu nên điện thoại gửi lại nhiều lần.",
        "public_anonymous",
    );
    let first = post_comment(&w, &lan, body.clone(), Some("phone-7f3a")).await;
    let again = post_comment(&w, &lan, body.clone(), Some("phone-7f3a")).await;
    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(first.json()["tracking_code"], again.json()["tracking_code"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = post_comment(&w, &lan, body, Some("phone-8b4c")).await;
    assert_ne!(other.json()["id"], first.json()["id"]);
    let count = comments::Entity::find()
        .all(&w.app.state.db)
        .await
        .unwrap()
        .len();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn consent_decides_the_name_shown_and_private_comments_are_never_public() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut ids = Vec::new();
    for (consent, text) in [
        ("public_named", "Ý kiến có tên: cần thêm cây xanh."),
        ("public_anonymous", "Ý kiến ẩn danh: cần thêm ghế đá."),
        ("private", "Ý kiến không công khai: nhà tôi bị ngập."),
    ] {
        let created = post_comment(&w, &lan, comment_body(&w, text, consent), None).await;
        let id = created.json()["id"].as_str().unwrap().to_owned();
        approve(&w.app, &id).await;
        ids.push(id);
    }
    let list = w
        .app
        .get(&format!(
            "/api/v1/consultations/{}/comments?sort=oldest",
            w.consultation.id
        ))
        .await
        .json();
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["author"], "Nguyễn Thị Lan");
    assert_eq!(items[1]["author"], "Người dân");
    assert!(!list.to_string().contains("không công khai"));
    w.app
        .get(&format!("/api/v1/comments/{}", ids[2]))
        .await
        .assert_problem(404, "not_found");
    let anonymous = w.app.get(&format!("/api/v1/comments/{}", ids[1])).await;
    assert!(!anonymous.text().contains("Lan"), "{}", anonymous.text());
}

#[tokio::test]
async fn list_parameters_accept_only_known_values() {
    let w = world().await;
    let base = format!("/api/v1/consultations/{}/comments", w.consultation.id);
    w.app
        .get(&format!("{base}?sort=body"))
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .get(&format!("{base}?sort=newest;DROP"))
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .get(&format!("{base}?stance=all"))
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .get(&format!("{base}?order=desc"))
        .await
        .assert_problem(400, "invalid_query");
    w.app
        .get(&format!("{base}?per_page=0"))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        w.app
            .get(&format!(
                "{base}?sort=most_endorsed&stance=suggest&clause_id={}",
                w.clause.id
            ))
            .await
            .status,
        200
    );
    w.app
        .get(&format!(
            "/api/v1/consultations/{}/comments",
            uuid::Uuid::now_v7()
        ))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_endorsements_by_one_resident_count_once() {
    let w = world().await;
    let author = person(&w.app, "an@vidu.vn", "An", Role::Resident, true).await;
    let fan = person(&w.app, "binh@vidu.vn", "Bình", Role::Resident, true).await;
    let created = post_comment(
        &w,
        &author,
        comment_body(&w, "Đề nghị làm thêm lối đi bộ ven sông.", "public_named"),
        None,
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/comments/{id}/endorsements");
    // Pending comments cannot be endorsed.
    let early = w
        .app
        .send(
            Request::post(&uri)
                .header(header::AUTHORIZATION, &fan)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    early.assert_problem(404, "not_found");
    approve(&w.app, &id).await;

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let router = w.app.router.clone();
        let request = Request::post(&uri)
            .header(header::AUTHORIZATION, &fan)
            .body(Body::empty())
            .unwrap();
        tasks.spawn(async move { router.oneshot(request).await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let shown = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
    assert_eq!(shown["endorsement_count"], 1);
    let other = person(&w.app, "chi@vidu.vn", "Chi", Role::Resident, true).await;
    let second = w
        .app
        .send(
            Request::post(&uri)
                .header(header::AUTHORIZATION, &other)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(second.json()["endorsement_count"], 2);
    let users = users::Entity::find()
        .all(&w.app.state.db)
        .await
        .unwrap()
        .len();
    assert!(users >= 3);
}

#[tokio::test]
async fn authors_edit_until_moderation_and_every_version_is_kept() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let other = person(&w.app, "binh@vidu.vn", "Bình", Role::Resident, true).await;
    let created = post_comment(
        &w,
        &lan,
        comment_body(&w, "Bản đầu: cần thêm đèn chiếu sáng.", "public_named"),
        None,
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/comments/{id}");
    let edit = json!({"body": "Bản sửa: cần thêm đèn chiếu sáng và camera an ninh.", "consent": "public_anonymous"});
    w.app
        .json(Method::PATCH, &uri, &edit, &[("authorization", &other)])
        .await
        .assert_problem(404, "not_found");
    let edited = w
        .app
        .json(Method::PATCH, &uri, &edit, &[("authorization", &lan)])
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(
        edited.json()["tracking_code"],
        created.json()["tracking_code"],
        "the code stays"
    );
    let own = get_as(&w.app, &uri, Some(&lan)).await.json();
    assert_eq!(
        own["body"],
        "Bản sửa: cần thêm đèn chiếu sáng và camera an ninh."
    );
    assert_eq!(own["consent"], "public_anonymous");
    let history = gopy::services::comments::revisions(&w.app.state.db, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].body, "Bản đầu: cần thêm đèn chiếu sáng.");
    let consents = entity::consent_records::Entity::find()
        .filter(entity::consent_records::Column::CommentId.eq(id.parse::<uuid::Uuid>().unwrap()))
        .order_by_asc(entity::consent_records::Column::RecordedAt)
        .all(&w.app.state.db)
        .await
        .unwrap();
    let kinds: Vec<&str> = consents.iter().map(|c| c.consent.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["public_named", "public_anonymous"],
        "each consent is recorded with its time"
    );

    w.app
        .json(
            Method::PATCH,
            &uri,
            &json!({"body": "ngắn"}),
            &[("authorization", &lan)],
        )
        .await
        .assert_problem(422, "validation_failed");
    approve(&w.app, &id).await;
    w.app
        .json(
            Method::PATCH,
            &uri,
            &json!({"body": "Sửa sau khi đã duyệt thì không được."}),
            &[("authorization", &lan)],
        )
        .await
        .assert_problem(409, "already_moderated");
}

#[tokio::test]
async fn a_comment_can_name_its_place_by_ward_code_or_on_the_map() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../data/reference/can-tho.json")).unwrap();
    // A pre-2025 ward merged into exactly one of today's units.
    let legacy = reference["units_legacy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["merged_into"].as_array().unwrap().len() == 1 && u["merged_into"][0] != u["code"]
        })
        .unwrap();
    let mut body = comment_body(
        &w,
        "Đoạn đường trước chợ bị ngập mỗi khi triều cường.",
        "public_named",
    );
    body["unit_code"] = legacy["code"].clone();
    body["lat"] = json!(10.0341);
    body["lon"] = json!(105.7880);
    let created = post_comment(&w, &lan, body, None).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id: uuid::Uuid = created.json()["id"].as_str().unwrap().parse().unwrap();
    let stored = comments::Entity::find_by_id(id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let unit = entity::admin_units::Entity::find_by_id(stored.unit_id.unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        unit.code.as_ref(),
        legacy["merged_into"][0]
            .as_str()
            .map(ToOwned::to_owned)
            .as_ref(),
        "placed in today's unit"
    );
    assert!(unit.valid_to.is_none());
    assert_eq!((stored.lat, stored.lon), (Some(10.0341), Some(105.7880)));

    let mut half = comment_body(&w, "Chỉ có vĩ độ mà không có kinh độ.", "public_named");
    half["lat"] = json!(10.03);
    let p = post_comment(&w, &lan, half, None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["code"], "invalid_location");
    let mut unknown = comment_body(&w, "Mã phường không tồn tại.", "public_named");
    unknown["unit_code"] = json!("99999");
    post_comment(&w, &lan, unknown, None)
        .await
        .assert_problem(422, "validation_failed");
}
