//! Assisted intake: comments keyed in from paper forms and meetings, imported in bulk through
//! the API and the `gopy import comments` command.

use std::process::Command;

use axum::body::Body;
use entity::enums::{Channel, CommentStatus, Consent, ConsultationStatus, Role, Stance};
use entity::{clauses, comments, consent_records, consultations, organizations, outbox};
use gopy::domain::account::{Email, NewPassword};
use gopy::domain::tracking::TrackingCode;
use gopy::error::Error;
use gopy::services::import::{Format, import_comments};
use gopy::services::users::{NewUser, create};
use http::{Request, header};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};

const PASSWORD: &str = "mật khẩu thử nghiệm";

/// The first sample consultation by title ("Dự án chống ngập ...": Điều 3 khoản 1 has điểm a–đ).
async fn consultation(app: &TestApp) -> consultations::Model {
    consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// The clause at a path of numbers (điều, then khoản, then điểm).
async fn clause(app: &TestApp, consultation_id: Uuid, path: &[&str]) -> Uuid {
    let all = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation_id))
        .all(&app.state.db)
        .await
        .unwrap();
    let mut parent: Option<Uuid> = None;
    for (depth, number) in path.iter().enumerate() {
        let found = all
            .iter()
            .find(|c| {
                c.number == *number
                    && if depth == 0 {
                        c.level == entity::enums::ClauseLevel::Dieu
                    } else {
                        c.parent_id == parent
                    }
            })
            .unwrap_or_else(|| panic!("no clause {path:?}"));
        parent = Some(found.id);
    }
    parent.unwrap()
}

/// An account of `role` with a session; returns its bearer header value and id.
async fn person(app: &TestApp, email: &str, role: Role) -> (String, Uuid) {
    let organization = match role {
        Role::Moderator => Some("MTTQ-TP".to_owned()),
        Role::OrganizationRep => Some("HND-TP".to_owned()),
        _ => None,
    };
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse(PASSWORD).unwrap(),
        display_name: "Cán bộ nhập liệu".to_owned(),
        role,
        agency_code: (role == Role::AgencyOfficer).then(|| "SXD".to_owned()),
        organization_code: organization,
        verified: true,
    };
    let user = create(&app.state.db, new, app.state.settings.password)
        .await
        .unwrap();
    let session =
        gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
            .await
            .unwrap();
    (format!("Bearer {}", session.token), user.id)
}

async fn upload(
    app: &TestApp,
    consultation_id: Uuid,
    auth: Option<&str>,
    content_type: &str,
    body: &str,
) -> TestResponse {
    let mut request = Request::post(format!(
        "/api/v1/consultations/{consultation_id}/comments/import"
    ))
    .header(header::CONTENT_TYPE, content_type);
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

async fn by_code(app: &TestApp, code: &str) -> comments::Model {
    comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no comment {code}"))
}

async fn comment_count(app: &TestApp) -> u64 {
    comments::Entity::find().count(&app.state.db).await.unwrap()
}

/// Five paper-form and meeting comments: Vietnamese text, a quoted comma, a cell over two
/// lines, stances in Vietnamese with and without marks, clauses in three notations.
const PAPER_FORMS: &str = "\u{feff}body,stance,clause,author_name,organization,channel,consent\r\n\
\"Đề nghị nạo vét kênh Cái Khế, làm trước mùa mưa năm nay.\",đồng ý,Điều 3,Nguyễn Văn Bảy,,,\r\n\
\"Nước ngập tới gối ở hẻm 51.\r\nXin làm sớm, trước tháng 9.\",Không đồng ý,khoản 1 Điều 3,,,meeting,public_anonymous\r\n\
Vì sao trạm bơm đặt ở đầu kênh mà không ở cuối kênh?,cau hoi,3.1.đ,Trần Thị Mười,HND-TP,paper_form,public_named\r\n\
Đề xuất bổ sung hồ điều hòa ở phường An Khánh.,de xuat,,,,,\r\n\
\"Hội nông dân đề nghị hỗ trợ hộ trồng rau \"\"sạch\"\" bị ảnh hưởng.\",đề xuất,Điều 11,,hnd-tp,Hội nghị,private\r\n";

#[tokio::test]
async fn a_moderator_imports_paper_forms_with_quoted_commas_and_multi_line_cells() {
    let app = TestApp::with_samples().await;
    let consultation = consultation(&app).await;
    let (moderator, moderator_id) = person(&app, "mttq@vidu.vn", Role::Moderator).await;

    let response = upload(
        &app,
        consultation.id,
        Some(&moderator),
        "text/csv; charset=utf-8",
        PAPER_FORMS,
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let report = response.json();
    assert_eq!(report["imported"], 5);
    let codes: Vec<String> = report["tracking_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 5);
    for code in &codes {
        assert_eq!(TrackingCode::parse(code).unwrap().as_str(), code);
    }
    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 5);

    let rows = [
        by_code(&app, &codes[0]).await,
        by_code(&app, &codes[1]).await,
        by_code(&app, &codes[2]).await,
        by_code(&app, &codes[3]).await,
        by_code(&app, &codes[4]).await,
    ];
    for row in &rows {
        assert_eq!(row.consultation_id, consultation.id);
        assert_eq!(row.entered_by, Some(moderator_id));
        assert_eq!(row.author_id, None);
        assert_eq!(row.status, CommentStatus::Pending);
        assert_eq!(row.public_body, None);
    }
    let hnd = organizations::Entity::find()
        .filter(organizations::Column::Code.eq("HND-TP"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        rows[0].body,
        "Đề nghị nạo vét kênh Cái Khế, làm trước mùa mưa năm nay."
    );
    assert_eq!(rows[0].stance, Stance::Support);
    assert_eq!(rows[0].channel, Channel::PaperForm);
    assert_eq!(rows[0].consent, Consent::PublicAnonymous);
    assert_eq!(rows[0].author_name.as_deref(), Some("Nguyễn Văn Bảy"));
    assert_eq!(
        rows[0].clause_id,
        Some(clause(&app, consultation.id, &["3"]).await)
    );

    assert_eq!(
        rows[1].body,
        "Nước ngập tới gối ở hẻm 51.\nXin làm sớm, trước tháng 9."
    );
    assert_eq!(rows[1].stance, Stance::Oppose);
    assert_eq!(rows[1].channel, Channel::Meeting);
    assert_eq!(
        rows[1].clause_id,
        Some(clause(&app, consultation.id, &["3", "1"]).await)
    );

    assert_eq!(rows[2].stance, Stance::Question);
    assert_eq!(rows[2].consent, Consent::PublicNamed);
    assert_eq!(rows[2].organization_id, Some(hnd.id));
    assert_eq!(
        rows[2].clause_id,
        Some(clause(&app, consultation.id, &["3", "1", "đ"]).await)
    );

    assert_eq!(rows[3].stance, Stance::Suggest);
    assert_eq!(rows[3].clause_id, None);
    assert_eq!(rows[3].author_name, None);

    assert_eq!(
        rows[4].body,
        "Hội nông dân đề nghị hỗ trợ hộ trồng rau \"sạch\" bị ảnh hưởng."
    );
    assert_eq!(rows[4].channel, Channel::Meeting);
    assert_eq!(rows[4].consent, Consent::Private);
    assert_eq!(rows[4].organization_id, Some(hnd.id));

    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let consents = consent_records::Entity::find()
        .filter(consent_records::Column::CommentId.is_in(ids))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(consents.len(), 5);
    assert!(
        consents
            .iter()
            .all(|c| c.context == "import" && c.user_id.is_none())
    );
    assert_eq!(
        outbox::Entity::find()
            .filter(outbox::Column::Topic.eq(gopy::services::outbox::MAIL_TOPIC))
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "no receipt mail: paper forms carry no address"
    );

    // Residents follow their comment with the code written on their receipt.
    let tracked = app.get(&format!("/api/v1/track/{}", codes[3])).await;
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    assert_eq!(tracked.json()["status"], "pending");
}

#[tokio::test]
async fn one_malformed_row_refuses_the_whole_file_naming_its_line() {
    let app = TestApp::with_samples().await;
    let consultation = consultation(&app).await;
    let (moderator, _) = person(&app, "mttq@vidu.vn", Role::Moderator).await;
    let mut csv = String::from("body,stance,clause\n");
    for (i, stance) in ["đồng ý", "dong y", "câu hỏi", "đề xuất", "không đồng ý"]
        .iter()
        .enumerate()
    {
        csv.push_str(&format!(
            "Ý kiến số {} về tuyến kè dọc sông Cần Thơ.,{stance},Điều 4\n",
            i + 2
        ));
    }
    csv.push_str("Ý kiến số 7 chưa rõ lập trường của người viết.,maybe,Điều 4\n");
    csv.push_str("Ý kiến số 8 về tuyến kè dọc sông Cần Thơ.,đồng ý,\n");

    let response = upload(&app, consultation.id, Some(&moderator), "text/csv", &csv).await;
    let problem = response.assert_problem(422, "validation_failed");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["field"], "rows[7].stance");
    assert_eq!(errors[0]["code"], "unknown_value");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Dòng 7:") && message.contains("maybe"),
        "{message}"
    );
    assert_eq!(comment_count(&app).await, 0, "nothing imported");

    // Several problems are all listed, each with its line.
    let bad = "body,stance,clause,organization,channel\n\
               quá ngắn,đồng ý,,,\n\
               Một ý kiến đủ dài về kè sông.,đồng ý,Điều 99,,\n\
               Một ý kiến đủ dài về kè sông.,đồng ý,,KHONG-CO,\n\
               Một ý kiến đủ dài về kè sông.,đồng ý,,,online\n";
    let response = upload(&app, consultation.id, Some(&moderator), "text/csv", bad).await;
    let problem = response.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "rows[2].body",
            "rows[3].clause",
            "rows[4].organization",
            "rows[5].channel"
        ]
    );
    assert_eq!(comment_count(&app).await, 0);
}

#[tokio::test]
async fn json_lines_import_and_the_consultation_may_be_closed_but_not_a_draft() {
    let app = TestApp::with_samples().await;
    let consultation = consultation(&app).await;
    let (moderator, _) = person(&app, "mttq@vidu.vn", Role::Moderator).await;
    let lines = [
        r#"{"body": "Đường dây nóng: hỏi về mức hỗ trợ di dời cho hộ kinh doanh.", "stance": "question", "clause": 11, "channel": "hotline", "consent": "private"}"#,
        "",
        r#"{"body": "Thư điện tử: đồng ý với phương án kè mềm ở đoạn Cồn Khương.", "stance": "Đồng ý", "channel": "email", "consent": "public_anonymous", "author_name": null}"#,
        r#"{"body": "Phiếu góp ý: đề nghị công khai tiến độ thi công hằng tháng.", "stance": "de xuat", "clause": "Điều 12 khoản 2"}"#,
    ]
    .join("\n");
    let response = upload(
        &app,
        consultation.id,
        Some(&moderator),
        "application/x-ndjson",
        &lines,
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let codes = response.json()["tracking_codes"].clone();
    assert_eq!(response.json()["imported"], 3);
    let hotline = by_code(&app, codes[0].as_str().unwrap()).await;
    assert_eq!(hotline.channel, Channel::Hotline);
    assert_eq!(hotline.consent, Consent::Private);
    assert_eq!(
        hotline.clause_id,
        Some(clause(&app, consultation.id, &["11"]).await)
    );
    let email = by_code(&app, codes[1].as_str().unwrap()).await;
    assert_eq!(email.channel, Channel::Email);
    assert_eq!(email.stance, Stance::Support);
    let paper = by_code(&app, codes[2].as_str().unwrap()).await;
    assert_eq!(paper.channel, Channel::PaperForm);
    assert_eq!(
        paper.clause_id,
        Some(clause(&app, consultation.id, &["12", "2"]).await)
    );

    // A bad line in JSON Lines is named by its line, blank lines counted.
    let bad = "{\"body\": \"Một ý kiến đủ dài về kè sông.\", \"stance\": \"support\"}\n\n{\"body\": \"Ý kiến có trường lạ.\", \"stance\": \"support\", \"stnace\": 1}\nnot json\n";
    let response = upload(
        &app,
        consultation.id,
        Some(&moderator),
        "application/x-ndjson",
        bad,
    )
    .await;
    let problem = response.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rows[3].stnace", "rows[4]"]);
    assert_eq!(comment_count(&app).await, 3);

    // Paper forms arrive after the window closes: a closed consultation still takes them.
    let mut closed = consultation.clone().into_active_model();
    closed.status = Set(ConsultationStatus::Closed);
    closed.update(&app.state.db).await.unwrap();
    let one = "body,stance\nPhiếu đến muộn sau khi hết hạn góp ý.,đồng ý\n";
    let report = import_comments(
        &app.state.db,
        consultation.id,
        None,
        Format::Csv,
        one.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(report.lines, [2]);
    let late = by_code(&app, &report.tracking_codes[0]).await;
    assert_eq!(late.entered_by, None);

    let mut draft = consultation.into_active_model();
    draft.status = Set(ConsultationStatus::Draft);
    let draft = draft.update(&app.state.db).await.unwrap();
    let refused = import_comments(&app.state.db, draft.id, None, Format::Csv, one.as_bytes()).await;
    assert!(matches!(refused, Err(Error::NotFound(_))), "{refused:?}");
}

#[tokio::test]
async fn only_moderators_and_admins_import() {
    let app = TestApp::with_samples().await;
    let consultation = consultation(&app).await;
    let csv = "body,stance\nMột ý kiến đủ dài về kè sông.,đồng ý\n";
    let (resident, _) = person(&app, "dan@vidu.vn", Role::Resident).await;
    upload(&app, consultation.id, Some(&resident), "text/csv", csv)
        .await
        .assert_problem(403, "forbidden");
    let (officer, _) = person(&app, "canbo@vidu.vn", Role::AgencyOfficer).await;
    upload(&app, consultation.id, Some(&officer), "text/csv", csv)
        .await
        .assert_problem(403, "forbidden");
    upload(&app, consultation.id, None, "text/csv", csv)
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(comment_count(&app).await, 0);

    let (admin, _) = person(&app, "quantri@vidu.vn", Role::Admin).await;
    upload(&app, consultation.id, Some(&admin), "application/json", csv)
        .await
        .assert_problem(400, "unsupported_media_type");
    upload(&app, Uuid::now_v7(), Some(&admin), "text/csv", csv)
        .await
        .assert_problem(404, "not_found");
    let ok = upload(&app, consultation.id, Some(&admin), "text/csv", csv).await;
    assert_eq!(ok.status, 201, "{}", ok.text());
}

#[tokio::test]
async fn the_import_route_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let operation = &doc["paths"]["/api/v1/consultations/{id}/comments/import"]["post"];
    assert!(operation.is_object(), "{doc}");
    let content = &operation["requestBody"]["content"];
    assert!(content["text/csv"].is_object(), "{operation}");
    assert!(content["application/x-ndjson"].is_object(), "{operation}");
    assert!(operation["responses"]["201"].is_object());
    assert!(operation["responses"]["422"].is_object());
}

fn gopy(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gopy"));
    command
        .current_dir(app.dir.path())
        .env("DATABASE_URL", &app.db.url)
        .env("GOPY_LOG", "warn")
        .env_remove("GOPY_LISTEN")
        .env_remove("GOPY_DATA_DIR")
        .env_remove("RUST_LOG");
    command
}

#[tokio::test]
async fn the_cli_imports_a_file_and_refuses_a_bad_one_naming_the_line() {
    let app = TestApp::with_samples().await;
    let consultation = consultation(&app).await;
    let (_, moderator_id) = person(&app, "mttq@vidu.vn", Role::Moderator).await;
    let id = consultation.id.to_string();
    let file = app.dir.path().join("phieu-gop-y.csv");
    std::fs::write(&file, PAPER_FORMS).unwrap();
    let codes_file = app.dir.path().join("ma-theo-doi.csv");

    let out = gopy(&app)
        .args(["import", "comments", "--consultation", &id])
        .arg(&file)
        .args(["--entered-by", "MTTQ@vidu.vn", "--codes-out"])
        .arg(&codes_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Imported 5 comments") && stdout.contains("ma-theo-doi.csv"),
        "{stdout}"
    );
    let codes = std::fs::read_to_string(&codes_file).unwrap();
    let lines: Vec<&str> = codes.lines().collect();
    assert_eq!(lines[0], "line,tracking_code");
    assert_eq!(lines.len(), 6, "{codes}");
    // The second row spans lines 3 and 4, so the rows start on lines 2, 3, 5, 6 and 7.
    let starts: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(starts, ["2", "3", "5", "6", "7"]);
    for line in &lines[1..] {
        let code = line.split(',').nth(1).unwrap();
        let row = by_code(&app, code).await;
        assert_eq!(row.entered_by, Some(moderator_id));
    }
    assert_eq!(comment_count(&app).await, 5);

    // Without --codes-out the codes go to stdout; the format follows the extension.
    let jsonl = app.dir.path().join("hop-dan.jsonl");
    std::fs::write(
        &jsonl,
        "{\"body\": \"Ý kiến tại buổi họp dân phường Cái Khế.\", \"stance\": \"đồng ý\", \"channel\": \"meeting\", \"consent\": \"public_anonymous\"}\n",
    )
    .unwrap();
    let out = gopy(&app)
        .args(["import", "comments", "--consultation", &id])
        .arg(&jsonl)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(printed.len(), 2, "{stdout}");
    assert_eq!(printed[0], "line,tracking_code");
    let code = printed[1].strip_prefix("1,").unwrap();
    assert_eq!(by_code(&app, code).await.channel, Channel::Meeting);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Imported 1 comment into"));

    // A bad row: nothing imported, the line named, a non-zero exit.
    let bad = app.dir.path().join("phieu-loi.csv");
    std::fs::write(
        &bad,
        "body,stance\nMột ý kiến đủ dài về kè sông.,đồng ý\nMột ý kiến khác đủ dài.,có lẽ\n",
    )
    .unwrap();
    let out = gopy(&app)
        .args(["import", "comments", "--consultation", &id])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nothing was imported") && stderr.contains("line 3, stance"),
        "{stderr}"
    );
    assert_eq!(comment_count(&app).await, 6);

    // A clerk must be a moderator or an admin; the consultation must exist.
    let out = gopy(&app)
        .args(["import", "comments", "--consultation", &id])
        .arg(&file)
        .args(["--entered-by", "khong-co@vidu.vn"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--entered-by"));
    let out = gopy(&app)
        .args([
            "import",
            "comments",
            "--consultation",
            &Uuid::now_v7().to_string(),
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--consultation"));
    assert_eq!(comment_count(&app).await, 6);
}
