//! `/api/v1/routing-rules`: the rules that propose which agency answers a comment (admins).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::Result;
use crate::http::auth::AdminRouting;
use crate::http::extract::{ValidJson, ValidPath};
use crate::services::routing_rules::{self, RuleInput, RulePatch, RuleView};
use crate::state::AppState;

/// A routing rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleResponse {
    /// Id.
    pub id: Uuid,
    /// Name shown to admins.
    pub name: String,
    /// Lower numbers are tried first.
    pub priority: i32,
    /// Only comments on this consultation.
    pub consultation_id: Option<Uuid>,
    /// Its title.
    pub consultation_title: Option<String>,
    /// Only consultations of this kind.
    pub consultation_kind: Option<String>,
    /// Only comments on this clause (its stable key).
    pub clause_stable_key: Option<Uuid>,
    /// Only comments containing this word or phrase (compared without diacritics).
    pub keyword: Option<String>,
    /// Only comments about this ward or commune.
    pub unit_id: Option<Uuid>,
    /// Its name.
    pub unit_name: Option<String>,
    /// `agency`, `lead_agency` or `unit_committee`.
    pub target: String,
    /// The agency, for the `agency` target.
    pub agency_id: Option<Uuid>,
    /// Its name.
    pub agency_name: Option<String>,
    /// Working days to answer, instead of the default for the consultation's kind.
    pub working_days: Option<i32>,
    /// Whether the rule is used.
    pub is_active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn rule_response(view: RuleView) -> RoutingRuleResponse {
    let r = view.rule;
    RoutingRuleResponse {
        id: r.id,
        name: r.name,
        priority: r.priority,
        consultation_id: r.consultation_id,
        consultation_title: view.consultation_title,
        consultation_kind: r.consultation_kind,
        clause_stable_key: r.clause_stable_key,
        keyword: r.keyword,
        unit_id: r.unit_id,
        unit_name: view.unit_name,
        target: r.target,
        agency_id: r.agency_id,
        agency_name: view.agency_name,
        working_days: r.working_days,
        is_active: r.is_active,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Every rule, in the order they are tried.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleList {
    /// Rules, by priority then age; inactive ones included.
    pub items: Vec<RoutingRuleResponse>,
}

/// A new rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoutingRuleBody {
    /// Name shown to admins (1 to 200 characters).
    pub name: String,
    /// 0 to 10,000; lower numbers are tried first.
    pub priority: i64,
    /// Only comments on this consultation.
    pub consultation_id: Option<Uuid>,
    /// Only consultations of this kind (`general_plan` ...).
    pub consultation_kind: Option<String>,
    /// Only comments on this clause (its stable key).
    pub clause_stable_key: Option<Uuid>,
    /// Only comments containing this word or phrase (up to 100 characters).
    pub keyword: Option<String>,
    /// Only comments about this ward or commune.
    pub unit_id: Option<Uuid>,
    /// `agency`, `lead_agency` or `unit_committee`.
    pub target: String,
    /// The agency (a current one), required for the `agency` target.
    pub agency_id: Option<Uuid>,
    /// Working days to answer (1 to 120); empty for the default of the consultation's kind.
    pub working_days: Option<i64>,
    /// Whether the rule is used (default true).
    pub is_active: Option<bool>,
}

/// Tells an absent field (`None`) from one sent as `null` (`Some(None)`).
fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Changes to a rule: fields left out stay as they are; `null` clears a condition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoutingRuleBody {
    /// Name.
    pub name: Option<String>,
    /// Priority.
    pub priority: Option<i64>,
    /// Consultation condition.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub consultation_id: Option<Option<Uuid>>,
    /// Kind condition.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub consultation_kind: Option<Option<String>>,
    /// Clause condition.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub clause_stable_key: Option<Option<Uuid>>,
    /// Keyword condition.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub keyword: Option<Option<String>>,
    /// Unit condition.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub unit_id: Option<Option<Uuid>>,
    /// Target.
    pub target: Option<String>,
    /// Agency.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub agency_id: Option<Option<Uuid>>,
    /// Working days.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub working_days: Option<Option<i64>>,
    /// Whether the rule is used.
    pub is_active: Option<bool>,
}

/// Every routing rule, active or not, in the order they are tried.
#[utoipa::path(
    get, path = "/api/v1/routing-rules", tag = "routing",
    responses(
        (status = 200, description = "The rules", body = RoutingRuleList),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_rules(
    State(state): State<AppState>,
    AdminRouting(_): AdminRouting,
) -> Result<Json<RoutingRuleList>> {
    let rules = routing_rules::list(&state.db).await?;
    Ok(Json(RoutingRuleList {
        items: rules.into_iter().map(rule_response).collect(),
    }))
}

/// Creates a routing rule.
#[utoipa::path(
    post, path = "/api/v1/routing-rules", tag = "routing", request_body = CreateRoutingRuleBody,
    responses(
        (status = 201, description = "Created", body = RoutingRuleResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rule (field errors)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_rule(
    State(state): State<AppState>,
    AdminRouting(_): AdminRouting,
    ValidJson(body): ValidJson<CreateRoutingRuleBody>,
) -> Result<(StatusCode, Json<RoutingRuleResponse>)> {
    let input = RuleInput {
        name: body.name,
        priority: body.priority,
        consultation_id: body.consultation_id,
        consultation_kind: body.consultation_kind,
        clause_stable_key: body.clause_stable_key,
        keyword: body.keyword,
        unit_id: body.unit_id,
        target: body.target,
        agency_id: body.agency_id,
        working_days: body.working_days,
        is_active: body.is_active.unwrap_or(true),
    };
    let rule = routing_rules::create(&state.db, input).await?;
    Ok((StatusCode::CREATED, Json(rule_response(rule))))
}

/// Changes a routing rule (also to deactivate or reactivate it).
#[utoipa::path(
    patch, path = "/api/v1/routing-rules/{id}", tag = "routing", request_body = UpdateRoutingRuleBody,
    params(("id" = Uuid, Path, description = "Rule id")),
    responses(
        (status = 200, description = "Changed", body = RoutingRuleResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rule (field errors)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update_rule(
    State(state): State<AppState>,
    AdminRouting(_): AdminRouting,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<UpdateRoutingRuleBody>,
) -> Result<Json<RoutingRuleResponse>> {
    let patch = RulePatch {
        name: body.name,
        priority: body.priority,
        consultation_id: body.consultation_id,
        consultation_kind: body.consultation_kind,
        clause_stable_key: body.clause_stable_key,
        keyword: body.keyword,
        unit_id: body.unit_id,
        target: body.target,
        agency_id: body.agency_id,
        working_days: body.working_days,
        is_active: body.is_active,
    };
    let rule = routing_rules::update(&state.db, id, patch).await?;
    Ok(Json(rule_response(rule)))
}

/// Deletes a routing rule.
#[utoipa::path(
    delete, path = "/api/v1/routing-rules/{id}", tag = "routing",
    params(("id" = Uuid, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_rule(
    State(state): State<AppState>,
    AdminRouting(_): AdminRouting,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<StatusCode> {
    routing_rules::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
