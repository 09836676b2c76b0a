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

/// Waits until a search finds (or stops finding) `needle` among the results' ids.
async fn wait_for(app: &TestApp, query: &str, auth: Option<&str>, needle: &str, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = search(app, query, auth).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"].as_str().unwrap_or_default().contains(needle));
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
        assert!(
            results["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| !i["id"].as_str().unwrap().contains(&id)),
            "{q}: {results}"
        );
    }
    // Facets count what was found.
    let facets = &search(&w.app, "q=mau+than", None).await["facets"];
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
    assert!(
        public["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["id"].as_str().unwrap().contains(&id)),
        "{public}"
    );
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
