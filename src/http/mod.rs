//! HTTP: the router, middleware, the JSON API and the HTML pages.

pub mod api;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod extract;
pub mod metrics;
pub mod pages;
pub mod problem;
pub mod routes;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Request, StatusCode, header};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::http::routes::RouteTable;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content Security Policy: no inline script or style, nothing from other origins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every route gopy serves (the authorization matrix test walks this list).
pub fn route_table() -> RouteTable {
    let table = RouteTable::default()
        .get("/", pages::home::show_home)
        .get("/consultations", pages::consultation_list::show_list)
        .get(
            "/consultations/{id}",
            pages::consultations::show_consultation,
        )
        .get(
            "/consultations/{id}/comment",
            pages::comments::show_comment_form,
        )
        .get(
            "/consultations/{id}/acceptance",
            pages::acceptance::show_acceptance,
        )
        .get(
            "/consultations/{id}/acceptance/{format}",
            pages::acceptance::download_acceptance,
        )
        .post(
            "/consultations/{id}/acceptance/sign-off",
            pages::acceptance::sign_off,
        )
        .get(
            "/consultations/{id}/synthesis",
            pages::synthesis::show_synthesis,
        )
        .post(
            "/consultations/{id}/synthesis/themes",
            pages::synthesis::create_theme,
        )
        .post(
            "/consultations/{id}/synthesis/themes/{theme_id}",
            pages::synthesis::tag_theme,
        )
        .post(
            "/consultations/{id}/synthesis/suggestions/{campaign_id}",
            pages::synthesis::adopt_suggestion,
        )
        .post(
            "/consultations/{id}/comment",
            pages::comments::submit_comment,
        )
        .get("/comments/{id}", pages::comment_views::show_comment)
        .get("/comments/{id}/receipt", pages::comments::show_receipt)
        .get("/comments/{id}/edit", pages::comment_edit::show_edit)
        .post("/comments/{id}/edit", pages::comment_edit::save_edit)
        .post("/comments/{id}/endorse", pages::comment_views::endorse)
        .get("/track", pages::tracking::show_track_form)
        .get("/track/{code}", pages::tracking::show_tracked)
        .get("/audit", pages::audit::show_audit)
        .get("/open-data", pages::open_data::show_open_data)
        .get(
            "/feeds/consultations.atom",
            pages::feeds::consultations_feed,
        )
        .get("/feeds/answers.atom", pages::feeds::answers_feed)
        .get("/account/comments", pages::comment_views::show_my_comments)
        .get("/lang/{code}", pages::switch_language)
        .get("/account/signup", pages::account::show_sign_up)
        .post("/account/signup", pages::account::sign_up)
        .get("/account/check-mail", pages::account::show_check_mail)
        .get("/account/verify", pages::account::show_verify)
        .post("/account/verify", pages::account::verify)
        .get("/account/signin", pages::account::show_sign_in)
        .post("/account/signin", pages::account::sign_in)
        .post("/account/signout", pages::account::sign_out)
        .post(
            "/account/signout-everywhere",
            pages::account::sign_out_everywhere,
        )
        .get("/account/reset", pages::account_reset::show_reset)
        .post("/account/reset", pages::account_reset::request_reset)
        .get(
            "/account/reset/confirm",
            pages::account_reset::show_reset_confirm,
        )
        .post(
            "/account/reset/confirm",
            pages::account_reset::confirm_reset,
        )
        .get("/account", pages::account_data::show_account)
        .post("/account/profile", pages::account_data::update_profile)
        .post(
            "/account/verification",
            pages::account_data::resend_verification,
        )
        .get("/account/data", pages::account_data::show_data)
        .get("/account/data.json", pages::account_data::download_data)
        .post("/account/erase", pages::account_data::erase)
        .get("/account/erased", pages::account_data::show_erased)
        .get("/account/tokens", pages::account_tokens::show_tokens)
        .post("/account/tokens", pages::account_tokens::create_token)
        .post(
            "/account/tokens/{id}/revoke",
            pages::account_tokens::revoke_token,
        )
        .get("/admin/users", pages::admin::show_users)
        .post("/admin/users", pages::admin::create_user)
        .get("/admin/users/new", pages::admin::show_new_user)
        .post("/admin/users/{id}/activate", pages::admin::activate)
        .post("/admin/users/{id}/deactivate", pages::admin::deactivate)
        .post("/admin/users/{id}/reset", pages::admin::send_reset)
        .get("/admin/routing", pages::admin_routing::show_rules)
        .post("/admin/routing", pages::admin_routing::create_rule)
        .post(
            "/admin/routing/{id}/activate",
            pages::admin_routing::activate,
        )
        .post(
            "/admin/routing/{id}/deactivate",
            pages::admin_routing::deactivate,
        )
        .post("/admin/routing/{id}/delete", pages::admin_routing::delete)
        .get("/admin/calendar", pages::admin_calendar::show_calendar)
        .post("/admin/calendar", pages::admin_calendar::add_day)
        .post("/admin/calendar/remove", pages::admin_calendar::remove_day)
        .get(
            "/account/notifications",
            pages::notifications::show_notifications,
        )
        .post(
            "/account/notifications/read",
            pages::notifications::mark_all_read,
        )
        .post(
            "/account/notifications/{id}/open",
            pages::notifications::open_notification,
        )
        .get("/moderation/import", pages::import::show_import)
        .post("/moderation/import", pages::import::import_file)
        .get(
            "/moderation/import/example.csv",
            pages::import::download_example,
        )
        .get("/agency/consultations", pages::authoring::show_list)
        .get("/agency/consultations/new", pages::authoring::show_new)
        .post("/agency/consultations/new", pages::authoring::create)
        .get("/agency/consultations/{id}", pages::authoring::show_edit)
        .post("/agency/consultations/{id}", pages::authoring::save)
        .post(
            "/agency/consultations/{id}/text",
            pages::authoring_tree::set_text,
        )
        .post(
            "/agency/consultations/{id}/clauses/{clause_id}",
            pages::authoring_tree::edit_clause,
        )
        .post(
            "/agency/consultations/{id}/clauses/{clause_id}/delete",
            pages::authoring_tree::delete_clause,
        )
        .post(
            "/agency/consultations/{id}/documents",
            pages::authoring_tree::upload_document,
        )
        .post(
            "/agency/documents/{id}/delete",
            pages::authoring_tree::delete_document,
        )
        .post(
            "/agency/consultations/{id}/publish",
            pages::authoring_tree::publish,
        )
        .post(
            "/agency/consultations/{id}/close",
            pages::authoring_tree::close,
        )
        .post(
            "/agency/consultations/{id}/versions",
            pages::authoring_tree::new_version,
        )
        .post(
            "/agency/consultations/{id}/delete",
            pages::authoring_tree::delete_draft,
        )
        .get("/search", pages::search::show_search)
        .get("/supervision", pages::supervision::show_dashboard)
        .get("/consultations/{id}/critiques", pages::critiques::show_list)
        .post("/consultations/{id}/critiques", pages::critiques::create)
        .get("/critiques/{id}", pages::critiques::show_one)
        .post("/critiques/{id}", pages::critiques::update)
        .post("/critiques/{id}/send", pages::critiques::send)
        .post("/critiques/{id}/reply", pages::critiques::reply)
        .get(
            "/supervision/agencies/{code}",
            pages::supervision::show_items,
        )
        .get("/moderation", pages::moderation::show_queue)
        .post("/moderation/bulk", pages::moderation::bulk)
        .get("/moderation/comments/{id}", pages::moderation::show_review)
        .post("/moderation/comments/{id}", pages::moderation::decide)
        .get("/moderation/requests", pages::inbox::show_requests)
        .post("/moderation/requests/{id}", pages::inbox::decide_request)
        .get("/agency/inbox", pages::inbox::show_inbox)
        .get("/agency/inbox/{id}", pages::inbox::show_item)
        .post("/agency/inbox/{id}/answer", pages::inbox::answer)
        .post("/agency/inbox/{id}/transfer", pages::inbox::transfer)
        .post("/agency/inbox/{id}/extension", pages::inbox::extension)
        .get("/static/{file}", assets::get_asset)
        .get("/healthz", healthz)
        .get("/readyz", readyz)
        .get("/metrics", metrics::get_metrics);
    api::routes(table)
}

/// Builds the whole router with its middleware.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::CONTENT_SECURITY_POLICY, CSP),
    ];
    let mut app = route_table()
        .into_router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::access::issue_form_token,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(settings.request_timeout_secs),
        ))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(problem::fill_error_bodies));
    // Outside the error filling, so error responses carry the same headers as any other.
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    // Browsers remember to use HTTPS only when gopy is served over HTTPS.
    if settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
    {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    app.layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// `GET /healthz`: the process is up.
async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and the search index can be read.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await.is_ok();
    let search = state.search.clone();
    let index = tokio::task::spawn_blocking(move || search.num_docs())
        .await
        .is_ok();
    let status = if database && index {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ready" } else { "not_ready" },
        "checks": { "database": database, "search_index": index },
    });
    (status, axum::Json(body)).into_response()
}
