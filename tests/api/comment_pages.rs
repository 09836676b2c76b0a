//! The comment pages as a browser uses them: the form (CSRF, idempotency key, errors kept),
//! the receipt, tracking by code, consent on the consultation page, who sees a pending
//! comment, the list's sort parameter.

use std::collections::BTreeMap;

use axum::body::Body;
use entity::enums::{CommentStatus, Role};
use entity::{clauses, comments, consultations, users};
use http::{Request, header};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::helpers::{TestApp, TestResponse, account, select_attrs, select_texts};

/// A browser with a session: keeps cookies, reads forms from the pages it opens.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    fn anonymous(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    async fn signed_in(app: &'a TestApp, user: &users::Model) -> Self {
        let session =
            gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
                .await
                .unwrap();
        let mut browser = Self::anonymous(app);
        browser
            .cookies
            .insert("gopy_session".to_owned(), session.token);
        browser
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
            let pair = value.split(';').next().unwrap();
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

    async fn post(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let request = Request::post(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(serde_urlencoded::to_string(pairs).unwrap()))
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Opens the comment form at `uri` and returns its CSRF token and idempotency key.
    async fn open_form(&mut self, uri: &str) -> (String, String, TestResponse) {
        let page = self.get(uri).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.text());
        let doc = page.html();
        let form = "[data-testid=comment-form]";
        let csrf = select_attrs(&doc, &format!("{form} input[name=csrf_token]"), "value");
        let key = select_attrs(
            &doc,
            &format!("{form} input[name=idempotency_key]"),
            "value",
        );
        assert_eq!(csrf.len(), 1, "one CSRF field in the form");
        assert_eq!(key.len(), 1, "one idempotency key in the form");
        assert!(key[0].len() >= 20, "a random key: {}", key[0]);
        (csrf[0].clone(), key[0].clone(), page)
    }
}

struct World {
    app: TestApp,
    consultation: consultations::Model,
    clause: clauses::Model,
}

async fn world() -> World {
    let app = TestApp::with_samples().await;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    // An article, as residents usually pick.
    let clause = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation.id))
        .filter(clauses::Column::Level.eq(entity::enums::ClauseLevel::Dieu))
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

async fn person(
    app: &TestApp,
    email: &str,
    name: &str,
    role: Role,
    verified: bool,
) -> users::Model {
    account(app, email, name, role, verified).await
}

fn form_uri(w: &World) -> String {
    format!("/consultations/{}/comment", w.consultation.id)
}

fn location(response: &TestResponse) -> String {
    response.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Posts a comment through the form; returns the response.
async fn send_comment(
    browser: &mut Browser<'_>,
    w: &World,
    text: &str,
    consent: &str,
) -> TestResponse {
    let (csrf, key, _) = browser.open_form(&form_uri(w)).await;
    let clause = w.clause.id.to_string();
    browser
        .post(
            &form_uri(w),
            &[
                ("csrf_token", &csrf),
                ("idempotency_key", &key),
                ("clause_id", &clause),
                ("stance", "suggest"),
                ("body", text),
                ("consent", consent),
            ],
        )
        .await
}

async fn approve(app: &TestApp, id: uuid::Uuid) {
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

fn receipt_id(response: &TestResponse) -> uuid::Uuid {
    assert_eq!(response.status, 303, "{}", response.text());
    let to = location(response);
    let id = to
        .strip_prefix("/comments/")
        .and_then(|rest| rest.strip_suffix("/receipt"))
        .unwrap_or_else(|| panic!("not a receipt: {to}"));
    id.parse().unwrap()
}

async fn comment_count(app: &TestApp, author: &users::Model) -> u64 {
    comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(author.id))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_form_refuses_a_post_without_csrf() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let (_, key, _) = browser.open_form(&form_uri(&w)).await;
    let clause = w.clause.id.to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("clause_id", clause.as_str()),
        ("stance", "support"),
        ("body", "Tôi đồng ý với điều khoản này của dự thảo."),
        ("consent", "public_named"),
    ];
    let refused = browser.post(&form_uri(&w), &fields).await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let mut wrong = vec![("csrf_token", "sai")];
    wrong.extend_from_slice(&fields);
    let refused = browser.post(&form_uri(&w), &wrong).await;
    assert_eq!(refused.status, 403);
    assert_eq!(comment_count(&w.app, &lan).await, 0, "nothing was stored");
}

#[tokio::test]
async fn a_resident_comments_on_a_clause_and_follows_the_code() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;

    // The clause's link on the consultation page preselects it in the form.
    let page = browser
        .get(&format!("/consultations/{}", w.consultation.id))
        .await;
    assert_eq!(page.status, 200);
    let links = select_attrs(&page.html(), "[data-testid=comment-on-clause]", "href");
    let link = format!("{}?clause={}", form_uri(&w), w.clause.id);
    assert!(links.contains(&link), "{link} in {links:?}");
    let whole = select_attrs(&page.html(), "[data-testid=comment-whole]", "href");
    assert_eq!(whole, vec![form_uri(&w)]);

    let (csrf, key, form) = browser.open_form(&link).await;
    let selected = select_attrs(&form.html(), "#clause_id option[selected]", "value");
    assert_eq!(selected, vec![w.clause.id.to_string()]);
    let consents = select_attrs(&form.html(), "input[name=consent]", "value");
    assert_eq!(consents, ["public_named", "public_anonymous", "private"]);
    let stances = select_attrs(&form.html(), "input[name=stance]", "value");
    assert_eq!(stances, ["support", "oppose", "suggest", "question"]);
    assert!(
        select_attrs(&form.html(), "a[href='/account/data']", "href").len() == 1,
        "the consent explanation links to the personal data page"
    );
    assert!(
        select_attrs(&form.html(), "#on_behalf_of_organization", "name").is_empty(),
        "a resident gets no 'on behalf of my organization' box"
    );

    let clause = w.clause.id.to_string();
    let text = "Đề nghị giữ lại hàng cây dầu cổ thụ khi mở rộng vỉa hè.";
    let sent = browser
        .post(
            &form_uri(&w),
            &[
                ("csrf_token", &csrf),
                ("idempotency_key", &key),
                ("clause_id", &clause),
                ("stance", "suggest"),
                ("body", text),
                ("consent", "public_named"),
            ],
        )
        .await;
    let id = receipt_id(&sent);
    let stored = comments::Entity::find_by_id(id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.clause_id, Some(w.clause.id));
    assert_eq!(stored.body, text);

    let receipt = browser.get(&location(&sent)).await;
    assert_eq!(receipt.status, 200, "{}", receipt.text());
    let doc = receipt.html();
    let code = select_texts(&doc, "[data-testid=tracking-code]").remove(0);
    assert_eq!(code, stored.tracking_code);
    assert_eq!(
        select_attrs(&doc, "[data-testid=track-link]", "href"),
        vec![format!("/track/{code}")]
    );
    assert!(select_texts(&doc, "[data-testid=receipt-mailed]")[0].contains("lan@vidu.vn"));

    // Anyone holding the code follows it, without personal data.
    let mut visitor = Browser::anonymous(&w.app);
    let tracked = visitor.get(&format!("/track/{code}")).await;
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    let doc = tracked.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=tracked-code]"),
        vec![code.clone()]
    );
    assert_eq!(
        select_texts(&doc, "[data-testid=tracked-status]"),
        vec!["Chờ kiểm duyệt".to_owned()]
    );
    assert_eq!(select_texts(&doc, "[data-testid=history] li").len(), 1);
    let raw = tracked.text();
    assert!(
        !raw.contains("Lan") && !raw.contains("cây dầu"),
        "no personal data"
    );

    // Typing the code (lower case, spaces) in the form goes to its page.
    let typed = code.to_lowercase().replace('-', " ");
    let found = visitor
        .get(&format!("/track?code={}", typed.replace(' ', "+")))
        .await;
    assert_eq!(found.status, 303);
    assert_eq!(location(&found), format!("/track/{code}"));
    // Unknown and malformed codes: 404 with the form again.
    for uri in [
        "/track/GY-0000-0000",
        "/track/xyz",
        "/track?code=GY-0000-0000",
    ] {
        let missing = visitor.get(uri).await;
        assert_eq!(missing.status, 404, "{uri}");
        assert_eq!(
            select_attrs(
                &missing.html(),
                "[data-testid=track-form] input[name=code]",
                "name"
            )
            .len(),
            1,
            "{uri}"
        );
        assert_eq!(
            select_attrs(&missing.html(), "[data-testid=error-summary] a", "href"),
            vec!["#code"]
        );
    }

    // The receipt is the author's only; the list of one's comments has it.
    let binh = person(&w.app, "binh@vidu.vn", "Lê Bình", Role::Resident, true).await;
    let mut other = Browser::signed_in(&w.app, &binh).await;
    assert_eq!(other.get(&location(&sent)).await.status, 404);
    let mine = browser.get("/account/comments").await;
    assert_eq!(mine.status, 200);
    assert_eq!(
        select_texts(&mine.html(), "[data-testid=my-comment]").len(),
        1
    );
    assert!(mine.text().contains(&code));
    let account = browser.get("/account").await;
    assert_eq!(
        select_attrs(&account.html(), "[data-testid=my-comments-link]", "href"),
        vec!["/account/comments"]
    );
}

#[tokio::test]
async fn a_double_post_with_the_same_key_gives_one_comment() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let (csrf, key, _) = browser.open_form(&form_uri(&w)).await;
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("clause_id", ""),
        ("stance", "oppose"),
        (
            "body",
            "Không nên thu hẹp công viên bờ sông để làm bãi đỗ xe.",
        ),
        ("consent", "private"),
    ];
    let first = browser.post(&form_uri(&w), &fields).await;
    let second = browser.post(&form_uri(&w), &fields).await;
    assert_eq!(receipt_id(&first), receipt_id(&second));
    assert_eq!(comment_count(&w.app, &lan).await, 1);
    // A new form gets a new key: a second comment is a new one.
    let (_, other_key, _) = browser.open_form(&form_uri(&w)).await;
    assert_ne!(key, other_key);
}

#[tokio::test]
async fn a_too_long_comment_comes_back_with_the_error_and_the_values() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let (csrf, key, _) = browser.open_form(&form_uri(&w)).await;
    let long = "ệ".repeat(5_001);
    let clause = w.clause.id.to_string();
    let sent = browser
        .post(
            &form_uri(&w),
            &[
                ("csrf_token", &csrf),
                ("idempotency_key", &key),
                ("clause_id", &clause),
                ("stance", "question"),
                ("body", &long),
                ("consent", "public_anonymous"),
            ],
        )
        .await;
    assert_eq!(sent.status, 422, "{}", sent.text());
    let doc = sent.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=error-summary] a", "href"),
        vec!["#body"]
    );
    assert!(select_texts(&doc, "title")[0].starts_with("Lỗi: "));
    assert_eq!(select_texts(&doc, "#body-error").len(), 1);
    assert_eq!(
        select_texts(&doc, "textarea#body")[0].chars().count(),
        5_001
    );
    assert_eq!(
        select_attrs(&doc, "input[name=stance][checked]", "value"),
        ["question"]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=consent][checked]", "value"),
        ["public_anonymous"]
    );
    assert_eq!(
        select_attrs(&doc, "#clause_id option[selected]", "value"),
        [clause]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=idempotency_key]", "value"),
        [key],
        "the same key, so the corrected form is still one comment"
    );
    // Nothing chosen at all: every error in the order of the fields.
    let empty = browser
        .post(
            &form_uri(&w),
            &[("csrf_token", &csrf), ("idempotency_key", "k2")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(
        select_attrs(&empty.html(), "[data-testid=error-summary] a", "href"),
        ["#stance", "#body", "#consent"]
    );
    assert_eq!(comment_count(&w.app, &lan).await, 0);
}

#[tokio::test]
async fn consent_choices_show_on_the_consultation_page_once_approved() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let named = "Ý kiến công khai kèm tên: nên trồng thêm cây xanh.";
    let anonymous = "Ý kiến ẩn tên: cần thêm đèn chiếu sáng ở hẻm.";
    let private = "Ý kiến riêng: nhà tôi ở số 12 hẻm 5, bị ngập khi mưa.";
    let mut ids = Vec::new();
    for (text, consent) in [
        (named, "public_named"),
        (anonymous, "public_anonymous"),
        (private, "private"),
    ] {
        ids.push(receipt_id(
            &send_comment(&mut browser, &w, text, consent).await,
        ));
    }
    let page_uri = format!("/consultations/{}", w.consultation.id);
    let mut visitor = Browser::anonymous(&w.app);
    let before = visitor.get(&page_uri).await;
    assert_eq!(
        select_texts(&before.html(), "[data-testid=public-comment]").len(),
        0,
        "nothing public before moderation"
    );
    for id in &ids {
        approve(&w.app, *id).await;
    }
    let after = visitor.get(&page_uri).await;
    let doc = after.html();
    let bodies = select_texts(&doc, "[data-testid=comment-body]");
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies.contains(&named.to_owned()) && bodies.contains(&anonymous.to_owned()));
    assert!(
        !after.text().contains("số 12 hẻm 5"),
        "the private comment stays private"
    );
    let authors = select_texts(&doc, "[data-testid=comment-author]");
    assert!(
        authors.contains(&"Nguyễn Thị Lan".to_owned()),
        "{authors:?}"
    );
    assert!(authors.contains(&"Người dân".to_owned()), "{authors:?}");
    // Visitors get a link to sign in instead of the button.
    assert_eq!(select_texts(&doc, "[data-testid=endorse-signin]").len(), 2);
    assert!(select_texts(&doc, "[data-testid=endorse-form]").is_empty());
    // The clause's count in the table of contents counts what the public can read: the
    // comment its author chose not to publish is not among them.
    assert!(
        select_texts(&doc, "[data-testid=toc-count]").contains(&"(2 ý kiến)".to_owned()),
        "{:?}",
        select_texts(&doc, "[data-testid=toc-count]")
    );
    // Filtered by the clause: both are there.
    let filtered = visitor
        .get(&format!("{page_uri}?clause={}", w.clause.id))
        .await;
    assert_eq!(
        select_texts(&filtered.html(), "[data-testid=comment-body]").len(),
        2
    );

    // A resident agrees with the named comment.
    let binh = person(&w.app, "binh@vidu.vn", "Lê Bình", Role::Resident, true).await;
    let mut reader = Browser::signed_in(&w.app, &binh).await;
    let page = reader.get(&format!("{page_uri}?sort=oldest")).await;
    let doc = page.html();
    let csrf = select_attrs(
        &doc,
        "[data-testid=endorse-form] input[name=csrf_token]",
        "value",
    );
    let backs = select_attrs(&doc, "[data-testid=endorse-form] input[name=back]", "value");
    assert_eq!(backs[0], format!("{page_uri}?sort=oldest"));
    let endorsed = reader
        .post(
            &format!("/comments/{}/endorse", ids[0]),
            &[("csrf_token", &csrf[0]), ("back", &backs[0])],
        )
        .await;
    assert_eq!(endorsed.status, 303, "{}", endorsed.text());
    assert_eq!(
        location(&endorsed),
        format!("{page_uri}?sort=oldest&notice=endorsed#comment-{}", ids[0])
    );
    let page = reader.get(&format!("/comments/{}", ids[0])).await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=endorsement-count]"),
        ["1 người đồng tình"]
    );
    // The private comment has no public page.
    assert_eq!(
        visitor.get(&format!("/comments/{}", ids[2])).await.status,
        404
    );
}

#[tokio::test]
async fn a_pending_comment_page_is_not_found_for_others() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let mut author = Browser::signed_in(&w.app, &lan).await;
    let text = "Vỉa hè đường 30/4 bị lấn chiếm, cần xử lý dứt điểm.";
    let id = receipt_id(&send_comment(&mut author, &w, text, "public_named").await);
    let uri = format!("/comments/{id}");

    assert_eq!(Browser::anonymous(&w.app).get(&uri).await.status, 404);
    let binh = person(&w.app, "binh@vidu.vn", "Lê Bình", Role::Resident, true).await;
    assert_eq!(
        Browser::signed_in(&w.app, &binh)
            .await
            .get(&uri)
            .await
            .status,
        404
    );
    let officer = person(&w.app, "sxd@vidu.vn", "Cán bộ", Role::AgencyOfficer, true).await;
    assert_eq!(
        Browser::signed_in(&w.app, &officer)
            .await
            .get(&uri)
            .await
            .status,
        404
    );

    let own = author.get(&uri).await;
    assert_eq!(own.status, 200);
    let doc = own.html();
    assert_eq!(select_texts(&doc, "[data-testid=comment-original]"), [text]);
    assert_eq!(
        select_texts(&doc, "[data-testid=comment-status]"),
        ["Chờ kiểm duyệt"]
    );
    assert_eq!(select_texts(&doc, "[data-testid=comment-code]").len(), 1);
    let moderator = person(&w.app, "mttq@vidu.vn", "MTTQ", Role::Moderator, true).await;
    let seen = Browser::signed_in(&w.app, &moderator).await.get(&uri).await;
    assert_eq!(seen.status, 200);
    assert!(seen.text().contains(text));
}

#[tokio::test]
async fn the_sort_parameter_accepts_only_known_values() {
    let w = world().await;
    let mut visitor = Browser::anonymous(&w.app);
    let page_uri = format!("/consultations/{}", w.consultation.id);
    for sort in ["newest", "oldest", "most_endorsed"] {
        let page = visitor.get(&format!("{page_uri}?sort={sort}")).await;
        assert_eq!(page.status, 200, "{sort}");
        assert_eq!(
            select_attrs(&page.html(), "#filter-sort option[selected]", "value"),
            [sort]
        );
    }
    for bad in [
        "?sort=popular",
        "?sort=",
        "?sort=NEWEST",
        "?page=0",
        "?page=abc",
        "?clause=not-a-clause",
        "?clause=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    ] {
        let page = visitor.get(&format!("{page_uri}{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        assert_eq!(
            select_texts(&page.html(), "[data-testid=error-page]").len(),
            1
        );
    }
    // Other parameters (a notice after a redirect) are no reason to refuse the page.
    assert_eq!(
        visitor
            .get(&format!("{page_uri}?notice=endorsed&page=2"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn only_confirmed_residents_and_representatives_get_the_form() {
    let w = world().await;
    let uri = form_uri(&w);
    let mut visitor = Browser::anonymous(&w.app);
    let sent_away = visitor.get(&format!("{uri}?clause={}", w.clause.id)).await;
    assert_eq!(sent_away.status, 303);
    assert_eq!(
        location(&sent_away),
        format!(
            "/account/signin?next=/consultations/{}/comment%3Fclause%3D{}",
            w.consultation.id, w.clause.id
        )
    );

    let officer = person(&w.app, "sxd@vidu.vn", "Cán bộ", Role::AgencyOfficer, true).await;
    let refused = Browser::signed_in(&w.app, &officer).await.get(&uri).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text()
            .contains("Chỉ người dân và đại diện các tổ chức")
    );

    let new = person(&w.app, "moi@vidu.vn", "Người mới", Role::Resident, false).await;
    let mut unverified = Browser::signed_in(&w.app, &new).await;
    let page = unverified.get(&uri).await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=comment-unverified]").len(),
        1
    );
    assert_eq!(
        select_attrs(&doc, "form[action='/account/verification']", "action").len(),
        1,
        "the resend button"
    );
    assert!(select_texts(&doc, "[data-testid=comment-form]").is_empty());

    let rep = person(
        &w.app,
        "hoi@vidu.vn",
        "Hội Phụ nữ",
        Role::OrganizationRep,
        true,
    )
    .await;
    let page = Browser::signed_in(&w.app, &rep).await.get(&uri).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        select_attrs(&page.html(), "#on_behalf_of_organization", "name"),
        ["on_behalf_of_organization"]
    );
}
