//! Bad input gets a typed 4xx answer, never a 500: problem JSON for the API, pages for HTML.

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use gopy::http::extract::ValidJson;
use http::{Request, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::{TestApp, select_texts};

#[tokio::test]
async fn unknown_api_routes_and_methods_get_problem_json() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/khong-co")
        .await
        .assert_problem(404, "not_found");
    let wrong = app
        .send(
            Request::delete("/api/v1/consultations")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    wrong.assert_problem(405, "method_not_allowed");
    assert!(
        wrong.headers.get(header::ALLOW).is_some(),
        "405 keeps the Allow header"
    );
    app.get("/api/v1/consultations/not-a-uuid")
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn bad_query_strings_name_the_parameter() {
    let app = TestApp::spawn().await;
    let p = app
        .get("/api/v1/consultations?per_page=abc")
        .await
        .assert_problem(400, "invalid_query");
    assert!(p["detail"].as_str().unwrap().contains("per_page"), "{p}");
    let p = app
        .get("/api/v1/consultations?sort=evil")
        .await
        .assert_problem(400, "invalid_query");
    assert!(p["detail"].as_str().unwrap().contains("sort"), "{p}");
    let p = app
        .get("/api/v1/consultations?per_page=1000&page=0")
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["page", "per_page"]);
    app.get("/api/v1/consultations?status=maybe")
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/consultations?page=%FF%FE")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::builder().max_body_bytes(4096).build().await;
    let big = vec![b'a'; 10_000];
    let response = app
        .send(
            Request::post("/api/v1/consultations")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, big.len())
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    response.assert_problem(413, "payload_too_large");
    assert_eq!(
        response.headers["x-content-type-options"], "nosniff",
        "error responses keep security headers"
    );
}

#[tokio::test]
async fn unknown_pages_get_an_error_page_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let page = app.get_page("/khong-ton-tai", None).await;
    assert_eq!(page.status, 404);
    assert!(page.content_type().starts_with("text/html"));
    let doc = page.html();
    assert_eq!(select_texts(&doc, "h1").len(), 1);
    let vi_heading = select_texts(&doc, "h1")[0].clone();
    let en = app.get_page("/khong-ton-tai", Some("lang=en")).await.html();
    assert_ne!(
        select_texts(&en, "h1")[0],
        vi_heading,
        "the English page is in English"
    );
    let page = app.get_page("/consultations/khong-phai-id", None).await;
    assert_eq!(page.status, 404);
    assert!(page.content_type().starts_with("text/html"));
}

/// A router with one JSON endpoint behind gopy's extractor and error middleware.
fn echo_router() -> Router {
    Router::new()
        .route(
            "/echo",
            post(|ValidJson(body): ValidJson<serde_json::Value>| async move { axum::Json(body) }),
        )
        .layer(axum::middleware::from_fn(
            gopy::http::problem::fill_error_bodies,
        ))
}

async fn post_echo(content_type: &str, body: &str) -> (u16, serde_json::Value) {
    let response = echo_router()
        .oneshot(
            Request::post("/echo")
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        if status < 400 {
            "application/json"
        } else {
            "application/problem+json"
        }
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn malformed_json_gets_a_problem_naming_the_fault() {
    let (status, p) = post_echo("application/json", "{\"body\": ").await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "malformed_json")
    );
    let (status, p) = post_echo("text/plain", "{}").await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "unsupported_media_type")
    );
    let (status, body) = post_echo("application/json", "{\"ý_kiến\": \"đồng ý\"}").await;
    assert_eq!(status, 200);
    assert_eq!(body["ý_kiến"], "đồng ý");
}
