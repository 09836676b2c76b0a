//! Accounts through the JSON API: sign-up and verification by mail, password reset, API
//! tokens, personal data export and erasure, administration.

use std::time::Duration;

use axum::body::Body;
use entity::enums::{Channel, CommentStatus, Consent, Role, Stance};
use entity::{comments, consultations, users};
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, from_ip};

const WAIT: Duration = Duration::from_secs(20);

/// The `token` parameter of the first link in a mail body.
fn token_in(body: &str) -> String {
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().smtp(sink.port()).samples().build().await;
    (app, sink)
}

async fn login_token(app: &TestApp, email: &str, password: &str) -> String {
    let response = app
        .json(
            Method::POST,
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
            &[],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["token"].as_str().unwrap().to_owned()
}

async fn account(app: &TestApp, email: &str, role: Role, agency: Option<&str>) -> users::Model {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        display_name: "Trần Thị Bích".to_owned(),
        role,
        agency_code: agency.map(ToOwned::to_owned),
        organization_code: None,
        verified: true,
    };
    create(&app.state.db, new, app.state.settings.password)
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_up_mails_a_single_use_verification_link() {
    let (app, sink) = app_with_mail().await;
    let body = json!({"email": "Lan@Vidu.vn", "password": "cầu Rạch Ngỗng lúc 5 giờ", "display_name": "Nguyễn Thị Lan"});
    let response = app
        .json(Method::POST, "/api/v1/auth/register", &body, &[])
        .await;
    assert_eq!(response.status, 202, "{}", response.text());
    assert_eq!(response.json()["status"], "check_your_mail");

    let mail = sink.wait_for("lan@vidu.vn", WAIT).await;
    assert_eq!(mail.subject(), "Xác nhận địa chỉ email của bạn");
    let text = mail.text_body();
    assert!(text.contains("Nguyễn Thị Lan"), "{text}");
    let base = app.state.base_url.to_string();
    assert!(
        text.contains(&format!("{base}/account/verify?token=")),
        "{text}"
    );
    let token = token_in(&text);

    let token_login = login_token(&app, "lan@vidu.vn", "cầu Rạch Ngỗng lúc 5 giờ").await;
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token_login}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        me.json()["email_verified"],
        false,
        "unverified until the link is used"
    );

    let verified = app
        .json(
            Method::POST,
            "/api/v1/auth/verify",
            &json!({"token": token}),
            &[],
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text());
    assert_eq!(verified.json()["email_verified"], true);
    app.json(
        Method::POST,
        "/api/v1/auth/verify",
        &json!({"token": token}),
        &[],
    )
    .await
    .assert_problem(400, "invalid_token");
    app.json(
        Method::POST,
        "/api/v1/auth/verify",
        &json!({"token": "x".repeat(43)}),
        &[],
    )
    .await
    .assert_problem(400, "invalid_token");
}

#[tokio::test]
async fn signing_up_twice_reveals_nothing_and_warns_the_owner() {
    let (app, sink) = app_with_mail().await;
    account(&app, "bich@vidu.vn", Role::Resident, None).await;
    let body = json!({"email": "bich@vidu.vn", "password": "một mật khẩu khác hẳn", "display_name": "Kẻ mạo danh"});
    let response = app
        .json(Method::POST, "/api/v1/auth/register", &body, &[])
        .await;
    assert_eq!(response.status, 202);
    let mail = sink.wait_for("bich@vidu.vn", WAIT).await;
    assert_eq!(mail.subject(), "Tài khoản gopy của bạn đã tồn tại");
    // The existing password still works; the newcomer's does not.
    login_token(&app, "bich@vidu.vn", "mật khẩu thử nghiệm").await;
    app.json(
        Method::POST,
        "/api/v1/auth/login",
        &json!({"email": "bich@vidu.vn", "password": "một mật khẩu khác hẳn"}),
        &[],
    )
    .await
    .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn weak_or_malformed_sign_ups_get_field_errors() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "khong-phai-email", "password": "1234567890", "display_name": ""});
    let problem = app
        .json(Method::POST, "/api/v1/auth/register", &body, &[])
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("email", "invalid_format"),
            ("display_name", "required"),
            ("password", "too_common")
        ]
    );
    let extra =
        json!({"email": "a@vidu.vn", "password": "x", "display_name": "A", "role": "admin"});
    app.json(Method::POST, "/api/v1/auth/register", &extra, &[])
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::Email.eq("a@vidu.vn"))
            .one(&app.state.db)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn sign_ups_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;
    let send = |i: usize, ip: [u8; 4]| {
        let body = json!({"email": format!("nguoi{i}@vidu.vn"), "password": "cầu Rạch Ngỗng lúc 5 giờ", "display_name": "Người thử"});
        let request = Request::post("/api/v1/auth/register")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.send(from_ip(request, ip))
    };
    for i in 0..10 {
        assert_eq!(send(i, [10, 0, 0, 7]).await.status, 202);
    }
    let limited = send(10, [10, 0, 0, 7]).await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.headers.get(header::RETRY_AFTER).is_some());
    assert_eq!(
        send(11, [10, 0, 0, 8]).await.status,
        202,
        "another address is not limited"
    );
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_ends_every_session() {
    let (app, sink) = app_with_mail().await;
    account(&app, "cuong@vidu.vn", Role::Resident, None).await;
    let old_session = login_token(&app, "cuong@vidu.vn", "mật khẩu thử nghiệm").await;

    let response = app
        .json(
            Method::POST,
            "/api/v1/auth/password-reset",
            &json!({"email": "cuong@vidu.vn"}),
            &[],
        )
        .await;
    assert_eq!(response.status, 202);
    let unknown = app
        .json(
            Method::POST,
            "/api/v1/auth/password-reset",
            &json!({"email": "khongco@vidu.vn"}),
            &[],
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (response.status, response.json()),
        "same answer for unknown addresses"
    );
    let mail = sink.wait_for("cuong@vidu.vn", WAIT).await;
    assert_eq!(mail.subject(), "Đặt lại mật khẩu gopy");
    let token = token_in(&mail.text_body());

    let weak = json!({"token": token, "password": "password123"});
    app.json(
        Method::POST,
        "/api/v1/auth/password-reset/confirm",
        &weak,
        &[],
    )
    .await
    .assert_problem(422, "validation_failed");
    // A refused password does not burn the link.
    let good = json!({"token": token, "password": "sông Hậu mùa nước nổi 2026"});
    assert_eq!(
        app.json(
            Method::POST,
            "/api/v1/auth/password-reset/confirm",
            &good,
            &[]
        )
        .await
        .status,
        204
    );
    app.json(
        Method::POST,
        "/api/v1/auth/password-reset/confirm",
        &good,
        &[],
    )
    .await
    .assert_problem(400, "invalid_token");

    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {old_session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    me.assert_problem(401, "unauthenticated");
    login_token(&app, "cuong@vidu.vn", "sông Hậu mùa nước nổi 2026").await;
    app.json(
        Method::POST,
        "/api/v1/auth/login",
        &json!({"email": "cuong@vidu.vn", "password": "mật khẩu thử nghiệm"}),
        &[],
    )
    .await
    .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn api_tokens_are_shown_once_act_for_their_owner_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    account(&app, "dao@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let session = login_token(&app, "dao@vidu.vn", "mật khẩu thử nghiệm").await;
    let auth = format!("Bearer {session}");
    let created = app
        .json(
            Method::POST,
            "/api/v1/me/tokens",
            &json!({"name": "Hệ thống một cửa"}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gopy_pat_"));
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let listed = app
        .send(
            Request::get("/api/v1/me/tokens")
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(listed.json()[0]["name"], "Hệ thống một cửa");
    assert!(
        !listed.text().contains(&secret),
        "the secret is never shown again"
    );

    let me = app
        .send(
            Request::get("/api/v1/me")
                .header("authorization", format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.json()["role"],
        "agency_officer",
        "the token acts with the owner's role"
    );

    let other = account(&app, "en@vidu.vn", Role::Resident, None).await;
    let other_session = login_token(&app, &other.email, "mật khẩu thử nghiệm").await;
    let steal = app
        .send(
            Request::delete(format!("/api/v1/me/tokens/{id}"))
                .header("authorization", format!("Bearer {other_session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    steal.assert_problem(404, "not_found");

    let revoked = app
        .send(
            Request::delete(format!("/api/v1/me/tokens/{id}"))
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revoked.status, 204);
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header("authorization", format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    me.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn residents_export_their_data_and_erasure_keeps_comments_anonymized() {
    let app = TestApp::with_samples().await;
    let user = account(&app, "giao@vidu.vn", Role::Resident, None).await;
    let consultation = consultations::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let at = chrono::Utc::now();
    comments::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tracking_code: Set("GY-TEST-0001".to_owned()),
        consultation_id: Set(consultation.id),
        clause_id: Set(None),
        author_id: Set(Some(user.id)),
        organization_id: Set(None),
        author_name: Set(Some("Trần Thị Bích".to_owned())),
        channel: Set(Channel::Online),
        entered_by: Set(None),
        stance: Set(Stance::Suggest),
        body: Set("Đề nghị trồng thêm cây xanh dọc bờ kè Ninh Kiều.".to_owned()),
        consent: Set(Consent::PublicNamed),
        status: Set(CommentStatus::Approved),
        public_body: Set(Some(
            "Đề nghị trồng thêm cây xanh dọc bờ kè Ninh Kiều.".to_owned(),
        )),
        unit_id: Set(None),
        lat: Set(None),
        lon: Set(None),
        campaign_id: Set(None),
        idempotency_key: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        moderated_at: Set(Some(at)),
        fingerprint: Set(None),
        status_reason: Set(None),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let auth = format!(
        "Bearer {}",
        login_token(&app, "giao@vidu.vn", "mật khẩu thử nghiệm").await
    );

    let patched = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            &json!({"phone": "0912 345 678"}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    let export = app
        .send(
            Request::get("/api/v1/me/export")
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(export.status, 200);
    assert!(
        export.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let data = export.json();
    assert_eq!(data["account"]["email"], "giao@vidu.vn");
    assert_eq!(data["account"]["phone"], "0912345678");
    assert_eq!(data["comments"][0]["tracking_code"], "GY-TEST-0001");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert!(
        !export.text().contains("argon2"),
        "no password hash in the export"
    );

    app.json(
        Method::DELETE,
        "/api/v1/me",
        &json!({"password": "sai rồi"}),
        &[("authorization", &auth)],
    )
    .await
    .assert_problem(401, "invalid_credentials");
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            &json!({"password": "mật khẩu thử nghiệm"}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(erased.status, 204, "{}", erased.text());

    let row = users::Entity::find_by_id(user.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.display_name, gopy::services::accounts::ERASED_NAME);
    assert!(!row.email.contains("giao"));
    assert_eq!(row.phone, None);
    assert!(row.deleted_at.is_some());
    let comment = comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq("GY-TEST-0001"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        comment.author_id,
        Some(user.id),
        "the comment stays in the record"
    );
    assert_eq!(comment.author_name, None);
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header("authorization", &auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    me.assert_problem(401, "unauthenticated");
    app.json(
        Method::POST,
        "/api/v1/auth/login",
        &json!({"email": "giao@vidu.vn", "password": "mật khẩu thử nghiệm"}),
        &[],
    )
    .await
    .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn admins_create_deactivate_and_reset_accounts() {
    let (app, sink) = app_with_mail().await;
    let (admin_email, admin_password) = app.first_run.admin.clone().unwrap();
    let admin = format!(
        "Bearer {}",
        login_token(&app, &admin_email, &admin_password).await
    );
    let body = json!({"email": "canbo@sxd.vn", "display_name": "Lê Văn Cán", "role": "agency_officer", "agency": "SXD"});
    let created = app
        .json(
            Method::POST,
            "/api/v1/admin/users",
            &body,
            &[("authorization", &admin)],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let mail = sink.wait_for("canbo@sxd.vn", WAIT).await;
    let token = token_in(&mail.text_body());
    let set = json!({"token": token, "password": "kênh Xáng Xà No 1930"});
    assert_eq!(
        app.json(
            Method::POST,
            "/api/v1/auth/password-reset/confirm",
            &set,
            &[]
        )
        .await
        .status,
        204
    );
    let officer = format!(
        "Bearer {}",
        login_token(&app, "canbo@sxd.vn", "kênh Xáng Xà No 1930").await
    );

    app.json(
        Method::POST,
        "/api/v1/admin/users",
        &body,
        &[("authorization", &admin)],
    )
    .await
    .assert_problem(409, "email_taken");
    let no_agency = json!({"email": "x@sxd.vn", "display_name": "X", "role": "agency_officer"});
    app.json(
        Method::POST,
        "/api/v1/admin/users",
        &no_agency,
        &[("authorization", &admin)],
    )
    .await
    .assert_problem(422, "validation_failed");
    app.json(
        Method::POST,
        "/api/v1/admin/users",
        &body,
        &[("authorization", &officer)],
    )
    .await
    .assert_problem(403, "forbidden");

    let listed = app
        .send(
            Request::get("/api/v1/admin/users?role=agency_officer&q=cán")
                .header("authorization", &admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["total"], 1);

    let off = app
        .json(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            &json!({"is_active": false}),
            &[("authorization", &admin)],
        )
        .await;
    assert_eq!(off.json()["is_active"], false);
    app.send(
        Request::get("/api/v1/me")
            .header("authorization", &officer)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_problem(401, "unauthenticated");
    let admin_id = users::Entity::find()
        .filter(users::Column::Email.eq(&admin_email))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    app.json(
        Method::PATCH,
        &format!("/api/v1/admin/users/{admin_id}"),
        &json!({"is_active": false}),
        &[("authorization", &admin)],
    )
    .await
    .assert_problem(409, "cannot_deactivate_self");
    let reset = app
        .send(
            Request::post(format!("/api/v1/admin/users/{id}/password-reset"))
                .header("authorization", &admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reset.status, 202);
}
