//! Files: comment attachments (checked, cleaned of metadata, seen only with their comment) and
//! consultation documents (seen with the consultation, removable only from drafts).

use std::sync::Arc;

use axum::body::Body;
use entity::enums::{CommentStatus, Consent, Role};
use entity::{comment_attachments, comments, consultations};
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};

const PHOTO_GPS: &[u8] = include_bytes!("../fixtures/attachments/photo_gps.jpg");
const DRAWING: &[u8] = include_bytes!("../fixtures/attachments/drawing.png");
const LETTER: &[u8] = include_bytes!("../fixtures/attachments/letter.pdf");
const MINUTES: &[u8] = include_bytes!("../fixtures/attachments/minutes.docx");
const BUDGET: &[u8] = include_bytes!("../fixtures/attachments/budget.xlsx");
const ARCHIVE: &[u8] = include_bytes!("../fixtures/attachments/archive.zip");
const FAKE_JPEG: &[u8] = include_bytes!("../fixtures/attachments/anh.jpg");
const FAKE_PDF: &[u8] = include_bytes!("../fixtures/attachments/bao_cao.pdf");

/// The attachment limit in these tests (the fixtures are a few KiB).
const SMALL_LIMIT: usize = 64 * 1024;
const BOUNDARY: &str = "gopy-test-boundary-7d1f0c";

struct World {
    app: TestApp,
    consultation: consultations::Model,
}

/// An application with the sample consultations and a small attachment limit.
async fn world() -> World {
    let mut app = TestApp::with_samples().await;
    let mut settings = (*app.state.settings).clone();
    settings.max_attachment_bytes = SMALL_LIMIT;
    app.state.settings = Arc::new(settings);
    app.router = gopy::http::router(app.state.clone());
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    World { app, consultation }
}

/// A signed-in account of `role`; returns its `Authorization` header value.
async fn person(app: &TestApp, email: &str, role: Role, agency: Option<&str>) -> String {
    let organization = match role {
        Role::OrganizationRep => Some("HLHPN-TP".to_owned()),
        Role::Moderator => Some("MTTQ-TP".to_owned()),
        _ => None,
    };
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        display_name: format!("Người thử {email}"),
        role,
        agency_code: agency.map(ToOwned::to_owned),
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
    format!("Bearer {}", session.token)
}

/// One part of a multipart body: field name, file name, content type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart/form-data body.
fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file_name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{field}\"");
        if let Some(name) = file_name {
            disposition.push_str(&format!("; filename=\"{name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn send_multipart(app: &TestApp, uri: &str, auth: &str, body: Vec<u8>) -> TestResponse {
    let request = Request::post(uri)
        .header(header::AUTHORIZATION, auth)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

/// Uploads one file in the `file` field.
async fn upload(
    app: &TestApp,
    uri: &str,
    auth: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> TestResponse {
    let body = multipart(&[("file", Some(file_name), Some(content_type), bytes)]);
    send_multipart(app, uri, auth, body).await
}

async fn call(app: &TestApp, method: Method, uri: &str, auth: Option<&str>) -> TestResponse {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn get(app: &TestApp, uri: &str, auth: Option<&str>) -> TestResponse {
    call(app, Method::GET, uri, auth).await
}

/// Posts a comment and returns its id.
async fn comment(w: &World, auth: &str, consent: &str, on_behalf: bool) -> String {
    let response = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/consultations/{}/comments", w.consultation.id),
            &json!({
                "stance": "suggest",
                "body": "Đề nghị bổ sung bãi đỗ xe cho người đi bộ tới công viên ven sông.",
                "consent": consent,
                "on_behalf_of_organization": on_behalf,
            }),
            &[("authorization", auth)],
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["id"].as_str().unwrap().to_owned()
}

/// Approves a comment as a moderator would (as in `comments.rs`).
async fn approve(app: &TestApp, id: &str) {
    let comment = comments::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
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

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn header(response: &TestResponse, name: header::HeaderName) -> &str {
    response
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The code of the first field error of a 422 answer.
fn field_code(response: &TestResponse) -> String {
    let problem = response.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
    problem["errors"][0]["code"].as_str().unwrap().to_owned()
}

/// Every file stored under the data directory's `files/`.
fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.settings.files_dir, &mut out);
    out
}

#[tokio::test]
async fn a_photo_loses_its_exif_and_gps_before_it_is_stored() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", Role::Resident, None).await;
    let id = comment(&w, &lan, "public_named", false).await;
    let uri = format!("/api/v1/comments/{id}/attachments");

    let created = upload(
        &w.app,
        &uri,
        &lan,
        "Ảnh hồ Gươm.JPG",
        "image/jpeg",
        PHOTO_GPS,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let body = created.json();
    assert_eq!(body["content_type"], "image/jpeg");
    assert_eq!(body["file_name"], "Ảnh hồ Gươm.jpg");
    let attachment_id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();

    let row = comment_attachments::Entity::find_by_id(attachment_id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.storage_key.starts_with("attachments/"));
    assert!(
        !row.storage_key.contains("hồ"),
        "key never comes from the name"
    );
    let stored = w.app.state.storage.get(&row.storage_key).await.unwrap();
    let on_disk = std::fs::read(w.app.state.settings.files_dir.join(&row.storage_key)).unwrap();
    assert_eq!(&stored[..], &on_disk[..]);

    let download = get(
        &w.app,
        &format!("/api/v1/attachments/{attachment_id}"),
        Some(&lan),
    )
    .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, on_disk);
    for bytes in [&on_disk[..], &download.body[..]] {
        assert!(bytes.starts_with(&[0xFF, 0xD8]));
        assert!(bytes.ends_with(&[0xFF, 0xD9]));
        for marker in [&b"Exif"[..], b"GPSLatitude", b"WGS-84", b"GopyTestCam"] {
            assert!(!contains(bytes, marker), "{marker:?} left");
        }
    }
    assert!(contains(PHOTO_GPS, b"Exif"), "the fixture has EXIF");
    assert_eq!(row.size_bytes, i64::try_from(on_disk.len()).unwrap());
    assert_eq!(body["size_bytes"], row.size_bytes);
    use sha2::Digest;
    assert_eq!(row.sha256, hex::encode(sha2::Sha256::digest(&on_disk)));
    assert_eq!(body["sha256"], row.sha256);

    assert_eq!(header(&download, header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(header(&download, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        header(&download, header::CACHE_CONTROL),
        "private, no-store"
    );
    let disposition = header(&download, header::CONTENT_DISPOSITION);
    assert!(
        disposition.contains("filename*=UTF-8''%E1%BA%A2nh%20h%E1%BB%93%20G%C6%B0%C6%A1m.jpg"),
        "{disposition}"
    );

    let listed = get(&w.app, &uri, Some(&lan)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json().as_array().unwrap().len(), 1);
    assert_eq!(
        listed.json()[0]["url"],
        format!("/api/v1/attachments/{attachment_id}")
    );
}

#[tokio::test]
async fn disguised_oversized_and_mislabelled_files_are_refused_with_their_codes() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", Role::Resident, None).await;
    let id = comment(&w, &lan, "public_named", false).await;
    let uri = format!("/api/v1/comments/{id}/attachments");

    // An executable renamed to a photo.
    let renamed = upload(&w.app, &uri, &lan, "anh.jpg", "image/jpeg", FAKE_JPEG).await;
    assert_eq!(field_code(&renamed), "not_allowed_type");
    let renamed = upload(
        &w.app,
        &uri,
        &lan,
        "bao_cao.pdf",
        "application/pdf",
        FAKE_PDF,
    )
    .await;
    assert_eq!(field_code(&renamed), "not_allowed_type");
    // Over the limit (the test limit is 64 KiB).
    let mut big = PHOTO_GPS.to_vec();
    big.resize(SMALL_LIMIT + 1, 0);
    let oversized = upload(&w.app, &uri, &lan, "to.jpg", "image/jpeg", &big).await;
    assert_eq!(field_code(&oversized), "too_large");
    // A PNG claiming to be a PDF.
    let mislabelled = upload(&w.app, &uri, &lan, "ban-ve.png", "application/pdf", DRAWING).await;
    assert_eq!(field_code(&mislabelled), "content_mismatch");
    // Office files belong to consultations, not comments.
    let docx = upload(
        &w.app,
        &uri,
        &lan,
        "bien-ban.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        MINUTES,
    )
    .await;
    assert_eq!(field_code(&docx), "not_allowed_type");
    // No file at all, or two at once.
    let none = send_multipart(
        &w.app,
        &uri,
        &lan,
        multipart(&[("note", None, None, b"hello")]),
    )
    .await;
    assert_eq!(field_code(&none), "required");
    let two = send_multipart(
        &w.app,
        &uri,
        &lan,
        multipart(&[
            ("file", Some("a.pdf"), Some("application/pdf"), LETTER),
            ("file", Some("b.pdf"), Some("application/pdf"), LETTER),
        ]),
    )
    .await;
    assert_eq!(field_code(&two), "one_file_per_request");
    // Not multipart at all.
    let json = w
        .app
        .json(Method::POST, &uri, &json!({}), &[("authorization", &lan)])
        .await;
    json.assert_problem(400, "unsupported_media_type");

    assert!(
        stored_files(&w.app).is_empty(),
        "refused files are not stored"
    );
    let listed = get(&w.app, &uri, Some(&lan)).await;
    assert_eq!(listed.json().as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_comment_carries_at_most_five_files_and_only_its_author_adds_them() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", Role::Resident, None).await;
    let minh = person(&w.app, "minh@vidu.vn", Role::Resident, None).await;
    let officer = person(&w.app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let id = comment(&w, &lan, "public_named", false).await;
    let uri = format!("/api/v1/comments/{id}/attachments");

    // Someone else cannot even learn that the pending comment exists.
    upload(&w.app, &uri, &minh, "a.pdf", "application/pdf", LETTER)
        .await
        .assert_problem(404, "not_found");
    upload(&w.app, &uri, &officer, "a.pdf", "application/pdf", LETTER)
        .await
        .assert_problem(403, "forbidden");

    let files: [(&str, &str, &[u8]); 5] = [
        ("1.pdf", "application/pdf", LETTER),
        ("2.png", "image/png", DRAWING),
        ("3.jpg", "image/jpeg", PHOTO_GPS),
        ("4", "application/octet-stream", LETTER),
        ("5.pdf", "application/pdf", LETTER),
    ];
    for (name, content_type, bytes) in files {
        let created = upload(&w.app, &uri, &lan, name, content_type, bytes).await;
        assert_eq!(created.status, 201, "{name}: {}", created.text());
    }
    upload(&w.app, &uri, &lan, "6.pdf", "application/pdf", LETTER)
        .await
        .assert_problem(409, "too_many_attachments");
    let listed = get(&w.app, &uri, Some(&lan)).await.json();
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["1.pdf", "2.png", "3.jpg", "4.pdf", "5.pdf"]);
    assert_eq!(stored_files(&w.app).len(), 5);

    // Once moderated, the comment takes no more files.
    let other = comment(&w, &lan, "public_named", false).await;
    approve(&w.app, &other).await;
    upload(
        &w.app,
        &format!("/api/v1/comments/{other}/attachments"),
        &lan,
        "a.pdf",
        "application/pdf",
        LETTER,
    )
    .await
    .assert_problem(409, "already_moderated");
    // A public comment of someone else: visible, but not theirs.
    upload(
        &w.app,
        &format!("/api/v1/comments/{other}/attachments"),
        &minh,
        "a.pdf",
        "application/pdf",
        LETTER,
    )
    .await
    .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn an_organization_attaches_its_formal_letter_as_a_pdf() {
    let w = world().await;
    let hoi = person(&w.app, "hoi@vidu.vn", Role::OrganizationRep, None).await;
    let id = comment(&w, &hoi, "public_named", true).await;
    let created = upload(
        &w.app,
        &format!("/api/v1/comments/{id}/attachments"),
        &hoi,
        "Văn bản góp ý số 12-HLHPN.pdf",
        "application/pdf",
        LETTER,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["content_type"], "application/pdf");
    assert_eq!(created.json()["file_name"], "Văn bản góp ý số 12-HLHPN.pdf");
    let file = get(&w.app, created.json()["url"].as_str().unwrap(), Some(&hoi)).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, LETTER, "PDFs are stored as sent");
    assert_eq!(header(&file, header::CONTENT_TYPE), "application/pdf");
    assert!(header(&file, header::CONTENT_DISPOSITION).starts_with("attachment;"));
}

#[tokio::test]
async fn a_pending_comments_files_are_for_its_author_and_moderators_until_it_is_public() {
    let w = world().await;
    let lan = person(&w.app, "lan@vidu.vn", Role::Resident, None).await;
    let minh = person(&w.app, "minh@vidu.vn", Role::Resident, None).await;
    let officer = person(&w.app, "canbo@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let moderator = person(&w.app, "mttq@vidu.vn", Role::Moderator, None).await;
    let id = comment(&w, &lan, "public_named", false).await;
    let list_uri = format!("/api/v1/comments/{id}/attachments");
    let created = upload(&w.app, &list_uri, &lan, "anh.jpg", "image/jpeg", PHOTO_GPS).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let file_uri = created.json()["url"].as_str().unwrap().to_owned();

    for (who, auth) in [
        ("anonymous", None),
        ("another resident", Some(minh.as_str())),
        ("an officer", Some(officer.as_str())),
    ] {
        get(&w.app, &file_uri, auth)
            .await
            .assert_problem(404, "not_found");
        let listed = get(&w.app, &list_uri, auth).await;
        assert_eq!(listed.status, 404, "{who}");
    }
    for auth in [&lan, &moderator] {
        let file = get(&w.app, &file_uri, Some(auth)).await;
        assert_eq!(file.status, 200);
        assert_eq!(header(&file, header::CACHE_CONTROL), "private, no-store");
        assert_eq!(get(&w.app, &list_uri, Some(auth)).await.status, 200);
    }

    // The same address works for everyone once the comment is public.
    approve(&w.app, &id).await;
    for auth in [None, Some(minh.as_str()), Some(officer.as_str())] {
        let file = get(&w.app, &file_uri, auth).await;
        assert_eq!(file.status, 200);
        assert_eq!(header(&file, header::CONTENT_TYPE), "image/jpeg");
        assert_eq!(header(&file, header::CACHE_CONTROL), "public, max-age=300");
        assert_eq!(
            get(&w.app, &list_uri, auth).await.json()[0]["url"],
            file_uri.as_str()
        );
    }

    // Approved, but its author chose not to publish: still hidden.
    let private = comment(&w, &lan, "private", false).await;
    let private_list = format!("/api/v1/comments/{private}/attachments");
    let created = upload(
        &w.app,
        &private_list,
        &lan,
        "don.pdf",
        "application/pdf",
        LETTER,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let private_file = created.json()["url"].as_str().unwrap().to_owned();
    approve(&w.app, &private).await;
    let stored = comments::Entity::find_by_id(private.parse::<uuid::Uuid>().unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.consent, Consent::Private);
    for auth in [None, Some(minh.as_str()), Some(officer.as_str())] {
        get(&w.app, &private_file, auth)
            .await
            .assert_problem(404, "not_found");
        get(&w.app, &private_list, auth)
            .await
            .assert_problem(404, "not_found");
    }
    let own = get(&w.app, &private_file, Some(&lan)).await;
    assert_eq!(own.status, 200);
    assert_eq!(header(&own, header::CACHE_CONTROL), "private, no-store");

    // An id that does not exist, or is not an id.
    get(
        &w.app,
        "/api/v1/attachments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        None,
    )
    .await
    .assert_problem(404, "not_found");
    get(&w.app, "/api/v1/attachments/anh.jpg", None)
        .await
        .assert_problem(404, "not_found");
}

fn draft() -> serde_json::Value {
    let opens = chrono::Utc::now() - chrono::Duration::hours(1);
    json!({
        "title": "Quy hoạch chi tiết công viên ven sông Cần Thơ",
        "summary": "Dự thảo quy hoạch chi tiết tỷ lệ 1/500 công viên ven sông.",
        "body": "Đoạn mở đầu.",
        "kind": "detailed_plan",
        "units": ["31150"],
        "legal_basis": "Luật Quy hoạch đô thị và nông thôn 2024.",
        "opens_at": opens,
        "closes_at": opens + chrono::Duration::days(45),
    })
}

#[tokio::test]
async fn consultation_documents_are_seen_with_the_consultation() {
    let w = world().await;
    let app = &w.app;
    let officer = person(app, "sxd@vidu.vn", Role::AgencyOfficer, Some("SXD")).await;
    let other_officer = person(app, "stc@vidu.vn", Role::AgencyOfficer, Some("STC")).await;
    let resident = person(app, "lan@vidu.vn", Role::Resident, None).await;
    let created = app
        .json(
            Method::POST,
            "/api/v1/consultations",
            &draft(),
            &[("authorization", &officer)],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let consultation = created.json()["id"].as_str().unwrap().to_owned();
    let list_uri = format!("/api/v1/consultations/{consultation}/documents");

    let docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    let uploaded = upload(
        app,
        &list_uri,
        &officer,
        "Biên bản họp.docx",
        docx_type,
        MINUTES,
    )
    .await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.text());
    assert_eq!(uploaded.json()["content_type"], docx_type);
    let doc_uri = uploaded.json()["url"].as_str().unwrap().to_owned();
    let budget = upload(
        app,
        &list_uri,
        &officer,
        "du-toan.xlsx",
        "application/octet-stream",
        BUDGET,
    )
    .await;
    assert_eq!(budget.status, 201, "{}", budget.text());
    let budget_uri = budget.json()["url"].as_str().unwrap().to_owned();
    // A ZIP that is not an Office file is refused.
    let zip = upload(
        app,
        &list_uri,
        &officer,
        "hoso.zip",
        "application/zip",
        ARCHIVE,
    )
    .await;
    assert_eq!(field_code(&zip), "not_allowed_type");
    // Only editors of this consultation add documents.
    upload(
        app,
        &list_uri,
        &other_officer,
        "x.pdf",
        "application/pdf",
        LETTER,
    )
    .await
    .assert_problem(404, "not_found");
    upload(
        app,
        &list_uri,
        &resident,
        "x.pdf",
        "application/pdf",
        LETTER,
    )
    .await
    .assert_problem(403, "forbidden");

    // A draft's documents: its officer only.
    for auth in [None, Some(resident.as_str()), Some(other_officer.as_str())] {
        get(app, &list_uri, auth)
            .await
            .assert_problem(404, "not_found");
        get(app, &doc_uri, auth)
            .await
            .assert_problem(404, "not_found");
    }
    let own = get(app, &doc_uri, Some(&officer)).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body, MINUTES);
    assert_eq!(header(&own, header::CONTENT_TYPE), docx_type);
    assert_eq!(header(&own, header::CACHE_CONTROL), "private, no-store");
    assert!(header(&own, header::CONTENT_DISPOSITION).starts_with("attachment;"));
    assert_eq!(
        get(app, &list_uri, Some(&officer))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // While a draft, a document can be removed (by its editors only).
    call(app, Method::DELETE, &budget_uri, Some(&other_officer))
        .await
        .assert_problem(404, "not_found");
    let removed = call(app, Method::DELETE, &budget_uri, Some(&officer)).await;
    assert_eq!(removed.status, 204, "{}", removed.text());
    get(app, &budget_uri, Some(&officer))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(stored_files(app).len(), 1, "the removed file is gone");

    // Published: everyone sees the documents, and they can no longer be removed.
    let published = call(
        app,
        Method::POST,
        &format!("/api/v1/consultations/{consultation}/publish"),
        Some(&officer),
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.text());
    for auth in [None, Some(resident.as_str()), Some(other_officer.as_str())] {
        let listed = get(app, &list_uri, auth).await;
        assert_eq!(listed.status, 200);
        assert_eq!(listed.json().as_array().unwrap().len(), 1);
        let file = get(app, &doc_uri, auth).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.body, MINUTES);
        assert_eq!(header(&file, header::CACHE_CONTROL), "public, max-age=300");
    }
    call(app, Method::DELETE, &doc_uri, Some(&officer))
        .await
        .assert_problem(409, "published_document_cannot_be_deleted");
    call(app, Method::DELETE, &doc_uri, Some(&other_officer))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(get(app, &doc_uri, None).await.status, 200);
}
