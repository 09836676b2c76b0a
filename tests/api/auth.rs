//! Signing in and out, sessions, bearer tokens, CSRF and lockout.

use axum::body::Body;
use entity::enums::Role;
use entity::{sessions, users};
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Request, header};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::helpers::{TestApp, TestResponse};

const PASSWORD: &str = "mật khẩu thử nghiệm";

async fn resident(app: &TestApp, email: &str) -> users::Model {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse(PASSWORD).unwrap(),
        display_name: "Nguyễn Văn An".to_owned(),
        role: Role::Resident,
        agency_code: None,
        organization_code: None,
        verified: true,
    };
    create(&app.state.db, new, app.state.settings.password)
        .await
        .unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str) -> TestResponse {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    app.send(
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn me_with(app: &TestApp, header_name: header::HeaderName, value: &str) -> TestResponse {
    app.send(
        Request::get("/api/v1/me")
            .header(header_name, value)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn session_cookie(response: &TestResponse) -> String {
    let set = response.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn signing_in_gives_a_token_and_a_cookie_that_both_work() {
    let app = TestApp::spawn().await;
    resident(&app, "an@vidu.vn").await;
    let response = login(&app, " An@Vidu.VN ", PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(body["user"]["email"], "an@vidu.vn");
    assert_eq!(body["user"]["role"], "resident");
    let token = body["token"].as_str().unwrap();
    let cookie = session_cookie(&response);
    assert_eq!(cookie, format!("gopy_session={token}"));

    let by_bearer = me_with(&app, header::AUTHORIZATION, &format!("Bearer {token}")).await;
    assert_eq!(by_bearer.status, 200);
    assert_eq!(by_bearer.json()["display_name"], "Nguyễn Văn An");
    let by_cookie = me_with(&app, header::COOKIE, &cookie).await;
    assert_eq!(by_cookie.status, 200);

    app.get("/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
    me_with(&app, header::AUTHORIZATION, "Bearer not-a-real-token")
        .await
        .assert_problem(401, "unauthenticated");
    let stored = sessions::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.id, token, "only a hash of the token is stored");
}

#[tokio::test]
async fn a_missing_account_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    resident(&app, "binh@vidu.vn").await;
    let wrong = login(&app, "binh@vidu.vn", "sai mật khẩu rồi")
        .await
        .assert_problem(401, "invalid_credentials");
    let missing = login(&app, "khongco@vidu.vn", PASSWORD)
        .await
        .assert_problem(401, "invalid_credentials");
    assert_eq!(wrong, missing);
    let malformed = login(&app, "không phải email", PASSWORD)
        .await
        .assert_problem(401, "invalid_credentials");
    assert_eq!(wrong, malformed);
}

#[tokio::test]
async fn repeated_failures_lock_the_address_whether_or_not_it_has_an_account() {
    let app = TestApp::spawn().await;
    resident(&app, "chi@vidu.vn").await;
    for email in ["chi@vidu.vn", "khongco@vidu.vn"] {
        for _ in 1..gopy::services::limits::FREE_FAILURES {
            login(&app, email, "sai mật khẩu rồi")
                .await
                .assert_problem(401, "invalid_credentials");
        }
        let locked = login(&app, email, "sai mật khẩu rồi").await;
        locked.assert_problem(429, "rate_limited");
        let retry: u64 = locked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // While locked, even the right password is refused; another address is unaffected.
    login(&app, "chi@vidu.vn", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    resident(&app, "dung@vidu.vn").await;
    assert_eq!(login(&app, "dung@vidu.vn", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_with_a_cookie_and_ends_the_session() {
    let app = TestApp::spawn().await;
    resident(&app, "em@vidu.vn").await;
    let response = login(&app, "em@vidu.vn", PASSWORD).await;
    let cookie = session_cookie(&response);
    let csrf = response.json()["csrf_token"].as_str().unwrap().to_owned();
    let logout = |csrf: Option<&str>| {
        let mut request = Request::post("/api/v1/auth/logout").header(header::COOKIE, &cookie);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        app.send(request.body(Body::empty()).unwrap())
    };
    logout(None).await.assert_problem(403, "csrf_rejected");
    logout(Some("sai"))
        .await
        .assert_problem(403, "csrf_rejected");
    assert_eq!(
        me_with(&app, header::COOKIE, &cookie).await.status,
        200,
        "still signed in"
    );
    let done = logout(Some(&csrf)).await;
    assert_eq!(done.status, 204);
    assert!(
        done.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    app.get("/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(me_with(&app, header::COOKIE, &cookie).await.status, 401);
}

#[tokio::test]
async fn sessions_expire_when_idle_or_too_old_and_with_a_deactivated_account() {
    let app = TestApp::spawn().await;
    let user = resident(&app, "giang@vidu.vn").await;
    let db = &app.state.db;
    let bearer = |token: String| format!("Bearer {token}");

    let idle = login(&app, "giang@vidu.vn", PASSWORD).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = sessions::Entity::find().one(db).await.unwrap().unwrap();
    let mut active = session.into_active_model();
    active.last_seen_at =
        Set(chrono::Utc::now() - app.state.settings.session_idle - chrono::Duration::seconds(5));
    active.update(db).await.unwrap();
    me_with(&app, header::AUTHORIZATION, &bearer(idle))
        .await
        .assert_problem(401, "unauthenticated");

    let old = login(&app, "giang@vidu.vn", PASSWORD).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = sessions::Entity::find().one(db).await.unwrap().unwrap();
    let mut active = session.into_active_model();
    active.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    active.update(db).await.unwrap();
    me_with(&app, header::AUTHORIZATION, &bearer(old))
        .await
        .assert_problem(401, "unauthenticated");

    let live = login(&app, "giang@vidu.vn", PASSWORD).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        me_with(&app, header::AUTHORIZATION, &bearer(live.clone()))
            .await
            .status,
        200
    );
    let mut account = users::Entity::find()
        .filter(users::Column::Id.eq(user.id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    account.is_active = Set(false);
    account.update(db).await.unwrap();
    me_with(&app, header::AUTHORIZATION, &bearer(live))
        .await
        .assert_problem(401, "unauthenticated");
    login(&app, "giang@vidu.vn", PASSWORD)
        .await
        .assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn hashes_made_with_older_parameters_are_upgraded_at_sign_in() {
    let app = TestApp::spawn().await;
    let user = resident(&app, "hanh@vidu.vn").await;
    assert!(
        user.password_hash.contains("m=256,"),
        "{}",
        user.password_hash
    );
    let stronger = gopy::config::PasswordParams {
        memory_kib: 512,
        iterations: 2,
        parallelism: 1,
    };
    let limiter = gopy::services::limits::Limiter::default();
    let signed_in =
        gopy::services::users::sign_in(&app.state.db, "hanh@vidu.vn", PASSWORD, &limiter, stronger)
            .await
            .unwrap();
    assert!(
        signed_in.password_hash.contains("m=512,t=2"),
        "{}",
        signed_in.password_hash
    );
    let stored = users::Entity::find_by_id(user.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.password_hash, signed_in.password_hash);
    assert!(
        gopy::services::passwords::verify(PASSWORD.to_owned(), stored.password_hash)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn https_deployments_send_hsts_and_secure_cookies() {
    let app = TestApp::builder()
        .public_url("https://gopy.cantho.example.vn")
        .build()
        .await;
    resident(&app, "khanh@vidu.vn").await;
    let response = login(&app, "khanh@vidu.vn", PASSWORD).await;
    assert!(
        response.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    let hsts = response.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let plain = TestApp::spawn().await;
    assert!(
        plain
            .get("/healthz")
            .await
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
}
