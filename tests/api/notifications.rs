//! Notifications: the bell's count in the header, the list page, opening one (read, then
//! followed), marking all read, the API, and that nobody reaches someone else's.

use entity::enums::Role;
use gopy::services::notifications::notify;
use http::Method;
use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::{TestApp, account, bearer_for, select_attrs, select_texts};

async fn unread(app: &TestApp, user: &entity::users::Model) -> u64 {
    gopy::services::notifications::unread_count(&app.state.db, user.id)
        .await
        .unwrap()
}

/// The id of the notification whose title is `title`, from the list page.
fn open_action(page: &crate::helpers::TestResponse, title: &str) -> String {
    let doc = page.html();
    let selector = scraper::Selector::parse("[data-testid=notification]").unwrap();
    let form = scraper::Selector::parse("form").unwrap();
    doc.select(&selector)
        .find(|item| item.text().collect::<String>().contains(title))
        .and_then(|item| item.select(&form).next())
        .and_then(|f| f.value().attr("action"))
        .unwrap_or_else(|| panic!("no notification {title:?}"))
        .to_owned()
}

#[tokio::test]
async fn the_bell_counts_unread_notifications_and_the_list_shows_them_newest_first() {
    let app = TestApp::spawn().await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    let mut browser = Browser::signed_in(&app, &lan).await;
    let home = browser.get("/").await;
    let bell = select_texts(&home.html(), "[data-testid=nav-notifications]");
    assert_eq!(bell, vec!["Thông báo"], "no count when nothing is unread");

    notify(
        &app.state.db,
        lan.id,
        "comment_decided",
        "Ý kiến GY-1 đã được duyệt",
        "/track",
    )
    .await
    .unwrap();
    notify(
        &app.state.db,
        lan.id,
        "comment_decided",
        "Ý kiến GY-2 cần sửa",
        "/account/comments",
    )
    .await
    .unwrap();
    let home = browser.get("/").await;
    let bell = select_texts(&home.html(), "[data-testid=nav-notifications]");
    assert!(bell[0].starts_with("Thông báo (2)"), "{bell:?}");
    assert!(
        bell[0].contains("2 chưa đọc"),
        "an accessible label: {bell:?}"
    );
    assert_eq!(
        select_attrs(&home.html(), "[data-testid=nav-notifications]", "href"),
        vec!["/account/notifications"]
    );

    let list = browser.get("/account/notifications").await;
    assert_eq!(list.status, 200);
    let doc = list.html();
    let items = select_texts(&doc, "[data-testid=notification]");
    assert_eq!(items.len(), 2);
    assert!(items[0].contains("GY-2"), "newest first: {items:?}");
    assert_eq!(
        select_attrs(&doc, "[data-testid=notification]", "data-unread").len(),
        2
    );

    // Visitors are sent to sign in.
    let visitor = app.get_page("/account/notifications", None).await;
    assert_eq!(visitor.status, 303);

    // 20 a page.
    for n in 0..23 {
        notify(
            &app.state.db,
            lan.id,
            "test",
            &format!("Thông báo số {n}"),
            "/",
        )
        .await
        .unwrap();
    }
    let first = browser.get("/account/notifications").await;
    assert_eq!(
        select_texts(&first.html(), "[data-testid=notification]").len(),
        20
    );
    let second = browser.get("/account/notifications?page=2").await;
    assert_eq!(
        select_texts(&second.html(), "[data-testid=notification]").len(),
        5
    );
}

#[tokio::test]
async fn opening_a_notification_marks_it_read_and_follows_only_local_links() {
    let app = TestApp::spawn().await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    notify(
        &app.state.db,
        lan.id,
        "comment_decided",
        "Đã duyệt",
        "/track/GY-ABCD-EFGHJ",
    )
    .await
    .unwrap();
    notify(
        &app.state.db,
        lan.id,
        "odd",
        "Liên kết lạ",
        "https://example.com/",
    )
    .await
    .unwrap();
    let mut browser = Browser::signed_in(&app, &lan).await;
    let list = browser.get("/account/notifications").await;
    let action = open_action(&list, "Đã duyệt");
    let opened = browser.submit("/account/notifications", &action, &[]).await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.headers["location"], "/track/GY-ABCD-EFGHJ");
    assert_eq!(unread(&app, &lan).await, 1);

    let list = browser.get("/account/notifications").await;
    let action = open_action(&list, "Liên kết lạ");
    let opened = browser.submit("/account/notifications", &action, &[]).await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.headers["location"], "/account/notifications");
    assert_eq!(unread(&app, &lan).await, 0);
    let list = browser.get("/account/notifications").await;
    assert!(select_attrs(&list.html(), "[data-testid=notification]", "data-unread").is_empty());

    // Without the CSRF token nothing happens.
    let forged = browser.post(&action, &[]).await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn mark_all_read_clears_the_bell() {
    let app = TestApp::spawn().await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    for title in ["Một", "Hai", "Ba"] {
        notify(&app.state.db, lan.id, "test", title, "/")
            .await
            .unwrap();
    }
    let mut browser = Browser::signed_in(&app, &lan).await;
    let marked = browser
        .submit("/account/notifications", "/account/notifications/read", &[])
        .await;
    assert_eq!(marked.status, 303);
    assert_eq!(unread(&app, &lan).await, 0);
    let page = browser
        .get(marked.headers["location"].to_str().unwrap())
        .await;
    let doc = page.html();
    assert_eq!(select_texts(&doc, "[data-testid=notice]").len(), 1);
    assert_eq!(
        select_texts(&doc, "[data-testid=nav-notifications]"),
        vec!["Thông báo"]
    );
    assert!(select_texts(&doc, "[data-testid=mark-all-read]").is_empty());
}

#[tokio::test]
async fn nobody_opens_or_marks_someone_elses_notification() {
    let app = TestApp::spawn().await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    let minh = account(&app, "minh@vidu.vn", "Trần Văn Minh", Role::Resident, true).await;
    notify(&app.state.db, lan.id, "test", "Của Lan", "/track")
        .await
        .unwrap();
    let mut lan_browser = Browser::signed_in(&app, &lan).await;
    let list = lan_browser.get("/account/notifications").await;
    let action = open_action(&list, "Của Lan");
    let id = action
        .trim_start_matches("/account/notifications/")
        .trim_end_matches("/open")
        .to_owned();

    let mut minh_browser = Browser::signed_in(&app, &minh).await;
    let refused = minh_browser
        .submit("/account/notifications", &action, &[])
        .await;
    assert_eq!(refused.status, 404);
    let minh_auth = bearer_for(&app, &minh).await;
    app.json(
        Method::POST,
        "/api/v1/notifications/read",
        &json!({"id": id}),
        &[("authorization", &minh_auth)],
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(unread(&app, &lan).await, 1, "still unread");

    let missing = minh_browser
        .submit(
            "/account/notifications",
            "/account/notifications/not-an-id/open",
            &[],
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn the_api_lists_notifications_and_marks_them_read() {
    let app = TestApp::spawn().await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    let auth = bearer_for(&app, &lan).await;
    for title in ["Một", "Hai", "Ba"] {
        notify(&app.state.db, lan.id, "test", title, "/track")
            .await
            .unwrap();
    }
    let get = |uri: &'static str| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send(
                http::Request::get(uri)
                    .header("authorization", auth)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let listed = get("/api/v1/notifications?per_page=2").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let body = listed.json();
    assert_eq!(body["total"], 3);
    assert_eq!(body["unread"], 3);
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["items"][0]["title"], "Ba");
    assert_eq!(body["items"][0]["link"], "/track");
    assert!(body["items"][0]["read_at"].is_null());
    let id = body["items"][0]["id"].as_str().unwrap().to_owned();

    let one = app
        .json(
            Method::POST,
            "/api/v1/notifications/read",
            &json!({"id": id}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(one.json(), json!({"marked": 1, "unread": 2}));

    let all = app
        .json(
            Method::POST,
            "/api/v1/notifications/read",
            &json!({}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(all.json(), json!({"marked": 2, "unread": 0}));
    let listed = get("/api/v1/notifications").await.json();
    assert!(listed["items"][0]["read_at"].is_string());

    get("/api/v1/notifications?per_page=0")
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/notifications")
        .await
        .assert_problem(401, "unauthenticated");
    app.json(Method::POST, "/api/v1/notifications/read", &json!({}), &[])
        .await
        .assert_problem(401, "unauthenticated");
}
