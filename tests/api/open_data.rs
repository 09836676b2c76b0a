//! Open data: the dataset downloads (CSV read back field by field, JSON with its licence), the
//! Atom feeds parsed as XML, the read-only Open311 endpoint with its filters, and the page. No
//! download, feed or Open311 answer ever carries a private, pending or rejected comment, a
//! redacted span, or the name of an author who did not consent to be named.

use entity::enums::{ConsultationStatus, Decision, Role};
use entity::{agencies, assignments, comments, consultations, organizations, users};
use gopy::policy::{Actor, ActorAccount};
use gopy::services::assignments::AnswerInput;
use gopy::services::import::Format;
use gopy::services::moderation::DecisionRequest;
use gopy::services::{assignments as assigning, import, moderation};
use quick_xml::Reader;
use quick_xml::events::Event;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse, account};

const BASE_URL: &str = "http://localhost";

/// Texts that must never be published: a private comment and its answer, a redacted e-mail
/// address, a rejected and a pending comment, the name of an author who stayed anonymous, and
/// the unpublished draft consultation.
const SECRETS: [&str; 9] = [
    "0912345678",
    "Phạm Văn Dũng",
    "TRẢ LỜI RIÊNG",
    "f@vidu.vn",
    "NỘI DUNG BỊ TỪ CHỐI",
    "BÍ MẬT CHƯA DUYỆT",
    "Lê Thị Bích",
    "hẻm 5",
    "DỰ THẢO CHƯA CÔNG BỐ",
];

/// Letter, author, organization, consent, text.
const FIXTURE: [(&str, &str, &str, &str, &str); 8] = [
    (
        "A",
        "Nguyễn Văn An",
        "",
        "public_named",
        "Đề nghị bổ sung bản đồ tổng thể khu vực bờ sông.",
    ),
    (
        "B",
        "Lê Thị Bích",
        "",
        "public_anonymous",
        "Tuyến đi bộ cần có mái che.",
    ),
    (
        "C",
        "Chủ tịch Hội",
        "HLHPN-TP",
        "public_named",
        "Hội đề nghị bố trí nhà vệ sinh công cộng, dọc \"tuyến\" bờ sông.",
    ),
    (
        "D",
        "Phạm Văn Dũng",
        "",
        "private",
        "Nhà tôi ở hẻm 5, SĐT 0912345678, bị ngập mỗi khi triều cường.",
    ),
    (
        "F",
        "Trần Thị Phương",
        "",
        "public_named",
        "Bãi đỗ xe nên làm ngầm. Liên hệ tôi qua f@vidu.vn.",
    ),
    (
        "G",
        "Người Quảng Cáo",
        "",
        "public_named",
        "NỘI DUNG BỊ TỪ CHỐI: mua bán đất nền giá rẻ.",
    ),
    (
        "H",
        "Người Chờ",
        "",
        "public_named",
        "BÍ MẬT CHƯA DUYỆT về cống thoát nước.",
    ),
    (
        "I",
        "Võ Văn Ích",
        "",
        "public_named",
        "=HYPERLINK(\"http://x\") là công thức, không được chạy.",
    ),
];

struct World {
    app: TestApp,
    consultation: consultations::Model,
    moderator: users::Model,
    officer: users::Model,
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

    async fn decide(&self, letter: &str, request: DecisionRequest) {
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
        .unwrap();
    }

    async fn answer(&self, letter: &str, disposition: &str, body: &str) {
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
                whole_campaign: false,
            },
            BASE_URL,
        )
        .await
        .unwrap();
    }

    async fn get(&self, uri: &str) -> TestResponse {
        self.app.get(uri).await
    }
}

/// The fixture: moderated, partly answered; plus an unpublished draft consultation.
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
    let women_union = organizations::Entity::find()
        .filter(organizations::Column::Code.eq("HLHPN-TP"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .name;
    // A draft: never in a dataset, a feed or Open311.
    let mut draft = consultation.clone().into_active_model().reset_all();
    draft.id = sea_orm::Set(uuid::Uuid::now_v7());
    draft.title = sea_orm::Set("DỰ THẢO CHƯA CÔNG BỐ".to_owned());
    draft.status = sea_orm::Set(ConsultationStatus::Draft);
    draft.published_at = sea_orm::Set(None);
    draft.previous_version_id = sea_orm::Set(None);
    draft.insert(&app.state.db).await.unwrap();

    let mut lines = String::new();
    for (_, author, organization, consent, body) in FIXTURE {
        let mut row = json!({
            "body": body, "stance": "suggest", "author_name": author,
            "channel": "paper_form", "consent": consent,
        });
        if !organization.is_empty() {
            row["organization"] = json!(organization);
        }
        lines.push_str(&row.to_string());
        lines.push('\n');
    }
    let report = import::import_comments(
        &app.state.db,
        consultation.id,
        Some(moderator.id),
        Format::JsonLines,
        lines.as_bytes(),
    )
    .await
    .unwrap();
    let codes = FIXTURE
        .iter()
        .map(|r| r.0.to_owned())
        .zip(report.tracking_codes)
        .collect();
    let world = World {
        app,
        consultation,
        moderator,
        officer,
        codes,
        women_union,
    };
    for letter in ["A", "B", "C", "D", "I"] {
        world
            .decide(letter, DecisionRequest::new(Decision::Approve))
            .await;
    }
    let mut redact = DecisionRequest::new(Decision::Approve);
    redact.redact_texts = vec!["f@vidu.vn".to_owned()];
    world.decide("F", redact).await;
    let mut reject = DecisionRequest::new(Decision::Reject);
    reject.reason_code = Some("spam".to_owned());
    world.decide("G", reject).await;
    world
        .answer("A", "accepted", "Sẽ bổ sung bản đồ tổng thể vào hồ sơ.")
        .await;
    world
        .answer("D", "explained", "TRẢ LỜI RIÊNG cho hộ dân.")
        .await;
    world
        .answer("C", "partially_accepted", "Bố trí tại hai quảng trường.")
        .await;
    world
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}");
    }
}

/// An RFC 4180 reader: fields, quotes doubled inside quoted fields, CRLF between records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\r' => {
                    assert_eq!(chars.next(), Some('\n'), "CR is followed by LF");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                '\n' => panic!("a bare LF ends a record"),
                c => field.push(c),
            }
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the file ends with CRLF"
    );
    records
}

fn csv_rows(response: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.content_type(), "text/csv; charset=utf-8");
    assert!(
        response.body.starts_with("\u{FEFF}".as_bytes()),
        "UTF-8 with BOM"
    );
    let text = std::str::from_utf8(&response.body[3..]).unwrap();
    let rows = parse_csv(text);
    let width = rows[0].len();
    assert!(rows.iter().all(|r| r.len() == width), "every row is whole");
    rows
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

fn items(response: &TestResponse) -> Vec<Value> {
    assert_eq!(response.status, 200, "{}", response.text());
    let doc = response.json();
    assert_eq!(doc["licence"], "CC BY 4.0");
    assert!(doc["source"].as_str().unwrap().contains("gopy"));
    let generated = doc["generated_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(generated).is_ok());
    assert!(generated.ends_with('Z'), "{generated}");
    doc["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_comment_datasets_carry_only_published_text_and_consented_names() {
    let w = world().await;
    let csv = w.get("/api/v1/open-data/comments.csv").await;
    assert_no_secret("comments.csv", &csv.text());
    let rows = csv_rows(&csv);
    let (code, author, body) = (
        column(&rows, "tracking_code"),
        column(&rows, "author"),
        column(&rows, "body"),
    );
    let find = |letter: &str| {
        rows.iter()
            .find(|r| r[code] == w.code(letter))
            .unwrap_or_else(|| panic!("{letter} is published"))
            .clone()
    };
    assert_eq!(find("A")[author], "Nguyễn Văn An");
    assert_eq!(find("B")[author], "Người dân");
    assert_eq!(find("C")[author], w.women_union);
    assert_eq!(
        find("C")[body],
        "Hội đề nghị bố trí nhà vệ sinh công cộng, dọc \"tuyến\" bờ sông."
    );
    assert!(find("F")[body].starts_with("Bãi đỗ xe nên làm ngầm."));
    assert!(
        find("I")[body].starts_with("'="),
        "a formula is defused: {}",
        find("I")[body]
    );
    for letter in ["D", "G", "H"] {
        assert!(rows.iter().all(|r| r[code] != w.code(letter)), "{letter}");
    }

    let json = w.get("/api/v1/open-data/comments.json").await;
    assert_eq!(json.content_type(), "application/json");
    assert_no_secret("comments.json", &json.text());
    let items = items(&json);
    let codes: Vec<&str> = items
        .iter()
        .map(|i| i["tracking_code"].as_str().unwrap())
        .collect();
    for letter in ["A", "B", "C", "F", "I"] {
        assert!(codes.contains(&w.code(letter)), "{letter}");
    }
    for letter in ["D", "G", "H"] {
        assert!(!codes.contains(&w.code(letter)), "{letter}");
    }
    let b = items
        .iter()
        .find(|i| i["tracking_code"] == w.code("B"))
        .unwrap();
    assert_eq!(b["author"], "Người dân");
    assert_eq!(b["body"], "Tuyến đi bộ cần có mái che.");
    assert_eq!(b["consultation_id"], w.consultation.id.to_string());

    // One consultation only; a malformed id is a 400.
    let other = w
        .get(&format!(
            "/api/v1/open-data/comments.json?consultation_id={}",
            uuid::Uuid::now_v7()
        ))
        .await;
    assert!(items_of(&other).is_empty());
    let this = w
        .get(&format!(
            "/api/v1/open-data/comments.json?consultation_id={}",
            w.consultation.id
        ))
        .await;
    assert_eq!(items_of(&this).len(), items.len());
    w.get("/api/v1/open-data/comments.csv?consultation_id=abc")
        .await
        .assert_problem(400, "invalid_query");
    w.get("/api/v1/open-data/comments.xml")
        .await
        .assert_problem(404, "not_found");
    w.get("/api/v1/open-data/users.json")
        .await
        .assert_problem(404, "not_found");
}

fn items_of(response: &TestResponse) -> Vec<Value> {
    items(response)
}

#[tokio::test]
async fn the_answer_and_consultation_datasets_leave_out_private_comments_and_drafts() {
    let w = world().await;
    let csv = w.get("/api/v1/open-data/answers.csv").await;
    assert_no_secret("answers.csv", &csv.text());
    let rows = csv_rows(&csv);
    let code = column(&rows, "tracking_code");
    let label = column(&rows, "disposition_label");
    let agency = column(&rows, "agency");
    let a = rows.iter().find(|r| r[code] == w.code("A")).unwrap();
    assert_eq!(a[label], "Tiếp thu");
    assert!(!a[agency].is_empty());
    let c = rows.iter().find(|r| r[code] == w.code("C")).unwrap();
    assert_eq!(c[label], "Tiếp thu một phần");
    assert!(rows.iter().all(|r| r[code] != w.code("D")));

    let json = w.get("/api/v1/open-data/answers.json").await;
    assert_no_secret("answers.json", &json.text());
    let answers = items(&json);
    let a = answers
        .iter()
        .find(|i| i["tracking_code"] == w.code("A"))
        .unwrap();
    assert_eq!(a["disposition"], "accepted");
    assert_eq!(a["body"], "Sẽ bổ sung bản đồ tổng thể vào hồ sơ.");
    assert!(a["answered_at"].as_str().unwrap().ends_with('Z'));

    for uri in [
        "/api/v1/open-data/consultations.csv",
        "/api/v1/open-data/consultations.json",
    ] {
        assert_no_secret(uri, &w.get(uri).await.text());
    }
    let consultations = items(&w.get("/api/v1/open-data/consultations.json").await);
    let ours = consultations
        .iter()
        .find(|c| c["id"] == w.consultation.id.to_string())
        .unwrap();
    assert_eq!(ours["title"], w.consultation.title);
    assert!(consultations.iter().all(|c| c["status"] != "draft"));
    let rows = csv_rows(&w.get("/api/v1/open-data/consultations.csv").await);
    assert_eq!(rows.len(), consultations.len() + 1);
    let one = items(
        &w.get(&format!(
            "/api/v1/open-data/consultations.json?consultation_id={}",
            w.consultation.id
        ))
        .await,
    );
    assert_eq!(one.len(), 1);
}

/// The feed's entries: (id, title, link, published).
fn atom_entries(xml: &str) -> Vec<(String, String, String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut entries = Vec::new();
    let mut current: Option<(String, String, String, String)> = None;
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "entry" {
                    current = Some(Default::default());
                }
                path.push(name);
            }
            Event::Empty(e) => {
                if e.name().as_ref() == b"link"
                    && let Some(entry) = current.as_mut()
                {
                    for attr in e.attributes() {
                        let attr = attr.unwrap();
                        if attr.key.as_ref() == b"href" {
                            entry.2 = String::from_utf8(attr.value.to_vec()).unwrap();
                        }
                    }
                }
            }
            Event::Text(t) => {
                if let (Some(entry), Some(last)) = (current.as_mut(), path.last()) {
                    let text = t.decode().unwrap().into_owned();
                    let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                    match last.as_str() {
                        "id" => entry.0.push_str(&text),
                        "title" => entry.1.push_str(&text),
                        "published" => entry.3.push_str(&text),
                        _ => {}
                    }
                }
            }
            Event::GeneralRef(r) => {
                if let (Some(entry), Some(last)) = (current.as_mut(), path.last()) {
                    let name = r.decode().unwrap();
                    let text = quick_xml::escape::unescape(&format!("&{name};"))
                        .unwrap()
                        .into_owned();
                    if last == "title" {
                        entry.1.push_str(&text);
                    }
                }
            }
            Event::End(e) => {
                path.pop();
                if e.name().as_ref() == b"entry" {
                    entries.push(current.take().unwrap());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    entries
}

#[tokio::test]
async fn the_atom_feeds_parse_and_list_the_newest_published_entries_first() {
    let w = world().await;
    let feed = w.get("/feeds/consultations.atom").await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.content_type(), "application/atom+xml; charset=utf-8");
    let text = feed.text();
    assert_no_secret("consultations.atom", &text);
    assert!(text.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    let entries = atom_entries(&text);
    assert!(!entries.is_empty());
    let ours = entries
        .iter()
        .find(|e| e.1 == w.consultation.title)
        .unwrap();
    assert_eq!(
        ours.2,
        format!(
            "{}/consultations/{}",
            w.app.state.base_url, w.consultation.id
        )
    );
    assert!(ours.2.starts_with("http"), "links are absolute");
    let published: Vec<&String> = entries.iter().map(|e| &e.3).collect();
    let mut sorted = published.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, sorted, "newest first");

    let feed = w.get("/feeds/answers.atom").await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.content_type(), "application/atom+xml; charset=utf-8");
    let text = feed.text();
    assert_no_secret("answers.atom", &text);
    let entries = atom_entries(&text);
    let position = |letter: &str| entries.iter().position(|e| e.1.contains(w.code(letter)));
    let (c_at, a_at) = (position("C").unwrap(), position("A").unwrap());
    assert!(position("D").is_none(), "no answer to a private comment");
    // C was answered after A: it comes first.
    assert!(c_at < a_at, "newest first");
    assert!(entries[c_at].1.contains("Tiếp thu một phần"));
    let c = w.comment("C").await;
    assert_eq!(
        entries[c_at].2,
        format!("{}/comments/{}", w.app.state.base_url, c.id)
    );
    let published: Vec<&String> = entries.iter().map(|e| &e.3).collect();
    let mut sorted = published.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, sorted, "newest first");

    let home = w.get_page_text("/").await;
    assert!(home.contains("href=\"/feeds/consultations.atom\""));
    assert!(home.contains("type=\"application/atom+xml\""));
}

impl World {
    async fn get_page_text(&self, uri: &str) -> String {
        let page = self.app.get_page(uri, None).await;
        assert_eq!(page.status, 200);
        page.text()
    }
}

#[tokio::test]
async fn open311_lists_services_and_public_requests_with_working_filters() {
    let w = world().await;
    let services = w.get("/open311/v2/services.json").await;
    assert_eq!(services.status, 200);
    assert_no_secret("services.json", &services.text());
    let services = services.json();
    let ours = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == w.consultation.id.to_string())
        .unwrap();
    assert_eq!(ours["service_name"], w.consultation.title);
    assert_eq!(ours["metadata"], false);
    assert_eq!(ours["type"], "realtime");

    let base = format!(
        "/open311/v2/requests.json?service_code={}",
        w.consultation.id
    );
    let all = w.get(&base).await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_no_secret("requests.json", &all.text());
    let all = all.json();
    let all = all.as_array().unwrap();
    let ids: Vec<&str> = all
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    for letter in ["A", "B", "C", "F", "I"] {
        assert!(ids.contains(&w.code(letter)), "{letter}");
    }
    for letter in ["D", "G", "H"] {
        assert!(!ids.contains(&w.code(letter)), "{letter}");
    }
    let a = all
        .iter()
        .find(|r| r["service_request_id"] == w.code("A"))
        .unwrap();
    assert_eq!(a["status"], "closed");
    assert_eq!(a["status_notes"], "Sẽ bổ sung bản đồ tổng thể vào hồ sơ.");
    assert_eq!(a["service_code"], w.consultation.id.to_string());
    assert!(!a["agency_responsible"].as_str().unwrap().is_empty());
    let b = all
        .iter()
        .find(|r| r["service_request_id"] == w.code("B"))
        .unwrap();
    assert_eq!(b["status"], "open");
    assert!(b["status_notes"].is_null());
    assert_eq!(b["description"], "Tuyến đi bộ cần có mái che.");

    let statuses = |uri: String| {
        let w = &w;
        async move {
            let r = w.get(&uri).await;
            assert_eq!(r.status, 200, "{uri}: {}", r.text());
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["service_request_id"].as_str().unwrap().to_owned(),
                        r["status"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let answered = all.iter().filter(|r| r["status"] == "closed").count();
    let closed = statuses(format!("{base}&status=closed")).await;
    assert_eq!(closed.len(), answered);
    assert!(closed.iter().all(|(_, s)| s == "closed"));
    assert!(closed.iter().any(|(id, _)| id == w.code("C")));
    let open = statuses(format!("{base}&status=open")).await;
    assert_eq!(open.len(), all.len() - answered);
    assert!(open.iter().all(|(_, s)| s == "open"));
    assert!(open.iter().any(|(id, _)| id == w.code("F")));
    assert_eq!(
        statuses(format!("{base}&status=open,closed")).await.len(),
        all.len()
    );
    let page = statuses(format!("{base}&page_size=2&page=2")).await;
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].0, ids[2]);
    let future = statuses(format!("{base}&start_date=2099-01-01T00:00:00Z")).await;
    assert!(future.is_empty());
    let past = statuses(format!("{base}&end_date=2000-01-01T00:00:00%2B07:00")).await;
    assert!(past.is_empty());
    let other = statuses(format!(
        "/open311/v2/requests.json?service_code={}",
        uuid::Uuid::now_v7()
    ))
    .await;
    assert!(other.is_empty());

    for (query, code) in [
        ("service_code=abc", "invalid_service_code"),
        ("start_date=yesterday", "invalid_start_date"),
        ("end_date=2026-13-01", "invalid_end_date"),
        (
            "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "invalid_date_range",
        ),
        ("status=pending", "invalid_status"),
        ("page=0", "invalid_page"),
        ("page=x", "invalid_page"),
        ("page_size=101", "invalid_page_size"),
        ("page_size=-1", "invalid_page_size"),
    ] {
        let response = w.get(&format!("/open311/v2/requests.json?{query}")).await;
        response.assert_problem(400, code);
    }

    let one = w
        .get(&format!("/open311/v2/requests/{}.json", w.code("C")))
        .await;
    assert_eq!(one.status, 200, "{}", one.text());
    let one = one.json();
    assert_eq!(one[0]["service_request_id"], w.code("C"));
    assert_eq!(one[0]["status"], "closed");
    for letter in ["D", "G", "H"] {
        w.get(&format!("/open311/v2/requests/{}.json", w.code(letter)))
            .await
            .assert_problem(404, "not_found");
    }
    w.get(&format!("/open311/v2/requests/{}", w.code("C")))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_open_data_page_lists_the_datasets_the_licence_and_the_fields() {
    let app = TestApp::with_samples().await;
    let page = app.get_page("/open-data", None).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Dữ liệu mở"));
    assert!(text.contains("CC BY 4.0"));
    assert!(text.contains("https://creativecommons.org/licenses/by/4.0/"));
    for dataset in ["consultations", "comments", "answers"] {
        for ext in ["csv", "json"] {
            let href = format!("/api/v1/open-data/{dataset}.{ext}");
            assert!(text.contains(&format!("href=\"{href}\"")), "{href}");
            assert_eq!(app.get(&href).await.status, 200, "{href}");
        }
    }
    assert!(text.contains("<code>disposition_label</code>"));
    assert!(text.contains("href=\"/feeds/answers.atom\""));
    let home = app.get_page("/", None).await.text();
    assert!(home.contains("href=\"/open-data\""), "the footer links it");

    let doc = app.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/open-data/{dataset}",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/feeds/consultations.atom",
    ] {
        assert_eq!(
            doc["paths"][path]["get"]["tags"][0], "open-data",
            "{path} is documented"
        );
    }
}

#[tokio::test]
async fn keyset_pages_cover_every_row_exactly_once() {
    let w = world().await;
    let db = &w.app.state.db;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = gopy::services::open_data::comments_page(db, None, after, 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 2);
        after = Some(last.id);
        seen.extend(page.into_iter().map(|c| c.id));
    }
    let all = gopy::services::open_data::comments_page(db, None, None, 10_000)
        .await
        .unwrap();
    assert!(all.len() >= 5);
    assert_eq!(seen, all.iter().map(|c| c.id).collect::<Vec<_>>());
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    let mut answers = Vec::new();
    let mut after = None;
    while let Some(last) = gopy::services::open_data::answers_page(db, None, after, 1)
        .await
        .unwrap()
        .pop()
    {
        after = Some(last.id);
        answers.push(last.tracking_code);
    }
    assert!(answers.contains(&w.code("A").to_owned()));
    assert!(answers.contains(&w.code("C").to_owned()));
    assert!(!answers.contains(&w.code("D").to_owned()));
}
