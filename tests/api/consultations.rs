//! Public reading of consultations: the API and the pages.

use serde_json::Value;

use crate::helpers::{TestApp, select_attrs, select_texts};

fn samples() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../data/samples/consultations.json")).unwrap();
    file["consultations"].as_array().unwrap().clone()
}

fn count_nodes(nodes: &Value) -> usize {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| 1 + count_nodes(&n["children"]))
        .sum()
}

#[tokio::test]
async fn the_api_lists_open_consultations_and_shows_their_clauses() {
    let app = TestApp::with_samples().await;
    let samples = samples();
    let list = app.get("/api/v1/consultations?status=open").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list["total"], samples.len());
    let items = list["items"].as_array().unwrap();
    for item in items {
        assert_eq!(item["status"], "open");
        // RFC 3339 UTC times.
        let closes = item["closes_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(closes).is_ok(),
            "{closes}"
        );
        assert!(closes.ends_with('Z'), "{closes}");
    }
    let closed = app.get("/api/v1/consultations?status=closed").await.json();
    assert_eq!(closed["total"], 0);

    for sample in &samples {
        let item = items
            .iter()
            .find(|i| i["title"] == sample["title"])
            .expect("sample listed");
        assert_eq!(item["lead_agency"]["code"], sample["lead_agency"]);
        let detail = app
            .get(&format!(
                "/api/v1/consultations/{}",
                item["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(detail.status, 200);
        let detail = detail.json();
        let clauses = detail["clauses"].as_array().unwrap();
        assert_eq!(clauses.len(), count_nodes(&sample["clauses"]));
        assert_eq!(
            detail["units"].as_array().unwrap().len(),
            sample["units"].as_array().unwrap().len()
        );
        let anchors: std::collections::HashSet<&str> = clauses
            .iter()
            .map(|c| c["anchor"].as_str().unwrap())
            .collect();
        assert_eq!(anchors.len(), clauses.len(), "anchors are unique");
        let first = &sample["clauses"][0];
        assert_eq!(clauses[0]["level"], first["level"]);
        assert_eq!(clauses[0]["number"], first["number"]);
        assert!(clauses[0]["parent_id"].is_null());
        assert_eq!(
            clauses[1]["parent_id"], clauses[0]["id"],
            "the second node is the first one's child"
        );
    }
}

#[tokio::test]
async fn pagination_is_stable_and_complete() {
    let app = TestApp::with_samples().await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let body = app
            .get(&format!("/api/v1/consultations?per_page=1&page={page}"))
            .await
            .json();
        assert_eq!(body["per_page"], 1);
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), samples().len().min(3));
}

#[tokio::test]
async fn a_legacy_ward_resolves_to_the_unit_that_took_it_over() {
    let app = TestApp::spawn().await;
    let reference: Value =
        serde_json::from_str(include_str!("../../data/reference/can-tho.json")).unwrap();
    let legacy = reference["units_legacy"].as_array().unwrap();
    let merged = legacy
        .iter()
        .find(|u| {
            u["merged_into"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c != &u["code"])
        })
        .expect("a ward merged into another code");
    let code = merged["code"].as_str().unwrap();

    let today = app
        .get(&format!("/api/v1/units/{code}?on=2026-01-15"))
        .await;
    assert_eq!(today.status, 200, "{}", today.text());
    let today = today.json();
    assert_eq!(today["unit"]["valid_to"], "2025-06-30");
    assert_eq!(today["unit"]["name"], merged["ward"]);
    assert_eq!(
        today["parent"]["name"], merged["district"],
        "the old district is kept"
    );
    let mut current: Vec<&str> = today["current"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = merged["merged_into"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    current.sort_unstable();
    expected.sort_unstable();
    assert_eq!(current, expected);

    let before = app
        .get(&format!("/api/v1/units/{code}?on=2025-03-01"))
        .await
        .json();
    assert_eq!(
        before["current"][0]["code"], code,
        "before the reform the ward was itself in force"
    );

    let units = app.get("/api/v1/units?on=2026-01-15").await.json();
    let communes = units
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["level"] == "commune")
        .count();
    assert_eq!(
        communes,
        reference["units_current"].as_array().unwrap().len()
    );
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["level"] != "district"),
        "no district level today"
    );

    app.get("/api/v1/units/00000")
        .await
        .assert_problem(404, "not_found");
    let bad = app
        .get("/api/v1/units?on=30-06-2025")
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["field"], "on");
}

#[tokio::test]
async fn the_home_page_lists_open_consultations_in_vietnamese() {
    let app = TestApp::with_samples().await;
    let page = app.get_page("/", None).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    let doc = page.html();
    assert_eq!(select_attrs(&doc, "html", "lang"), vec!["vi"]);
    let titles = select_texts(
        &doc,
        "[data-testid=consultation-list] a[href^='/consultations/']",
    );
    for sample in samples() {
        assert!(
            titles
                .iter()
                .any(|t| t == sample["title"].as_str().unwrap()),
            "{titles:?}"
        );
    }
    assert_eq!(select_texts(&doc, "h1").len(), 1);
}

#[tokio::test]
async fn the_consultation_page_shows_every_clause_with_an_anchor() {
    let app = TestApp::with_samples().await;
    let home = app.get_page("/", None).await.html();
    let links = select_attrs(
        &home,
        "[data-testid=consultation-list] a[href^='/consultations/']",
        "href",
    );
    let sample = &samples()[0];
    let titles = select_texts(
        &home,
        "[data-testid=consultation-list] a[href^='/consultations/']",
    );
    let index = titles
        .iter()
        .position(|t| t == sample["title"].as_str().unwrap())
        .unwrap();
    let page = app.get_page(&links[index], None).await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    assert_eq!(
        select_texts(&doc, "h1"),
        vec![sample["title"].as_str().unwrap().to_owned()]
    );
    let toc = select_attrs(&doc, "[data-testid=clause-toc] a", "href");
    let sections = select_attrs(&doc, "[data-testid=clause]", "id");
    let expected = count_nodes(&sample["clauses"]);
    assert_eq!(toc.len(), expected);
    assert_eq!(sections.len(), expected);
    for (link, id) in toc.iter().zip(&sections) {
        assert_eq!(
            link,
            &format!("#{id}"),
            "each TOC entry points at its section"
        );
    }
    let text = page.text();
    let first_khoan = sample["clauses"][0]["children"][0]["children"][0]["body"]
        .as_str()
        .unwrap();
    // Output is HTML-escaped, so compare on the parsed document's text.
    let all_text: String = doc.root_element().text().collect();
    assert!(
        all_text.contains(first_khoan) || first_khoan.is_empty(),
        "clause text is shown"
    );
    assert!(!text.contains("{{"), "no unrendered template syntax");
}

#[tokio::test]
async fn drafts_and_unknown_ids_are_not_found() {
    use entity::consultations;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::with_samples().await;
    let one = consultations::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let id = one.id;
    let mut draft: consultations::ActiveModel = one.into();
    draft.status = Set(entity::enums::ConsultationStatus::Draft);
    draft.update(&app.state.db).await.unwrap();
    app.get(&format!("/api/v1/consultations/{id}"))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get_page(&format!("/consultations/{id}"), None)
            .await
            .status,
        404
    );
    let list = app.get("/api/v1/consultations").await.json();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != id.to_string())
    );
    app.get(&format!("/api/v1/consultations/{}", uuid::Uuid::now_v7()))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_window_that_has_passed_reads_as_closed() {
    use entity::consultations;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::with_samples().await;
    let one = consultations::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let id = one.id;
    let mut past: consultations::ActiveModel = one.into();
    past.closes_at = Set(chrono::Utc::now() - chrono::Duration::days(1));
    past.update(&app.state.db).await.unwrap();
    let detail = app.get(&format!("/api/v1/consultations/{id}")).await.json();
    assert_eq!(detail["status"], "closed");
    let closed = app.get("/api/v1/consultations?status=closed").await.json();
    assert_eq!(closed["total"], 1);
    let open = app.get("/api/v1/consultations?status=open").await.json();
    assert_eq!(
        open["total"].as_u64().unwrap() as usize,
        samples().len() - 1
    );
}

#[tokio::test]
async fn the_list_filters_by_kind_agency_and_unit_and_puts_open_ones_first() {
    use entity::consultations;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::with_samples().await;
    let samples = samples();
    let titles = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    for sample in &samples {
        let kind = sample["kind"].as_str().unwrap();
        let expected = samples.iter().filter(|s| s["kind"] == kind).count();
        let body = app
            .get(&format!("/api/v1/consultations?kind={kind}"))
            .await
            .json();
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            expected,
            "kind {kind}"
        );
        let agency = sample["lead_agency"].as_str().unwrap();
        let expected = samples
            .iter()
            .filter(|s| s["lead_agency"] == agency)
            .count();
        let body = app
            .get(&format!("/api/v1/consultations?lead_agency={agency}"))
            .await
            .json();
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            expected,
            "agency {agency}"
        );
    }
    // A unit named by only one sample finds exactly that sample, by today's or a pre-2025 code.
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../data/reference/can-tho.json")).unwrap();
    let (sample, code) = samples
        .iter()
        .flat_map(|s| {
            s["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |u| (s, u.as_str().unwrap()))
        })
        .find(|(_, code)| {
            samples
                .iter()
                .filter(|s| s["units"].as_array().unwrap().iter().any(|u| u == code))
                .count()
                == 1
        })
        .expect("a unit named by one sample only");
    let body = app
        .get(&format!("/api/v1/consultations?unit={code}"))
        .await
        .json();
    assert_eq!(
        titles(&body),
        vec![sample["title"].as_str().unwrap().to_owned()]
    );
    let legacy = reference["units_legacy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["merged_into"].as_array().unwrap().len() == 1
                && u["merged_into"][0] == code
                && u["code"] != code
        });
    if let Some(legacy) = legacy {
        let body = app
            .get(&format!(
                "/api/v1/consultations?unit={}",
                legacy["code"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(
            titles(&body),
            vec![sample["title"].as_str().unwrap().to_owned()],
            "old code finds today's unit"
        );
    }
    for bad in ["kind=villa", "lead_agency=KHONG", "unit=99999"] {
        app.get(&format!("/api/v1/consultations?{bad}"))
            .await
            .assert_problem(422, "validation_failed");
    }

    // Close the consultation that closes last: it moves to the end, open ones stay first.
    let rows = consultations::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let latest = rows.iter().max_by_key(|c| c.closes_at).unwrap().clone();
    let mut closed: consultations::ActiveModel = latest.clone().into();
    closed.closes_at = Set(chrono::Utc::now() - chrono::Duration::days(1));
    closed.update(&app.state.db).await.unwrap();
    let body = app.get("/api/v1/consultations").await.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.last().unwrap()["id"], latest.id.to_string());
    assert_eq!(items.last().unwrap()["status"], "closed");
    let open_closes: Vec<&str> = items
        .iter()
        .filter(|i| i["status"] == "open")
        .map(|i| i["closes_at"].as_str().unwrap())
        .collect();
    let mut sorted = open_closes.clone();
    sorted.sort_unstable();
    assert_eq!(open_closes, sorted, "open ones closing soonest first");
}
