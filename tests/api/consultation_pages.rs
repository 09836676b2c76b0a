//! The public pages around consultations: the filtered list, the Markdown body, what changed
//! between versions and the public reason for a short window.

use axum::body::Body;
use entity::consultations;
use entity::enums::Role;
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, select_attrs, select_texts};

fn samples() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../data/samples/consultations.json")).unwrap();
    file["consultations"].as_array().unwrap().clone()
}

/// Titles of the result cards, in page order.
fn result_titles(page: &TestResponse) -> Vec<String> {
    select_texts(
        &page.html(),
        "[data-testid=\"consultation-results\"] .card__title a",
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn titles_where(samples: &[Value], key: &str, value: &str) -> Vec<String> {
    sorted(
        samples
            .iter()
            .filter(|s| s[key] == value)
            .map(|s| s["title"].as_str().unwrap().to_owned())
            .collect(),
    )
}

#[tokio::test]
async fn the_list_page_filters_and_puts_open_ones_first() {
    let app = TestApp::with_samples().await;
    let samples = samples();

    let home = app.get_page("/", None).await;
    let doc = home.html();
    assert!(
        select_attrs(&doc, "nav a", "href").contains(&"/consultations".to_owned()),
        "the navigation links to the list"
    );
    assert_eq!(
        select_attrs(&doc, "[data-testid=\"see-all\"]", "href"),
        vec!["/consultations"]
    );
    assert_eq!(
        select_attrs(&doc, "[data-testid=\"track-box\"] form", "action"),
        vec!["/track"]
    );

    let all = app.get_page("/consultations", None).await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(result_titles(&all).len(), samples.len());
    // The agency filter offers the agencies that lead a published consultation, no others.
    let mut leading: Vec<String> = samples
        .iter()
        .map(|s| s["lead_agency"].as_str().unwrap().to_owned())
        .collect();
    leading.sort();
    leading.dedup();
    let offered = select_attrs(&all.html(), "select#lead_agency option", "value")
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
    assert_eq!(sorted(offered), leading);

    for sample in &samples {
        let kind = sample["kind"].as_str().unwrap();
        let page = app
            .get_page(&format!("/consultations?kind={kind}"), None)
            .await;
        assert_eq!(page.status, 200);
        assert_eq!(
            sorted(result_titles(&page)),
            titles_where(&samples, "kind", kind),
            "kind {kind}"
        );
        let selected = select_attrs(&page.html(), "select#kind option[selected]", "value");
        assert_eq!(selected, vec![kind.to_owned()], "the filter stays chosen");
        let agency = sample["lead_agency"].as_str().unwrap();
        let page = app
            .get_page(&format!("/consultations?lead_agency={agency}&kind="), None)
            .await;
        assert_eq!(
            sorted(result_titles(&page)),
            titles_where(&samples, "lead_agency", agency),
            "agency {agency}"
        );
    }

    // A unit named by only one sample finds exactly that sample, by today's or a pre-2025 code.
    let (sample, code) = samples
        .iter()
        .flat_map(|s| {
            s["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |u| (s, u.as_str().unwrap()))
        })
        .find(|(_, code)| {
            samples
                .iter()
                .filter(|s| s["units"].as_array().unwrap().iter().any(|u| u == code))
                .count()
                == 1
        })
        .expect("a unit named by one sample only");
    let title = sample["title"].as_str().unwrap().to_owned();
    let page = app
        .get_page(&format!("/consultations?unit={code}"), None)
        .await;
    assert_eq!(result_titles(&page), vec![title.clone()]);
    assert_eq!(
        select_attrs(&page.html(), "select#unit option[selected]", "value"),
        vec![code.to_owned()]
    );
    let reference: Value =
        serde_json::from_str(include_str!("../../data/reference/can-tho.json")).unwrap();
    let legacy = reference["units_legacy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["merged_into"].as_array().unwrap().len() == 1
                && u["merged_into"][0] == code
                && u["code"] != code
        })
        .expect("a pre-2025 ward merged into the unit");
    let old = legacy["code"].as_str().unwrap();
    let page = app
        .get_page(&format!("/consultations?unit={old}"), None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        result_titles(&page),
        vec![title],
        "old code finds today's unit"
    );
    let note = select_texts(&page.html(), "[data-testid=\"unit-note\"]");
    assert_eq!(note.len(), 1);
    assert!(note[0].contains(old), "{note:?}");

    // One closes within a week (highlighted, first); the one closing last is closed (last).
    let rows = consultations::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let mut by_close = rows.clone();
    by_close.sort_by_key(|c| c.closes_at);
    let latest = by_close.last().unwrap().clone();
    let mut closed: consultations::ActiveModel = latest.clone().into();
    closed.closes_at = Set(chrono::Utc::now() - chrono::Duration::days(1));
    closed.update(&app.state.db).await.unwrap();
    let soon = by_close[1].clone();
    let mut closing: consultations::ActiveModel = soon.clone().into();
    closing.closes_at = Set(chrono::Utc::now() + chrono::Duration::days(3));
    closing.update(&app.state.db).await.unwrap();

    let page = app.get_page("/consultations", None).await;
    let doc = page.html();
    let titles = result_titles(&page);
    assert_eq!(titles.first(), Some(&soon.title), "closing soonest first");
    assert_eq!(
        titles.last(),
        Some(&latest.title),
        "closed ones after open ones"
    );
    let statuses = select_attrs(
        &doc,
        "[data-testid=\"consultation-results\"] .card__tags .tag",
        "class",
    );
    assert_eq!(statuses.last().unwrap(), "tag tag--closed");
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|c| c == "tag tag--open"),
        "{statuses:?}"
    );
    let highlighted = select_texts(
        &doc,
        "[data-testid=\"consultation-card\"].card--closing-soon .card__title a",
    );
    assert_eq!(highlighted, vec![soon.title.clone()]);
    assert_eq!(
        select_texts(&doc, "[data-testid=\"closing-soon\"]"),
        vec!["Sắp hết hạn"]
    );
    let closed_only = app.get_page("/consultations?status=closed", None).await;
    assert_eq!(result_titles(&closed_only), vec![latest.title.clone()]);
}

#[tokio::test]
async fn unknown_filter_values_give_a_400_page_with_the_form() {
    let app = TestApp::with_samples().await;
    for (bad, field) in [
        ("kind=villa", "kind"),
        ("lead_agency=KHONG", "lead_agency"),
        ("unit=99999", "unit"),
        ("status=draft", "status"),
        ("page=0", "page"),
        ("page=mot", "page"),
    ] {
        let page = app.get_page(&format!("/consultations?{bad}"), None).await;
        assert_eq!(page.status, 400, "{bad}");
        let doc = page.html();
        assert_eq!(
            select_attrs(&doc, "form[data-testid=\"list-filters\"]", "action"),
            vec!["/consultations"],
            "{bad}: the form is there to correct"
        );
        assert_eq!(
            select_attrs(&doc, "[data-testid=\"error-summary\"] a", "href"),
            vec![format!("#{field}")],
            "{bad}"
        );
        assert!(result_titles(&page).is_empty(), "{bad}: no results");
    }
}

#[tokio::test]
async fn the_body_is_markdown_rendered_safely() {
    let app = TestApp::with_samples().await;
    let one = consultations::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let id = one.id;
    let mut row: consultations::ActiveModel = one.into();
    row.body = Set(
        "Mở đầu **quan trọng**.\n\n- Mục tiêu một\n- Mục tiêu hai\n\n\
                    <script>alert('x')</script>\n\n[bấm vào đây](javascript:alert(1)) \
                    <img src=x onerror=alert(1)>\n\n## Tiểu mục"
            .to_owned(),
    );
    row.update(&app.state.db).await.unwrap();

    let page = app.get_page(&format!("/consultations/{id}"), None).await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    let body = "[data-testid=\"consultation-body\"]";
    assert_eq!(
        select_texts(&doc, &format!("{body} li")),
        vec!["Mục tiêu một", "Mục tiêu hai"]
    );
    assert_eq!(
        select_texts(&doc, &format!("{body} strong")),
        vec!["quan trọng"]
    );
    assert_eq!(select_texts(&doc, &format!("{body} h4")), vec!["Tiểu mục"]);
    // The only scripts are gopy's own files; nothing from the body runs.
    assert!(
        select_texts(&doc, "script").iter().all(String::is_empty),
        "no inline script"
    );
    assert!(
        select_attrs(&doc, "script", "src")
            .iter()
            .all(|src| src.starts_with("/static/")),
        "scripts come from /static only"
    );
    assert!(select_texts(&doc, &format!("{body} script")).is_empty());
    assert!(select_texts(&doc, &format!("{body} img")).is_empty());
    assert!(select_attrs(&doc, &format!("{body} a"), "href").is_empty());
    let text = select_texts(&doc, body).join(" ");
    assert!(text.contains("<script>alert('x')</script>"), "{text}");
    assert!(page.text().contains("&lt;script&gt;"));
}

async fn bearer(app: &TestApp, email: &str) -> String {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        display_name: "Cán bộ".to_owned(),
        role: Role::AgencyOfficer,
        agency_code: Some("SXD".to_owned()),
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

async fn call(app: &TestApp, method: Method, uri: &str, auth: &str, body: Option<Value>) -> Value {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth);
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    let response = app.send(request.unwrap()).await;
    assert!(response.status.is_success(), "{uri}: {}", response.text());
    if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    }
}

fn draft(days: i64) -> Value {
    let opens = chrono::Utc::now() - chrono::Duration::hours(1);
    json!({
        "title": "Quy hoạch chi tiết công viên ven sông Cần Thơ",
        "summary": "Dự thảo quy hoạch chi tiết tỷ lệ 1/500 công viên ven sông.",
        "body": "Đoạn mở đầu.",
        "kind": "detailed_plan",
        "units": ["31150"],
        "legal_basis": "Luật Quy hoạch đô thị và nông thôn 2024.",
        "opens_at": opens,
        "closes_at": opens + chrono::Duration::days(days),
    })
}

#[tokio::test]
async fn a_new_version_shows_what_changed_and_the_old_one_points_to_it() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn").await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        &officer,
        Some(draft(45)),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let first = "Điều 1. Phạm vi\nQuy hoạch công viên ven sông.\nĐiều 2. Cây xanh\n1. Giữ lại cây cổ thụ.\n2. Trồng mới 500 cây.\nĐiều 3. Bãi đỗ xe\nBỏ bãi đỗ xe.";
    let clauses = format!("/api/v1/consultations/{id}/clauses");
    call(
        &app,
        Method::PUT,
        &clauses,
        &officer,
        Some(json!({"text": first})),
    )
    .await;
    let publish = format!("/api/v1/consultations/{id}/publish");
    call(&app, Method::POST, &publish, &officer, None).await;

    // A single version has no changes section.
    let page = app.get_page(&format!("/consultations/{id}"), None).await;
    assert!(select_texts(&page.html(), "[data-testid=\"version-changes\"]").is_empty());

    let versions = format!("/api/v1/consultations/{id}/versions");
    let v2 = call(&app, Method::POST, &versions, &officer, None).await;
    let v2_id = v2["id"].as_str().unwrap().to_owned();
    let second = "Điều 1. Phạm vi\nQuy hoạch công viên ven sông.\nĐiều 2. Cây xanh\n1. Giữ lại cây cổ thụ.\n2. Trồng mới 800 cây bản địa.\n3. Làm lối đi bộ dưới tán cây.";
    let clauses = format!("/api/v1/consultations/{v2_id}/clauses");
    call(
        &app,
        Method::PUT,
        &clauses,
        &officer,
        Some(json!({"text": second})),
    )
    .await;
    // The draft of version 2 is not announced on version 1.
    let page = app.get_page(&format!("/consultations/{id}"), None).await;
    assert!(select_texts(&page.html(), "[data-testid=\"newer-version\"]").is_empty());
    let publish = format!("/api/v1/consultations/{v2_id}/publish");
    call(&app, Method::POST, &publish, &officer, None).await;

    let page = app.get_page(&format!("/consultations/{v2_id}"), None).await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    let section = "[data-testid=\"version-changes\"]";
    assert_eq!(
        select_texts(&doc, &format!("{section} h2")),
        vec!["Những thay đổi so với phiên bản trước"]
    );
    assert_eq!(
        select_attrs(&doc, "[data-testid=\"previous-version-link\"]", "href"),
        vec![format!("/consultations/{id}")]
    );
    let changes = select_texts(&doc, &format!("{section} [data-testid=\"change\"]"));
    let changed = changes
        .iter()
        .find(|c| c.contains("Sửa đổi"))
        .expect("a changed clause");
    assert!(
        changed.contains("Điều 2, Khoản 2") || changed.contains("Điều 2, khoản 2"),
        "{changed}"
    );
    assert_eq!(
        select_texts(&doc, &format!("{section} .change--changed del")),
        vec!["Trồng mới 500 cây."]
    );
    assert_eq!(
        select_texts(&doc, &format!("{section} .change--changed ins")),
        vec!["Trồng mới 800 cây bản địa."]
    );
    assert!(
        select_texts(&doc, &format!("{section} .change--added ins"))
            .contains(&"Làm lối đi bộ dưới tán cây.".to_owned()),
        "{changes:?}"
    );
    assert!(
        select_texts(&doc, &format!("{section} .change--removed del"))
            .contains(&"Bãi đỗ xe — Bỏ bãi đỗ xe.".to_owned()),
        "{changes:?}"
    );
    assert!(select_texts(&doc, "[data-testid=\"newer-version\"]").is_empty());

    // The old version stays readable and points to the new one.
    let old = app.get_page(&format!("/consultations/{id}"), None).await;
    assert_eq!(old.status, 200);
    let doc = old.html();
    let notice = select_texts(&doc, "[data-testid=\"newer-version\"]");
    assert_eq!(notice.len(), 1);
    assert!(notice[0].contains("Đã có phiên bản mới"), "{notice:?}");
    assert_eq!(
        select_attrs(&doc, "[data-testid=\"newer-version-link\"]", "href"),
        vec![format!("/consultations/{v2_id}")]
    );
}

#[tokio::test]
async fn a_short_window_shows_its_reason() {
    let app = TestApp::spawn().await;
    let officer = bearer(&app, "sxd@vidu.vn").await;
    let mut short = draft(10);
    short["short_window_reason"] = json!("Khẩn cấp phòng chống ngập trước mùa mưa.");
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        &officer,
        Some(short),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/publish"),
        &officer,
        None,
    )
    .await;
    let page = app.get_page(&format!("/consultations/{id}"), None).await;
    assert_eq!(page.status, 200);
    let reason = select_texts(&page.html(), "[data-testid=\"short-window-reason\"]");
    assert_eq!(
        reason,
        vec!["Thời gian lấy ý kiến ngắn hơn quy định vì: Khẩn cấp phòng chống ngập trước mùa mưa."]
    );

    // A normal window says nothing about it.
    let created = call(
        &app,
        Method::POST,
        "/api/v1/consultations",
        &officer,
        Some(draft(45)),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    call(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/publish"),
        &officer,
        None,
    )
    .await;
    let page = app.get_page(&format!("/consultations/{id}"), None).await;
    assert!(select_texts(&page.html(), "[data-testid=\"short-window-reason\"]").is_empty());
}
