//! The JSON API under `/api/v1`, described by OpenAPI 3.1 at `/api/v1/openapi.json`.

pub mod acceptance;
pub mod account;
pub mod admin;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod authoring;
pub mod calendar;
pub mod comments;
pub mod consultations;
pub mod critiques;
pub mod import;
pub mod inbox;
pub mod moderation;
pub mod notifications;
pub mod open311;
pub mod open_data;
pub mod reference;
pub mod routing;
pub mod search;
pub mod supervision;
pub mod synthesis;

use axum::Json;
use utoipa::OpenApi;

use crate::http::routes::RouteTable;

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "gopy API",
        description = "Public consultation and citizen feedback for Vietnamese cities. Errors are RFC 9457 problem documents with a stable `code`; times are RFC 3339 UTC; fields are snake_case.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        auth::login,
        auth::logout,
        auth::get_me,
        account::register,
        account::verify,
        account::request_reset,
        account::confirm_reset,
        account::logout_everywhere,
        account::update_me,
        account::delete_me,
        account::export_me,
        account::list_tokens,
        account::create_token,
        account::revoke_token,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        admin::reset_user,
        consultations::list_consultations,
        authoring::create_consultation,
        authoring::update_consultation,
        authoring::delete_consultation,
        authoring::set_clauses,
        authoring::edit_clause,
        authoring::delete_clause,
        authoring::publish_consultation,
        authoring::close_consultation,
        authoring::new_version,
        comments::create_comment,
        comments::list_comments,
        comments::get_comment,
        comments::edit_comment,
        comments::endorse_comment,
        comments::track_comment,
        import::import_comments,
        moderation::get_queue,
        search::get_search,
        search::get_suggestions,
        inbox::get_inbox,
        inbox::get_assignment,
        inbox::answer,
        inbox::transfer,
        inbox::extension,
        inbox::list_requests,
        inbox::decide_request,
        moderation::get_review,
        moderation::decide,
        moderation::decide_bulk,
        moderation::list_campaigns,
        attachments::upload_attachment,
        attachments::list_attachments,
        attachments::download_attachment,
        attachments::upload_document,
        attachments::list_documents,
        attachments::download_document,
        attachments::delete_document,
        consultations::get_consultation,
        reference::list_units,
        reference::get_unit,
        reference::list_agencies,
        reference::list_organizations,
        routing::list_rules,
        routing::create_rule,
        routing::update_rule,
        routing::delete_rule,
        calendar::get_calendar,
        calendar::set_day,
        calendar::delete_day,
        notifications::list_notifications,
        notifications::mark_read,
        audit::get_audit_head,
        acceptance::get_acceptance,
        acceptance::get_acceptance_file,
        acceptance::list_sign_offs,
        acceptance::sign_off,
        synthesis::get_synthesis,
        synthesis::create_theme,
        synthesis::tag_comments,
        synthesis::adopt_campaign,
        supervision::get_supervision,
        supervision::get_items,
        critiques::list_critiques,
        critiques::create_critique,
        critiques::get_critique,
        critiques::update_critique,
        critiques::send_critique,
        critiques::reply_critique,
        open_data::get_dataset,
        open311::list_services,
        open311::list_requests,
        open311::get_request,
        crate::http::pages::feeds::consultations_feed,
        crate::http::pages::feeds::answers_feed,
    ),
    components(schemas(crate::http::problem::Problem, crate::error::FieldError)),
    tags(
        (name = "auth", description = "Signing up, in and out; verification and password reset"),
        (name = "account", description = "The signed-in account: profile, personal data, API tokens"),
        (name = "admin", description = "Account administration (admins)"),
        (name = "audit", description = "The tamper-evident audit trail: its current and daily heads"),
        (name = "calendar", description = "The working-day calendar: holidays and the admins' exceptions"),
        (name = "authoring", description = "Agencies writing, publishing and closing consultations"),
        (name = "comments", description = "Comments: submit, follow by tracking code, read, endorse"),
        (name = "consultations", description = "Draft plans, projects and policies open for comment"),
        (name = "assignments", description = "Agencies answering the comments assigned to them; transfers and extensions"),
        (name = "search", description = "Full-text search in Vietnamese, with or without diacritics"),
        (name = "moderation", description = "The Fatherland Front's moderation: queue, flags, decisions, campaigns"),
        (name = "routing", description = "Rules proposing which agency answers a comment (admins)"),
        (name = "reference", description = "Administrative units, agencies and organizations"),
        (name = "reports", description = "Reports from the record: the synthesis and its themes, the acceptance table and its sign-offs, the Front's critiques and the agencies' replies, the public supervision of agencies"),
        (name = "open-data", description = "Open data under CC BY 4.0: dataset downloads (CSV, JSON), Atom feeds and a read-only Open311 GeoReport v2 endpoint"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn get_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Adds the routes of `/api/v1`.
pub fn routes(table: RouteTable) -> RouteTable {
    table
        .get("/api/v1/openapi.json", get_openapi)
        .post("/api/v1/auth/login", auth::login)
        .post("/api/v1/auth/logout", auth::logout)
        .post("/api/v1/auth/logout-everywhere", account::logout_everywhere)
        .post("/api/v1/auth/register", account::register)
        .post("/api/v1/auth/verify", account::verify)
        .post("/api/v1/auth/password-reset", account::request_reset)
        .post(
            "/api/v1/auth/password-reset/confirm",
            account::confirm_reset,
        )
        .get("/api/v1/me", auth::get_me)
        .patch("/api/v1/me", account::update_me)
        .delete("/api/v1/me", account::delete_me)
        .get("/api/v1/me/export", account::export_me)
        .get("/api/v1/me/tokens", account::list_tokens)
        .post("/api/v1/me/tokens", account::create_token)
        .delete("/api/v1/me/tokens/{id}", account::revoke_token)
        .get("/api/v1/admin/users", admin::list_users)
        .post("/api/v1/admin/users", admin::create_user)
        .patch("/api/v1/admin/users/{id}", admin::update_user)
        .post("/api/v1/admin/users/{id}/password-reset", admin::reset_user)
        .get("/api/v1/consultations", consultations::list_consultations)
        .post("/api/v1/consultations", authoring::create_consultation)
        .patch("/api/v1/consultations/{id}", authoring::update_consultation)
        .delete("/api/v1/consultations/{id}", authoring::delete_consultation)
        .put("/api/v1/consultations/{id}/clauses", authoring::set_clauses)
        .patch(
            "/api/v1/consultations/{id}/clauses/{clause_id}",
            authoring::edit_clause,
        )
        .delete(
            "/api/v1/consultations/{id}/clauses/{clause_id}",
            authoring::delete_clause,
        )
        .post(
            "/api/v1/consultations/{id}/publish",
            authoring::publish_consultation,
        )
        .post(
            "/api/v1/consultations/{id}/close",
            authoring::close_consultation,
        )
        .post(
            "/api/v1/consultations/{id}/versions",
            authoring::new_version,
        )
        .get(
            "/api/v1/consultations/{id}",
            consultations::get_consultation,
        )
        .get(
            "/api/v1/consultations/{id}/comments",
            comments::list_comments,
        )
        .post(
            "/api/v1/consultations/{id}/comments",
            comments::create_comment,
        )
        .post(
            "/api/v1/consultations/{id}/comments/import",
            import::import_comments,
        )
        .get("/api/v1/comments/{id}", comments::get_comment)
        .patch("/api/v1/comments/{id}", comments::edit_comment)
        .post(
            "/api/v1/comments/{id}/endorsements",
            comments::endorse_comment,
        )
        .get("/api/v1/track/{code}", comments::track_comment)
        .get("/api/v1/search", search::get_search)
        .get("/api/v1/search/suggest", search::get_suggestions)
        .get("/api/v1/moderation/queue", moderation::get_queue)
        .get("/api/v1/inbox", inbox::get_inbox)
        .get("/api/v1/assignments/{id}", inbox::get_assignment)
        .post("/api/v1/assignments/{id}/answer", inbox::answer)
        .post("/api/v1/assignments/{id}/transfer", inbox::transfer)
        .post("/api/v1/assignments/{id}/extension", inbox::extension)
        .get("/api/v1/assignment-requests", inbox::list_requests)
        .post(
            "/api/v1/assignment-requests/{id}/decision",
            inbox::decide_request,
        )
        .get("/api/v1/moderation/comments/{id}", moderation::get_review)
        .post("/api/v1/comments/{id}/moderation", moderation::decide)
        .post("/api/v1/moderation/bulk", moderation::decide_bulk)
        .get("/api/v1/moderation/campaigns", moderation::list_campaigns)
        .post(
            "/api/v1/comments/{id}/attachments",
            attachments::upload_attachment,
        )
        .get(
            "/api/v1/comments/{id}/attachments",
            attachments::list_attachments,
        )
        .get("/api/v1/attachments/{id}", attachments::download_attachment)
        .post(
            "/api/v1/consultations/{id}/documents",
            attachments::upload_document,
        )
        .get(
            "/api/v1/consultations/{id}/documents",
            attachments::list_documents,
        )
        .get("/api/v1/documents/{id}", attachments::download_document)
        .delete("/api/v1/documents/{id}", attachments::delete_document)
        .get("/api/v1/units", reference::list_units)
        .get("/api/v1/units/{code}", reference::get_unit)
        .get("/api/v1/agencies", reference::list_agencies)
        .get("/api/v1/organizations", reference::list_organizations)
        .get("/api/v1/routing-rules", routing::list_rules)
        .post("/api/v1/routing-rules", routing::create_rule)
        .patch("/api/v1/routing-rules/{id}", routing::update_rule)
        .delete("/api/v1/routing-rules/{id}", routing::delete_rule)
        .get("/api/v1/calendar", calendar::get_calendar)
        .post("/api/v1/calendar/days", calendar::set_day)
        .delete("/api/v1/calendar/days/{date}", calendar::delete_day)
        .get("/api/v1/notifications", notifications::list_notifications)
        .post("/api/v1/notifications/read", notifications::mark_read)
        .get("/api/v1/audit/head", audit::get_audit_head)
        .get(
            "/api/v1/consultations/{id}/acceptance",
            acceptance::get_acceptance,
        )
        .get(
            "/api/v1/consultations/{id}/acceptance/sign-offs",
            acceptance::list_sign_offs,
        )
        .post(
            "/api/v1/consultations/{id}/acceptance/sign-offs",
            acceptance::sign_off,
        )
        .get(
            "/api/v1/consultations/{id}/acceptance/{format}",
            acceptance::get_acceptance_file,
        )
        .get(
            "/api/v1/consultations/{id}/synthesis",
            synthesis::get_synthesis,
        )
        .post("/api/v1/consultations/{id}/themes", synthesis::create_theme)
        .post("/api/v1/themes/{id}/comments", synthesis::tag_comments)
        .post("/api/v1/campaigns/{id}/theme", synthesis::adopt_campaign)
        .get("/api/v1/supervision", supervision::get_supervision)
        .get(
            "/api/v1/consultations/{id}/critiques",
            critiques::list_critiques,
        )
        .post(
            "/api/v1/consultations/{id}/critiques",
            critiques::create_critique,
        )
        .get("/api/v1/critiques/{id}", critiques::get_critique)
        .patch("/api/v1/critiques/{id}", critiques::update_critique)
        .post("/api/v1/critiques/{id}/send", critiques::send_critique)
        .post("/api/v1/critiques/{id}/reply", critiques::reply_critique)
        .get(
            "/api/v1/supervision/agencies/{code}/comments",
            supervision::get_items,
        )
        .get("/api/v1/open-data/{dataset}", open_data::get_dataset)
        .get("/open311/v2/services.json", open311::list_services)
        .get("/open311/v2/requests.json", open311::list_requests)
        .get("/open311/v2/requests/{id}", open311::get_request)
}
