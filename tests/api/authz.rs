//! The authorization matrix: every route of the API and of the pages, with every role and with
//! no session, against the access rule decided for it. A route added without a rule here fails
//! the test, so no route ships unchecked.

use axum::body::Body;
use entity::enums::Role;
use gopy::domain::account::{Email, NewPassword};
use gopy::services::users::{NewUser, create};
use http::{Method, Request, header};

use crate::helpers::TestApp;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Residents and organization representatives (who comment and endorse).
    Commenter,
    /// Agency officers and admins (who write consultations).
    Author,
    /// Moderators and admins (who import comments keyed in from paper forms and meetings).
    Moderator,
    /// Agency officers (the inbox of their agency; admins are not officers).
    Officer,
    /// Moderators only (who decide on comments; not even admins, nor officers of the lead
    /// agency: separation of powers).
    Moderation,
    /// Admins only.
    Admin,
}

/// The decided rule of every route. Keep in step with `gopy::http::route_table()`.
const RULES: &[(&str, &str, Rule)] = &[
    ("GET", "/", Rule::Public),
    ("GET", "/consultations", Rule::Public),
    ("GET", "/consultations/{id}", Rule::Public),
    ("GET", "/consultations/{id}/comment", Rule::Commenter),
    ("POST", "/consultations/{id}/comment", Rule::Commenter),
    ("GET", "/consultations/{id}/acceptance", Rule::Public),
    ("GET", "/consultations/{id}/synthesis", Rule::Public),
    ("GET", "/supervision", Rule::Public),
    ("GET", "/consultations/{id}/critiques", Rule::Public),
    ("POST", "/consultations/{id}/critiques", Rule::Moderation),
    ("GET", "/critiques/{id}", Rule::Public),
    ("POST", "/critiques/{id}", Rule::Moderation),
    ("POST", "/critiques/{id}/send", Rule::Moderation),
    ("POST", "/critiques/{id}/reply", Rule::SignedIn),
    ("GET", "/supervision/agencies/{code}", Rule::Public),
    (
        "POST",
        "/consultations/{id}/synthesis/themes",
        Rule::Moderation,
    ),
    (
        "POST",
        "/consultations/{id}/synthesis/themes/{theme_id}",
        Rule::Moderation,
    ),
    (
        "POST",
        "/consultations/{id}/synthesis/suggestions/{campaign_id}",
        Rule::Moderation,
    ),
    (
        "GET",
        "/consultations/{id}/acceptance/{format}",
        Rule::Public,
    ),
    (
        "POST",
        "/consultations/{id}/acceptance/sign-off",
        Rule::SignedIn,
    ),
    ("GET", "/comments/{id}", Rule::Public),
    ("GET", "/comments/{id}/receipt", Rule::SignedIn),
    ("GET", "/comments/{id}/edit", Rule::Commenter),
    ("POST", "/comments/{id}/edit", Rule::Commenter),
    ("GET", "/moderation/import", Rule::Moderator),
    ("POST", "/moderation/import", Rule::Moderator),
    ("GET", "/moderation/import/example.csv", Rule::Moderator),
    ("POST", "/comments/{id}/endorse", Rule::Commenter),
    ("GET", "/track", Rule::Public),
    ("GET", "/track/{code}", Rule::Public),
    ("GET", "/audit", Rule::Public),
    ("GET", "/open-data", Rule::Public),
    ("GET", "/feeds/consultations.atom", Rule::Public),
    ("GET", "/feeds/answers.atom", Rule::Public),
    ("GET", "/api/v1/open-data/{dataset}", Rule::Public),
    ("GET", "/open311/v2/services.json", Rule::Public),
    ("GET", "/open311/v2/requests.json", Rule::Public),
    ("GET", "/open311/v2/requests/{id}", Rule::Public),
    ("GET", "/account/comments", Rule::SignedIn),
    ("GET", "/lang/{code}", Rule::Public),
    ("GET", "/static/{file}", Rule::Public),
    ("GET", "/account/signup", Rule::Public),
    ("POST", "/account/signup", Rule::Public),
    ("GET", "/account/check-mail", Rule::Public),
    ("GET", "/account/verify", Rule::Public),
    ("POST", "/account/verify", Rule::Public),
    ("GET", "/account/signin", Rule::Public),
    ("POST", "/account/signin", Rule::Public),
    ("POST", "/account/signout", Rule::Public),
    ("POST", "/account/signout-everywhere", Rule::SignedIn),
    ("GET", "/account/reset", Rule::Public),
    ("POST", "/account/reset", Rule::Public),
    ("GET", "/account/reset/confirm", Rule::Public),
    ("POST", "/account/reset/confirm", Rule::Public),
    ("GET", "/account", Rule::SignedIn),
    ("POST", "/account/profile", Rule::SignedIn),
    ("POST", "/account/verification", Rule::SignedIn),
    ("GET", "/account/data", Rule::SignedIn),
    ("GET", "/account/data.json", Rule::SignedIn),
    ("POST", "/account/erase", Rule::SignedIn),
    ("GET", "/account/erased", Rule::Public),
    ("GET", "/account/tokens", Rule::SignedIn),
    ("POST", "/account/tokens", Rule::SignedIn),
    ("POST", "/account/tokens/{id}/revoke", Rule::SignedIn),
    ("GET", "/admin/users", Rule::Admin),
    ("POST", "/admin/users", Rule::Admin),
    ("GET", "/admin/users/new", Rule::Admin),
    ("POST", "/admin/users/{id}/activate", Rule::Admin),
    ("POST", "/admin/users/{id}/deactivate", Rule::Admin),
    ("POST", "/admin/users/{id}/reset", Rule::Admin),
    ("GET", "/admin/routing", Rule::Admin),
    ("POST", "/admin/routing", Rule::Admin),
    ("POST", "/admin/routing/{id}/activate", Rule::Admin),
    ("POST", "/admin/routing/{id}/deactivate", Rule::Admin),
    ("POST", "/admin/routing/{id}/delete", Rule::Admin),
    ("GET", "/admin/calendar", Rule::Admin),
    ("POST", "/admin/calendar", Rule::Admin),
    ("POST", "/admin/calendar/remove", Rule::Admin),
    ("GET", "/account/notifications", Rule::SignedIn),
    ("POST", "/account/notifications/read", Rule::SignedIn),
    ("POST", "/account/notifications/{id}/open", Rule::SignedIn),
    ("GET", "/agency/consultations", Rule::Author),
    ("GET", "/agency/consultations/new", Rule::Author),
    ("POST", "/agency/consultations/new", Rule::Author),
    ("GET", "/agency/consultations/{id}", Rule::Author),
    ("POST", "/agency/consultations/{id}", Rule::Author),
    ("POST", "/agency/consultations/{id}/text", Rule::Author),
    (
        "POST",
        "/agency/consultations/{id}/clauses/{clause_id}",
        Rule::Author,
    ),
    (
        "POST",
        "/agency/consultations/{id}/clauses/{clause_id}/delete",
        Rule::Author,
    ),
    ("POST", "/agency/consultations/{id}/documents", Rule::Author),
    ("POST", "/agency/documents/{id}/delete", Rule::Author),
    ("POST", "/agency/consultations/{id}/publish", Rule::Author),
    ("POST", "/agency/consultations/{id}/close", Rule::Author),
    ("POST", "/agency/consultations/{id}/versions", Rule::Author),
    ("POST", "/agency/consultations/{id}/delete", Rule::Author),
    ("GET", "/healthz", Rule::Public),
    ("GET", "/readyz", Rule::Public),
    ("GET", "/metrics", Rule::Public),
    ("GET", "/api/v1/openapi.json", Rule::Public),
    ("POST", "/api/v1/auth/login", Rule::Public),
    ("POST", "/api/v1/auth/logout", Rule::SignedIn),
    ("POST", "/api/v1/auth/logout-everywhere", Rule::SignedIn),
    ("POST", "/api/v1/auth/register", Rule::Public),
    ("POST", "/api/v1/auth/verify", Rule::Public),
    ("POST", "/api/v1/auth/password-reset", Rule::Public),
    ("POST", "/api/v1/auth/password-reset/confirm", Rule::Public),
    ("GET", "/api/v1/me", Rule::SignedIn),
    ("PATCH", "/api/v1/me", Rule::SignedIn),
    ("DELETE", "/api/v1/me", Rule::SignedIn),
    ("GET", "/api/v1/me/export", Rule::SignedIn),
    ("GET", "/api/v1/me/tokens", Rule::SignedIn),
    ("POST", "/api/v1/me/tokens", Rule::SignedIn),
    ("DELETE", "/api/v1/me/tokens/{id}", Rule::SignedIn),
    ("GET", "/api/v1/admin/users", Rule::Admin),
    ("POST", "/api/v1/admin/users", Rule::Admin),
    ("PATCH", "/api/v1/admin/users/{id}", Rule::Admin),
    (
        "POST",
        "/api/v1/admin/users/{id}/password-reset",
        Rule::Admin,
    ),
    ("GET", "/api/v1/consultations", Rule::Public),
    ("POST", "/api/v1/consultations", Rule::Author),
    ("PATCH", "/api/v1/consultations/{id}", Rule::Author),
    ("DELETE", "/api/v1/consultations/{id}", Rule::Author),
    ("PUT", "/api/v1/consultations/{id}/clauses", Rule::Author),
    (
        "PATCH",
        "/api/v1/consultations/{id}/clauses/{clause_id}",
        Rule::Author,
    ),
    (
        "DELETE",
        "/api/v1/consultations/{id}/clauses/{clause_id}",
        Rule::Author,
    ),
    ("POST", "/api/v1/consultations/{id}/publish", Rule::Author),
    ("POST", "/api/v1/consultations/{id}/close", Rule::Author),
    ("POST", "/api/v1/consultations/{id}/versions", Rule::Author),
    ("GET", "/api/v1/consultations/{id}", Rule::Public),
    ("GET", "/api/v1/consultations/{id}/comments", Rule::Public),
    (
        "POST",
        "/api/v1/consultations/{id}/comments",
        Rule::Commenter,
    ),
    (
        "POST",
        "/api/v1/consultations/{id}/comments/import",
        Rule::Moderator,
    ),
    ("GET", "/api/v1/comments/{id}", Rule::Public),
    ("PATCH", "/api/v1/comments/{id}", Rule::Commenter),
    (
        "POST",
        "/api/v1/comments/{id}/endorsements",
        Rule::Commenter,
    ),
    ("GET", "/api/v1/track/{code}", Rule::Public),
    ("GET", "/api/v1/search", Rule::Public),
    ("GET", "/api/v1/search/suggest", Rule::Public),
    ("GET", "/search", Rule::Public),
    ("GET", "/api/v1/moderation/queue", Rule::Moderation),
    ("GET", "/api/v1/inbox", Rule::Officer),
    ("GET", "/api/v1/assignments/{id}", Rule::SignedIn),
    ("POST", "/api/v1/assignments/{id}/answer", Rule::Officer),
    ("POST", "/api/v1/assignments/{id}/transfer", Rule::Officer),
    ("POST", "/api/v1/assignments/{id}/extension", Rule::Officer),
    ("GET", "/api/v1/assignment-requests", Rule::Moderation),
    (
        "POST",
        "/api/v1/assignment-requests/{id}/decision",
        Rule::Moderation,
    ),
    ("GET", "/agency/inbox", Rule::Officer),
    ("GET", "/agency/inbox/{id}", Rule::Officer),
    ("POST", "/agency/inbox/{id}/answer", Rule::Officer),
    ("POST", "/agency/inbox/{id}/transfer", Rule::Officer),
    ("POST", "/agency/inbox/{id}/extension", Rule::Officer),
    ("GET", "/moderation/requests", Rule::Moderation),
    ("POST", "/moderation/requests/{id}", Rule::Moderation),
    ("GET", "/api/v1/moderation/comments/{id}", Rule::Moderation),
    ("POST", "/api/v1/comments/{id}/moderation", Rule::Moderation),
    ("POST", "/api/v1/moderation/bulk", Rule::Moderation),
    ("GET", "/api/v1/moderation/campaigns", Rule::Moderation),
    ("GET", "/moderation", Rule::Moderation),
    ("POST", "/moderation/bulk", Rule::Moderation),
    ("GET", "/moderation/comments/{id}", Rule::Moderation),
    ("POST", "/moderation/comments/{id}", Rule::Moderation),
    ("POST", "/api/v1/comments/{id}/attachments", Rule::Commenter),
    ("GET", "/api/v1/comments/{id}/attachments", Rule::Public),
    ("GET", "/api/v1/attachments/{id}", Rule::Public),
    ("POST", "/api/v1/consultations/{id}/documents", Rule::Author),
    ("GET", "/api/v1/consultations/{id}/documents", Rule::Public),
    ("GET", "/api/v1/documents/{id}", Rule::Public),
    ("DELETE", "/api/v1/documents/{id}", Rule::Author),
    ("GET", "/api/v1/units", Rule::Public),
    ("GET", "/api/v1/units/{code}", Rule::Public),
    ("GET", "/api/v1/agencies", Rule::Public),
    ("GET", "/api/v1/organizations", Rule::Public),
    ("GET", "/api/v1/routing-rules", Rule::Admin),
    ("POST", "/api/v1/routing-rules", Rule::Admin),
    ("PATCH", "/api/v1/routing-rules/{id}", Rule::Admin),
    ("DELETE", "/api/v1/routing-rules/{id}", Rule::Admin),
    ("GET", "/api/v1/calendar", Rule::Public),
    ("POST", "/api/v1/calendar/days", Rule::Admin),
    ("DELETE", "/api/v1/calendar/days/{date}", Rule::Admin),
    ("GET", "/api/v1/notifications", Rule::SignedIn),
    ("POST", "/api/v1/notifications/read", Rule::SignedIn),
    ("GET", "/api/v1/audit/head", Rule::Public),
    ("GET", "/api/v1/consultations/{id}/acceptance", Rule::Public),
    ("GET", "/api/v1/consultations/{id}/synthesis", Rule::Public),
    ("GET", "/api/v1/supervision", Rule::Public),
    ("GET", "/api/v1/consultations/{id}/critiques", Rule::Public),
    (
        "POST",
        "/api/v1/consultations/{id}/critiques",
        Rule::SignedIn,
    ),
    ("GET", "/api/v1/critiques/{id}", Rule::Public),
    ("PATCH", "/api/v1/critiques/{id}", Rule::SignedIn),
    ("POST", "/api/v1/critiques/{id}/send", Rule::Moderation),
    ("POST", "/api/v1/critiques/{id}/reply", Rule::SignedIn),
    (
        "GET",
        "/api/v1/supervision/agencies/{code}/comments",
        Rule::Public,
    ),
    ("POST", "/api/v1/consultations/{id}/themes", Rule::SignedIn),
    ("POST", "/api/v1/themes/{id}/comments", Rule::SignedIn),
    ("POST", "/api/v1/campaigns/{id}/theme", Rule::Moderation),
    (
        "GET",
        "/api/v1/consultations/{id}/acceptance/sign-offs",
        Rule::Public,
    ),
    (
        "POST",
        "/api/v1/consultations/{id}/acceptance/sign-offs",
        Rule::SignedIn,
    ),
    (
        "GET",
        "/api/v1/consultations/{id}/acceptance/{format}",
        Rule::Public,
    ),
];

const PASSWORD: &str = "mật khẩu thử nghiệm";
const CSRF: &str = "kiemtrakiemtrakiemtrakiemtrakiemtrakiemtrak";

fn rule_of(method: &Method, path: &str) -> Option<Rule> {
    RULES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == path)
        .map(|(_, _, rule)| *rule)
}

/// The route with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        .replace("{clause_id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c")
        .replace("{theme_id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d")
        .replace("{campaign_id}", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e")
        .replace("{code}", "31150")
        .replace("{file}", "gopy.css")
}

async fn accounts(app: &TestApp) -> Vec<(Role, uuid::Uuid)> {
    let plan = [
        (Role::Resident, "dan@vidu.vn", None, None),
        (Role::OrganizationRep, "hoi@vidu.vn", None, Some("HND-TP")),
        (Role::Moderator, "mttq@vidu.vn", None, Some("MTTQ-TP")),
        (Role::AgencyOfficer, "canbo@vidu.vn", Some("SXD"), None),
        (Role::Admin, "quantri@vidu.vn", None, None),
    ];
    let mut out = Vec::new();
    for (role, email, agency, organization) in plan {
        let new = NewUser {
            email: Email::parse(email).unwrap(),
            password: NewPassword::parse(PASSWORD).unwrap(),
            display_name: format!("Tài khoản {}", role.as_str()),
            role,
            agency_code: agency.map(ToOwned::to_owned),
            organization_code: organization.map(ToOwned::to_owned),
            verified: true,
        };
        let user = create(&app.state.db, new, app.state.settings.password)
            .await
            .unwrap();
        out.push((role, user.id));
    }
    out
}

/// A fresh session for the account (some routes end the session they are called with).
async fn session(app: &TestApp, user_id: uuid::Uuid) -> String {
    gopy::services::sessions::open(&app.state.db, user_id, None, None, &app.state.settings)
        .await
        .unwrap()
        .token
}

fn request(method: &Method, path: &str, token: Option<&str>) -> Request<Body> {
    let uri = concrete(path);
    let mut builder = Request::builder().method(method.clone()).uri(&uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if path.starts_with("/api/") {
        let body = if method == Method::GET {
            Body::empty()
        } else {
            Body::from("{}")
        };
        builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap()
    } else {
        // Page forms: a valid CSRF pair, so only the access rule can refuse.
        let body = if method == Method::GET {
            Body::empty()
        } else {
            Body::from(format!("csrf_token={CSRF}"))
        };
        builder
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, format!("gopy_csrf={CSRF}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .unwrap()
    }
}

/// Whether an answer means "not allowed": 401/403, or a page sending the visitor to sign in.
fn denied(status: u16, location: Option<&str>) -> bool {
    status == 401
        || status == 403
        || (status == 303 && location.is_some_and(|l| l.starts_with("/account/signin")))
}

#[tokio::test]
async fn every_route_allows_exactly_who_its_rule_allows() {
    let app = TestApp::with_samples().await;
    let table = gopy::http::route_table();
    let entries = table.entries();
    let missing: Vec<String> = entries
        .iter()
        .filter(|e| rule_of(&e.method, e.path).is_none())
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access rule in tests/api/authz.rs: {missing:#?}"
    );
    let stale: Vec<_> = RULES
        .iter()
        .filter(|(m, p, _)| {
            !entries
                .iter()
                .any(|e| e.method.as_str() == *m && e.path == *p)
        })
        .collect();
    assert!(
        stale.is_empty(),
        "rules for routes that do not exist: {stale:#?}"
    );

    let accounts = accounts(&app).await;
    let mut failures = Vec::new();
    for entry in entries {
        let rule = rule_of(&entry.method, entry.path).unwrap();
        let mut cells: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
        for (role, user_id) in &accounts {
            cells.push((Some(*role), Some(session(&app, *user_id).await)));
        }
        for (role, token) in cells {
            let response = app
                .send(request(&entry.method, entry.path, token.as_deref()))
                .await;
            let location = response
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let was_denied = denied(response.status.as_u16(), location);
            let should_deny = match (rule, role) {
                (Rule::Public, _) => false,
                (_, None) => true,
                (Rule::SignedIn, Some(_)) => false,
                (Rule::Commenter, Some(role)) => {
                    !matches!(role, Role::Resident | Role::OrganizationRep)
                }
                (Rule::Author, Some(role)) => !matches!(role, Role::AgencyOfficer | Role::Admin),
                (Rule::Moderator, Some(role)) => !matches!(role, Role::Moderator | Role::Admin),
                (Rule::Moderation, Some(role)) => role != Role::Moderator,
                (Rule::Officer, Some(role)) => role != Role::AgencyOfficer,
                (Rule::Admin, Some(role)) => role != Role::Admin,
            };
            if was_denied != should_deny || response.status.is_server_error() {
                failures.push(format!(
                    "{} {} as {:?}: status {} (expected {})",
                    entry.method,
                    entry.path,
                    role.map(|r| r.as_str()).unwrap_or("anonymous"),
                    response.status,
                    if should_deny { "deny" } else { "allow" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix failures: {failures:#?}"
    );
}
