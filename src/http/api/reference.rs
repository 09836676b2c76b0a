//! Reference data: administrative units (versioned), agencies and organizations.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use entity::{admin_units, agencies, organizations};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::VIETNAM;
use crate::error::{FieldErrors, Result};
use crate::http::extract::{ValidPath, ValidQuery};
use crate::services::{now, units};

/// Which date the unit tree is read at.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Date (YYYY-MM-DD) at which units must be in force; default today (Vietnam time).
    pub on: Option<String>,
}

/// An administrative unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitResponse {
    /// National code (legacy districts have none).
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Vietnamese type label ("Phường", "Xã", "Huyện" ...).
    pub unit_type: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force, if it was abolished or merged.
    pub valid_to: Option<NaiveDate>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
}

/// A unit with its parent and the units in force that continue it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedUnitResponse {
    /// The unit itself.
    pub unit: UnitResponse,
    /// Its parent (province or district).
    pub parent: Option<UnitResponse>,
    /// Units in force on the requested date that took it over (itself when still in force).
    pub current: Vec<UnitResponse>,
}

/// An agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyResponse {
    /// Stable code.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// `city_committee`, `department`, `people_committee`, `utility` or `other`.
    pub kind: String,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    /// Stable code.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// `fatherland_front`, `mass_organization`, `professional_association` or `other`.
    pub kind: String,
}

fn unit_response(u: &admin_units::Model) -> UnitResponse {
    UnitResponse {
        code: u.code.clone(),
        name: u.name.clone(),
        unit_type: u.unit_type.clone(),
        level: u.level.as_str().to_owned(),
        valid_from: u.valid_from,
        valid_to: u.valid_to,
        lat: u.lat,
        lon: u.lon,
    }
}

fn parse_on(on: Option<&str>) -> Result<NaiveDate> {
    let today = now().with_timezone(&VIETNAM).date_naive();
    let Some(raw) = on else { return Ok(today) };
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.push("on", "invalid_format", "Use a date like 2025-06-30");
        crate::error::Error::Invalid(errors)
    })
}

/// Lists the units in force on a date.
#[utoipa::path(
    get, path = "/api/v1/units", tag = "reference",
    params(UnitsQuery),
    responses(
        (status = 200, description = "Units in force", body = Vec<UnitResponse>),
        (status = 422, description = "Bad date", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_units(
    State(db): State<DatabaseConnection>,
    ValidQuery(query): ValidQuery<UnitsQuery>,
) -> Result<Json<Vec<UnitResponse>>> {
    let on = parse_on(query.on.as_deref())?;
    let rows = units::list_in_force(&db, on).await?;
    Ok(Json(rows.iter().map(unit_response).collect()))
}

/// Finds a unit by code and the units in force that continue it.
#[utoipa::path(
    get, path = "/api/v1/units/{code}", tag = "reference",
    params(("code" = String, Path, description = "National unit code"), UnitsQuery),
    responses(
        (status = 200, description = "The unit and its successors", body = ResolvedUnitResponse),
        (status = 404, description = "No unit has this code", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_unit(
    State(db): State<DatabaseConnection>,
    ValidPath(code): ValidPath<String>,
    ValidQuery(query): ValidQuery<UnitsQuery>,
) -> Result<Json<ResolvedUnitResponse>> {
    let on = parse_on(query.on.as_deref())?;
    let resolved = units::resolve(&db, &code, on).await?;
    Ok(Json(ResolvedUnitResponse {
        unit: unit_response(&resolved.unit),
        parent: resolved.parent.as_ref().map(unit_response),
        current: resolved.current.iter().map(unit_response).collect(),
    }))
}

/// Lists agencies.
#[utoipa::path(
    get, path = "/api/v1/agencies", tag = "reference",
    responses((status = 200, description = "All agencies", body = Vec<AgencyResponse>))
)]
pub async fn list_agencies(
    State(db): State<DatabaseConnection>,
) -> Result<Json<Vec<AgencyResponse>>> {
    let rows = agencies::Entity::find()
        .order_by_asc(agencies::Column::Code)
        .order_by_asc(agencies::Column::Id)
        .all(&db)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AgencyResponse {
                kind: a.kind.as_str().to_owned(),
                code: a.code,
                name: a.name,
                name_en: a.name_en,
            })
            .collect(),
    ))
}

/// Lists organizations (the Fatherland Front and the mass organizations).
#[utoipa::path(
    get, path = "/api/v1/organizations", tag = "reference",
    responses((status = 200, description = "All organizations", body = Vec<OrganizationResponse>))
)]
pub async fn list_organizations(
    State(db): State<DatabaseConnection>,
) -> Result<Json<Vec<OrganizationResponse>>> {
    let rows = organizations::Entity::find()
        .order_by_asc(organizations::Column::Code)
        .order_by_asc(organizations::Column::Id)
        .all(&db)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|o| OrganizationResponse {
                kind: o.kind.as_str().to_owned(),
                code: o.code,
                name: o.name,
                name_en: o.name_en,
            })
            .collect(),
    ))
}
