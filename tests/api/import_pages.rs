//! The moderators' import page: the form and its example file, a file imported whole, a file
//! refused with the lines to fix and nothing imported, and who may use the page.

use entity::enums::{Channel, Role};
use entity::{comments, consultations};
use http::header;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::helpers::browser::{Browser, Part};
use crate::helpers::{TestApp, TestResponse, account, select_attrs, select_texts};

const PAGE: &str = "/moderation/import";

async fn first_consultation(app: &TestApp) -> consultations::Model {
    consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn imported(app: &TestApp, consultation: &consultations::Model) -> u64 {
    comments::Entity::find()
        .filter(comments::Column::ConsultationId.eq(consultation.id))
        .filter(comments::Column::Channel.ne(Channel::Online))
        .count(&app.state.db)
        .await
        .unwrap()
}

/// Opens the page and sends `file` for the consultation.
async fn send_file(
    browser: &mut Browser<'_>,
    consultation: &str,
    file_name: &str,
    content: &str,
) -> TestResponse {
    let page = browser.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = Browser::csrf_of(&page, PAGE);
    browser
        .post_multipart(
            PAGE,
            &[
                Part::Text("csrf_token", &csrf),
                Part::Text("consultation_id", consultation),
                Part::File("file", file_name, "text/csv", content.as_bytes()),
            ],
        )
        .await
}

#[tokio::test]
async fn a_moderator_imports_the_example_csv_through_the_page() {
    let app = TestApp::with_samples().await;
    let consultation = first_consultation(&app).await;
    let moderator = account(
        &app,
        "mttq@vidu.vn",
        "Kiểm duyệt viên",
        Role::Moderator,
        true,
    )
    .await;
    let mut browser = Browser::signed_in(&app, &moderator).await;

    let home = browser.get("/").await;
    assert_eq!(
        select_attrs(&home.html(), "[data-testid=nav-import]", "href"),
        [PAGE]
    );
    let page = browser.get(PAGE).await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    let id = consultation.id.to_string();
    assert!(select_attrs(&doc, "#consultation_id option", "value").contains(&id));
    assert_eq!(
        select_texts(&doc, "[data-testid=import-columns] dt code"),
        [
            "body",
            "stance",
            "clause",
            "author_name",
            "organization",
            "channel",
            "consent"
        ]
    );
    let example_uri = select_attrs(&doc, "[data-testid=import-example]", "href");
    assert_eq!(example_uri, ["/moderation/import/example.csv"]);

    let example = browser.get(&example_uri[0]).await;
    assert_eq!(example.status, 200);
    assert_eq!(example.content_type(), "text/csv; charset=utf-8");
    assert!(
        example.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = example.text();

    let sent = send_file(&mut browser, &id, "gopy-import-example.csv", &csv).await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let to = sent.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, format!("{PAGE}?imported=2&consultation={id}"));
    let done = browser.get(&to).await;
    let doc = done.html();
    assert_eq!(select_texts(&doc, "[data-testid=import-count]"), ["2"]);
    assert_eq!(imported(&app, &consultation).await, 2);
    let rows = comments::Entity::find()
        .filter(comments::Column::ConsultationId.eq(consultation.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(rows.iter().all(|c| c.entered_by == Some(moderator.id)));
}

#[tokio::test]
async fn a_malformed_row_is_named_by_its_line_and_nothing_is_imported() {
    let app = TestApp::with_samples().await;
    let consultation = first_consultation(&app).await;
    let admin = account(&app, "quantri@vidu.vn", "Quản trị", Role::Admin, true).await;
    let mut browser = Browser::signed_in(&app, &admin).await;
    let id = consultation.id.to_string();
    let csv = "body,stance\n\
               \"Đề nghị mở rộng vỉa hè đường ven sông.\",đồng ý\n\
               \"Cần thêm đèn chiếu sáng ở công viên.\",hoan nghênh\n\
               \"Nên có nhà vệ sinh công cộng.\",đề xuất\n";
    let sent = send_file(&mut browser, &id, "phieu.csv", csv).await;
    assert_eq!(sent.status, 422, "{}", sent.text());
    let doc = sent.html();
    assert_eq!(
        select_attrs(&doc, "[data-testid=error-summary] a", "href"),
        ["#file"]
    );
    assert_eq!(select_texts(&doc, "[data-testid=import-error-line]"), ["3"]);
    let rows = select_texts(&doc, "[data-testid=import-error]");
    assert!(rows[0].contains("Dòng 3"), "{rows:?}");
    assert_eq!(
        select_attrs(&doc, "#consultation_id option[selected]", "value"),
        [id.as_str()],
        "the consultation stays chosen"
    );
    assert_eq!(imported(&app, &consultation).await, 0, "nothing imported");

    // No file, no consultation: both named, in the order of the form.
    let page = browser.get(PAGE).await;
    let csrf = Browser::csrf_of(&page, PAGE);
    let empty = browser
        .post_multipart(PAGE, &[Part::Text("csrf_token", &csrf)])
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(
        select_attrs(&empty.html(), "[data-testid=error-summary] a", "href"),
        ["#consultation_id", "#file"]
    );
    // A file of another kind.
    let other = send_file(&mut browser, &id, "phieu.xlsx", csv).await;
    assert_eq!(other.status, 422);
    assert_eq!(select_texts(&other.html(), "#file-error").len(), 1);
}

#[tokio::test]
async fn residents_and_visitors_cannot_use_the_import_page() {
    let app = TestApp::with_samples().await;
    let consultation = first_consultation(&app).await;
    let lan = account(&app, "lan@vidu.vn", "Nguyễn Thị Lan", Role::Resident, true).await;
    let mut resident = Browser::signed_in(&app, &lan).await;
    let home = resident.get("/").await;
    assert!(select_texts(&home.html(), "[data-testid=nav-import]").is_empty());
    assert_eq!(resident.get(PAGE).await.status, 403);
    assert_eq!(
        resident.get("/moderation/import/example.csv").await.status,
        403
    );
    let csrf = resident.cookies["gopy_csrf"].clone();
    let id = consultation.id.to_string();
    let csv = "body,stance\n\"Đề nghị mở rộng vỉa hè đường ven sông.\",đồng ý\n";
    let refused = resident
        .post_multipart(
            PAGE,
            &[
                Part::Text("csrf_token", &csrf),
                Part::Text("consultation_id", &id),
                Part::File("file", "phieu.csv", "text/csv", csv.as_bytes()),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(imported(&app, &consultation).await, 0);

    let mut visitor = Browser::anonymous(&app);
    let answer = visitor.get(PAGE).await;
    assert_eq!(answer.status, 303);
    assert!(
        answer.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/account/signin")
    );
}
