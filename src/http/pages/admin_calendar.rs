//! `/admin/calendar` (admins): one year's statutory holidays and compensatory days, the
//! exceptions admins entered (make-up working days, extra days off) and a form to add or
//! remove one. The JSON equivalent is `http::api::calendar`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Utc};
use http::StatusCode;
use serde::Deserialize;

use crate::domain::calendar::{Holiday, HolidayKind};
use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::RoutingAdministrator;
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::{Lang, Tr};
use crate::services::calendar;
use crate::state::AppState;

/// `?year=`; a missing or malformed year is this year.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    /// The year.
    #[serde(default)]
    pub year: String,
}

/// A day off in the holidays table.
#[derive(Debug, Clone)]
pub struct HolidayRow {
    /// dd/mm/yyyy.
    pub date: String,
    /// Day of the week.
    pub weekday: &'static str,
    /// Name in the page's language.
    pub name: &'static str,
    /// Statutory, compensatory or added.
    pub kind: &'static str,
    /// Whether an exception makes it a working day after all.
    pub worked: bool,
}

/// An exception in its table.
#[derive(Debug, Clone)]
pub struct ExceptionRow {
    /// `YYYY-MM-DD`, for the remove button.
    pub day: String,
    /// dd/mm/yyyy.
    pub date: String,
    /// Day of the week.
    pub weekday: &'static str,
    /// Whether it is a make-up working day (else an extra day off).
    pub is_working_day: bool,
    /// Why.
    pub note: String,
}

/// The add form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DayForm {
    /// The date, dd/mm/yyyy or YYYY-MM-DD.
    #[serde(default)]
    pub day: String,
    /// `work` or `off`.
    #[serde(default)]
    pub kind: String,
    /// Why.
    #[serde(default)]
    pub note: String,
}

/// The remove button's form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RemoveForm {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub day: String,
}

/// The calendar page.
#[derive(Template)]
#[template(path = "admin_calendar.html")]
pub struct CalendarPage {
    /// Layout.
    pub layout: Layout,
    /// The year shown.
    pub year: i32,
    /// Links to the years before and after.
    pub prev_year: i32,
    /// Next year.
    pub next_year: i32,
    /// Statutory holidays and compensatory days.
    pub holidays: Vec<HolidayRow>,
    /// The admins' exceptions of the year.
    pub exceptions: Vec<ExceptionRow>,
    /// The add form.
    pub form: DayForm,
    /// `(value, label)` of the two kinds of exception.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

fn this_year() -> i32 {
    Utc::now()
        .with_timezone(&crate::domain::time::VIETNAM)
        .year()
}

fn weekday(t: Tr, date: NaiveDate) -> &'static str {
    t.get(&format!(
        "calendar.weekday.{}",
        date.weekday().number_from_monday()
    ))
}

fn holiday_row(t: Tr, h: &Holiday, worked: bool) -> HolidayRow {
    let kind = match h.kind {
        HolidayKind::Statutory => "calendar.kind.statutory",
        HolidayKind::Compensatory => "calendar.kind.compensatory",
        HolidayKind::Additional => "calendar.kind.additional",
    };
    HolidayRow {
        date: h.date.format("%d/%m/%Y").to_string(),
        weekday: weekday(t, h.date),
        name: if t.0 == Lang::En {
            h.name_en
        } else {
            h.name_vi
        },
        kind: t.get(kind),
        worked,
    }
}

async fn page(
    state: &AppState,
    layout: Layout,
    year: i32,
    form: DayForm,
    errors: FormErrors,
) -> Result<CalendarPage, PageError> {
    let t = layout.t;
    let view = calendar::year(&state.db, year)
        .await
        .map_err(|e| layout.fail(e))?;
    let worked: Vec<NaiveDate> = view
        .exceptions
        .iter()
        .filter(|d| d.is_working_day)
        .map(|d| d.day)
        .collect();
    Ok(CalendarPage {
        layout: layout.titled_form(t.get("calendar.title"), !errors.is_empty()),
        year,
        prev_year: year - 1,
        next_year: year + 1,
        holidays: view
            .holidays
            .iter()
            .map(|h| holiday_row(t, h, worked.contains(&h.date)))
            .collect(),
        exceptions: view
            .exceptions
            .into_iter()
            .map(|d| ExceptionRow {
                day: d.day.format("%Y-%m-%d").to_string(),
                date: d.day.format("%d/%m/%Y").to_string(),
                weekday: weekday(t, d.day),
                is_working_day: d.is_working_day,
                note: d.note,
            })
            .collect(),
        form,
        kinds: vec![
            ("work", t.get("calendar.exception_work")),
            ("off", t.get("calendar.exception_off")),
        ],
        errors,
    })
}

fn shown_year(value: &str) -> i32 {
    value
        .trim()
        .parse()
        .ok()
        .filter(|y| calendar::YEARS.contains(y))
        .unwrap_or_else(this_year)
}

/// `GET /admin/calendar?year=`.
pub async fn show_calendar(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = shown_year(&query.year);
    let form = DayForm {
        kind: "work".to_owned(),
        ..DayForm::default()
    };
    Ok(render(
        &page(&state, layout, year, form, FormErrors::default()).await?,
    ))
}

/// Reads a date typed as dd/mm/yyyy (as people in Vietnam write it) or YYYY-MM-DD.
fn parse_typed_day(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%d/%m/%Y")
        .ok()
        .or_else(|| calendar::parse_day(value))
        .filter(|d| calendar::YEARS.contains(&d.year()))
}

/// `POST /admin/calendar`: enters an exception, or shows the form again with its errors.
pub async fn add_day(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(admin): RoutingAdministrator,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let mut errors = FormErrors::default();
    let day = parse_typed_day(&form.day);
    if day.is_none() {
        errors.push("day", t.get("calendar.error_day"));
    }
    let is_working_day = match form.kind.as_str() {
        "work" => Some(true),
        "off" => Some(false),
        _ => None,
    };
    if is_working_day.is_none() {
        errors.push("kind", t.get("calendar.error_kind"));
    }
    if let (Some(day), Some(is_working_day)) = (day, is_working_day) {
        match calendar::set_exception(&state.db, day, is_working_day, &form.note, admin.user.id)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/admin/calendar?year={}&notice=calendar_day_saved",
                    day.year()
                )));
            }
            // The only rule the service checks itself is the note's.
            Err(Error::Invalid(_)) => errors.push("note", t.get("calendar.error_note")),
            Err(e) => return Err(layout.fail(e)),
        }
    } else if form.note.trim().is_empty() {
        errors.push("note", t.get("calendar.error_note"));
    }
    let year = day.map_or_else(this_year, |d| d.year());
    let view = page(&state, layout, year, form, errors).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
}

/// `POST /admin/calendar/remove`: removes the exception of a date.
pub async fn remove_day(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, PageError> {
    let day = calendar::parse_day(&form.day)
        .ok_or_else(|| layout.fail(Error::NotFound("calendar exception")))?;
    calendar::remove_exception(&state.db, day)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(see_other(&format!(
        "/admin/calendar?year={}&notice=calendar_day_removed",
        day.year()
    )))
}
