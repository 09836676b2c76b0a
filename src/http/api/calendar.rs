//! `/api/v1/calendar`: the working-day calendar that answer deadlines are counted in. Anyone
//! reads a year; admins enter and remove the exceptions announced for it.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::calendar_days;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::calendar::Holiday;
use crate::error::{Error, FieldErrors, Result};
use crate::http::auth::AdminRouting;
use crate::http::extract::{ValidJson, ValidPath, ValidQuery};
use crate::services::calendar;
use crate::state::AppState;

/// Which year.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The year, 1901 to 2099 (default: this year in Vietnam).
    pub year: Option<i32>,
}

/// A day off.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayResponse {
    /// The date.
    pub date: NaiveDate,
    /// Its name in Vietnamese.
    pub name_vi: String,
    /// Its name in English.
    pub name_en: String,
    /// `statutory`, `compensatory` or `additional` (an extra day off entered by admins).
    pub kind: String,
}

fn holiday_response(h: &Holiday) -> HolidayResponse {
    let kind = match h.kind {
        crate::domain::calendar::HolidayKind::Statutory => "statutory",
        crate::domain::calendar::HolidayKind::Compensatory => "compensatory",
        crate::domain::calendar::HolidayKind::Additional => "additional",
    };
    HolidayResponse {
        date: h.date,
        name_vi: h.name_vi.to_owned(),
        name_en: h.name_en.to_owned(),
        kind: kind.to_owned(),
    }
}

/// An exception entered by admins.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayResponse {
    /// The date.
    pub date: NaiveDate,
    /// `true`: worked although a weekend or holiday; `false`: off although a working day.
    pub is_working_day: bool,
    /// Why (e.g. the decision announcing it).
    pub note: String,
    /// When it was entered.
    pub created_at: DateTime<Utc>,
}

fn day_response(day: calendar_days::Model) -> CalendarDayResponse {
    CalendarDayResponse {
        date: day.day,
        is_working_day: day.is_working_day,
        note: day.note,
        created_at: day.created_at,
    }
}

/// One year of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarResponse {
    /// The year.
    pub year: i32,
    /// Statutory holidays and compensatory days (Labour Code 2019, art. 111 to 112).
    pub holidays: Vec<HolidayResponse>,
    /// The admins' exceptions in the year.
    pub exceptions: Vec<CalendarDayResponse>,
    /// The holidays still off once the exceptions apply, and the extra days off (ordinary
    /// weekends are not listed).
    pub days_off: Vec<HolidayResponse>,
}

/// An exception to enter (or replace).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCalendarDayBody {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// `true` for a make-up working day, `false` for an extra day off.
    pub is_working_day: bool,
    /// Why (1 to 300 characters), e.g. the decision announcing it.
    pub note: String,
}

/// One year of the working-day calendar: holidays with their names, the admins' exceptions
/// and the resulting days off.
#[utoipa::path(
    get, path = "/api/v1/calendar", tag = "calendar", params(CalendarQuery),
    responses(
        (status = 200, description = "The year", body = CalendarResponse),
        (status = 400, description = "Malformed query", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Year out of range", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_calendar(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<CalendarQuery>,
) -> Result<Json<CalendarResponse>> {
    let year = query.year.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&crate::domain::time::VIETNAM)
            .year()
    });
    let view = calendar::year(&state.db, year).await?;
    Ok(Json(CalendarResponse {
        year: view.year,
        holidays: view.holidays.iter().map(holiday_response).collect(),
        exceptions: view.exceptions.into_iter().map(day_response).collect(),
        days_off: view.days_off.iter().map(holiday_response).collect(),
    }))
}

/// Enters an exception: a make-up working day or an extra day off (replacing any other one
/// for that date).
#[utoipa::path(
    post, path = "/api/v1/calendar/days", tag = "calendar", request_body = SetCalendarDayBody,
    responses(
        (status = 201, description = "Entered", body = CalendarDayResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad date or note", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn set_day(
    State(state): State<AppState>,
    AdminRouting(admin): AdminRouting,
    ValidJson(body): ValidJson<SetCalendarDayBody>,
) -> Result<(StatusCode, Json<CalendarDayResponse>)> {
    let Some(day) = calendar::parse_day(&body.date) else {
        let mut errors = FieldErrors::default();
        errors.push(
            "date",
            "invalid_format",
            "Nhập một ngày có thật dạng YYYY-MM-DD, từ năm 1901 đến 2099",
        );
        return Err(Error::Invalid(errors));
    };
    let admin_id = admin.signed_in().user.id;
    let saved =
        calendar::set_exception(&state.db, day, body.is_working_day, &body.note, admin_id).await?;
    Ok((StatusCode::CREATED, Json(day_response(saved))))
}

/// Removes the exception of a date.
#[utoipa::path(
    delete, path = "/api/v1/calendar/days/{date}", tag = "calendar",
    params(("date" = String, Path, description = "The date, YYYY-MM-DD")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No exception on that date", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_day(
    State(state): State<AppState>,
    AdminRouting(_): AdminRouting,
    ValidPath(date): ValidPath<String>,
) -> Result<StatusCode> {
    // A malformed date names nothing: 404, like a malformed id.
    let day = calendar::parse_day(&date).ok_or(Error::NotFound("calendar exception"))?;
    calendar::remove_exception(&state.db, day).await?;
    Ok(StatusCode::NO_CONTENT)
}
