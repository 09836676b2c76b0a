//! The agency pages as an officer's browser uses them: a draft created through the form, its
//! text pasted and recognised, a clause corrected, a document attached, the draft published
//! and shown to the public; other agencies and residents kept out; CSRF on every form.

use std::collections::BTreeMap;

use axum::body::Body;
use chrono::{Duration, Utc};
use entity::consultations;
use entity::enums::Role;
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Request, header};
use sea_orm::EntityTrait;

use crate::helpers::{TestApp, TestResponse, select_attrs, select_texts};

const LETTER: &[u8] = include_bytes!("../fixtures/attachments/letter.pdf");
const BOUNDARY: &str = "gopy-page-boundary-51c2";
const TEXT: &str = "Điều 1. Phạm vi\nQuy hoạch công viên ven sông.\nĐiều 2. Cây xanh\n1. Giữ lại cây cổ thụ.\na) Cây dầu.\nb) Cây sao.\n2. Trồng mới 500 cây.";

/// A browser with a session: keeps cookies, posts forms with the CSRF field of the page.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    async fn signed_in(
        app: &'a TestApp,
        email: &str,
        role: Role,
        agency: Option<&str>,
    ) -> Browser<'a> {
        let new = NewUser {
            email: Email::parse(email).unwrap(),
            password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
            display_name: "Cán bộ thử".to_owned(),
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
        let mut cookies = BTreeMap::new();
        cookies.insert("gopy_session".to_owned(), session.token);
        Browser { app, cookies }
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
            let pair = value.split(';').next().unwrap_or(value);
            let (name, content) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), content.to_owned());
        }
    }

    async fn get(&mut self, uri: &str) -> TestResponse {
        let request = Request::get(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    async fn post(&mut self, uri: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        let request = Request::post(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Opens `page` and submits its form posting to `action`, with `fields` and the form's
    /// CSRF field.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> TestResponse {
        let opened = self.get(page).await;
        assert_eq!(opened.status, 200, "{page}: {}", opened.text());
        let selector = format!("form[action=\"{action}\"] input[name=csrf_token]");
        let token = select_attrs(&opened.html(), &selector, "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form posting to {action} on {page}"));
        let mut pairs = vec![("csrf_token", token.as_str())];
        pairs.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&pairs).unwrap().into_bytes();
        self.post(action, "application/x-www-form-urlencoded", body)
            .await
    }
}

fn location(response: &TestResponse) -> String {
    assert_eq!(response.status, 303, "{}", response.text());
    response.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

fn day(offset: i64) -> String {
    (Utc::now().with_timezone(&gopy::http::pages::VIETNAM) + Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

fn draft_fields(opens: &str, closes: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "title",
            "Quy hoạch chi tiết công viên ven sông Cần Thơ".to_owned(),
        ),
        (
            "summary",
            "Dự thảo quy hoạch chi tiết tỷ lệ 1/500 công viên ven sông.".to_owned(),
        ),
        ("body", "Đoạn mở đầu.\n\n- Mục tiêu 1".to_owned()),
        ("kind", "detailed_plan".to_owned()),
        ("units", "31150".to_owned()),
        ("units", "31168".to_owned()),
        (
            "legal_basis",
            "Luật Quy hoạch đô thị và nông thôn 2024.".to_owned(),
        ),
        ("opens_at", opens.to_owned()),
        ("closes_at", closes.to_owned()),
        ("short_window_reason", String::new()),
    ]
}

/// Creates a draft through the form and returns its id.
async fn create_draft(browser: &mut Browser<'_>) -> String {
    let fields = draft_fields(&day(0), &day(40));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser
        .submit(
            "/agency/consultations/new",
            "/agency/consultations/new",
            &pairs,
        )
        .await;
    let to = location(&created);
    let rest = to
        .strip_prefix("/agency/consultations/")
        .unwrap_or_else(|| panic!("{to}"));
    let (id, notice) = rest.split_once('?').unwrap();
    assert_eq!(notice, "notice=draft_created");
    id.to_owned()
}

#[tokio::test]
async fn an_officer_drafts_pastes_corrects_and_publishes_through_the_pages() {
    let app = TestApp::spawn().await;
    let mut officer =
        Browser::signed_in(&app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;

    let list = officer.get("/agency/consultations").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let doc = list.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=new-draft-link]", "href"),
        ["/agency/consultations/new"]
    );
    assert_eq!(
        select_attrs(&doc, "[data-testid=nav-agency]", "href"),
        ["/agency/consultations"]
    );
    let form = officer.get("/agency/consultations/new").await;
    let doc = form.html();
    assert_eq!(select_attrs(&doc, "input#opens_at", "type"), ["date"]);
    assert_eq!(
        select_attrs(&doc, "input[name=units][value=\"31150\"]", "type"),
        ["checkbox"]
    );
    // An officer's lead agency is their own: no choice offered.
    assert!(select_attrs(&doc, "select#lead_agency", "name").is_empty());

    let id = create_draft(&mut officer).await;
    let stored = consultations::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    // The window runs from 00:00 of the first day to 23:59:59 of the last, Vietnam time.
    let opens_vn = stored
        .opens_at
        .with_timezone(&gopy::http::pages::VIETNAM)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert_eq!(opens_vn, format!("{} 00:00:00", day(0)));
    let closes_vn = stored
        .closes_at
        .with_timezone(&gopy::http::pages::VIETNAM)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert_eq!(closes_vn, format!("{} 23:59:59", day(40)));

    let edit = format!("/agency/consultations/{id}");
    let page = officer.get(&edit).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = page.html();
    assert_eq!(select_texts(&doc, "[data-testid=tree-empty]").len(), 1);
    assert_eq!(
        select_attrs(&doc, "input[name=units][checked]", "value"),
        ["31150", "31168"]
    );
    let confirm = select_texts(&doc, "[data-testid=publish-confirm]").join(" ");
    assert!(
        confirm.contains(&format!("00:00 {}", to_vn_day(&day(0)))),
        "{confirm}"
    );

    let pasted = officer
        .submit(&edit, &format!("{edit}/text"), &[("text", TEXT)])
        .await;
    assert_eq!(
        location(&pasted),
        format!("{edit}?notice=text_recognised#tree")
    );
    let page = officer.get(&edit).await;
    let doc = page.html();
    assert_eq!(select_texts(&doc, "[data-testid=tree-clause]").len(), 6);
    let counts = select_texts(&doc, "[data-testid=tree-counts] li");
    assert_eq!(counts, ["Điều: 2", "Khoản: 2", "Điểm: 2"]);
    assert_eq!(
        select_attrs(&doc, "li.tree__item--d2", "data-testid").len(),
        2,
        "points are indented under their clause"
    );

    // Correct Điều 2's heading.
    let actions = select_attrs(&doc, "[data-testid=clause-form]", "action");
    let dieu_2 = actions[1].clone();
    let corrected = officer
        .submit(
            &edit,
            &dieu_2,
            &[
                ("number", "2"),
                ("heading", "Cây xanh và mặt nước"),
                ("body", ""),
            ],
        )
        .await;
    assert!(location(&corrected).contains("notice=clause_saved"));
    let headings = select_texts(
        &officer.get(&edit).await.html(),
        "[data-testid=tree-heading]",
    );
    assert!(
        headings.contains(&"Cây xanh và mặt nước".to_owned()),
        "{headings:?}"
    );

    // An empty number is refused on the page, next to the clause.
    let refused = officer
        .submit(
            &edit,
            &dieu_2,
            &[("number", " "), ("heading", "x"), ("body", "")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let links = select_attrs(&refused.html(), "[data-testid=error-summary] a", "href");
    let clause_id = dieu_2.rsplit('/').next().unwrap();
    assert_eq!(links, [format!("#clause-{clause_id}-number")]);

    // Attach a document (multipart, the CSRF field first).
    let token = officer.cookies["gopy_csrf"].clone();
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"to-trinh.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(LETTER);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    let uploaded = officer
        .post(&format!("{edit}/documents"), &multipart, body)
        .await;
    assert!(location(&uploaded).contains("notice=document_added"));
    let doc = officer.get(&edit).await.html();
    let documents = select_attrs(&doc, "[data-testid=document] a", "href");
    assert_eq!(documents.len(), 1);
    assert!(documents[0].starts_with("/api/v1/documents/"));

    // Publish: the public page shows it, with its document and corrected clause.
    let published = officer.submit(&edit, &format!("{edit}/publish"), &[]).await;
    assert_eq!(location(&published), format!("{edit}?notice=published"));
    let doc = officer.get(&edit).await.html();
    assert_eq!(select_texts(&doc, "[data-testid=published-note]").len(), 1);
    assert_eq!(select_texts(&doc, "[data-testid=close]").len(), 1);
    assert!(select_texts(&doc, "[data-testid=text-form]").is_empty());
    let public = app.get_page(&format!("/consultations/{id}"), None).await;
    assert_eq!(public.status, 200, "{}", public.text());
    let doc = public.html();
    assert_eq!(
        select_texts(&doc, "h1"),
        ["Quy hoạch chi tiết công viên ven sông Cần Thơ"]
    );
    assert!(public.text().contains("Cây xanh và mặt nước"));
    assert_eq!(
        select_attrs(&doc, "[data-testid=public-documents] a", "href"),
        documents
    );

    // A new version opens as a draft of its own.
    let version = officer
        .submit(&edit, &format!("{edit}/versions"), &[])
        .await;
    let to = location(&version);
    assert!(to.ends_with("?notice=version_created"), "{to}");
    assert_ne!(to, format!("{edit}?notice=version_created"));
    let doc = officer.get(&to).await.html();
    assert_eq!(select_texts(&doc, "[data-testid=tree-clause]").len(), 6);
    let list = officer.get("/agency/consultations").await.html();
    let tags = select_texts(&list, "[data-testid=agency-row] .tag");
    assert_eq!(tags, ["Bản nháp", "Đang lấy ý kiến"]);
}

/// `2026-12-01` as the pages print it (`01/12/2026`).
fn to_vn_day(iso: &str) -> String {
    let mut parts = iso.split('-');
    let (y, m, d) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!("{d}/{m}/{y}")
}

#[tokio::test]
async fn other_agencies_get_404_residents_403_and_visitors_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let mut officer =
        Browser::signed_in(&app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let id = create_draft(&mut officer).await;
    let mut other =
        Browser::signed_in(&app, "khac@vidu.vn", Role::AgencyOfficer, Some("STC")).await;
    let page = other.get(&format!("/agency/consultations/{id}")).await;
    assert_eq!(page.status, 404, "{}", page.text());
    let list = other.get("/agency/consultations").await;
    assert!(select_texts(&list.html(), "[data-testid=agency-row]").is_empty());

    let mut resident = Browser::signed_in(&app, "dan@vidu.vn", Role::Resident, None).await;
    assert_eq!(resident.get("/agency/consultations").await.status, 403);
    assert!(
        select_attrs(
            &resident.get("/").await.html(),
            "[data-testid=nav-agency]",
            "href"
        )
        .is_empty()
    );

    let visitor = app.get_page("/agency/consultations", None).await;
    assert_eq!(visitor.status, 303);
    assert_eq!(
        visitor.headers[header::LOCATION],
        "/account/signin?next=/agency/consultations"
    );

    // An admin sees every agency's drafts and chooses the lead agency.
    let mut admin = Browser::signed_in(&app, "quantri@vidu.vn", Role::Admin, None).await;
    let list = admin.get("/agency/consultations").await.html();
    assert_eq!(select_texts(&list, "[data-testid=agency-row]").len(), 1);
    let form = admin.get("/agency/consultations/new").await.html();
    assert!(select_attrs(&form, "select#lead_agency option", "value").contains(&"STC".to_owned()));
}

#[tokio::test]
async fn a_short_window_without_reason_is_sent_back_with_the_error() {
    let app = TestApp::spawn().await;
    let mut officer =
        Browser::signed_in(&app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let fields = draft_fields(&day(0), &day(5));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = officer
        .submit(
            "/agency/consultations/new",
            "/agency/consultations/new",
            &pairs,
        )
        .await;
    assert_eq!(response.status, 422, "{}", response.text());
    let doc = response.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=error-summary] a", "href"),
        ["#short_window_reason"]
    );
    assert!(select_texts(&doc, "title")[0].starts_with("Lỗi: "));
    // What was typed is kept.
    assert_eq!(
        select_attrs(&doc, "input#title", "value"),
        ["Quy hoạch chi tiết công viên ven sông Cần Thơ"]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=units][checked]", "value"),
        ["31150", "31168"]
    );
    // An unreadable date is named too.
    let fields = draft_fields("mai", &day(40));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = officer
        .submit(
            "/agency/consultations/new",
            "/agency/consultations/new",
            &pairs,
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        select_attrs(&response.html(), "[data-testid=error-summary] a", "href"),
        ["#opens_at"]
    );
    let count = consultations::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .len();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn every_form_of_the_agency_pages_refuses_a_missing_csrf_field() {
    let app = TestApp::spawn().await;
    let mut officer =
        Browser::signed_in(&app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let id = create_draft(&mut officer).await;
    let edit = format!("/agency/consultations/{id}");
    officer
        .submit(&edit, &format!("{edit}/text"), &[("text", TEXT)])
        .await;
    let doc = officer.get(&edit).await.html();
    let clause = select_attrs(&doc, "[data-testid=clause-form]", "action")[0].clone();
    let routes = gopy::http::route_table();
    let posts: Vec<&str> = routes
        .entries()
        .iter()
        .filter(|e| {
            e.method == http::Method::POST
                && e.path.starts_with("/agency/")
                && !e.path.starts_with("/agency/inbox")
        })
        .map(|e| e.path)
        .collect();
    assert_eq!(posts.len(), 11, "{posts:?}");
    let clause_id = clause.rsplit('/').next().unwrap().to_owned();
    for path in posts {
        let uri = path.replace("{id}", &id).replace("{clause_id}", &clause_id);
        let (content_type, body) = if path.ends_with("/documents") {
            let body = format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{BOUNDARY}--\r\n"
            );
            (
                format!("multipart/form-data; boundary={BOUNDARY}"),
                body.into_bytes(),
            )
        } else {
            (
                "application/x-www-form-urlencoded".to_owned(),
                b"title=x&text=y".to_vec(),
            )
        };
        let response = officer.post(&uri, &content_type, body).await;
        assert_eq!(response.status, 403, "{uri}: {}", response.text());
    }
    // Nothing changed: still a draft with its clauses.
    let doc = officer.get(&edit).await.html();
    assert_eq!(select_texts(&doc, "[data-testid=tree-clause]").len(), 6);
}
