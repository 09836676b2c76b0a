//! Reports from the record. The synthesis: its figures against a hand-computed fixture, the
//! themes moderators create and fill, the page with its charts. The acceptance table ("bảng tổng
//! hợp, tiếp thu, giải trình ý kiến"): its rows and summary against the same fixture, its CSV, XLSX and DOCX read back with reader libraries, no
//! unpublished text or personal data in any of them, who may read it when, and the sign-off
//! that freezes it with its hash on the audit chain.

use std::io::{Cursor, Read};

use entity::enums::{Decision, Role};
use entity::{agencies, assignments, audit_events, comments, consultations, organizations, users};
use gopy::policy::{Actor, ActorAccount};
use gopy::services::assignments::AnswerInput;
use gopy::services::import::Format;
use gopy::services::moderation::DecisionRequest;
use gopy::services::{assignments as assigning, authoring, import, moderation};
use http::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse, account, bearer_for};

const BASE_URL: &str = "http://localhost";
/// Texts that must never reach a report: a private comment's personal data, a redacted
/// e-mail address, a rejected and a pending comment, the names of authors who did not consent.
const SECRETS: [&str; 7] = [
    "0912345678",
    "Phạm Văn Dũng",
    "f@vidu.vn",
    "NỘI DUNG BỊ TỪ CHỐI",
    "BÍ MẬT CHƯA DUYỆT",
    "Lê Thị Bích",
    "hẻm 5",
];

struct World {
    app: TestApp,
    consultation: consultations::Model,
    moderator: users::Model,
    officer: users::Model,
    officer_auth: String,
    moderator_auth: String,
    /// Tracking codes by fixture letter.
    codes: Vec<(String, String)>,
    women_union: String,
}

fn actor_of(user: &users::Model) -> Actor {
    Actor {
        account: Some(ActorAccount {
            user_id: user.id,
            role: user.role,
            agency_id: user.agency_id,
            organization_id: user.organization_id,
            verified: true,
        }),
    }
}

/// The fixture's comments, as keyed in from paper forms: letter, clause, author, organization,
/// consent, text.
const FIXTURE: [(&str, &str, &str, &str, &str, &str); 10] = [
    (
        "A",
        "",
        "Nguyễn Văn An",
        "",
        "public_named",
        "Đề nghị bổ sung bản đồ tổng thể khu vực bờ sông.",
    ),
    (
        "B",
        "Điều 3 khoản 2",
        "Lê Thị Bích",
        "",
        "public_anonymous",
        "Tuyến đi bộ cần có mái che.",
    ),
    (
        "C",
        "Điều 3 khoản 2",
        "Chủ tịch Hội",
        "HLHPN-TP",
        "public_named",
        "Hội đề nghị bố trí nhà vệ sinh công cộng dọc tuyến.",
    ),
    (
        "D",
        "Điều 5",
        "Phạm Văn Dũng",
        "",
        "private",
        "Nhà tôi ở hẻm 5, SĐT 0912345678, bị ngập mỗi khi triều cường.",
    ),
    (
        "E1",
        "Điều 6",
        "Võ Văn Em",
        "",
        "public_named",
        "Đề nghị nâng cao trình kè bờ sông lên thêm nửa mét.",
    ),
    (
        "E2",
        "Điều 6",
        "Đỗ Thị Em",
        "",
        "public_named",
        "Đề nghị nâng cao trình kè bờ sông lên thêm nửa mét.",
    ),
    (
        "E3",
        "Điều 6",
        "Huỳnh Văn Em",
        "",
        "public_named",
        "Đề nghị nâng cao trình kè bờ sông lên thêm nửa mét.",
    ),
    (
        "F",
        "Điều 8",
        "Trần Thị Phương",
        "",
        "public_named",
        "Bãi đỗ xe nên làm ngầm. Liên hệ tôi qua f@vidu.vn.",
    ),
    (
        "G",
        "Điều 2",
        "Người Quảng Cáo",
        "",
        "public_named",
        "NỘI DUNG BỊ TỪ CHỐI: mua bán đất nền giá rẻ.",
    ),
    (
        "H",
        "Điều 7",
        "Người Chờ",
        "",
        "public_named",
        "BÍ MẬT CHƯA DUYỆT về cống thoát nước.",
    ),
];

impl World {
    fn code(&self, letter: &str) -> &str {
        &self.codes.iter().find(|(l, _)| l == letter).unwrap().1
    }

    async fn comment(&self, letter: &str) -> comments::Model {
        comments::Entity::find()
            .filter(comments::Column::TrackingCode.eq(self.code(letter)))
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    async fn decide(&self, letter: &str, request: DecisionRequest) -> moderation::Decided {
        let comment = self.comment(letter).await;
        moderation::decide(
            &self.app.state.db,
            &actor_of(&self.moderator),
            comment.id,
            request,
            &self.app.state.settings.answer_working_days,
            BASE_URL,
        )
        .await
        .unwrap()
    }

    async fn answer(&self, letter: &str, disposition: &str, body: &str, whole_campaign: bool) {
        let comment = self.comment(letter).await;
        let assignment = assignments::Entity::find()
            .filter(assignments::Column::CommentId.eq(comment.id))
            .filter(assignments::Column::AgencyId.eq(self.consultation.lead_agency_id))
            .one(&self.app.state.db)
            .await
            .unwrap()
            .expect("approval assigned the lead agency");
        assigning::answer(
            &self.app.state.db,
            &actor_of(&self.officer),
            assignment.id,
            AnswerInput {
                disposition: disposition.to_owned(),
                body: body.to_owned(),
                whole_campaign,
            },
            BASE_URL,
        )
        .await
        .unwrap();
    }

    async fn import(&self, rows: &[(&str, &str, &str, &str, &str, &str)]) -> Vec<(String, String)> {
        let mut lines = String::new();
        for (_, clause, author, organization, consent, body) in rows {
            let mut row = json!({
                "body": body, "stance": "suggest", "author_name": author,
                "channel": "paper_form", "consent": consent,
            });
            if !clause.is_empty() {
                row["clause"] = json!(clause);
            }
            if !organization.is_empty() {
                row["organization"] = json!(organization);
            }
            lines.push_str(&row.to_string());
            lines.push('\n');
        }
        let report = import::import_comments(
            &self.app.state.db,
            self.consultation.id,
            Some(self.moderator.id),
            Format::JsonLines,
            lines.as_bytes(),
        )
        .await
        .unwrap();
        rows.iter()
            .map(|r| r.0.to_owned())
            .zip(report.tracking_codes)
            .collect()
    }

    async fn get(&self, uri: &str, auth: Option<&str>) -> TestResponse {
        let mut request = http::Request::get(uri);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        self.app
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await
    }

    async fn sign_off(&self, auth: &str) -> TestResponse {
        self.app
            .json(
                Method::POST,
                &format!(
                    "/api/v1/consultations/{}/acceptance/sign-offs",
                    self.consultation.id
                ),
                &json!({}),
                &[("authorization", auth)],
            )
            .await
    }

    fn uri(&self, rest: &str) -> String {
        format!(
            "/api/v1/consultations/{}/acceptance{rest}",
            self.consultation.id
        )
    }

    async fn close(&self) {
        authoring::close(
            &self.app.state.db,
            &actor_of(&self.officer),
            self.consultation.id,
        )
        .await
        .unwrap();
    }
}

/// The fixture, moderated and mostly answered; the consultation still open.
async fn world() -> World {
    let app = TestApp::with_samples().await;
    let consultation = consultations::Entity::find()
        .filter(consultations::Column::Title.starts_with("Điều chỉnh quy hoạch phân khu"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let lead = agencies::Entity::find_by_id(consultation.lead_agency_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let moderator = account(
        &app,
        "mttq@vidu.vn",
        "Kiểm duyệt viên",
        Role::Moderator,
        true,
    )
    .await;
    let officer = gopy::services::users::create(
        &app.state.db,
        gopy::services::users::NewUser {
            email: gopy::domain::account::Email::parse("canbo@vidu.vn").unwrap(),
            password: gopy::domain::account::NewPassword::parse(PASSWORD).unwrap(),
            display_name: "Cán bộ Sở Xây dựng".to_owned(),
            role: Role::AgencyOfficer,
            agency_code: Some(lead.code.clone()),
            organization_code: None,
            verified: true,
        },
        app.state.settings.password,
    )
    .await
    .unwrap();
    let officer_auth = bearer_for(&app, &officer).await;
    let moderator_auth = bearer_for(&app, &moderator).await;
    let women_union = organizations::Entity::find()
        .filter(organizations::Column::Code.eq("HLHPN-TP"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .name;
    let mut world = World {
        app,
        consultation,
        moderator,
        officer,
        officer_auth,
        moderator_auth,
        codes: Vec::new(),
        women_union,
    };
    world.codes = world.import(&FIXTURE).await;
    for letter in ["A", "B", "C", "D"] {
        world
            .decide(letter, DecisionRequest::new(Decision::Approve))
            .await;
    }
    let mut merge = DecisionRequest::new(Decision::Merge);
    merge.campaign_label = Some("Nâng cao trình kè".to_owned());
    let first = world.decide("E1", merge).await;
    for letter in ["E2", "E3"] {
        let mut merge = DecisionRequest::new(Decision::Merge);
        merge.campaign_id = first.comment.campaign_id;
        world.decide(letter, merge).await;
    }
    let mut redact = DecisionRequest::new(Decision::Approve);
    redact.redact_texts = vec!["f@vidu.vn".to_owned()];
    world.decide("F", redact).await;
    let mut reject = DecisionRequest::new(Decision::Reject);
    reject.reason_code = Some("spam".to_owned());
    world.decide("G", reject).await;
    world
        .answer(
            "A",
            "accepted",
            "Sẽ bổ sung bản đồ tổng thể vào hồ sơ.",
            false,
        )
        .await;
    world
        .answer(
            "B",
            "not_accepted",
            "Mái che liên tục không phù hợp cảnh quan.",
            false,
        )
        .await;
    world
        .answer(
            "C",
            "partially_accepted",
            "Bố trí tại hai quảng trường.",
            false,
        )
        .await;
    world
        .answer("D", "explained", "Đã liên hệ trực tiếp với hộ dân.", false)
        .await;
    world
        .answer("E1", "accepted", "Nâng cao trình kè thêm 0,5 m.", true)
        .await;
    world
}

/// Number, clause, commenter, tracking code, comment count, disposition.
type RowSummary<'a> = (u64, &'a str, &'a str, &'a str, u64, Option<&'a str>);

fn tally(summary: &Value, group: &str) -> Vec<u64> {
    let line = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["group"] == group)
        .unwrap();
    [
        "rows",
        "comments",
        "accepted",
        "partially_accepted",
        "not_accepted",
        "explained",
        "without_disposition",
    ]
    .iter()
    .map(|k| line[k].as_u64().unwrap())
    .collect()
}

#[tokio::test]
async fn the_table_lists_approved_comments_in_draft_order_with_the_hand_computed_figures() {
    let w = world().await;
    let response = w.get(&w.uri(""), Some(&w.moderator_auth)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let table = response.json();
    let rows = table["rows"].as_array().unwrap();
    let summary: Vec<RowSummary<'_>> = rows
        .iter()
        .map(|r| {
            (
                r["number"].as_u64().unwrap(),
                r["clause"].as_str().unwrap(),
                r["commenter"].as_str().unwrap(),
                r["tracking_code"].as_str().unwrap(),
                r["comment_count"].as_u64().unwrap(),
                r["disposition"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                1,
                "Toàn bộ dự thảo",
                "Người dân (Nguyễn Văn An)",
                w.code("A"),
                1,
                Some("accepted")
            ),
            (
                2,
                "Điều 3, khoản 2",
                "Người dân",
                w.code("B"),
                1,
                Some("not_accepted")
            ),
            (
                3,
                "Điều 3, khoản 2",
                w.women_union.as_str(),
                w.code("C"),
                1,
                Some("partially_accepted")
            ),
            (4, "Điều 5", "Người dân", w.code("D"), 1, Some("explained")),
            (
                5,
                "Điều 6",
                "3 ý kiến cùng nội dung",
                w.code("E1"),
                3,
                Some("accepted")
            ),
            (
                6,
                "Điều 8",
                "Người dân (Trần Thị Phương)",
                w.code("F"),
                1,
                None
            ),
        ]
    );
    assert_eq!(
        rows[0]["content"],
        "Đề nghị bổ sung bản đồ tổng thể khu vực bờ sông."
    );
    assert_eq!(
        rows[0]["explanation"],
        "Sẽ bổ sung bản đồ tổng thể vào hồ sơ."
    );
    assert_eq!(
        rows[3]["content"],
        gopy::services::acceptance::NOT_PUBLISHED
    );
    assert_eq!(
        rows[3]["explanation"],
        gopy::services::acceptance::ANSWERED_PRIVATELY
    );
    assert_eq!(rows[4]["group"], "campaign");
    assert_eq!(rows[2]["group"], "organization");
    let f = rows[5]["content"].as_str().unwrap();
    assert!(
        f.starts_with("Bãi đỗ xe nên làm ngầm.") && !f.contains("f@vidu.vn"),
        "{f}"
    );

    assert_eq!(
        tally(&table["summary"], "organization"),
        [1, 1, 0, 1, 0, 0, 0]
    );
    assert_eq!(tally(&table["summary"], "resident"), [4, 4, 1, 0, 1, 1, 1]);
    assert_eq!(tally(&table["summary"], "campaign"), [1, 3, 1, 0, 0, 0, 0]);
    assert_eq!(tally(&table["summary"], "total"), [6, 8, 2, 1, 1, 1, 1]);
    assert_eq!(
        table["undisposed"],
        json!([{"number": 6, "clause": "Điều 8", "tracking_code": w.code("F")}])
    );
    assert_eq!(table["pending_moderation"], 1);
    assert_eq!(table["total_rows"], 6);
    let text = table.to_string();
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the JSON table"
        );
    }

    // Paging keeps the numbering of the whole table.
    let second = w
        .get(&w.uri("?page=2&per_page=4"), Some(&w.moderator_auth))
        .await
        .json();
    let numbers: Vec<u64> = second["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [5, 6]);
    assert_eq!(second["content_hash"], table["content_hash"]);
    w.get(&w.uri("?per_page=0"), Some(&w.moderator_auth))
        .await
        .assert_problem(422, "validation_failed");
    w.get(&w.uri("?version=9"), Some(&w.moderator_auth))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_table_is_for_moderators_and_the_lead_agency_until_the_consultation_closes() {
    let w = world().await;
    w.get(&w.uri(""), None)
        .await
        .assert_problem(401, "unauthenticated");
    let resident = account(&w.app, "dan@vidu.vn", "Người dân", Role::Resident, true).await;
    let resident_auth = bearer_for(&w.app, &resident).await;
    w.get(&w.uri(""), Some(&resident_auth))
        .await
        .assert_problem(403, "forbidden");
    w.get(&w.uri("/docx"), Some(&resident_auth))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(w.get(&w.uri(""), Some(&w.officer_auth)).await.status, 200);
    w.sign_off(&w.moderator_auth)
        .await
        .assert_problem(403, "forbidden");
    w.sign_off(&w.officer_auth)
        .await
        .assert_problem(409, "consultation_not_closed");

    w.close().await;
    let public = w.get(&w.uri(""), None).await;
    assert_eq!(public.status, 200, "{}", public.text());
    assert_eq!(public.json()["total_rows"], 6);
    assert_eq!(w.get(&w.uri("/csv"), None).await.status, 200);
    w.get(&w.uri("/pdf"), None)
        .await
        .assert_problem(404, "not_found");
    w.sign_off(&resident_auth)
        .await
        .assert_problem(403, "forbidden");
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut out = String::new();
    file.read_to_string(&mut out).unwrap();
    out
}

/// The paragraphs of a DOCX body and the cells of its tables, read with an XML reader.
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let xml = unzip(bytes, "word/document.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            quick_xml::events::Event::Empty(e) if e.name().as_ref() == b"w:br" => {
                current.push('\n')
            }
            quick_xml::events::Event::Text(t) if in_text => {
                current.push_str(&t.decode().unwrap());
            }
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                let resolved = match &*r.decode().unwrap() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    _ => "",
                };
                current.push_str(resolved);
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => {
                paragraphs.push(std::mem::take(&mut current));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    paragraphs
}

#[tokio::test]
async fn downloads_open_in_readers_with_vietnamese_text_and_only_published_content() {
    let w = world().await;
    let auth = Some(w.moderator_auth.as_str());

    // CSV: UTF-8 with a BOM, the headings, one line per row.
    let csv = w.get(&w.uri("/csv"), auth).await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(csv.body.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = std::str::from_utf8(&csv.body[3..]).expect("UTF-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "STT,\"Điều, khoản\",\"Tổ chức, cá nhân góp ý\",Nhóm,Mã theo dõi,Số ý kiến,Nội dung góp ý,Kết quả,\"Ý kiến tiếp thu, giải trình\""
    );
    assert_eq!(lines.len(), 7);
    assert!(
        lines[3].starts_with(&format!(
            "3,\"Điều 3, khoản 2\",{},Tổ chức,{}",
            w.women_union,
            w.code("C")
        )),
        "{}",
        lines[3]
    );
    assert!(lines[6].ends_with(",Chưa có ý kiến,"), "{}", lines[6]);

    // XLSX: read with calamine.
    let xlsx = w.get(&w.uri("/xlsx"), auth).await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(xlsx.body.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["Bảng tổng hợp", "Tóm tắt"]);
    let sheet = book.worksheet_range("Bảng tổng hợp").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells[0][0], "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN");
    assert!(cells[1][0].starts_with(&w.consultation.title));
    assert_eq!(
        cells[3][..4],
        ["STT", "Điều, khoản", "Tổ chức, cá nhân góp ý", "Nhóm"]
    );
    assert_eq!(cells.len(), 4 + 6);
    assert_eq!(cells[4][0], "1");
    assert_eq!(cells[4][2], "Người dân (Nguyễn Văn An)");
    assert_eq!(cells[8][5], "3");
    assert_eq!(cells[8][7], "Tiếp thu");
    assert_eq!(cells[9][7], "Chưa có ý kiến");
    let summary = book.worksheet_range("Tóm tắt").unwrap();
    let summary: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let total = summary.iter().find(|r| r[0] == "Tổng cộng").unwrap();
    assert_eq!(total[1..], ["6", "8", "2", "1", "1", "1", "1"]);
    assert!(
        summary.iter().any(|r| r[2] == w.code("F")),
        "the undisposed row is listed"
    );

    // DOCX: the official layout, read back as paragraphs.
    let docx = w.get(&w.uri("/docx"), auth).await;
    assert_eq!(docx.status, 200, "{}", docx.text());
    assert!(
        docx.content_type()
            .starts_with("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    let paragraphs = docx_paragraphs(&docx.body);
    let find = |s: &str| {
        paragraphs
            .iter()
            .position(|p| p == s)
            .unwrap_or_else(|| panic!("no paragraph {s:?} in {paragraphs:#?}"))
    };
    let national = find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(paragraphs[national + 1], "Độc lập - Tự do - Hạnh phúc");
    assert!(paragraphs[national + 2].starts_with("Cần Thơ, ngày "));
    let title = find("BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN");
    assert!(national < title);
    assert_eq!(
        paragraphs[title + 1],
        format!("Góp ý đối với: {}", w.consultation.title)
    );
    let heading = find("STT");
    assert_eq!(
        paragraphs[heading..heading + 5],
        [
            "STT",
            "Điều, khoản",
            "Tổ chức, cá nhân góp ý",
            "Nội dung góp ý",
            "Ý kiến tiếp thu, giải trình"
        ]
    );
    assert_eq!(paragraphs[heading + 5], "1");
    assert_eq!(paragraphs[heading + 6], "Toàn bộ dự thảo");
    assert_eq!(
        paragraphs[heading + 7],
        format!("Người dân (Nguyễn Văn An)\nMã: {}", w.code("A"))
    );
    assert_eq!(
        paragraphs[heading + 8],
        "Đề nghị bổ sung bản đồ tổng thể khu vực bờ sông."
    );
    assert_eq!(
        paragraphs[heading + 9],
        "Tiếp thu\nSẽ bổ sung bản đồ tổng thể vào hồ sơ."
    );
    let styles = unzip(&docx.body, "word/styles.xml");
    assert!(styles.contains("w:ascii=\"Times New Roman\""));
    let live_hash = w.get(&w.uri(""), auth).await.json()["content_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        paragraphs.iter().any(|p| p.ends_with(&live_hash)),
        "the hash is printed"
    );

    // No unpublished text or personal data in any format.
    let xml_texts = [
        unzip(&xlsx.body, "xl/worksheets/sheet1.xml"),
        unzip(&xlsx.body, "xl/worksheets/sheet2.xml"),
        unzip(&docx.body, "word/document.xml"),
        text.to_owned(),
    ];
    for content in &xml_texts {
        for secret in SECRETS {
            assert!(!content.contains(secret), "{secret} leaked into an export");
        }
    }
}

#[tokio::test]
async fn a_signed_off_table_is_frozen_its_hash_is_on_the_audit_chain_and_changes_need_a_new_version()
 {
    let mut w = world().await;
    w.close().await;
    w.sign_off(&w.officer_auth)
        .await
        .assert_problem(409, "acceptance_pending_moderation");
    let mut reject = DecisionRequest::new(Decision::Reject);
    reject.reason_code = Some("off_topic".to_owned());
    w.decide("H", reject).await;
    w.sign_off(&w.officer_auth)
        .await
        .assert_problem(409, "acceptance_incomplete");
    w.answer(
        "F",
        "accepted",
        "Nghiên cứu bãi đỗ xe ngầm tại quảng trường.",
        false,
    )
    .await;

    let live = w.get(&w.uri(""), None).await.json();
    let signed = w.sign_off(&w.officer_auth).await;
    assert_eq!(signed.status, 201, "{}", signed.text());
    let signed = signed.json();
    assert_eq!(signed["version"], 1);
    assert_eq!(signed["row_count"], 6);
    assert_eq!(signed["signed_by"], "Cán bộ Sở Xây dựng");
    let hash = signed["content_hash"].as_str().unwrap().to_owned();
    assert_eq!(hash, live["content_hash"].as_str().unwrap());

    let event = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("acceptance.sign_off"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .expect("the sign-off is on the audit chain");
    assert_eq!(event.entity_id, w.consultation.id.to_string());
    assert_eq!(event.payload["content_hash"], hash.as_str());
    assert_eq!(event.actor_id, Some(w.officer.id));
    w.sign_off(&w.officer_auth)
        .await
        .assert_problem(409, "acceptance_unchanged");

    // A row changes: a late paper form is keyed in and approved.
    let late = w
        .import(&[(
            "I",
            "Điều 11",
            "Ngô Văn Ích",
            "",
            "public_named",
            "Đề nghị công bố tiến độ hằng quý.",
        )])
        .await;
    w.codes.extend(late.clone());
    let late_id = comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq(&late[0].1))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    moderation::decide(
        &w.app.state.db,
        &actor_of(&w.moderator),
        late_id,
        DecisionRequest::new(Decision::Approve),
        &w.app.state.settings.answer_working_days,
        BASE_URL,
    )
    .await
    .unwrap();
    let changed = w.get(&w.uri(""), None).await.json();
    assert_eq!(changed["total_rows"], 7);
    assert_ne!(
        changed["content_hash"],
        hash.as_str(),
        "the hash follows the rows"
    );

    // Version 1 is still what was signed, and its documents print its hash.
    let frozen = w.get(&w.uri("?version=1"), None).await.json();
    assert_eq!(frozen["total_rows"], 6);
    assert_eq!(frozen["content_hash"], hash.as_str());
    assert_eq!(frozen["sign_off"]["version"], 1);
    assert_eq!(
        frozen["rows"],
        Value::Array(
            live["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if r["tracking_code"] == w.code("F") {
                        r["disposition"] = json!("accepted");
                        r["explanation"] = json!("Nghiên cứu bãi đỗ xe ngầm tại quảng trường.");
                    }
                    r
                })
                .collect()
        )
    );
    let docx = w.get(&w.uri("/docx?version=1"), None).await;
    assert_eq!(docx.status, 200);
    let paragraphs = docx_paragraphs(&docx.body);
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("Phiên bản 1, ký duyệt ngày") && p.ends_with(&hash)),
        "{paragraphs:#?}"
    );
    assert!(
        !paragraphs
            .iter()
            .any(|p| p.contains("Đề nghị công bố tiến độ"))
    );

    // The new row needs an answer, then a second version with another hash.
    w.sign_off(&w.officer_auth)
        .await
        .assert_problem(409, "acceptance_incomplete");
    w.answer("I", "accepted", "Sẽ công bố hằng quý.", false)
        .await;
    let second = w.sign_off(&w.officer_auth).await;
    assert_eq!(second.status, 201, "{}", second.text());
    assert_eq!(second.json()["version"], 2);
    assert_ne!(second.json()["content_hash"], hash.as_str());
    let versions = w.get(&w.uri("/sign-offs"), None).await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("acceptance.sign_off"))
        .order_by_asc(audit_events::Column::Seq)
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1].payload["content_hash"],
        second.json()["content_hash"]
    );
    let verified = gopy::services::audit::verify(&w.app.state.db)
        .await
        .unwrap();
    assert!(verified.broken.is_none(), "the chain verifies");
}

#[tokio::test]
async fn the_page_shows_the_table_and_an_officer_signs_it_off_from_it() {
    let w = world().await;
    w.close().await;
    let mut reject = DecisionRequest::new(Decision::Reject);
    reject.reason_code = Some("off_topic".to_owned());
    w.decide("H", reject).await;
    let path = format!("/consultations/{}/acceptance", w.consultation.id);

    let page = w.app.get_page(&path, None).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.html();
    let rows = crate::helpers::select_texts(&html, "[data-testid=acceptance-row]");
    assert_eq!(rows.len(), 6);
    assert!(rows[4].contains("3 ý kiến cùng nội dung"));
    let total = crate::helpers::select_texts(&html, "[data-testid=summary-total]");
    assert!(
        total[0]
            .split_whitespace()
            .collect::<Vec<_>>()
            .ends_with(&["6", "8", "2", "1", "1", "1", "1"]),
        "{total:?}"
    );
    let undisposed = crate::helpers::select_texts(&html, "[data-testid=undisposed-list] li");
    assert_eq!(undisposed.len(), 1);
    assert!(undisposed[0].contains(w.code("F")));
    let links = crate::helpers::select_attrs(&html, "[data-testid=acceptance-downloads] a", "href");
    assert_eq!(
        links,
        [
            format!("{path}/docx"),
            format!("{path}/xlsx"),
            format!("{path}/csv")
        ]
    );
    assert!(
        crate::helpers::select_texts(&html, "[data-testid=sign-off-form]").is_empty(),
        "visitors do not sign"
    );
    let text = page.text();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked into the page");
    }
    let download = w.app.get_page(&format!("{path}/docx"), None).await;
    assert_eq!(download.status, 200);
    assert!(download.body.starts_with(b"PK"));

    // The officer tries to sign off with a row unanswered, is told why, answers, signs.
    let mut browser = crate::helpers::browser::Browser::signed_in(&w.app, &w.officer).await;
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200);
    let csrf = crate::helpers::browser::Browser::csrf_of(&page, &format!("{path}/sign-off"));
    let refused = browser
        .post(&format!("{path}/sign-off"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    let error = crate::helpers::select_texts(&refused.html(), "[data-testid=sign-off-error]");
    assert!(error[0].contains("chưa có ý kiến tiếp thu"), "{error:?}");
    w.answer("F", "accepted", "Nghiên cứu bãi đỗ xe ngầm.", false)
        .await;
    let signed = browser
        .post(&format!("{path}/sign-off"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(signed.status, 303, "{}", signed.text());
    let location = signed
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with(&format!("{path}?version=1")),
        "{location}"
    );
    let version = browser.get(&location).await;
    let html = version.html();
    assert_eq!(
        crate::helpers::select_texts(&html, "[data-testid=sign-off-row]").len(),
        1
    );
    let hash = crate::helpers::select_texts(&html, "[data-testid=content-hash]");
    let event = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("acceptance.sign_off"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.payload["content_hash"].as_str().unwrap(), hash[0]);
}

#[tokio::test]
async fn the_synthesis_counts_the_fixture_as_computed_by_hand() {
    let w = world().await;
    let residents = [
        account(&w.app, "dan1@vidu.vn", "Dân Một", Role::Resident, true).await,
        account(&w.app, "dan2@vidu.vn", "Dân Hai", Role::Resident, true).await,
    ];
    for (letter, endorsers) in [("A", 2), ("C", 1)] {
        let comment = w.comment(letter).await;
        for user in &residents[..endorsers] {
            gopy::services::comment_reading::endorse(&w.app.state.db, comment.id, user.id)
                .await
                .unwrap();
        }
    }
    // The private comment D has endorsements in the database (the public cannot give any: they
    // stand for endorsements given before a change); the synthesis must still not show it.
    let d = w.comment("D").await;
    for user in &residents {
        entity::endorsements::Entity::insert(entity::endorsements::ActiveModel {
            comment_id: sea_orm::Set(d.id),
            user_id: sea_orm::Set(user.id),
            created_at: sea_orm::Set(chrono::Utc::now()),
        })
        .exec_without_returning(&w.app.state.db)
        .await
        .unwrap();
    }
    let uri = format!("/api/v1/consultations/{}/synthesis", w.consultation.id);
    w.get(&uri, None)
        .await
        .assert_problem(401, "unauthenticated");
    let s = w.get(&uri, Some(&w.moderator_auth)).await;
    assert_eq!(s.status, 200, "{}", s.text());
    let s = s.json();
    for (key, expected) in [
        ("received", 10),
        ("approved", 8),
        ("pending", 1),
        ("rejected", 1),
        ("answered", 7),
    ] {
        assert_eq!(s[key], expected, "{key}");
    }
    assert_eq!(
        s["by_stance"],
        json!([
            {"label": "support", "count": 0}, {"label": "oppose", "count": 0},
            {"label": "suggest", "count": 8}, {"label": "question", "count": 0}
        ])
    );
    let clauses: Vec<(String, u64)> = s["by_clause"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["label"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clauses,
        [
            ("Toàn bộ dự thảo".to_owned(), 1),
            ("Điều 3, khoản 2".to_owned(), 2),
            ("Điều 5".to_owned(), 1),
            ("Điều 6".to_owned(), 3),
            ("Điều 8".to_owned(), 1),
        ]
    );
    assert_eq!(
        s["by_author_kind"],
        json!([{"label": "resident", "count": 7}, {"label": "organization", "count": 1}])
    );
    assert_eq!(
        s["by_organization"],
        json!([{"label": w.women_union, "count": 1}])
    );
    assert_eq!(
        s["by_unit"],
        json!([{"label": "Không ghi địa bàn", "count": 8}])
    );
    let days = s["per_day"].as_array().unwrap();
    assert_eq!(
        days.iter()
            .map(|d| d["count"].as_u64().unwrap())
            .sum::<u64>(),
        10
    );
    assert_eq!(s["suggestions"].as_array().unwrap().len(), 1);
    assert_eq!(s["suggestions"][0]["label"], "Nâng cao trình kè");
    assert_eq!(s["suggestions"][0]["size"], 3);
    let endorsed: Vec<(String, u64)> = s["most_endorsed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["body"].as_str().unwrap().to_owned(),
                e["endorsements"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        endorsed,
        [(FIXTURE[0].5.to_owned(), 2), (FIXTURE[2].5.to_owned(), 1),],
        "only public comments, most endorsed first"
    );
    for secret in SECRETS {
        assert!(
            !s.to_string().contains(secret),
            "{secret} leaked into the synthesis"
        );
    }

    // Themes: a suggestion adopted, a theme made by hand, comments added, mistakes refused.
    let campaign = s["suggestions"][0]["campaign_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let adopted = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/campaigns/{campaign}/theme"),
            &json!({}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(adopted.status, 201, "{}", adopted.text());
    let themes_uri = format!("/api/v1/consultations/{}/themes", w.consultation.id);
    let created = w
        .app
        .json(Method::POST, &themes_uri, &json!({"label": "Tiện ích dọc tuyến đi bộ", "tracking_codes": [w.code("B"), w.code("C").to_lowercase()]}), &[("authorization", &w.moderator_auth)])
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let theme_id = created.json()["id"].as_str().unwrap().to_owned();
    w.app
        .json(
            Method::POST,
            &themes_uri,
            &json!({"label": "Tiện ích dọc tuyến đi bộ"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(409, "theme_exists");
    let unknown = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/themes/{theme_id}/comments"),
            &json!({"tracking_codes": [w.code("H"), "GY-KHONG-CO"]}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    let problem = unknown.assert_problem(422, "validation_failed");
    assert!(
        problem.to_string().contains(w.code("H")),
        "a pending comment cannot be tagged: {problem}"
    );
    w.app
        .json(
            Method::POST,
            &themes_uri,
            &json!({"label": "  "}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .json(
            Method::POST,
            &themes_uri,
            &json!({"label": "Của cán bộ"}),
            &[("authorization", &w.officer_auth)],
        )
        .await
        .assert_problem(403, "forbidden");
    let added = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/themes/{theme_id}/comments"),
            &json!({"tracking_codes": [w.code("F"), w.code("B")]}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(added.json()["added"], 1, "B was already there");
    let s = w.get(&uri, Some(&w.officer_auth)).await.json();
    assert_eq!(
        s["themes"],
        json!([
            {"id": adopted.json()["id"], "label": "Nâng cao trình kè", "count": 3},
            {"id": theme_id, "label": "Tiện ích dọc tuyến đi bộ", "count": 3},
        ])
    );
    assert_eq!(s["suggestions"], json!([]));
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::Action.is_in(["theme.create", "theme.tag"]))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
}

#[tokio::test]
async fn the_synthesis_page_draws_its_charts_and_moderators_make_themes_on_it() {
    let w = world().await;
    let path = format!("/consultations/{}/synthesis", w.consultation.id);
    let mut visitor = crate::helpers::browser::Browser::anonymous(&w.app);
    let before = visitor.get(&path).await;
    assert!(
        before.status == 303 || before.status == 401,
        "{}",
        before.status
    );

    let mut moderator = crate::helpers::browser::Browser::signed_in(&w.app, &w.moderator).await;
    let page = moderator.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.html();
    assert_eq!(
        crate::helpers::select_texts(&html, "[data-testid=total-received]"),
        ["10"]
    );
    assert_eq!(
        crate::helpers::select_texts(&html, "[data-testid=figure-clause] svg").len(),
        1
    );
    let clause_lines = crate::helpers::select_texts(
        &html,
        "[data-testid=figure-clause] [data-testid=figure-line] th",
    );
    assert_eq!(clause_lines[0], "Toàn bộ dự thảo");
    assert_eq!(clause_lines.len(), 5);
    let links = crate::helpers::select_attrs(&html, "[data-testid=figure-clause] tbody a", "href");
    assert!(
        links[0].starts_with(&format!("/consultations/{}?clause=", w.consultation.id)),
        "{links:?}"
    );
    assert!(
        page.text().contains("<title>"),
        "charts carry a title for screen readers"
    );

    let action = format!("{path}/themes");
    let csrf = crate::helpers::browser::Browser::csrf_of(&page, &action);
    let refused = moderator
        .post(
            &action,
            &[
                ("csrf_token", &csrf),
                ("label", "Mái che"),
                ("tracking_codes", "GY-SAI-MA"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let errors = crate::helpers::select_texts(&refused.html(), "[data-testid=theme-error]");
    assert!(errors[0].contains("GY-SAI-MA"), "{errors:?}");
    let codes = format!("{}\n{}", w.code("B"), w.code("A"));
    let created = moderator
        .post(
            &action,
            &[
                ("csrf_token", &csrf),
                ("label", "Mái che"),
                ("tracking_codes", &codes),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let page = moderator.get(&path).await;
    let rows = crate::helpers::select_texts(&page.html(), "[data-testid=theme-row]");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Mái che") && rows[0].contains('2'),
        "{rows:?}"
    );

    w.close().await;
    let public = visitor.get(&path).await;
    assert_eq!(public.status, 200);
    assert!(
        crate::helpers::select_texts(&public.html(), "[data-testid=new-theme-form]").is_empty()
    );
    let consultation = visitor
        .get(&format!("/consultations/{}", w.consultation.id))
        .await;
    let report_links =
        crate::helpers::select_attrs(&consultation.html(), "[data-testid=report-links] a", "href");
    assert_eq!(
        report_links,
        [
            path.clone(),
            format!("/consultations/{}/acceptance", w.consultation.id)
        ]
    );
}

/// Moves an assignment of the fixture to fixed dates (UTC times): when it was made, when due,
/// when answered.
async fn set_dates(w: &World, letter: &str, assigned: &str, due: &str, answered: Option<&str>) {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let comment = w.comment(letter).await;
    let assignment = assignments::Entity::find()
        .filter(assignments::Column::CommentId.eq(comment.id))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let mut active = assignment.into_active_model();
    active.assigned_at = Set(time(assigned));
    active.due_on = Set(chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap());
    if let Some(answered) = answered {
        active.answered_at = Set(Some(time(answered)));
    }
    active.update(&w.app.state.db).await.unwrap();
}

#[tokio::test]
async fn the_supervision_dashboard_shows_each_agencys_record_as_computed_by_hand() {
    let mut w = world().await;
    // A: 2 Nov (Monday) → due Friday 6 → answered Tuesday 10: late, 6 working days.
    set_dates(
        &w,
        "A",
        "2026-11-02T02:00:00Z",
        "2026-11-06",
        Some("2026-11-10T03:00:00Z"),
    )
    .await;
    // B, C, D: answered on time after 2, 3 and 4 working days.
    set_dates(
        &w,
        "B",
        "2026-11-02T02:00:00Z",
        "2026-11-06",
        Some("2026-11-04T03:00:00Z"),
    )
    .await;
    set_dates(
        &w,
        "C",
        "2026-11-02T02:00:00Z",
        "2026-11-06",
        Some("2026-11-05T03:00:00Z"),
    )
    .await;
    set_dates(
        &w,
        "D",
        "2026-11-02T02:00:00Z",
        "2026-11-06",
        Some("2026-11-06T09:00:00Z"),
    )
    .await;
    // F: unanswered, due 20 November: overdue now.
    set_dates(&w, "F", "2026-11-16T02:00:00Z", "2026-11-20", None).await;
    // J: transferred by the lead agency to the Department of Agriculture and Environment.
    let late = w
        .import(&[(
            "J",
            "Điều 7",
            "Mai Văn Giang",
            "",
            "public_named",
            "Cống thoát nước hẻm 9 bị nghẹt.",
        )])
        .await;
    w.codes.extend(late);
    w.decide("J", DecisionRequest::new(Decision::Approve)).await;
    let j = w.comment("J").await;
    let assignment = assignments::Entity::find()
        .filter(assignments::Column::CommentId.eq(j.id))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let environment = agencies::Entity::find()
        .filter(agencies::Column::Code.eq("SNNMT"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let request = assigning::request_transfer(
        &w.app.state.db,
        &actor_of(&w.officer),
        assignment.id,
        "Thoát nước do Sở Nông nghiệp và Môi trường quản lý.",
        Some(environment.id),
    )
    .await
    .unwrap();
    assigning::decide_request(
        &w.app.state.db,
        &actor_of(&w.moderator),
        request.id,
        assigning::RequestDecision {
            grant: true,
            note: None,
            target_agency_id: None,
        },
        &w.app.state.settings.answer_working_days,
    )
    .await
    .unwrap();

    let d = w.get("/api/v1/supervision?from=2026-11-01", None).await;
    assert_eq!(d.status, 200, "{}", d.text());
    let d = d.json();
    let record = |code: &str| {
        d["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .cloned()
            .unwrap()
    };
    let sxd = record("SXD");
    for (key, expected) in [
        ("assigned", 9),
        ("answered", 7),
        ("on_time", 6),
        ("late", 1),
        ("overdue", 1),
        ("transferred", 1),
    ] {
        assert_eq!(sxd[key], expected, "{key}");
    }
    assert_eq!(sxd["on_time_share"].as_f64().unwrap(), 6.0 / 7.0);
    assert_eq!(
        sxd["median_working_days"], 2.0,
        "median of 6, 2, 3, 4, 0, 0, 0"
    );
    let snnmt = record("SNNMT");
    assert_eq!(
        (snnmt["assigned"].as_u64(), snnmt["answered"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(snnmt["on_time_share"], Value::Null);
    let consultation = d["consultations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == w.consultation.id.to_string())
        .unwrap();
    assert_eq!(
        (
            consultation["received"].as_u64(),
            consultation["approved"].as_u64(),
            consultation["answered"].as_u64()
        ),
        (Some(11), Some(9), Some(7))
    );
    assert_eq!(
        consultation["weekly"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["count"].as_u64().unwrap())
            .sum::<u64>(),
        11
    );

    // A period before the assignments counts nothing; a reversed one is refused.
    let before = w
        .get("/api/v1/supervision?from=2026-01-01&to=2026-10-31", None)
        .await
        .json();
    assert_eq!(before["agencies"], json!([]));
    w.get("/api/v1/supervision?from=2026-12-01&to=2026-11-01", None)
        .await
        .assert_problem(422, "validation_failed");
    w.get("/api/v1/supervision?from=hôm-qua", None)
        .await
        .assert_problem(422, "validation_failed");

    // The comments behind the figures.
    let late = w
        .get(
            "/api/v1/supervision/agencies/SXD/comments?metric=late&from=2026-11-01",
            None,
        )
        .await
        .json();
    assert_eq!(late["total"], 1);
    assert_eq!(late["items"][0]["tracking_code"], w.code("A"));
    assert_eq!(late["items"][0]["working_days"], 6);
    let on_time = w
        .get(
            "/api/v1/supervision/agencies/SXD/comments?metric=on_time&from=2026-11-01",
            None,
        )
        .await
        .json();
    assert_eq!(on_time["total"], 6);
    let private = on_time["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["tracking_code"] == w.code("D"))
        .unwrap();
    assert_eq!(
        private["public_comment_id"],
        Value::Null,
        "a private comment is not linked"
    );
    w.get(
        "/api/v1/supervision/agencies/SXD/comments?metric=fast",
        None,
    )
    .await
    .assert_problem(422, "validation_failed");
    w.get(
        "/api/v1/supervision/agencies/KHONG-CO/comments?metric=late",
        None,
    )
    .await
    .assert_problem(404, "not_found");

    // The page: the same figures, linked, sortable.
    let page = w
        .app
        .get_page("/supervision?from=2026-11-01&sort=on_time&dir=desc", None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.html();
    let rows = crate::helpers::select_attrs(&html, "[data-testid=agency-row]", "data-agency");
    assert_eq!(
        rows,
        ["SXD", "SNNMT"],
        "sorted by on-time share, agencies without answers last"
    );
    let sxd_row =
        crate::helpers::select_texts(&html, "[data-testid=agency-row][data-agency=SXD] td");
    assert_eq!(sxd_row, ["9", "7", "86% (6)", "2,0", "1", "1", "1"]);
    let links = crate::helpers::select_attrs(
        &html,
        "[data-testid=agency-row][data-agency=SXD] td a",
        "href",
    );
    assert!(
        links.contains(&format!(
            "/supervision/agencies/SXD?metric=overdue&from=2026-11-01&to={}",
            gopy::services::assignments::today_vn().format("%Y-%m-%d")
        )),
        "{links:?}"
    );
    assert_eq!(
        crate::helpers::select_texts(&html, "[data-testid=on-time-chart] svg").len(),
        1
    );
    let overdue = links.iter().find(|l| l.contains("metric=overdue")).unwrap();
    let list = w.app.get_page(overdue, None).await;
    assert_eq!(list.status, 200);
    let codes = crate::helpers::select_texts(&list.html(), "[data-testid=item-row] th");
    assert_eq!(codes, [w.code("F")]);
    let refused = w
        .app
        .get_page("/supervision?from=31/12/2026&to=01/01/2026", None)
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        crate::helpers::select_texts(&refused.html(), "[data-testid=period-error]").len(),
        1
    );
}

#[tokio::test]
async fn a_critique_cites_comments_goes_to_the_lead_agency_and_its_late_reply_is_tracked() {
    let w = world().await;
    let mut adopt = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/consultations/{}/themes", w.consultation.id),
            &json!({"label": "Kè và triều cường", "tracking_codes": [w.code("E1")]}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(adopt.status, 201);
    let theme_id = adopt.json()["id"].as_str().unwrap().to_owned();
    let list_uri = format!("/api/v1/consultations/{}/critiques", w.consultation.id);
    let body = format!(
        "Mặt trận Tổ quốc thành phố kiến nghị:\n1. Bổ sung bản đồ tổng thể (ý kiến {}).\n2. Xem xét phản ánh ngập úng tại hẻm (ý kiến {}).",
        w.code("A"),
        w.code("D").to_lowercase()
    );
    let draft = json!({"title": "Văn bản phản biện số 01", "body": body, "theme_ids": [theme_id]});
    w.app
        .json(
            Method::POST,
            &list_uri,
            &draft,
            &[("authorization", &w.officer_auth)],
        )
        .await
        .assert_problem(403, "forbidden");
    let wrong = json!({"title": "Sai mã", "body": format!("Theo ý kiến {} và {}", w.code("A"), w.code("H"))});
    let problem = w
        .app
        .json(
            Method::POST,
            &list_uri,
            &wrong,
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(422, "validation_failed");
    assert!(
        problem.to_string().contains(w.code("H")),
        "a pending comment cannot be cited: {problem}"
    );
    let created = w
        .app
        .json(
            Method::POST,
            &list_uri,
            &draft,
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let critique = created.json();
    let id = critique["id"].as_str().unwrap().to_owned();
    assert_eq!(critique["status"], "draft");
    assert_eq!(
        critique["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tracking_code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [w.code("A"), w.code("D")]
    );
    assert_eq!(
        critique["comments"][1]["public_comment_id"],
        Value::Null,
        "a private comment is cited without a link"
    );
    assert_eq!(critique["themes"][0]["label"], "Kè và triều cường");
    let uri = format!("/api/v1/critiques/{id}");
    w.get(&uri, Some(&w.officer_auth))
        .await
        .assert_problem(404, "not_found");
    w.get(&uri, None).await.assert_problem(404, "not_found");
    assert_eq!(
        w.get(&list_uri, Some(&w.officer_auth)).await.json(),
        json!([]),
        "drafts are the Front's own"
    );

    let edited = w
        .app
        .json(
            Method::PATCH,
            &uri,
            &json!({"title": "Văn bản phản biện số 01/MTTQ", "body": body, "theme_ids": []}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(edited.json()["themes"], json!([]));
    let sent = w
        .app
        .json(
            Method::POST,
            &format!("{uri}/send"),
            &json!({}),
            &[("authorization", &w.moderator_auth)],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text());
    let calendar = gopy::services::calendar::load(&w.app.state.db)
        .await
        .unwrap();
    let due = calendar.add_working_days(
        gopy::services::assignments::today_vn(),
        w.app
            .state
            .settings
            .answer_working_days
            .for_kind(w.consultation.kind),
    );
    assert_eq!(sent.json()["due_on"], due.to_string());
    assert_eq!(sent.json()["status"], "sent");
    w.app
        .json(
            Method::PATCH,
            &uri,
            &json!({"title": "x", "body": "y"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(409, "critique_sent");
    let told = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::UserId.eq(w.officer.id))
        .filter(entity::notifications::Column::Kind.eq("critique_received"))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(told, 1, "the lead agency's officer is told");
    assert_eq!(w.get(&uri, Some(&w.officer_auth)).await.status, 200);
    w.get(&uri, None).await.assert_problem(404, "not_found");

    // The reply is late: the deadline job marks it once and tells both sides.
    {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let row = entity::critiques::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
            .one(&w.app.state.db)
            .await
            .unwrap()
            .unwrap();
        let mut active = row.into_active_model();
        active.due_on = Set(Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()));
        active.update(&w.app.state.db).await.unwrap();
    }
    let today = gopy::services::assignments::today_vn();
    assert_eq!(
        gopy::services::critiques::run_deadlines(&w.app.state.db, today)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        gopy::services::critiques::run_deadlines(&w.app.state.db, today)
            .await
            .unwrap(),
        0,
        "once"
    );
    let overdue_notices = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::Kind.eq("critique_overdue"))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(overdue_notices, 2, "the officer and the moderator");
    assert_eq!(
        w.get(&uri, Some(&w.officer_auth)).await.json()["late"],
        true
    );

    let reply_uri = format!("{uri}/reply");
    w.app
        .json(
            Method::POST,
            &reply_uri,
            &json!({"body": "Trả lời"}),
            &[("authorization", &w.moderator_auth)],
        )
        .await
        .assert_problem(403, "forbidden");
    w.app
        .json(
            Method::POST,
            &reply_uri,
            &json!({"body": "  "}),
            &[("authorization", &w.officer_auth)],
        )
        .await
        .assert_problem(422, "validation_failed");
    let replied = w.app.json(Method::POST, &reply_uri, &json!({"body": "Sở Xây dựng tiếp thu kiến nghị 1; kiến nghị 2 đã giao Phường kiểm tra."}), &[("authorization", &w.officer_auth)]).await;
    assert_eq!(replied.status, 200, "{}", replied.text());
    assert_eq!(replied.json()["status"], "answered");
    assert_eq!(replied.json()["late"], true);
    w.app
        .json(
            Method::POST,
            &reply_uri,
            &json!({"body": "Lần hai"}),
            &[("authorization", &w.officer_auth)],
        )
        .await
        .assert_problem(409, "critique_answered");
    let actions: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityId.eq(id.clone()))
        .order_by_asc(audit_events::Column::Seq)
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "critique.draft",
            "critique.edit",
            "critique.send",
            "critique.overdue",
            "critique.reply"
        ]
    );

    // Public once the consultation has closed.
    w.close().await;
    let public = w.get(&list_uri, None).await.json();
    assert_eq!(public.as_array().unwrap().len(), 1);
    assert_eq!(
        public[0]["reply_body"],
        "Sở Xây dựng tiếp thu kiến nghị 1; kiến nghị 2 đã giao Phường kiểm tra."
    );
    let page = w.app.get_page(&format!("/critiques/{id}"), None).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let links = crate::helpers::select_attrs(&html, "[data-testid=cited-comments] a", "href");
    assert_eq!(links.len(), 1, "only the public comment is linked");
    assert!(crate::helpers::select_texts(&html, "[data-testid=reply-form]").is_empty());
    adopt = w
        .app
        .get_page(
            &format!("/consultations/{}/critiques", w.consultation.id),
            None,
        )
        .await;
    assert_eq!(
        crate::helpers::select_texts(&adopt.html(), "[data-testid=critique-item]").len(),
        1
    );
}

#[tokio::test]
async fn a_moderator_drafts_and_sends_a_critique_and_the_officer_replies_from_the_pages() {
    let w = world().await;
    let list = format!("/consultations/{}/critiques", w.consultation.id);
    let mut moderator = crate::helpers::browser::Browser::signed_in(&w.app, &w.moderator).await;
    let page = moderator.get(&list).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = crate::helpers::browser::Browser::csrf_of(&page, &list);
    let refused = moderator
        .post(
            &list,
            &[("csrf_token", &csrf), ("title", "Kiến nghị"), ("body", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        crate::helpers::select_texts(&refused.html(), "[data-testid=critique-error]").len(),
        1
    );
    let body = format!("Đề nghị xem xét ý kiến {}.", w.code("B"));
    let created = moderator
        .post(
            &list,
            &[
                ("csrf_token", &csrf),
                ("title", "Kiến nghị về mái che"),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let path = location.split('?').next().unwrap().to_owned();
    let draft = moderator.get(&location).await;
    let csrf = crate::helpers::browser::Browser::csrf_of(&draft, &format!("{path}/send"));
    let sent = moderator
        .post(&format!("{path}/send"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());

    let mut officer = crate::helpers::browser::Browser::signed_in(&w.app, &w.officer).await;
    let view = officer.get(&path).await;
    assert_eq!(view.status, 200, "{}", view.text());
    let cited = crate::helpers::select_texts(&view.html(), "[data-testid=cited-comments] li");
    assert_eq!(cited, [w.code("B")]);
    let csrf = crate::helpers::browser::Browser::csrf_of(&view, &format!("{path}/reply"));
    let replied = officer
        .post(
            &format!("{path}/reply"),
            &[
                ("csrf_token", &csrf),
                (
                    "body",
                    "Sở Xây dựng sẽ nghiên cứu mái che tại các điểm dừng.",
                ),
            ],
        )
        .await;
    assert_eq!(replied.status, 303, "{}", replied.text());
    let done = officer.get(&path).await;
    let reply = crate::helpers::select_texts(&done.html(), "[data-testid=critique-reply]");
    assert!(reply[0].contains("mái che tại các điểm dừng"));
}
