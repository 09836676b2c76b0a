//! Operations endpoints, the OpenAPI document, and a real TCP round trip.

use gopy::config::Settings;
use gopy::startup::Application;
use tokio_util::sync::CancellationToken;

use crate::helpers::{TestApp, TestDb};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.text());
    assert_eq!(ready.json()["checks"]["database"], true);
    assert_eq!(ready.json()["checks"]["search_index"], true);
    assert!(
        health.headers.get("x-request-id").is_some(),
        "every response carries a request id"
    );
    assert_eq!(health.headers["x-content-type-options"], "nosniff");
    assert!(
        health.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );

    app.get("/api/v1/consultations").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type().starts_with("text/plain"));
    let text = metrics.text();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("gopy_http_requests_total")
                && l.contains("route=\"/api/v1/consultations\"")
        })
        .unwrap_or_else(|| panic!("request counted by route pattern:\n{text}"));
    assert!(line.ends_with(" 1"), "{line}");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.state.db.clone().close().await.unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["checks"]["database"], false);
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_api_route() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/consultations",
        "/api/v1/consultations/{id}",
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/agencies",
        "/api/v1/organizations",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
        // Every documented route answers something other than 404/405 on GET.
        let concrete = path
            .replace("{id}", &uuid::Uuid::nil().to_string())
            .replace("{code}", "31150");
        let status = app.get(&concrete).await.status;
        assert!(
            status == 200 || status == 404 && concrete.contains("00000000"),
            "{path}: {status}"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn the_server_answers_over_tcp_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(dir.path()).await;
    let app = Application::build(Settings::for_tests(dir.path(), &db.url))
        .await
        .unwrap();
    let addr = app.local_addr().unwrap();
    assert_ne!(addr.port(), 0);
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(shutdown.clone()));
    let body: serde_json::Value = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ok");
    shutdown.cancel();
    server.await.unwrap().unwrap();
    assert!(
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_err(),
        "stopped"
    );
}
