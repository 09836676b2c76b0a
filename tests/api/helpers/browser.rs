//! A browser with a session for page tests: keeps cookies, sends forms with the CSRF token of
//! the page it last opened.

use std::collections::BTreeMap;

use axum::body::Body;
use http::{Request, header};

use super::{TestApp, TestResponse, select_attrs};

/// A browser: cookies plus the CSRF token of the last page.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    /// A visitor without a session.
    pub fn anonymous(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in as `user`.
    pub async fn signed_in(app: &'a TestApp, user: &entity::users::Model) -> Self {
        let session =
            gopy::services::sessions::open(&app.state.db, user.id, None, None, &app.state.settings)
                .await
                .expect("session");
        let mut browser = Self::anonymous(app);
        browser
            .cookies
            .insert("gopy_session".to_owned(), session.token);
        browser
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().expect("cookie");
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, content)) = pair.split_once('=') {
                self.cookies.insert(name.to_owned(), content.to_owned());
            }
        }
    }

    /// `GET uri` as HTML.
    pub async fn get(&mut self, uri: &str) -> TestResponse {
        let request = Request::get(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Posts a form as it is (include `csrf_token` yourself, or use [`Self::submit`]).
    pub async fn post(&mut self, uri: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let request = Request::post(uri)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(
                serde_urlencoded::to_string(pairs).expect("form"),
            ))
            .expect("request");
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Opens `page`, then posts `pairs` to `action` with the page's CSRF token.
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
