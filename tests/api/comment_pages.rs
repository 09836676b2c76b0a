//! The comment pages as a browser uses them: the form (CSRF, idempotency key, errors kept),
//! the receipt, tracking by code, consent on the consultation page, who sees a pending
//! comment, the list's sort parameter.

use entity::enums::{CommentStatus, Role};
use entity::{clauses, comments, consultations, users};
use http::header;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::helpers::browser::{Browser, Part};
use crate::helpers::{TestApp, TestResponse, account, select_attrs, select_texts};

/// Opening the comment form.
trait OpenForm {
    /// Opens the comment form at `uri` and returns its CSRF token and idempotency key.
    async fn open_form(&mut self, uri: &str) -> (String, String, TestResponse);
}

impl OpenForm for Browser<'_> {
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

const DRAWING: &[u8] = include_bytes!("../fixtures/attachments/drawing.png");
const LETTER: &[u8] = include_bytes!("../fixtures/attachments/letter.pdf");

/// Sends the comment form as the browser does when files are chosen (`multipart/form-data`,
/// the CSRF field first); `files` are `(field, file name, declared type, content)`.
async fn send_with_files(
    browser: &mut Browser<'_>,
    w: &World,
    text: &str,
    on_behalf: bool,
    files: &[(&str, &str, &str, &[u8])],
) -> (String, TestResponse) {
    let (csrf, key, _) = browser.open_form(&form_uri(w)).await;
    let clause = w.clause.id.to_string();
    let mut parts = vec![
        Part::Text("csrf_token", &csrf),
        Part::Text("idempotency_key", &key),
        Part::Text("clause_id", &clause),
        Part::Text("stance", "oppose"),
        Part::Text("body", text),
        Part::Text("consent", "public_named"),
    ];
    if on_behalf {
        parts.push(Part::Text("on_behalf_of_organization", "yes"));
    }
    for (field, name, content_type, bytes) in files {
        parts.push(Part::File(field, name, content_type, bytes));
    }
    let response = browser.post_multipart(&form_uri(w), &parts).await;
    (key, response)
}

#[tokio::test]
async fn a_photo_and_a_pdf_are_attached_and_listed_on_the_receipt_and_the_comment() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let minh = person(
        &w.app,
        "minh@vidu.vn",
        "Trần Văn Minh",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let text = "Vỉa hè trước chợ bị lấn chiếm, xem ảnh và biên bản kèm theo.";
    let (_, sent) = send_with_files(
        &mut browser,
        &w,
        text,
        false,
        &[
            ("files", "vỉa hè.png", "image/png", DRAWING),
            ("files", "biên bản.pdf", "application/pdf", LETTER),
        ],
    )
    .await;
    let id = receipt_id(&sent);

    let receipt = browser.get(&location(&sent)).await;
    assert_eq!(receipt.status, 200);
    let doc = receipt.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=attachment-link]"),
        ["vỉa hè.png", "biên bản.pdf"]
    );
    let listed = select_texts(&doc, "[data-testid=attachment] .hint");
    assert!(listed[0].starts_with("(PNG, "), "{listed:?}");
    assert!(listed[1].starts_with("(PDF, "), "{listed:?}");

    let page = browser.get(&format!("/comments/{id}")).await;
    assert_eq!(page.status, 200);
    let links = select_attrs(&page.html(), "[data-testid=attachment-link]", "href");
    assert_eq!(links.len(), 2);
    assert!(links.iter().all(|l| l.starts_with("/api/v1/attachments/")));

    // The author downloads them; the photo is served as stored (metadata removed), the PDF as
    // sent.
    let photo = browser.get(&links[0]).await;
    assert_eq!(photo.status, 200);
    assert_eq!(photo.content_type(), "image/png");
    let pdf = browser.get(&links[1]).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.body, LETTER);

    // While the comment waits for moderation, nobody else may fetch its files.
    let mut stranger = Browser::signed_in(&w.app, &minh).await;
    let mut visitor = Browser::anonymous(&w.app);
    for link in &links {
        assert_eq!(stranger.get(link).await.status, 404, "another resident");
        assert_eq!(visitor.get(link).await.status, 404, "a visitor");
    }
    let rows = comment_attachments_of(&w.app, id).await;
    assert_eq!(rows, 2);

    // Once the comment is public, its files show in the consultation's list, for everyone.
    approve(&w.app, id).await;
    let list = visitor
        .get(&format!("/consultations/{}", w.consultation.id))
        .await;
    let doc = list.html();
    let selector = format!("#comment-{id} [data-testid=attachment-link]");
    assert_eq!(select_attrs(&doc, &selector, "href"), links);
    assert_eq!(visitor.get(&links[0]).await.status, 200);
}

async fn comment_attachments_of(app: &TestApp, id: uuid::Uuid) -> u64 {
    entity::comment_attachments::Entity::find()
        .filter(entity::comment_attachments::Column::CommentId.eq(id))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_png_calling_itself_a_pdf_is_refused_and_the_form_keeps_what_was_typed() {
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
    let text = "Đề nghị giữ lại hàng cây dầu trên đường ven sông.";
    let (key, sent) = send_with_files(
        &mut browser,
        &w,
        text,
        false,
        &[("files", "bien-ban.pdf", "application/pdf", DRAWING)],
    )
    .await;
    assert_eq!(sent.status, 422, "{}", sent.text());
    let doc = sent.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=error-summary] a", "href"),
        ["#files"]
    );
    let error = select_texts(&doc, "#files-error");
    assert_eq!(error.len(), 1);
    assert!(
        error[0].contains("bien-ban.pdf"),
        "names the file: {error:?}"
    );
    assert!(error[0].contains("không khớp"), "in Vietnamese: {error:?}");
    assert_eq!(select_texts(&doc, "textarea#body"), [text]);
    assert_eq!(
        select_attrs(&doc, "input[name=stance][checked]", "value"),
        ["oppose"]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=consent][checked]", "value"),
        ["public_named"]
    );
    assert_eq!(
        select_attrs(&doc, "#clause_id option[selected]", "value"),
        [w.clause.id.to_string()]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=idempotency_key]", "value"),
        [key]
    );
    assert_eq!(select_texts(&doc, "[data-testid=files-again]").len(), 1);
    assert_eq!(comment_count(&w.app, &lan).await, 0, "nothing was saved");
}

#[tokio::test]
async fn a_representative_sends_the_organizations_letter_with_a_comment_on_its_behalf() {
    let w = world().await;
    let hoi = person(
        &w.app,
        "hoi@vidu.vn",
        "Lê Thị Hội",
        Role::OrganizationRep,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &hoi).await;
    let form = browser.get(&form_uri(&w)).await;
    assert_eq!(
        select_attrs(&form.html(), "input#letter", "accept"),
        [".pdf,application/pdf"]
    );
    let text = "Hội Liên hiệp Phụ nữ thành phố góp ý theo văn bản kèm theo.";
    let letter = [(
        "letter",
        "Văn bản góp ý số 12.pdf",
        "application/pdf",
        LETTER,
    )];

    // Not on behalf of the organization: the letter does not belong here.
    let (_, refused) = send_with_files(&mut browser, &w, text, false, &letter).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        select_attrs(&refused.html(), "[data-testid=error-summary] a", "href"),
        ["#letter"]
    );
    // A photo is not a letter.
    let photo = [("letter", "thu.pdf", "application/pdf", DRAWING)];
    let (_, refused) = send_with_files(&mut browser, &w, text, true, &photo).await;
    assert_eq!(refused.status, 422);
    assert_eq!(select_texts(&refused.html(), "#letter-error").len(), 1);
    assert_eq!(comment_count(&w.app, &hoi).await, 0);

    let (_, sent) = send_with_files(&mut browser, &w, text, true, &letter).await;
    let id = receipt_id(&sent);
    let receipt = browser.get(&location(&sent)).await;
    assert_eq!(
        select_texts(&receipt.html(), "[data-testid=attachment-link]"),
        ["Văn bản góp ý số 12.pdf"]
    );
    assert_eq!(comment_attachments_of(&w.app, id).await, 1);
}

#[tokio::test]
async fn the_author_edits_a_pending_comment_and_the_earlier_version_is_kept() {
    let w = world().await;
    let lan = person(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let minh = person(
        &w.app,
        "minh@vidu.vn",
        "Trần Văn Minh",
        Role::Resident,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&w.app, &lan).await;
    let first = "Đề nghị làm thêm lối đi bộ dọc bờ sông.";
    let id = receipt_id(&send_comment(&mut browser, &w, first, "public_anonymous").await);
    let edit_uri = format!("/comments/{id}/edit");

    // Linked from the list of one's comments and from the comment's page.
    let mine = browser.get("/account/comments").await;
    assert_eq!(
        select_attrs(&mine.html(), "[data-testid=my-comment-edit]", "href"),
        [edit_uri.as_str()]
    );
    let page = browser.get(&format!("/comments/{id}")).await;
    assert_eq!(
        select_attrs(&page.html(), "[data-testid=edit-link]", "href"),
        [edit_uri.as_str()]
    );

    let form = browser.get(&edit_uri).await;
    assert_eq!(form.status, 200);
    let doc = form.html();
    assert_eq!(select_texts(&doc, "textarea#body"), [first]);
    assert_eq!(
        select_attrs(&doc, "input[name=stance][checked]", "value"),
        ["suggest"]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=consent][checked]", "value"),
        ["public_anonymous"]
    );
    let csrf = Browser::csrf_of(&form, &edit_uri);

    // A text too short comes back with its error and what was typed.
    let short = browser
        .post(
            &edit_uri,
            &[
                ("csrf_token", &csrf),
                ("stance", "oppose"),
                ("body", "Ngắn"),
                ("consent", "public_named"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    let doc = short.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=error-summary] a", "href"),
        ["#body"]
    );
    assert_eq!(
        select_attrs(&doc, "input[name=stance][checked]", "value"),
        ["oppose"]
    );

    let second = "Đề nghị làm thêm lối đi bộ và đường cho xe lăn dọc bờ sông.";
    let saved = browser
        .post(
            &edit_uri,
            &[
                ("csrf_token", &csrf),
                ("stance", "suggest"),
                ("body", second),
                ("consent", "public_named"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        location(&saved),
        format!("/comments/{id}?notice=comment_edited")
    );
    let page = browser.get(&location(&saved)).await;
    let doc = page.html();
    assert_eq!(select_texts(&doc, "[data-testid=notice]").len(), 1);
    assert_eq!(
        select_texts(&doc, "[data-testid=comment-original]"),
        [second]
    );
    assert_eq!(select_texts(&doc, "[data-testid=revision-body]"), [first]);

    // Another resident cannot open or post the form.
    let mut stranger = Browser::signed_in(&w.app, &minh).await;
    assert_eq!(stranger.get(&edit_uri).await.status, 404);
    let stranger_form = stranger.get("/").await;
    assert_eq!(stranger_form.status, 200);
    let token = stranger.cookies["gopy_csrf"].clone();
    let refused = stranger
        .post(
            &edit_uri,
            &[
                ("csrf_token", &token),
                ("stance", "oppose"),
                ("body", "Tôi muốn sửa ý kiến của người khác."),
                ("consent", "public_named"),
            ],
        )
        .await;
    assert_eq!(refused.status, 404);
    let stored = comments::Entity::find_by_id(id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body, second);
}

#[tokio::test]
async fn a_moderated_comment_can_no_longer_be_edited_and_the_page_says_why() {
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
    let text = "Đề nghị bố trí thêm thùng rác ở công viên.";
    let id = receipt_id(&send_comment(&mut browser, &w, text, "public_named").await);
    let edit_uri = format!("/comments/{id}/edit");
    let form = browser.get(&edit_uri).await;
    let csrf = Browser::csrf_of(&form, &edit_uri);
    approve(&w.app, id).await;

    let closed = browser.get(&edit_uri).await;
    assert_eq!(closed.status, 200);
    let doc = closed.html();
    assert_eq!(select_texts(&doc, "[data-testid=edit-closed]").len(), 1);
    assert!(select_texts(&doc, "[data-testid=edit-form]").is_empty());

    let refused = browser
        .post(
            &edit_uri,
            &[
                ("csrf_token", &csrf),
                ("stance", "oppose"),
                ("body", "Tôi đổi ý sau khi ý kiến đã được duyệt."),
                ("consent", "public_named"),
            ],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    let doc = refused.html();
    assert_eq!(
        select_texts(&doc, "[data-testid=edit-closed] h1"),
        ["Ý kiến này không sửa được nữa"]
    );
    let stored = comments::Entity::find_by_id(id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body, text, "unchanged");

    let page = browser.get(&format!("/comments/{id}")).await;
    let doc = page.html();
    assert!(select_texts(&doc, "[data-testid=edit-link]").is_empty());
    assert_eq!(select_texts(&doc, "[data-testid=edit-closed]").len(), 1);
    let mine = browser.get("/account/comments").await;
    assert!(select_texts(&mine.html(), "[data-testid=my-comment-edit]").is_empty());
}
