//! The draft form of the agency pages: what an officer types, how it becomes a `DraftInput`
//! (dates read in Vietnam time), and the choices the form offers (kinds, agencies, units).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::enums::ConsultationKind;

use crate::error::Error;
use crate::http::pages::VIETNAM;
use crate::http::pages::forms::FormErrors;
use crate::i18n::Tr;
use crate::policy::Actor;
use crate::services::authoring::{self, DraftInput};
use crate::services::{now, units};
use crate::state::AppState;

/// Kinds in the order the select offers them.
const KINDS: [ConsultationKind; 5] = [
    ConsultationKind::GeneralPlan,
    ConsultationKind::ZoningPlan,
    ConsultationKind::DetailedPlan,
    ConsultationKind::InvestmentProject,
    ConsultationKind::Policy,
];

/// The draft form as typed (dates as `yyyy-mm-dd`, the value of a date input).
#[derive(Debug, Clone, Default)]
pub struct DraftForm {
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Full text (Markdown).
    pub body: String,
    /// Kind code.
    pub kind: String,
    /// Lead agency code (`""`: the officer's own).
    pub lead_agency: String,
    /// Codes of the ticked units.
    pub units: Vec<String>,
    /// Legal basis.
    pub legal_basis: String,
    /// First day of the window.
    pub opens_at: String,
    /// Last day of the window.
    pub closes_at: String,
    /// Reason for a short window.
    pub short_window_reason: String,
}

impl DraftForm {
    /// Reads the posted pairs (units may repeat).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "title" => form.title = value,
                "summary" => form.summary = value,
                "body" => form.body = value,
                "kind" => form.kind = value,
                "lead_agency" => form.lead_agency = value,
                "units" if !value.trim().is_empty() => form.units.push(value),
                "legal_basis" => form.legal_basis = value,
                "opens_at" => form.opens_at = value,
                "closes_at" => form.closes_at = value,
                "short_window_reason" => form.short_window_reason = value,
                _ => {}
            }
        }
        form
    }

    /// The form filled with a draft's current values.
    pub fn from_input(input: &DraftInput) -> Self {
        let day = |at: DateTime<Utc>| at.with_timezone(&VIETNAM).format("%Y-%m-%d").to_string();
        Self {
            title: input.title.clone(),
            summary: input.summary.clone(),
            body: input.body.clone(),
            kind: input.kind.clone(),
            lead_agency: input.lead_agency.clone().unwrap_or_default(),
            units: input.units.clone(),
            legal_basis: input.legal_basis.clone(),
            opens_at: day(input.opens_at),
            closes_at: day(input.closes_at),
            short_window_reason: input.short_window_reason.clone().unwrap_or_default(),
        }
    }

    /// The service input, or `None` with the date errors when a date cannot be read. The
    /// window opens at 00:00 of its first day and closes at 23:59:59 of its last, Vietnam time.
    pub fn to_input(&self, t: Tr, errors: &mut FormErrors) -> Option<DraftInput> {
        let opens = parse_day(&self.opens_at).and_then(|d| at_vietnam(d, NaiveTime::MIN));
        let closes = parse_day(&self.closes_at)
            .and_then(|d| at_vietnam(d, NaiveTime::from_hms_opt(23, 59, 59)?));
        if opens.is_none() {
            errors.push("opens_at", t.get("authoring.error_date"));
        }
        if closes.is_none() {
            errors.push("closes_at", t.get("authoring.error_date"));
        }
        let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Some(DraftInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            kind: self.kind.clone(),
            lead_agency: optional(&self.lead_agency),
            units: self.units.clone(),
            legal_basis: self.legal_basis.clone(),
            opens_at: opens?,
            closes_at: closes?,
            short_window_reason: optional(&self.short_window_reason),
            area_geojson: None,
        })
    }
}

/// A day as a date input sends it (`2026-12-01`), or as typed where there is no date picker.
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
}

pub fn at_vietnam(day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    day.and_time(time)
        .and_local_timezone(VIETNAM)
        .single()
        .map(|at| at.with_timezone(&Utc))
}

/// A unit offered in the form.
#[derive(Debug, Clone)]
pub struct UnitOption {
    /// National code (the value sent).
    pub code: String,
    /// Type and name ("Phường Ninh Kiều").
    pub name: String,
    /// Whether it is ticked.
    pub checked: bool,
}

/// What the draft form needs besides the values typed.
#[derive(Debug, Clone)]
pub struct DraftChoices {
    /// `(code, label)` of every kind.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// `(code, name)` of the agencies the author may name (a select only when more than one).
    pub agencies: Vec<(String, String)>,
    /// Today's units.
    pub units: Vec<UnitOption>,
    /// The minimum window per kind, as a sentence.
    pub minimum_hint: String,
}

pub async fn draft_choices(
    state: &AppState,
    actor: &Actor,
    t: Tr,
    ticked: &[String],
) -> Result<DraftChoices, Error> {
    let today = now().with_timezone(&VIETNAM).date_naive();
    let units = units::list_in_force(&state.db, today)
        .await?
        .into_iter()
        .filter_map(|u| {
            let code = u.code?;
            // Names are stored with or without their type ("Phường An Bình" / "An Bình").
            let name = if u.name.starts_with(&u.unit_type) {
                u.name
            } else {
                format!("{} {}", u.unit_type, u.name)
            };
            Some(UnitOption {
                checked: ticked.contains(&code),
                name,
                code,
            })
        })
        .collect();
    let agencies = authoring::lead_agencies(&state.db, actor)
        .await?
        .into_iter()
        .map(|a| {
            let name = match (t.0, a.name_en) {
                (crate::i18n::Lang::En, Some(en)) => en,
                _ => a.name,
            };
            (a.code, name)
        })
        .collect();
    let minimum_hint = KINDS
        .iter()
        .map(|k| {
            format!(
                "{}: {}{}",
                t.get(&format!("kind.{}", k.as_str())),
                state.settings.min_comment_days.for_kind(*k),
                t.get("count.days_suffix")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(DraftChoices {
        kinds: KINDS
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("kind.{}", k.as_str()))))
            .collect(),
        agencies,
        units,
        minimum_hint: format!("{}{minimum_hint}.", t.get("authoring.minimum_prefix")),
    })
}
