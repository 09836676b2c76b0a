//! A browser for page tests: keeps cookies, sends forms as a browser would, plain or
//! `multipart/form-data` with files.

use std::collections::BTreeMap;

use axum::body::Body;
use http::{Request, header};

use super::{TestApp, TestResponse, select_attrs};

const BOUNDARY: &str = "gopy-browser-boundary-3f9a";

/// One field of a multipart form.
pub enum Part<'a> {
    /// A text field: name, value.
    Text(&'a str, &'a str),
    /// A file field: name, file name, declared type, content.
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

/// A browser, maybe signed in.
pub struct Browser<'a> {
    app: &'a TestApp,
    /// Cookies kept, by name.
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    /// A browser with no cookies.
    pub fn anonymous(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// A browser with a fresh session of `user`.
    pub async fn signed_in(app: &'a TestApp, user: &entity::users::Model) -> Self {
        let session =
            gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
                .await
                .unwrap();
        let mut browser = Self::anonymous(app);
        browser
            .cookies
            .insert("gopy_session".to_owned(), session.token);
        browser
    }

    /// The `Cookie` header value.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap();
            let (name, content) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), content.to_owned());
        }
    }

    /// `GET uri`, asking for HTML.
    pub async fn get(&mut self, uri: &str) -> TestResponse {
        let request = Request::get(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Posts a plain form.
    pub async fn post(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        self.send(uri, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }

    /// Posts a `multipart/form-data` form, fields in the order given.
    pub async fn post_multipart(&mut self, uri: &str, parts: &[Part<'_>]) -> TestResponse {
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                            .as_bytes(),
                    );
                    body.extend_from_slice(value.as_bytes());
                }
                Part::File(name, file_name, content_type, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; \
                             filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(uri, &content_type, body).await
    }

    async fn send(&mut self, uri: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        let request = Request::post(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// The CSRF token of the form posting to `action` on an opened page.
    pub fn csrf_of(page: &TestResponse, action: &str) -> String {
        let selector = format!("form[action=\"{action}\"] input[name=csrf_token]");
        select_attrs(&page.html(), &selector, "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form posting to {action}"))
    }

    /// Opens `page`, then posts `pairs` to `action` with the CSRF token of the page.
    pub async fn submit(
        &mut self,
        page: &str,
        action: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        let opened = self.get(page).await;
        assert_eq!(opened.status, 200, "{page}: {}", opened.text());
        let tokens = select_attrs(&opened.html(), "input[name=csrf_token]", "value");
        let token = tokens.first().expect("a form with a CSRF token").clone();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(pairs);
        self.post(action, &all).await
    }
}
