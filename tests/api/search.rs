//! Search: what each viewer can find (pending and rejected comments, redacted spans), queries
//! typed without diacritics, odd queries, the page, and the indexer catching up after a restart.

use std::time::{Duration, Instant};

use entity::enums::Role;
use entity::{comments, consultations};
use http::Method;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, account, bearer_for, select_texts};

async fn search(app: &TestApp, query: &str, auth: Option<&str>) -> Value {
    let mut request = http::Request::get(format!("/api/v1/search?{query}"));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = app
        .send(request.body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    response.json()
}

/// Whether the results of a search hold a document of `id` (a comment's documents carry it).
fn finds(results: &Value, id: &str) -> bool {
    results["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"].as_str().unwrap_or_default().contains(id))
}

/// Waits until a search finds (or stops finding) `needle` among the results' ids.
async fn wait_for(app: &TestApp, query: &str, auth: Option<&str>, needle: &str, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = finds(&search(app, query, auth).await, needle);
        if found == present {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{query}: {needle} {} after 10 s",
            if present { "not found" } else { "still found" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A long word of a title, folded (the query types it without diacritics).
fn search_word(title: &str) -> String {
    gopy::domain::text::fold(title)
        .split_whitespace()
        .find(|w| w.len() >= 5)
        .unwrap()
        .to_owned()
}

struct World {
    app: TestApp,
    moderator: String,
    resident: String,
    consultation: consultations::Model,
}

async fn world() -> World {
    let app = TestApp::with_samples().await;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let moderator = account(&app, "mttq@vidu.vn", "Kiểm duyệt", Role::Moderator, true).await;
    let moderator = bearer_for(&app, &moderator).await;
    let resident = account(&app, "lan@vidu.vn", "Lan", Role::Resident, true).await;
    let resident = bearer_for(&app, &resident).await;
    World {
        app,
        moderator,
        resident,
        consultation,
    }
}

impl World {
    async fn comment(&self, text: &str) -> String {
        let response = self
            .app
            .json(
                Method::POST,
                &format!("/api/v1/consultations/{}/comments", self.consultation.id),
                &json!({"stance": "oppose", "body": text, "consent": "public_anonymous"}),
                &[("authorization", &self.resident)],
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()["id"].as_str().unwrap().to_owned()
    }

    async fn decide(&self, id: &str, body: Value) {
        let response = self
            .app
            .json(
                Method::POST,
                &format!("/api/v1/comments/{id}/moderation"),
                &body,
                &[("authorization", &self.moderator)],
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
    }
}

#[tokio::test]
async fn a_comment_is_found_without_diacritics_once_approved_and_its_hidden_data_never() {
    let w = world().await;
    let id = w
        .comment("Đường Mậu Thân ngập nước mỗi khi mưa lớn, gọi tôi 0912 345 678 để khảo sát.")
        .await;
    // Pending: moderators find its original text; nobody else finds anything.
    wait_for(&w.app, "q=mau+than+ngap", Some(&w.moderator), &id, true).await;
    let public = search(&w.app, "q=mau+than+ngap&kind=comment", None).await;
    assert_eq!(public["total"], 0);
    let own = search(&w.app, "q=mau+than+ngap&kind=comment", Some(&w.resident)).await;
    assert_eq!(own["total"], 0);

    w.decide(&id, json!({"decision": "approve"})).await;
    wait_for(&w.app, "q=duong+mau+than+ngap", None, &id, true).await;
    let found = search(&w.app, "q=duong+mau+than+ngap", None).await;
    let hit = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"].as_str().unwrap().contains(&id))
        .unwrap()
        .clone();
    assert_eq!(hit["kind"], "comment");
    assert_eq!(hit["url"], format!("/comments/{id}").as_str());
    let snippet = hit["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(!snippet.contains("0912"), "{snippet}");
    // The same words with diacritics, in the old tone placement, or with a typo.
    wait_for(
        &w.app,
        "q=%C4%91%C6%B0%E1%BB%9Dng+m%E1%BA%ADu+th%C3%A2n",
        None,
        &id,
        true,
    )
    .await;
    // The hidden phone number cannot be found by the public.
    for q in ["0912+345+678", "0912345678", "345+678"] {
        let results = search(&w.app, &format!("q={q}"), None).await;
        assert!(!finds(&results, &id), "{q}: {results}");
    }
    // Facets count what was found.
    let facets = &search(&w.app, "q=mau+than&facets=true", None).await["facets"];
    assert!(
        facets["kind"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "comment" && f["count"] == 1),
        "{facets}"
    );
}

#[tokio::test]
async fn a_rejected_comment_is_never_found_by_the_public() {
    let w = world().await;
    let id = w
        .comment("Quảng cáo bán đất nền giá rẻ khu vực Cái Răng, liên hệ ngay.")
        .await;
    wait_for(&w.app, "q=ban+dat+nen", Some(&w.moderator), &id, true).await;
    w.decide(&id, json!({"decision": "reject", "reason_code": "spam"}))
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let public = search(&w.app, "q=ban+dat+nen", None).await;
    assert!(!finds(&public, &id), "{public}");
}

#[tokio::test]
async fn consultations_and_clauses_are_found_and_odd_queries_get_an_answer() {
    let w = world().await;
    let title_word = search_word(&w.consultation.title);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = search(&w.app, &format!("q={title_word}&kind=consultation"), None).await;
        if found["total"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the samples are not indexed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let long = "a".repeat(10_000);
    for q in [
        "%22unbalanced",
        "AND+OR+NOT",
        "title:foo",
        "%F0%9F%98%80%F0%9F%8C%A7",
        "*",
        "%5B%7B%28",
        "",
        &long,
    ] {
        let response = w.app.get(&format!("/api/v1/search?q={q}")).await;
        assert!(
            response.status == 200 || response.status.is_client_error(),
            "{}: {}",
            &q[..q.len().min(20)],
            response.status
        );
    }
    w.app
        .get("/api/v1/search?q=x&sort=size")
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .get("/api/v1/search?q=x&colour=red")
        .await
        .assert_problem(400, "invalid_query");
    // A typo is still found (one edit of tolerance) and a correct spelling is proposed.
    let typo = search(&w.app, "q=thoat+nuocx", None).await;
    assert_eq!(typo["did_you_mean"], "thoat nuoc");
    assert!(typo["total"].as_u64().unwrap() > 0);
    assert!(search(&w.app, "q=thoat+nuoc", None).await["did_you_mean"].is_null());
    // The page shows results with the words marked.
    let page = w
        .app
        .get_page(&format!("/search?q={title_word}"), None)
        .await;
    assert_eq!(page.status, 200);
    assert!(!select_texts(&page.html(), "[data-testid=search-result]").is_empty());
    assert!(page.text().contains("<mark>"));
}

#[tokio::test]
async fn an_index_restarted_mid_way_catches_up_with_nothing_missing_or_doubled() {
    let w = world().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let id = w
            .comment(&format!(
                "Ý kiến số {i} về cống thoát nước khu vực chợ Xuân Khánh."
            ))
            .await;
        w.decide(&id, json!({"decision": "approve"})).await;
        ids.push(id);
    }
    // A second index of this node, fed from the same outbox in two runs with a "restart"
    // (closing and reopening the index) in between.
    let dir = tempfile::tempdir().unwrap();
    let db = &w.app.state.db;
    {
        let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
        let mut position = gopy::search::indexer::Position {
            version: gopy::search::SCHEMA_VERSION,
            ..Default::default()
        };
        let mut gaps = std::collections::HashMap::new();
        gopy::search::indexer::apply_batch(db, &index, &mut position, &mut gaps)
            .await
            .unwrap();
    }
    // More changes while it is down.
    for i in 12..15 {
        let id = w
            .comment(&format!(
                "Ý kiến số {i} về cống thoát nước khu vực chợ Xuân Khánh."
            ))
            .await;
        w.decide(&id, json!({"decision": "approve"})).await;
        ids.push(id);
    }
    let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
    let mut position = gopy::search::indexer::stored_position(&index)
        .unwrap()
        .expect("the position is stored with the commit");
    let mut gaps = std::collections::HashMap::new();
    while gopy::search::indexer::apply_batch(db, &index, &mut position, &mut gaps)
        .await
        .unwrap()
        > 0
    {}
    let searcher = index.searcher();
    let f = index.fields();
    for id in &ids {
        let docs = searcher
            .search(
                &tantivy::query::TermQuery::new(
                    tantivy::Term::from_field_text(f.id, &format!("comment:{id}")),
                    tantivy::schema::IndexRecordOption::Basic,
                ),
                &tantivy::collector::Count,
            )
            .unwrap();
        assert_eq!(docs, 1, "comment {id} is indexed exactly once");
    }
    let total_comments = comments::Entity::find().all(db).await.unwrap().len();
    let full = searcher
        .search(
            &tantivy::query::TermQuery::new(
                tantivy::Term::from_field_text(f.kind, "comment_full"),
                tantivy::schema::IndexRecordOption::Basic,
            ),
            &tantivy::collector::Count,
        )
        .unwrap();
    assert_eq!(full, total_comments);
}

/// The judgments of `tests/fixtures/search/relevance.json`: each needle, published among 2,000
/// generated comments, is among the first three results of each of its queries.
#[tokio::test]
async fn every_judged_query_finds_its_needle_in_the_top_three() {
    let w = world().await;
    let judgments: Value =
        serde_json::from_str(include_str!("../fixtures/search/relevance.json")).unwrap();
    let mut lines = String::new();
    for line in include_str!("../fixtures/screening/corpus-sample.jsonl")
        .lines()
        .take(2000)
    {
        let row: Value = serde_json::from_str(line).unwrap();
        lines.push_str(
            &json!({"body": row["body"], "stance": "suggest", "consent": "public_anonymous"})
                .to_string(),
        );
        lines.push('\n');
    }
    let needles = judgments["needles"].as_array().unwrap();
    for needle in needles {
        lines.push_str(
            &json!({"body": needle["body"], "stance": "suggest", "consent": "public_anonymous"})
                .to_string(),
        );
        lines.push('\n');
    }
    let db = &w.app.state.db;
    gopy::services::import::import_comments(
        db,
        w.consultation.id,
        None,
        gopy::services::import::Format::JsonLines,
        lines.as_bytes(),
    )
    .await
    .unwrap();
    // Published as a moderator would (the redaction is the text itself here).
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE comments SET status = 'approved', public_body = body WHERE status = 'pending'",
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
    gopy::search::indexer::rebuild(db, &index).await.unwrap();
    let all = comments::Entity::find().all(db).await.unwrap();
    let mut failures = Vec::new();
    for needle in needles {
        let body = needle["body"].as_str().unwrap();
        let id = all
            .iter()
            .find(|c| c.body == body)
            .map(|c| c.id.to_string())
            .unwrap();
        for query in needle["queries"].as_array().unwrap() {
            let query = query.as_str().unwrap();
            let results = gopy::services::search::search(
                &index,
                &gopy::policy::Actor::anonymous(),
                &gopy::services::search::SearchRequest {
                    q: query.to_owned(),
                    page: 1,
                    per_page: 3,
                    ..Default::default()
                },
            )
            .unwrap();
            if !results
                .hits
                .iter()
                .any(|hit| hit.comment_id.as_deref() == Some(id.as_str()))
            {
                failures.push(format!(
                    "{query:?} → {:?}",
                    results
                        .hits
                        .iter()
                        .map(|h| strip_marks(&h.snippet_html))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} queries missed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn strip_marks(html: &str) -> String {
    html.replace("<mark>", "").replace("</mark>", "")
}

#[tokio::test]
async fn an_officer_finds_the_unpublished_comments_assigned_to_the_agency() {
    let w = world().await;
    let response = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/consultations/{}/comments", w.consultation.id),
            &json!({"stance": "question", "body": "Xin hỏi lộ giới hẻm 14 đường Lý Tự Trọng là bao nhiêu mét?", "consent": "private"}),
            &[("authorization", &w.resident)],
        )
        .await;
    let id = response.json()["id"].as_str().unwrap().to_owned();
    w.decide(&id, json!({"decision": "approve"})).await;
    let lead = entity::agencies::Entity::find_by_id(w.consultation.lead_agency_id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let officer = gopy::services::users::create(
        &w.app.state.db,
        gopy::services::users::NewUser {
            email: gopy::domain::account::Email::parse("canbo@vidu.vn").unwrap(),
            password: gopy::domain::account::NewPassword::parse(crate::helpers::PASSWORD).unwrap(),
            display_name: "Cán bộ".to_owned(),
            role: Role::AgencyOfficer,
            agency_code: Some(lead.code.clone()),
            organization_code: None,
            verified: true,
        },
        w.app.state.settings.password,
    )
    .await
    .unwrap();
    let officer = bearer_for(&w.app, &officer).await;
    wait_for(&w.app, "q=lo+gioi+hem+14", Some(&officer), &id, true).await;
    // Not published (the author chose so): nobody else finds it.
    let public = search(&w.app, "q=lo+gioi+hem+14", None).await;
    assert!(!finds(&public, &id));
    let other = account(&w.app, "khac@vidu.vn", "Khác", Role::AgencyOfficer, true).await;
    let other = bearer_for(&w.app, &other).await;
    let theirs = search(&w.app, "q=lo+gioi+hem+14", Some(&other)).await;
    assert!(!finds(&theirs, &id));
}

#[tokio::test]
async fn suggestions_complete_an_unfinished_word_from_public_titles_only() {
    let w = world().await;
    // A pending comment with a rare word: never suggested.
    w.comment("Từ khóa bímật xuất hiện trong ý kiến đang chờ duyệt, không được gợi ý.")
        .await;
    let title = &w.consultation.title;
    let folded = gopy::domain::text::fold(title);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let typed = format!("{} {}", words[0], &words[1][..2]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = w
            .app
            .get(&format!(
                "/api/v1/search/suggest?q={}",
                typed.replace(' ', "+")
            ))
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        let items = response.json();
        if items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["text"] == title.as_str())
        {
            break;
        }
        assert!(Instant::now() < deadline, "{typed}: {items}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secret = w.app.get("/api/v1/search/suggest?q=b%C3%ADm").await.json();
    assert!(secret.as_array().unwrap().is_empty(), "{secret}");
    w.app
        .get(&format!("/api/v1/search/suggest?q={}", "a".repeat(101)))
        .await
        .assert_problem(422, "validation_failed");
}

/// The indexer dies after writing part of a batch, before its commit: what it wrote is lost
/// with it, and the restarted indexer re-applies the batch from the stored position.
#[tokio::test]
async fn an_indexer_killed_mid_batch_loses_nothing_and_doubles_nothing() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let db = &w.app.state.db;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            w.comment(&format!(
                "Ý kiến {i} về vỉa hè đường Nguyễn Văn Cừ nối dài."
            ))
            .await,
        );
    }
    {
        let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
        let mut position = gopy::search::indexer::Position {
            version: gopy::search::SCHEMA_VERSION,
            ..Default::default()
        };
        let mut gaps = std::collections::HashMap::new();
        while gopy::search::indexer::apply_batch(db, &index, &mut position, &mut gaps)
            .await
            .unwrap()
            > 0
        {}
    }
    for i in 6..12 {
        ids.push(
            w.comment(&format!(
                "Ý kiến {i} về vỉa hè đường Nguyễn Văn Cừ nối dài."
            ))
            .await,
        );
    }
    {
        // Half of the new comments written, then the process dies before the commit.
        let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
        for id in &ids[6..9] {
            let docs = gopy::search::documents::comment(
                db,
                index.fields(),
                uuid::Uuid::parse_str(id).unwrap(),
            )
            .await
            .unwrap();
            index
                .with_writer(|writer, _| {
                    for doc in docs {
                        writer.add_document(doc)?;
                    }
                    Ok(())
                })
                .unwrap();
        }
    }
    let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
    let mut position = gopy::search::indexer::stored_position(&index)
        .unwrap()
        .unwrap();
    let mut gaps = std::collections::HashMap::new();
    while gopy::search::indexer::apply_batch(db, &index, &mut position, &mut gaps)
        .await
        .unwrap()
        > 0
    {}
    let searcher = index.searcher();
    let f = index.fields();
    for id in &ids {
        let count = searcher
            .search(
                &tantivy::query::TermQuery::new(
                    tantivy::Term::from_field_text(f.id, &format!("comment_full:{id}")),
                    tantivy::schema::IndexRecordOption::Basic,
                ),
                &tantivy::collector::Count,
            )
            .unwrap();
        assert_eq!(count, 1, "comment {id}");
    }
}

/// How many documents of `index` have the id `id` (`comment:<uuid>`, `comment_full:<uuid>`).
fn documents_with_id(index: &gopy::search::SearchIndex, id: &str) -> usize {
    index
        .searcher()
        .search(
            &tantivy::query::TermQuery::new(
                tantivy::Term::from_field_text(index.fields().id, id),
                tantivy::schema::IndexRecordOption::Basic,
            ),
            &tantivy::collector::Count,
        )
        .unwrap()
}

/// Writers approving comments side by side while a second index follows the outbox: on
/// PostgreSQL their transactions commit in another order than their seqs were taken, and the
/// indexer must neither skip a row that becomes visible late nor apply one twice. On
/// PostgreSQL a transaction is also held open over a later committed row, deterministically.
#[tokio::test]
async fn concurrent_writers_committing_out_of_order_are_all_indexed_once() {
    use gopy::search::indexer::{Position, apply_batch};
    let w = world().await;
    let db = &w.app.state.db;
    let dir = tempfile::tempdir().unwrap();
    let index = gopy::search::SearchIndex::open_or_create(dir.path()).unwrap();
    let mut position = Position {
        version: gopy::search::SCHEMA_VERSION,
        ..Default::default()
    };
    let mut gaps = std::collections::HashMap::new();

    let writer = |k: usize| {
        let w = &w;
        async move {
            let mut ids = Vec::new();
            for i in 0..4 {
                let id = w
                    .comment(&format!("Ý kiến {k}-{i} về bến phà Cần Thơ cũ."))
                    .await;
                w.decide(&id, json!({"decision": "approve"})).await;
                ids.push(id);
            }
            ids
        }
    };
    let done = std::sync::atomic::AtomicBool::new(false);
    let follow = async {
        // Follows the outbox while the writers write, as the node's indexer does.
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            apply_batch(db, &index, &mut position, &mut gaps)
                .await
                .unwrap();
            tokio::task::yield_now().await;
        }
    };
    let writers = async {
        let ids = tokio::join!(
            writer(0),
            writer(1),
            writer(2),
            writer(3),
            writer(4),
            writer(5)
        );
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        ids
    };
    let ((a, b, c, d, e, f), ()) = tokio::join!(writers, follow);
    while apply_batch(db, &index, &mut position, &mut gaps)
        .await
        .unwrap()
        > 0
    {}
    let ids: Vec<String> = [a, b, c, d, e, f].concat();
    assert_eq!(ids.len(), 24);
    for id in &ids {
        assert_eq!(
            documents_with_id(&index, &format!("comment:{id}")),
            1,
            "comment {id}"
        );
        assert_eq!(
            documents_with_id(&index, &format!("comment_full:{id}")),
            1,
            "comment {id}"
        );
    }

    if w.app.db.is_postgres() {
        // A transaction takes its seq, and a later one commits first: a reader that kept only
        // the last seq applied would never read the first.
        let (late, early) = (&ids[0], &ids[1]);
        let uuid = |id: &String| uuid::Uuid::parse_str(id).unwrap();
        let fresh = tempfile::tempdir().unwrap();
        let index = gopy::search::SearchIndex::open_or_create(fresh.path()).unwrap();
        let mut position = position.clone();
        let held = sea_orm::TransactionTrait::begin(db).await.unwrap();
        gopy::services::outbox::enqueue_index(&held, "comment", uuid(late))
            .await
            .unwrap();
        gopy::services::outbox::enqueue_index(db, "comment", uuid(early))
            .await
            .unwrap();
        apply_batch(db, &index, &mut position, &mut gaps)
            .await
            .unwrap();
        assert_eq!(documents_with_id(&index, &format!("comment:{early}")), 1);
        assert_eq!(documents_with_id(&index, &format!("comment:{late}")), 0);
        held.commit().await.unwrap();
        apply_batch(db, &index, &mut position, &mut gaps)
            .await
            .unwrap();
        assert_eq!(
            documents_with_id(&index, &format!("comment:{late}")),
            1,
            "late row applied"
        );
        assert_eq!(
            documents_with_id(&index, &format!("comment:{early}")),
            1,
            "not doubled"
        );
    }
}

#[tokio::test]
async fn snippets_are_escaped_html() {
    let w = world().await;
    let id = w
        .comment("<script>alert('x')</script> Đề nghị trồng cây xanh <b>dọc</b> kênh Xáng Xà No.")
        .await;
    w.decide(&id, json!({"decision": "approve"})).await;
    wait_for(&w.app, "q=kenh+xang+xa+no", None, &id, true).await;
    let results = search(&w.app, "q=kenh+xang+xa+no", None).await;
    let snippet = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"].as_str().unwrap().contains(&id))
        .unwrap()["snippet_html"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!snippet.contains("<script"), "{snippet}");
    assert!(!snippet.contains("<b>"), "{snippet}");
    assert!(snippet.contains("&lt;"), "{snippet}");
    let page = w
        .app
        .get_page("/search?q=kenh+xang+xa+no", None)
        .await
        .text();
    assert!(
        !page.contains("<script>alert"),
        "the page shows the text, never runs it"
    );
}

#[tokio::test]
async fn queries_need_every_word_then_most_codes_find_their_comment_and_titles_are_not_comment_text()
 {
    let w = world().await;
    let id = w
        .comment("Cống thoát nước trước chợ Xuân Khánh bị tắc nghẽn, rác ứ đọng sau mỗi trận mưa.")
        .await;
    w.decide(&id, json!({"decision": "approve"})).await;
    let other = w
        .comment("Cống thoát nước ở chợ Xuân Thới bị vỡ, nước tràn ra đường.")
        .await;
    w.decide(&other, json!({"decision": "approve"})).await;
    wait_for(&w.app, "q=cong+thoat+nuoc+xuan+khanh", None, &id, true).await;
    wait_for(&w.app, "q=cong+thoat+nuoc+xuan+thoi", None, &other, true).await;
    // Results hold every word typed while some do: four of five words are not enough then.
    let all = search(&w.app, "q=cong+thoat+nuoc+xuan+khanh", None).await;
    assert!(!finds(&all, &other), "{all}");
    assert_eq!(all["partial"], false);
    // A handful of results are all counted.
    assert_eq!(all["total_exact"], true);
    assert_eq!(all["total"], all["items"].as_array().unwrap().len());
    // Five words, one of them in no document: four of five are enough, marked as partial.
    let most = search(&w.app, "q=cong+thoat+nuoc+xuan+hoaphat", None).await;
    assert!(finds(&most, &id) && finds(&most, &other), "{most}");
    assert_eq!(most["partial"], true);
    // Three words must all be there; when no result has them all, the results that have some
    // of them come back, marked as partial.
    let some = search(&w.app, "q=cong+thoat+zzkq", None).await;
    assert_eq!(some["partial"], true, "{some}");
    assert!(finds(&some, &id));
    let page = w.app.get_page("/search?q=cong+thoat+zzkq", None).await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=search-partial]").len(),
        1
    );
    // Facets are counted when asked for (the page always asks).
    assert!(most["facets"].as_object().unwrap().is_empty());
    let counted = search(&w.app, "q=cong+thoat+nuoc+xuan+khanh&facets=true", None).await;
    assert!(
        counted["facets"]["consultation_id"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == w.consultation.id.to_string().as_str())
    );
    // A moderator finds the comment by its tracking code, however it is typed; the public
    // does not (the code is not part of the published text).
    let code = comments::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .tracking_code;
    let typed: String = code.to_lowercase().replace('-', "");
    let by_code = search(&w.app, &format!("q={typed}"), Some(&w.moderator)).await;
    assert_eq!(by_code["total"], 1, "{by_code}");
    assert_eq!(by_code["items"][0]["kind"], "comment_full");
    assert_eq!(search(&w.app, &format!("q={code}"), None).await["total"], 0);
    // The consultation's title is shown with the comment but does not make it a match.
    let title_word = search_word(&w.consultation.title);
    assert!(
        !gopy::domain::text::fold(
            "Cống thoát nước trước chợ Xuân Khánh bị tắc nghẽn, rác ứ đọng sau mỗi trận mưa."
        )
        .contains(&title_word)
    );
    let by_title = search(&w.app, &format!("q={title_word}&kind=comment"), None).await;
    assert!(!finds(&by_title, &id));
    let hit = &most["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"].as_str().unwrap().contains(&id))
        .unwrap()
        .clone();
    assert_eq!(hit["title"], w.consultation.title.as_str());
}

#[tokio::test]
async fn the_page_offers_every_facet_with_names() {
    let w = world().await;
    let id = w
        .comment("Đề nghị lắp thêm đèn chiếu sáng hẻm 7 khu dân cư Hồng Phát.")
        .await;
    w.decide(&id, json!({"decision": "approve"})).await;
    wait_for(&w.app, "q=den+chieu+sang+hem+7", None, &id, true).await;
    let page = w.app.get_page("/search?q=den+chieu+sang+hem+7", None).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let facets = select_texts(&html, "[data-testid=facets] a").join(" | ");
    // The consultation is listed by its title, with a link that filters on it.
    assert!(facets.contains(&w.consultation.title), "{facets}");
    assert!(
        page.text()
            .contains(&format!("consultation_id={}", w.consultation.id))
    );
    // The lead agency by its name, once routing has assigned the comment.
    let lead = entity::agencies::Entity::find_by_id(w.consultation.lead_agency_id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = w.app.get_page("/search?q=den+chieu+sang+hem+7", None).await;
        let facets = select_texts(&page.html(), "[data-testid=facets] a").join(" | ");
        if facets.contains(&lead.name) {
            break;
        }
        assert!(Instant::now() < deadline, "agency facet: {facets}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Following the stance facet keeps the words and narrows the results.
    let filtered = w
        .app
        .get_page(
            &format!(
                "/search?q=den+chieu+sang+hem+7&stance=oppose&consultation_id={}",
                w.consultation.id
            ),
            None,
        )
        .await;
    assert_eq!(filtered.status, 200);
    assert!(!select_texts(&filtered.html(), "[data-testid=search-result]").is_empty());
}
