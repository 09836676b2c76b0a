//! The account pages as a browser uses them: forms posted with the CSRF cookie and field taken
//! from the page, cookies kept between requests, HTML checked with selectors.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use entity::enums::Role;
use entity::users;
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, TestResponse, select_attrs, select_texts};

const PASSWORD: &str = "mật khẩu thử nghiệm";
const NEW_PASSWORD: &str = "cầu Rạch Ngỗng lúc 5 giờ";
const WAIT: Duration = Duration::from_secs(20);

/// A browser: keeps cookies, reads the CSRF field of the pages it opens.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, content) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") || content.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), content.to_owned());
            }
        }
    }

    fn has_session(&self) -> bool {
        self.cookies.contains_key("gopy_session")
    }

    async fn get(&mut self, uri: &str) -> TestResponse {
        let request = Request::get(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        // Every form on the page carries the token the browser now holds as a cookie.
        let doc = response.html();
        for field in select_attrs(&doc, "input[name=csrf_token]", "value") {
            assert_eq!(Some(&field), self.cookies.get("gopy_csrf"), "{uri}");
        }
        response
    }

    async fn post_body(&mut self, uri: &str, body: String) -> TestResponse {
        let request = Request::post(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Opens `page`, then submits the form whose action is `action` with `fields`, the CSRF
    /// field taken from that form.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> TestResponse {
        let opened = self.get(page).await;
        assert_eq!(opened.status, 200, "{page}: {}", opened.text());
        let doc = opened.html();
        let selector = format!("form[action=\"{action}\"] input[name=csrf_token]");
        let token = select_attrs(&doc, &selector, "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form posting to {action} on {page}"));
        let mut pairs = vec![("csrf_token", token.as_str())];
        pairs.extend_from_slice(fields);
        self.post_body(action, serde_urlencoded::to_string(&pairs).unwrap())
            .await
    }
}

fn location(response: &TestResponse) -> &str {
    response.headers[header::LOCATION].to_str().unwrap()
}

fn assert_redirect(response: &TestResponse, to: &str) {
    assert_eq!(response.status, 303, "{}", response.text());
    assert_eq!(location(response), to);
}

fn error_summary_links(response: &TestResponse) -> Vec<String> {
    select_attrs(&response.html(), "[data-testid=error-summary] a", "href")
}

async fn account(app: &TestApp, email: &str, name: &str, role: Role) -> users::Model {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse(PASSWORD).unwrap(),
        display_name: name.to_owned(),
        role,
        agency_code: None,
        organization_code: None,
        verified: true,
    };
    create(&app.state.db, new, app.state.settings.password)
        .await
        .unwrap()
}

async fn signed_in<'a>(app: &'a TestApp, email: &str, password: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let response = browser
        .submit(
            "/account/signin",
            "/account/signin",
            &[
                ("email", email),
                ("password", password),
                ("next", "/account"),
            ],
        )
        .await;
    assert_redirect(&response, "/account");
    assert!(browser.has_session());
    browser
}

async fn user_by_email(app: &TestApp, email: &str) -> Option<users::Model> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
}

/// The path and query of the first link to `path` in a mail body.
fn link_in(body: &str, path: &str) -> String {
    let start = body
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in:\n{body}"));
    body[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_resident_signs_up_verifies_signs_in_and_out() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().smtp(sink.port()).build().await;
    let mut browser = Browser::new(&app);

    let signup = browser.get("/account/signup").await;
    assert_eq!(signup.status, 200);
    assert_eq!(
        select_attrs(&signup.html(), "[data-testid=nav-signin]", "href"),
        ["/account/signin"]
    );
    let sent = browser
        .submit(
            "/account/signup",
            "/account/signup",
            &[
                ("email", "Lan@Vidu.vn"),
                ("display_name", "Nguyễn Thị Lan"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&sent, "/account/check-mail?reason=signup");
    let check = browser.get(location(&sent)).await;
    assert_eq!(select_texts(&check.html(), "h1"), ["Kiểm tra hộp thư"]);

    let mail = sink.wait_for("lan@vidu.vn", WAIT).await;
    let link = link_in(&mail.text_body(), "/account/verify?token=");

    // Opening the link (as a mail scanner would) verifies nothing.
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        select_texts(&page.html(), "[data-testid=verify-form] button"),
        ["Xác nhận email"]
    );
    let user = user_by_email(&app, "lan@vidu.vn").await.unwrap();
    assert!(user.email_verified_at.is_none(), "GET must not verify");

    let token = link.split("token=").nth(1).unwrap().to_owned();
    let verified = browser
        .submit(&link, "/account/verify", &[("token", &token)])
        .await;
    assert_redirect(&verified, "/account/signin?notice=email_verified");
    let user = user_by_email(&app, "lan@vidu.vn").await.unwrap();
    assert!(user.email_verified_at.is_some());
    let notice = browser.get(location(&verified)).await;
    assert_eq!(
        select_texts(&notice.html(), "[data-testid=notice]").len(),
        1
    );

    // The link works once; afterwards the page explains why and where to go.
    let again = browser
        .submit(&link, "/account/verify", &[("token", &token)])
        .await;
    assert_eq!(again.status, 400);
    let doc = again.html();
    assert_eq!(
        select_texts(&doc, "h1"),
        ["Liên kết xác nhận không còn dùng được"]
    );
    assert!(
        select_attrs(&doc, "[data-testid=message-page] a", "href")
            .iter()
            .any(|h| h.starts_with("/account/signin"))
    );

    let signin = browser
        .submit(
            "/account/signin?next=/account",
            "/account/signin",
            &[
                ("email", "lan@vidu.vn"),
                ("password", NEW_PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_redirect(&signin, "/account");
    let set_cookie = signin.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));

    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.headers[header::CACHE_CONTROL],
        "no-store",
        "personal pages are not cached"
    );
    let doc = page.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=profile-name]"),
        ["Nguyễn Thị Lan"]
    );
    assert_eq!(
        select_texts(&doc, "[data-testid=nav-account]"),
        ["Tài khoản"]
    );
    assert!(select_texts(&doc, "[data-testid=nav-admin]").is_empty());
    assert!(select_texts(&doc, "[data-testid=nav-signin]").is_empty());

    let out = browser.submit("/account", "/account/signout", &[]).await;
    assert_redirect(&out, "/?notice=signed_out");
    assert!(!browser.has_session(), "the session cookie is cleared");
    let home = browser.get("/?notice=signed_out").await;
    assert_eq!(
        select_texts(&home.html(), "[data-testid=notice]"),
        ["Bạn đã đăng xuất."]
    );
    assert_redirect(
        &browser.get("/account").await,
        "/account/signin?next=/account",
    );
}

#[tokio::test]
async fn a_refused_sign_up_keeps_the_values_but_never_the_password() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    let response = browser
        .submit(
            "/account/signup",
            "/account/signup",
            &[
                ("email", "không phải email"),
                ("display_name", "Trần Văn Bình"),
                ("password", "ngắn"),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(error_summary_links(&response), ["#email", "#password"]);
    let doc = response.html();
    assert!(select_texts(&doc, "title")[0].starts_with("Lỗi: "));
    assert_eq!(
        select_attrs(&doc, "input#email", "value"),
        ["không phải email"]
    );
    assert_eq!(
        select_attrs(&doc, "input#display_name", "value"),
        ["Trần Văn Bình"]
    );
    assert_eq!(select_attrs(&doc, "input#password", "value"), [""]);
    assert_eq!(
        select_attrs(&doc, "input#password", "aria-invalid"),
        ["true"]
    );
}

#[tokio::test]
async fn every_page_form_refuses_a_post_without_the_right_csrf_token() {
    let app = TestApp::spawn().await;
    account(&app, "quantri@vidu.vn", "Quản trị viên", Role::Admin).await;
    let mut browser = signed_in(&app, "quantri@vidu.vn", PASSWORD).await;
    browser.get("/account").await;
    let routes: Vec<String> = gopy::http::route_table()
        .entries()
        .iter()
        .filter(|e| e.method == Method::POST && !e.path.starts_with("/api/"))
        .map(|e| {
            e.path
                .replace("{id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        })
        .collect();
    assert!(routes.len() >= 15, "{routes:?}");
    for path in &routes {
        for body in [
            String::new(),
            "csrf_token=sai".to_owned(),
            format!("csrf_token={}", "x".repeat(43)),
        ] {
            let response = browser.post_body(path, body.clone()).await;
            assert_eq!(response.status, 403, "POST {path} with `{body}`");
            let doc = response.html();
            assert_eq!(
                select_texts(&doc, "[data-testid=error-page] h1"),
                ["Không có quyền truy cập"],
                "POST {path}"
            );
        }
    }
    // Nothing happened: still signed in.
    assert_eq!(browser.get("/account").await.status, 200);

    // Without the cookie, even a token in the field is refused.
    let token = browser.cookies.remove("gopy_csrf").unwrap();
    let response = browser
        .post_body("/account/signout", format!("csrf_token={token}"))
        .await;
    assert_eq!(response.status, 403);
}

async fn attempt(browser: &mut Browser<'_>, email: &str) -> TestResponse {
    let fields = [
        ("email", email),
        ("password", "sai mật khẩu rồi"),
        ("next", "//evil.example"),
    ];
    browser
        .submit("/account/signin", "/account/signin", &fields)
        .await
}

#[tokio::test]
async fn wrong_credentials_get_one_message_and_repeated_failures_a_wait() {
    let app = TestApp::spawn().await;
    account(&app, "binh@vidu.vn", "Trần Văn Bình", Role::Resident).await;
    let mut browser = Browser::new(&app);
    let wrong = attempt(&mut browser, "binh@vidu.vn").await;
    let missing = attempt(&mut browser, "khongco@vidu.vn").await;
    assert_eq!(wrong.status, 422);
    let texts = |r: &TestResponse| select_texts(&r.html(), "[data-testid=error-summary] li");
    assert_eq!(texts(&wrong), texts(&missing));
    assert_eq!(texts(&wrong), ["Địa chỉ email hoặc mật khẩu không đúng"]);
    assert_eq!(
        select_attrs(&wrong.html(), "input[name=next]", "value"),
        ["/account"],
        "a foreign `next` is dropped"
    );
    let mut last = wrong;
    for _ in 0..gopy::services::limits::FREE_FAILURES {
        last = attempt(&mut browser, "binh@vidu.vn").await;
    }
    assert_eq!(last.status, 429);
    assert!(texts(&last)[0].contains("phút"), "{:?}", texts(&last));
}

#[tokio::test]
async fn the_profile_is_corrected_and_the_data_downloaded() {
    let app = TestApp::spawn().await;
    account(&app, "chi@vidu.vn", "Lê Thị Chi", Role::Resident).await;
    let mut browser = signed_in(&app, "chi@vidu.vn", PASSWORD).await;

    let bad = browser
        .submit(
            "/account",
            "/account/profile",
            &[("display_name", "Lê Thị Chi"), ("phone", "gọi tôi")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(error_summary_links(&bad), ["#phone"]);
    assert_eq!(
        select_attrs(&bad.html(), "input#phone", "value"),
        ["gọi tôi"]
    );

    let saved = browser
        .submit(
            "/account",
            "/account/profile",
            &[
                ("display_name", "Lê Thị Kim Chi"),
                ("phone", "0912 345 678"),
            ],
        )
        .await;
    assert_redirect(&saved, "/account?notice=profile_saved");
    let doc = browser.get(location(&saved)).await.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=profile-name]"),
        ["Lê Thị Kim Chi"]
    );
    assert_eq!(
        select_texts(&doc, "[data-testid=notice]"),
        ["Đã lưu thông tin của bạn."]
    );

    let data = browser.get("/account/data").await;
    assert_eq!(
        select_attrs(&data.html(), "[data-testid=download-data]", "href"),
        ["/account/data.json"]
    );
    let download = browser.get("/account/data.json").await;
    assert_eq!(download.status, 200);
    assert!(
        download.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let json = download.json();
    assert_eq!(json["account"]["email"], "chi@vidu.vn");
    assert_eq!(json["account"]["phone"], "0912345678");

    browser.cookies.remove("gopy_session");
    assert_redirect(
        &browser.get("/account/data.json").await,
        "/account/signin?next=/account/data.json",
    );
}

#[tokio::test]
async fn an_erased_account_can_no_longer_sign_in() {
    let app = TestApp::spawn().await;
    account(&app, "dung@vidu.vn", "Phạm Văn Dũng", Role::Resident).await;
    let mut browser = signed_in(&app, "dung@vidu.vn", PASSWORD).await;

    let unticked = browser
        .submit("/account/data", "/account/erase", &[("password", PASSWORD)])
        .await;
    assert_eq!(unticked.status, 422);
    assert_eq!(error_summary_links(&unticked), ["#understood"]);
    let wrong = browser
        .submit(
            "/account/data",
            "/account/erase",
            &[("password", "sai mật khẩu rồi"), ("understood", "yes")],
        )
        .await;
    assert_eq!(error_summary_links(&wrong), ["#password"]);
    assert!(user_by_email(&app, "dung@vidu.vn").await.is_some());

    let erased = browser
        .submit(
            "/account/data",
            "/account/erase",
            &[("password", PASSWORD), ("understood", "yes")],
        )
        .await;
    assert_redirect(&erased, "/account/erased");
    assert!(!browser.has_session());
    let page = browser.get("/account/erased").await;
    assert_eq!(
        select_texts(&page.html(), "h1"),
        ["Tài khoản của bạn đã được xóa"]
    );
    assert!(user_by_email(&app, "dung@vidu.vn").await.is_none());

    let again = browser
        .submit(
            "/account/signin",
            "/account/signin",
            &[("email", "dung@vidu.vn"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(error_summary_links(&again), ["#email"]);
    assert!(!browser.has_session());
}

#[tokio::test]
async fn the_admin_page_is_for_admins_only() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().smtp(sink.port()).build().await;
    account(&app, "dan@vidu.vn", "Người Dân", Role::Resident).await;
    let admin = account(&app, "quantri@vidu.vn", "Quản trị viên", Role::Admin).await;

    let mut anonymous = Browser::new(&app);
    assert_redirect(
        &anonymous.get("/admin/users").await,
        "/account/signin?next=/admin/users",
    );
    let mut resident = signed_in(&app, "dan@vidu.vn", PASSWORD).await;
    let refused = resident.get("/admin/users").await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        select_texts(&refused.html(), "[data-testid=error-page] h1"),
        ["Không có quyền truy cập"]
    );

    let mut browser = signed_in(&app, "quantri@vidu.vn", PASSWORD).await;
    let list = browser.get("/admin/users").await;
    assert_eq!(list.status, 200);
    let doc = list.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=nav-admin]", "href"),
        ["/admin/users"]
    );
    assert!(
        select_texts(&doc, "[data-testid=user-row] .user-email")
            .contains(&"dan@vidu.vn".to_owned())
    );
    // No button deactivates the admin's own account.
    let own = format!("/admin/users/{}/deactivate", admin.id);
    assert!(
        select_attrs(&doc, "form", "action")
            .iter()
            .all(|a| *a != own)
    );

    let residents = browser.get("/admin/users?role=resident&q=dan").await.html();
    assert_eq!(
        select_texts(&residents, "[data-testid=user-row] .user-email"),
        ["dan@vidu.vn"]
    );

    let refused = browser
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("email", "canbo@vidu.vn"),
                ("display_name", "Cán Bộ"),
                ("role", "agency_officer"),
                ("agency", ""),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(error_summary_links(&refused), ["#agency"]);
    assert_eq!(
        select_attrs(&refused.html(), "select#role option[selected]", "value"),
        ["agency_officer"]
    );
    let created = browser
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("email", "canbo@vidu.vn"),
                ("display_name", "Cán Bộ"),
                ("role", "agency_officer"),
                ("agency", "SXD"),
                ("organization", ""),
            ],
        )
        .await;
    assert_redirect(&created, "/admin/users?notice=user_created");
    let mail = sink.wait_for("canbo@vidu.vn", WAIT).await;
    assert!(mail.text_body().contains("/account/reset/confirm?token="));

    let dan = user_by_email(&app, "dan@vidu.vn").await.unwrap();
    let action = format!("/admin/users/{}/deactivate", dan.id);
    let done = browser
        .submit(
            "/admin/users?role=resident",
            &action,
            &[("q", ""), ("role", "resident"), ("page", "1")],
        )
        .await;
    assert_redirect(
        &done,
        "/admin/users?page=1&role=resident&notice=user_deactivated",
    );
    assert!(!user_by_email(&app, "dan@vidu.vn").await.unwrap().is_active);
    assert_redirect(
        &resident.get("/account").await,
        "/account/signin?next=/account",
    );
    let action = format!("/admin/users/{}/activate", dan.id);
    let done = browser
        .submit("/admin/users", &action, &[("page", "1")])
        .await;
    assert_redirect(&done, "/admin/users?page=1&notice=user_activated");
    assert!(user_by_email(&app, "dan@vidu.vn").await.unwrap().is_active);
}

#[tokio::test]
async fn the_tokens_page_shows_a_secret_once_and_it_works_as_a_bearer_token() {
    let app = TestApp::spawn().await;
    account(&app, "em@vidu.vn", "Đỗ Thị Em", Role::Resident).await;
    let mut browser = signed_in(&app, "em@vidu.vn", PASSWORD).await;

    let empty = browser
        .submit("/account/tokens", "/account/tokens", &[("name", "  ")])
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(error_summary_links(&empty), ["#name"]);

    let created = browser
        .submit(
            "/account/tokens",
            "/account/tokens",
            &[("name", "Hệ thống một cửa")],
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(created.headers[header::CACHE_CONTROL], "no-store");
    let secret = select_texts(&created.html(), "[data-testid=new-token-secret]")
        .pop()
        .unwrap();
    assert!(secret.starts_with("gopy_pat_"), "{secret}");

    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["email"], "em@vidu.vn");

    let list = browser.get("/account/tokens").await;
    assert!(
        !list.text().contains(&secret),
        "the secret is shown only once"
    );
    let doc = list.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=token-row] th"),
        ["Hệ thống một cửa"]
    );
    let revoke = select_attrs(&doc, "[data-testid=token-row] form", "action")
        .pop()
        .unwrap();
    let revoked = browser.submit("/account/tokens", &revoke, &[]).await;
    assert_redirect(&revoked, "/account/tokens?notice=token_revoked");
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, 401);
}

#[tokio::test]
async fn a_password_is_reset_from_the_mailed_link() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().smtp(sink.port()).build().await;
    account(&app, "giang@vidu.vn", "Vũ Thị Giang", Role::Resident).await;
    let mut other_device = signed_in(&app, "giang@vidu.vn", PASSWORD).await;
    let mut browser = Browser::new(&app);

    let asked = browser
        .submit(
            "/account/reset",
            "/account/reset",
            &[("email", "giang@vidu.vn")],
        )
        .await;
    assert_redirect(&asked, "/account/check-mail?reason=reset");
    let unknown = browser
        .submit(
            "/account/reset",
            "/account/reset",
            &[("email", "khongco@vidu.vn")],
        )
        .await;
    assert_redirect(&unknown, "/account/check-mail?reason=reset");

    let mail = sink.wait_for("giang@vidu.vn", WAIT).await;
    let link = link_in(&mail.text_body(), "/account/reset/confirm?token=");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let weak = browser
        .submit(
            &link,
            "/account/reset/confirm",
            &[("token", &token), ("password", "ngắn")],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(error_summary_links(&weak), ["#password"]);
    let done = browser
        .submit(
            &link,
            "/account/reset/confirm",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_redirect(&done, "/account/signin?notice=password_changed");
    assert_redirect(
        &other_device.get("/account").await,
        "/account/signin?next=/account",
    );
    let used = browser.get(&link).await;
    assert_eq!(
        used.status, 200,
        "the form still shows; posting it explains"
    );
    let again = browser
        .submit(
            &link,
            "/account/reset/confirm",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(
        select_attrs(&again.html(), "[data-testid=message-page] a", "href"),
        ["/account/reset"]
    );
    signed_in(&app, "giang@vidu.vn", NEW_PASSWORD).await;
}
