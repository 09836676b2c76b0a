//! Agencies writing consultations: drafts, window rules, clause trees from pasted text,
//! publication, closing, and versions that keep the old text and its comments.

use axum::body::Body;
use entity::enums::Role;
use gopy::domain::account::{Email, NewPassword};
use gopy::services::authoring::{ClauseChange, changes_since_previous};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};

async fn bearer(app: &TestApp, email: &str, role: Role, agency: Option<&str>) -> String {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        display_name: "Cán bộ".to_owned(),
        role,
        agency_code: agency.map(ToOwned::to_owned),
        organization_code: None,
        verified: true,
    };
    let user = create(&app.state.db, new, app.state.settings.password)
        .await
        .unwrap();
    let session =
        gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
            .await
            .unwrap();
    format!("Bearer {}", session.token)
}

fn draft(days: i64) -> serde_json::Value {
    let opens = chrono::Utc::now() - chrono::Duration::hours(1);
    json!({
        "title": "Quy hoạch chi tiết công viên ven sông Cần Thơ",
        "summary": "Dự thảo quy hoạch chi tiết tỷ lệ 1/500 công viên ven sông.",
        "body": "Đoạn mở đầu.\n\n- Mục tiêu 1\n- Mục tiêu 2",
        "kind": "detailed_plan",
        "units": ["31150", "31168"],
        "legal_basis": "Luật Quy hoạch đô thị và nông thôn 2024.",
        "opens_at": opens,
        "closes_at": opens + chrono::Duration::days(days),
    })
}

async fn call(
    app: &TestApp,
    method: Method,
    uri: &str,
    auth: Option<&str>,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    app.send(request.unwrap()).await
}

#[tokio::test]
async fn an_officer_drafts_pastes_the_text_and_publishes() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let other = bearer(&app, "stc@vidu.vn", Role::AgencyOfficer, Some("STC")).await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(45)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["status"], "draft");
    let uri = format!("/api/v1/consultations/{id}");

    call(&app, Method::GET, &uri, None, None)
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::GET, &uri, Some(&other), None)
        .await
        .assert_problem(404, "not_found");
    let own = call(&app, Method::GET, &uri, Some(&officer), None).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["lead_agency"]["code"], "SXD");
    assert_eq!(own.json()["units"].as_array().unwrap().len(), 2);
    call(
        &app,
        Method::PATCH,
        &uri,
        Some(&other),
        Some(json!({"title": "Chiếm quyền"})),
    )
    .await
    .assert_problem(404, "not_found");

    let text = include_str!("../fixtures/bo-luat-lao-dong-2019.txt");
    let tree = call(
        &app,
        Method::PUT,
        &format!("{uri}/clauses"),
        Some(&officer),
        Some(json!({"text": text})),
    )
    .await;
    assert_eq!(tree.status, 200, "{}", tree.text());
    assert_eq!(tree.json()["counts"]["chuong"], 17);
    assert_eq!(tree.json()["counts"]["muc"], 24);
    assert_eq!(tree.json()["counts"]["dieu"], 220);

    let renamed = call(
        &app,
        Method::PATCH,
        &uri,
        Some(&officer),
        Some(json!({"title": "Quy hoạch chi tiết công viên ven sông (bản sửa)"})),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    let published = call(
        &app,
        Method::POST,
        &format!("{uri}/publish"),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(published.json()["status"], "open");
    let public = call(&app, Method::GET, &uri, None, None).await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.json()["title"],
        "Quy hoạch chi tiết công viên ven sông (bản sửa)"
    );
    assert_eq!(
        public.json()["clauses"].as_array().unwrap().len(),
        tree.json()["clauses"].as_array().unwrap().len()
    );

    call(&app, Method::DELETE, &uri, Some(&officer), None)
        .await
        .assert_problem(409, "published_cannot_be_deleted");
    call(
        &app,
        Method::PATCH,
        &uri,
        Some(&officer),
        Some(json!({"title": "Sửa sau khi công bố"})),
    )
    .await
    .assert_problem(409, "not_a_draft");
    call(
        &app,
        Method::PUT,
        &format!("{uri}/clauses"),
        Some(&officer),
        Some(json!({"text": "Điều 1. Mới"})),
    )
    .await
    .assert_problem(409, "not_a_draft");
    call(
        &app,
        Method::POST,
        &format!("{uri}/publish"),
        Some(&other),
        None,
    )
    .await
    .assert_problem(403, "forbidden");
    let closed = call(
        &app,
        Method::POST,
        &format!("{uri}/close"),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(closed.json()["status"], "closed");
    assert_eq!(
        call(&app, Method::GET, &uri, None, None).await.json()["status"],
        "closed"
    );
}

#[tokio::test]
async fn a_short_window_needs_a_public_reason() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let p = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(10)),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "short_window_reason");
    let mut with_reason = draft(10);
    with_reason["short_window_reason"] = json!("Khẩn cấp phòng chống ngập trước mùa mưa.");
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(with_reason),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        created.json()["short_window_reason"],
        "Khẩn cấp phòng chống ngập trước mùa mưa."
    );
    let mut backwards = draft(45);
    backwards["closes_at"] = backwards["opens_at"].clone();
    call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(backwards),
    )
    .await
    .assert_problem(422, "validation_failed");
    let mut bad = draft(45);
    bad["kind"] = json!("khác");
    bad["units"] = json!(["00000"]);
    bad["area_geojson"] = json!({"type": "Hình tròn"});
    let p = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(bad),
    )
    .await
    .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["kind", "area_geojson", "units"]);
    let mut foreign = draft(45);
    foreign["lead_agency"] = json!("STC");
    call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(foreign),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_new_version_keeps_the_old_one_and_shows_what_changed() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let id = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(45)),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = "Điều 1. Phạm vi\nQuy hoạch công viên ven sông.\nĐiều 2. Cây xanh\n1. Giữ lại cây cổ thụ.\n2. Trồng mới 500 cây.";
    call(
        &app,
        Method::PUT,
        &format!("/api/v1/consultations/{id}/clauses"),
        Some(&officer),
        Some(json!({"text": first})),
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/publish"),
        Some(&officer),
        None,
    )
    .await;

    let v2 = call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/versions"),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(v2.status, 201, "{}", v2.text());
    assert_eq!(v2.json()["version"], 2);
    let v2_id = v2.json()["id"].as_str().unwrap().to_owned();
    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/versions"),
        Some(&officer),
        None,
    )
    .await
    .assert_problem(409, "newer_version_exists");
    let second = "Điều 1. Phạm vi\nQuy hoạch công viên ven sông.\nĐiều 2. Cây xanh\n1. Giữ lại cây cổ thụ.\n2. Trồng mới 800 cây bản địa.\n3. Làm lối đi bộ dưới tán cây.";
    call(
        &app,
        Method::PUT,
        &format!("/api/v1/consultations/{v2_id}/clauses"),
        Some(&officer),
        Some(json!({"text": second})),
    )
    .await;
    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{v2_id}/publish"),
        Some(&officer),
        None,
    )
    .await;

    let old = call(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(old.status, 200, "the old version stays readable");
    assert_eq!(old.json()["status"], "closed");
    let v2_row = entity::consultations::Entity::find_by_id(v2_id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let changes = changes_since_previous(&app.state.db, &v2_row)
        .await
        .unwrap();
    let summary: Vec<String> = changes
        .iter()
        .map(|c| match c {
            ClauseChange::Added(a) => format!("+{}", a.body),
            ClauseChange::Removed(r) => format!("-{}", r.body),
            ClauseChange::Changed { after, .. } => format!("~{}", after.body),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "~Trồng mới 800 cây bản địa.",
            "+Làm lối đi bộ dưới tán cây."
        ]
    );
}

#[tokio::test]
async fn officers_correct_the_recognised_tree_of_a_draft() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let other = bearer(&app, "stc@vidu.vn", Role::AgencyOfficer, Some("STC")).await;
    let id = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(45)),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = "Điều 1. Phạm vi\nQuy hoạch công viên.\nĐiều 2. Cây xanh\n1. Giữ cây cổ thụ.\na) Cây dầu.\nb) Cây sao.\n2. Trồng mới.";
    let tree = call(
        &app,
        Method::PUT,
        &format!("/api/v1/consultations/{id}/clauses"),
        Some(&officer),
        Some(json!({"text": text})),
    )
    .await
    .json();
    let clauses = tree["clauses"].as_array().unwrap();
    let khoan = clauses
        .iter()
        .find(|c| c["level"] == "khoan" && c["number"] == "1")
        .unwrap();
    let khoan_id = khoan["id"].as_str().unwrap();
    let uri = format!("/api/v1/consultations/{id}/clauses/{khoan_id}");

    let fixed = call(
        &app,
        Method::PATCH,
        &uri,
        Some(&officer),
        Some(json!({"body": "Giữ lại toàn bộ cây cổ thụ."})),
    )
    .await;
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    assert_eq!(fixed.json()["body"], "Giữ lại toàn bộ cây cổ thụ.");
    call(
        &app,
        Method::PATCH,
        &uri,
        Some(&other),
        Some(json!({"body": "x"})),
    )
    .await
    .assert_problem(404, "not_found");
    call(
        &app,
        Method::PATCH,
        &uri,
        Some(&officer),
        Some(json!({"number": ""})),
    )
    .await
    .assert_problem(422, "validation_failed");

    assert_eq!(
        call(&app, Method::DELETE, &uri, Some(&officer), None)
            .await
            .status,
        204
    );
    let after = call(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}"),
        Some(&officer),
        None,
    )
    .await
    .json();
    let numbers: Vec<String> = after["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}{}",
                c["level"].as_str().unwrap(),
                c["number"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        numbers,
        vec!["dieu1", "dieu2", "khoan2"],
        "the khoản and its điểm are gone"
    );

    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/publish"),
        Some(&officer),
        None,
    )
    .await;
    let remaining = after["clauses"][0]["id"].as_str().unwrap();
    call(
        &app,
        Method::PATCH,
        &format!("/api/v1/consultations/{id}/clauses/{remaining}"),
        Some(&officer),
        Some(json!({"body": "Sửa sau khi công bố"})),
    )
    .await
    .assert_problem(409, "not_a_draft");
}

#[tokio::test]
async fn the_minimum_window_per_kind_is_configurable() {
    let app = TestApp::builder()
        .configure(|s| s.min_comment_days.detailed_plan = 7)
        .build()
        .await;
    let officer = bearer(&app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(10)),
    )
    .await;
    assert_eq!(
        created.status,
        201,
        "10 days pass a 7-day minimum: {}",
        created.text()
    );
    let p = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        Some(&officer),
        Some(draft(5)),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains('7'),
        "{p}"
    );
}
