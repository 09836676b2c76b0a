//! Test harness: a fresh migrated database per test (SQLite file, or a fresh PostgreSQL
//! database when `TEST_DATABASE_URL` is set), the real router through `oneshot`.

#![allow(dead_code, reason = "each test uses a subset of the helpers")]

pub mod browser;
pub mod smtp;

use axum::Router;
use axum::body::Body;
use gopy::config::Settings;
use gopy::startup::Application;
use gopy::state::AppState;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;
use tower::ServiceExt;

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    /// URL the application connects to.
    pub url: String,
    /// For PostgreSQL: the server URL and database name to drop afterwards.
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Creates a fresh database (SQLite in `dir`, or PostgreSQL when `TEST_DATABASE_URL` is set).
    pub async fn create(dir: &std::path::Path) -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                let name = format!("gopy_test_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(&server)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = server
                    .rsplit_once('/')
                    .map_or(server.as_str(), |(b, _)| b)
                    .to_owned();
                Self {
                    url: format!("{base}/{name}"),
                    pg: Some((server, name)),
                }
            }
            _ => Self {
                url: format!("sqlite://{}?mode=rwc", dir.join("gopy.db").display()),
                pg: None,
            },
        }
    }

    /// Whether this test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.pg.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread removes the database.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&server).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

/// A running application for one test.
pub struct TestApp {
    /// Shared state (database, settings ...).
    pub state: AppState,
    /// The router, called through `oneshot`.
    pub router: Router,
    /// What the first run reported.
    pub first_run: gopy::services::first_run::Report,
    /// The test's data directory.
    pub dir: TempDir,
    /// The test's database (dropped last).
    pub db: TestDb,
}

/// A change a test makes to the settings before the application is built.
type SettingsChange = Box<dyn FnOnce(&mut Settings)>;

/// Builder for test applications.
pub struct TestAppBuilder {
    samples: bool,
    max_body_bytes: Option<usize>,
    smtp_port: Option<u16>,
    public_url: Option<String>,
    configure: Option<SettingsChange>,
}

impl TestApp {
    /// An application with reference data but no sample consultations.
    pub async fn spawn() -> Self {
        Self::builder().build().await
    }

    /// An application with the sample consultations loaded.
    pub async fn with_samples() -> Self {
        Self::builder().samples().build().await
    }

    /// Starts a builder.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            samples: false,
            max_body_bytes: None,
            smtp_port: None,
            public_url: None,
            configure: None,
        }
    }

    /// Settings for this test's data dir and database.
    pub fn settings(dir: &std::path::Path, db: &TestDb) -> Settings {
        Settings::for_tests(dir, &db.url)
    }

    /// Sends a request through the real router.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends a JSON request (method, uri, body) with optional extra headers.
    pub async fn json(
        &self,
        method: http::Method,
        uri: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// `GET uri` as a browser that asks for HTML, with optional cookie.
    pub async fn get_page(&self, uri: &str, cookie: Option<&str>) -> TestResponse {
        let mut builder =
            Request::get(uri).header(header::ACCEPT, "text/html,application/xhtml+xml");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.send(builder.body(Body::empty()).expect("request"))
            .await
    }
}

impl TestAppBuilder {
    /// Loads the sample consultations.
    pub fn samples(mut self) -> Self {
        self.samples = true;
        self
    }

    /// Sets the request body limit.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = Some(bytes);
        self
    }

    /// Sends mail to an SMTP server (a [`smtp::SmtpSink`]) on this local port.
    pub fn smtp(mut self, port: u16) -> Self {
        self.smtp_port = Some(port);
        self
    }

    /// Sets the public URL (an `https://` one turns on HSTS and secure cookies).
    pub fn public_url(mut self, url: &str) -> Self {
        self.public_url = Some(url.to_owned());
        self
    }

    /// Changes any setting before the application is built.
    pub fn configure(mut self, change: impl FnOnce(&mut Settings) + 'static) -> Self {
        self.configure = Some(Box::new(change));
        self
    }

    /// Builds the application on a fresh database.
    pub async fn build(self) -> TestApp {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::create(dir.path()).await;
        let mut settings = TestApp::settings(dir.path(), &db);
        settings.load_samples = self.samples;
        if let Some(bytes) = self.max_body_bytes {
            settings.max_body_bytes = bytes;
        }
        if let Some(url) = self.public_url {
            settings.public_url = Some(url);
        }
        if let Some(change) = self.configure {
            change(&mut settings);
        }
        if let Some(port) = self.smtp_port {
            settings.smtp = Some(gopy::config::SmtpSettings {
                host: "127.0.0.1".to_owned(),
                port,
                tls: gopy::config::SmtpTls::None,
                username: None,
                password: None,
            });
        }
        let app = Application::build(settings)
            .await
            .expect("application builds");
        let state = app.state().clone();
        let first_run = app.first_run;
        let router = gopy::http::router(state.clone());
        TestApp {
            state,
            router,
            first_run,
            dir,
            db,
        }
    }
}

/// Shows gopy's logs (warnings and errors) in the output of failing tests.
fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
    });
}

/// A response with its body read.
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// Body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body as a parsed HTML document.
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.text())
    }

    /// The Content-Type header.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem document with this status and code, and returns it.
    pub fn assert_problem(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "status; body: {}",
            self.text()
        );
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "content type"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert_eq!(problem["code"], code, "problem: {problem}");
        assert!(problem["title"].is_string());
        problem
    }
}

/// The password of every account made by [`account`].
pub const PASSWORD: &str = "mật khẩu thử nghiệm";

/// Creates an account of `role` with the usual test membership (officers: SXD;
/// representatives: HLHPN-TP; moderators: MTTQ-TP) and the password [`PASSWORD`].
pub async fn account(
    app: &TestApp,
    email: &str,
    name: &str,
    role: entity::enums::Role,
    verified: bool,
) -> entity::users::Model {
    use entity::enums::Role;
    let (agency, organization) = match role {
        Role::AgencyOfficer => (Some("SXD".to_owned()), None),
        Role::OrganizationRep => (None, Some("HLHPN-TP".to_owned())),
        Role::Moderator => (None, Some("MTTQ-TP".to_owned())),
        _ => (None, None),
    };
    let new = gopy::services::users::NewUser {
        email: gopy::domain::account::Email::parse(email).expect("email"),
        password: gopy::domain::account::NewPassword::parse(PASSWORD).expect("password"),
        display_name: name.to_owned(),
        role,
        agency_code: agency,
        organization_code: organization,
        verified,
    };
    gopy::services::users::create(&app.state.db, new, app.state.settings.password)
        .await
        .expect("account")
}

/// A fresh session of `user`, as an `Authorization` header value.
pub async fn bearer_for(app: &TestApp, user: &entity::users::Model) -> String {
    let session =
        gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
            .await
            .expect("session");
    format!("Bearer {}", session.token)
}

/// Marks a request as coming from `ip` (as the real server's connection info would).
pub fn from_ip(mut request: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    let addr = std::net::SocketAddr::from((ip, 40_000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    request
}

/// Texts of all elements matching a CSS selector.
pub fn select_texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// An attribute of all elements matching a CSS selector.
pub fn select_attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(ToOwned::to_owned))
        .collect()
}
