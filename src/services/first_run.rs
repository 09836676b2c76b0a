//! First run: reference data (units, agencies, organizations), sample consultations, the admin
//! account, and demo accounts.
//!
//! Reference data comes from `data/reference/can-tho.json` (built into the binary; operators
//! point `reference_file` at their own edited copy). Units are versioned: today's wards and
//! communes start on the reform date, the pre-reform provinces, districts and wards end the day
//! before, and each old ward records the unit(s) it was merged into.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use entity::enums::{
    AgencyKind, ClauseLevel, ConsultationKind, ConsultationStatus, OrganizationKind, Role,
    UnitLevel,
};
use entity::{
    admin_units, agencies, agency_units, clauses, consultation_units, consultations, organizations,
    unit_successions, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::config::{PasswordParams, Settings};
use crate::domain::account::{Email, NewPassword};
use crate::domain::text::normalize;
use crate::error::{Error, Result};
use crate::services::users::{self as accounts, NewUser};
use crate::services::{new_id, now, passwords};

const BUILTIN_REFERENCE: &str = include_str!("../../data/reference/can-tho.json");
const BUILTIN_SAMPLES: &str = include_str!("../../data/samples/consultations.json");

/// What the first run did, for the console.
#[derive(Debug, Default)]
pub struct Report {
    /// Whether the reference data was loaded now (false: it was there already).
    pub loaded_reference: bool,
    /// Number of sample consultations loaded now.
    pub loaded_samples: usize,
    /// The admin account created now, with its one-time password.
    pub admin: Option<(String, String)>,
}

/// An account made for demonstrations, with its password.
#[derive(Debug)]
pub struct DemoAccount {
    /// Role of the account.
    pub role: Role,
    /// Sign-in email.
    pub email: String,
    /// Password issued for this run.
    pub password: String,
}

#[derive(Debug, Deserialize)]
struct ReferenceFile {
    city: City,
    reform_date: NaiveDate,
    #[serde(default = "default_legacy_from")]
    legacy_valid_from: NaiveDate,
    #[serde(default)]
    legacy_provinces: Vec<LegacyProvince>,
    units_current: Vec<CurrentUnit>,
    units_legacy: Vec<LegacyUnit>,
    agencies: Vec<AgencyRow>,
    organizations: Vec<OrganizationRow>,
}

/// Cần Thơ city and Hậu Giang province were created on 1 January 2004; older start dates are not
/// in the reference file, so that is the earliest date gopy attributes the legacy units to.
fn default_legacy_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2004, 1, 1).unwrap_or_default()
}

#[derive(Debug, Deserialize)]
struct City {
    code: String,
    name: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct LegacyProvince {
    name: String,
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CurrentUnit {
    code: String,
    name: String,
    #[serde(rename = "type")]
    unit_type: String,
    lat: Option<f64>,
    lon: Option<f64>,
    area_km2: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct LegacyUnit {
    province: String,
    district: String,
    district_type: String,
    ward: String,
    ward_type: String,
    code: String,
    merged_into: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct AgencyRow {
    code: String,
    name: String,
    name_en: Option<String>,
    kind: AgencyKind,
    email: Option<String>,
    serves: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct OrganizationRow {
    code: String,
    name: String,
    name_en: Option<String>,
    kind: OrganizationKind,
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SamplesFile {
    consultations: Vec<SampleConsultation>,
}

#[derive(Debug, Deserialize)]
struct SampleConsultation {
    title: String,
    summary: String,
    body: String,
    kind: ConsultationKind,
    lead_agency: String,
    units: Vec<String>,
    legal_basis: String,
    opens_days_ago: i64,
    closes_in_days: i64,
    clauses: Vec<SampleClause>,
}

#[derive(Debug, Deserialize)]
struct SampleClause {
    level: ClauseLevel,
    number: String,
    heading: Option<String>,
    body: String,
    #[serde(default)]
    children: Vec<SampleClause>,
}

/// Loads what an empty database needs and creates the first admin. Safe to call on every start.
pub async fn run(db: &DatabaseConnection, settings: &Settings) -> Result<Report> {
    let mut report = Report::default();
    (report.loaded_reference, report.loaded_samples) = ensure_reference(db, settings).await?;
    report.admin = ensure_admin(db, settings).await?;
    Ok(report)
}

/// Loads reference data (and samples, when enabled) into an empty database, in one transaction.
/// Returns whether it loaded anything and how many sample consultations.
pub async fn ensure_reference(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<(bool, usize)> {
    let mut loaded = (false, 0);
    let has_units = admin_units::Entity::find().count(db).await? > 0;
    if !has_units {
        let source = match &settings.reference_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "cannot read reference_file {}: {e}",
                    path.display()
                ))
            })?,
            None => BUILTIN_REFERENCE.to_owned(),
        };
        let reference: ReferenceFile = serde_json::from_str(&source)
            .map_err(|e| Error::Internal(anyhow::anyhow!("reference data does not parse: {e}")))?;
        let txn = crate::db::begin_write(db).await?;
        load_reference(&txn, &reference).await?;
        if settings.load_samples {
            loaded.1 = load_samples(&txn, BUILTIN_SAMPLES).await?.len();
        }
        txn.commit().await?;
        loaded.0 = true;
    }
    Ok(loaded)
}

/// Creates the first admin account when there is none; returns its email and one-time password.
pub async fn ensure_admin(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<Option<(String, String)>> {
    let has_admin = users::Entity::find()
        .filter(users::Column::Role.eq(Role::Admin))
        .count(db)
        .await?
        > 0;
    if !has_admin {
        let password = passwords::generate();
        let email = Email::parse(&settings.admin_email)
            .map_err(|_| Error::Internal(anyhow::anyhow!("admin_email is not an email address")))?;
        let new = NewUser {
            email: email.clone(),
            password: parse_generated(&password)?,
            display_name: "Quản trị viên".to_owned(),
            role: Role::Admin,
            agency_code: None,
            organization_code: None,
            verified: true,
        };
        accounts::create(db, new, settings.password).await?;
        return Ok(Some((email.as_str().to_owned(), password)));
    }
    Ok(None)
}

fn parse_generated(password: &str) -> Result<NewPassword> {
    NewPassword::parse(password)
        .map_err(|_| Error::Internal(anyhow::anyhow!("generated password rejected")))
}

async fn load_reference<C: ConnectionTrait>(db: &C, reference: &ReferenceFile) -> Result<()> {
    let reform = reference.reform_date;
    let legacy_to = reform - Duration::days(1);
    let city_id = new_id();
    let city = admin_units::ActiveModel {
        id: Set(city_id),
        code: Set(Some(reference.city.code.clone())),
        name: Set(normalize(&reference.city.name)),
        unit_type: Set("Thành phố".to_owned()),
        level: Set(UnitLevel::Province),
        parent_id: Set(None),
        valid_from: Set(reform),
        valid_to: Set(None),
        lat: Set(reference.city.lat),
        lon: Set(reference.city.lon),
        area_km2: Set(None),
    };
    let mut rows = vec![city];
    let mut current_ids: HashMap<&str, Uuid> = HashMap::new();
    for unit in &reference.units_current {
        let id = new_id();
        current_ids.insert(unit.code.as_str(), id);
        rows.push(admin_units::ActiveModel {
            id: Set(id),
            code: Set(Some(unit.code.clone())),
            name: Set(normalize(&unit.name)),
            unit_type: Set(normalize(&unit.unit_type)),
            level: Set(UnitLevel::Commune),
            parent_id: Set(Some(city_id)),
            valid_from: Set(reform),
            valid_to: Set(None),
            lat: Set(unit.lat),
            lon: Set(unit.lon),
            area_km2: Set(unit.area_km2),
        });
    }
    // Legacy provinces and districts are derived from the names on each legacy ward.
    let mut provinces: HashMap<&str, Uuid> = HashMap::new();
    let mut districts: HashMap<(&str, &str), Uuid> = HashMap::new();
    let mut successions = Vec::new();
    let legacy = |id, code, name: &str, unit_type: &str, level, parent| admin_units::ActiveModel {
        id: Set(id),
        code: Set(code),
        name: Set(normalize(name)),
        unit_type: Set(normalize(unit_type)),
        level: Set(level),
        parent_id: Set(parent),
        valid_from: Set(reference.legacy_valid_from),
        valid_to: Set(Some(legacy_to)),
        lat: Set(None),
        lon: Set(None),
        area_km2: Set(None),
    };
    for unit in &reference.units_legacy {
        let province_id = match provinces.get(unit.province.as_str()) {
            Some(id) => *id,
            None => {
                let id = new_id();
                let code = reference
                    .legacy_provinces
                    .iter()
                    .find(|p| p.name == unit.province)
                    .and_then(|p| p.code.clone());
                let kind = if unit.province.starts_with("Tỉnh") {
                    "Tỉnh"
                } else {
                    "Thành phố"
                };
                rows.push(legacy(
                    id,
                    code,
                    &unit.province,
                    kind,
                    UnitLevel::Province,
                    None,
                ));
                provinces.insert(unit.province.as_str(), id);
                id
            }
        };
        let key = (unit.province.as_str(), unit.district.as_str());
        let district_id = match districts.get(&key) {
            Some(id) => *id,
            None => {
                let id = new_id();
                rows.push(legacy(
                    id,
                    None,
                    &unit.district,
                    &unit.district_type,
                    UnitLevel::District,
                    Some(province_id),
                ));
                districts.insert(key, id);
                id
            }
        };
        let ward_id = new_id();
        rows.push(legacy(
            ward_id,
            Some(unit.code.clone()),
            &unit.ward,
            &unit.ward_type,
            UnitLevel::Commune,
            Some(district_id),
        ));
        for code in &unit.merged_into {
            let successor = current_ids.get(code.as_str()).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!(
                    "legacy unit {} merges into unknown {code}",
                    unit.code
                ))
            })?;
            successions.push(unit_successions::ActiveModel {
                predecessor_id: Set(ward_id),
                successor_id: Set(*successor),
            });
        }
    }
    insert_chunked::<admin_units::Entity, _, _>(db, rows).await?;
    insert_chunked::<unit_successions::Entity, _, _>(db, successions).await?;

    let created = now();
    let mut agency_rows = Vec::new();
    let mut served = Vec::new();
    for agency in &reference.agencies {
        let id = new_id();
        agency_rows.push(agencies::ActiveModel {
            id: Set(id),
            code: Set(agency.code.clone()),
            name: Set(normalize(&agency.name)),
            name_en: Set(agency.name_en.clone()),
            kind: Set(agency.kind),
            email: Set(agency.email.clone()),
            phone: Set(None),
            parent_id: Set(None),
            valid_from: Set(reform),
            valid_to: Set(None),
            created_at: Set(created),
        });
        for code in &agency.serves {
            let unit_id = if code == "*" {
                city_id
            } else {
                *current_ids.get(code.as_str()).ok_or_else(|| {
                    Error::Internal(anyhow::anyhow!(
                        "agency {} serves unknown unit {code}",
                        agency.code
                    ))
                })?
            };
            served.push(agency_units::ActiveModel {
                agency_id: Set(id),
                unit_id: Set(unit_id),
            });
        }
    }
    insert_chunked::<agencies::Entity, _, _>(db, agency_rows).await?;
    insert_chunked::<agency_units::Entity, _, _>(db, served).await?;

    let organization_rows = reference
        .organizations
        .iter()
        .map(|o| organizations::ActiveModel {
            id: Set(new_id()),
            code: Set(o.code.clone()),
            name: Set(normalize(&o.name)),
            name_en: Set(o.name_en.clone()),
            kind: Set(o.kind),
            email: Set(o.email.clone()),
            valid_from: Set(reform),
            valid_to: Set(None),
            created_at: Set(created),
        })
        .collect();
    insert_chunked::<organizations::Entity, _, _>(db, organization_rows).await?;
    Ok(())
}

/// Inserts rows in chunks that stay under SQLite's bound-parameter limit.
async fn insert_chunked<E, A, C>(db: &C, rows: Vec<A>) -> Result<()>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(200).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Loads the sample consultations; returns how many.
/// Inserts the consultations of a samples file (published, open) and returns their ids.
pub(crate) async fn load_samples<C: ConnectionTrait>(db: &C, source: &str) -> Result<Vec<Uuid>> {
    let samples: SamplesFile = serde_json::from_str(source)
        .map_err(|e| Error::Internal(anyhow::anyhow!("sample consultations do not parse: {e}")))?;
    let at = now();
    let mut ids = Vec::new();
    for sample in &samples.consultations {
        let agency = agencies::Entity::find()
            .filter(agencies::Column::Code.eq(sample.lead_agency.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("unknown agency {}", sample.lead_agency))
            })?;
        let id = new_id();
        let opens_at = at - Duration::days(sample.opens_days_ago);
        consultations::ActiveModel {
            id: Set(id),
            title: Set(normalize(&sample.title)),
            summary: Set(normalize(&sample.summary)),
            body: Set(normalize(&sample.body)),
            kind: Set(sample.kind),
            lead_agency_id: Set(agency.id),
            legal_basis: Set(normalize(&sample.legal_basis)),
            opens_at: Set(opens_at),
            closes_at: Set(at + Duration::days(sample.closes_in_days)),
            short_window_reason: Set(None),
            status: Set(ConsultationStatus::Open),
            version: Set(1),
            previous_version_id: Set(None),
            area_geojson: Set(None),
            created_by: Set(None),
            published_at: Set(Some(opens_at)),
            created_at: Set(opens_at),
            updated_at: Set(opens_at),
        }
        .insert(db)
        .await?;
        let mut links = Vec::new();
        for code in &sample.units {
            let unit = admin_units::Entity::find()
                .filter(admin_units::Column::Code.eq(code.as_str()))
                .filter(admin_units::Column::ValidTo.is_null())
                .one(db)
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown unit {code}")))?;
            links.push(consultation_units::ActiveModel {
                consultation_id: Set(id),
                unit_id: Set(unit.id),
            });
        }
        insert_chunked::<consultation_units::Entity, _, _>(db, links).await?;
        let mut rows = Vec::new();
        flatten_clauses(&sample.clauses, id, None, &mut rows);
        insert_chunked::<clauses::Entity, _, _>(db, rows).await?;
        ids.push(id);
    }
    Ok(ids)
}

fn flatten_clauses(
    nodes: &[SampleClause],
    consultation_id: Uuid,
    parent_id: Option<Uuid>,
    out: &mut Vec<clauses::ActiveModel>,
) {
    for node in nodes {
        let id = new_id();
        let position = i32::try_from(out.len()).unwrap_or(i32::MAX);
        out.push(clauses::ActiveModel {
            id: Set(id),
            consultation_id: Set(consultation_id),
            parent_id: Set(parent_id),
            stable_key: Set(new_id()),
            level: Set(node.level),
            number: Set(node.number.clone()),
            heading: Set(node
                .heading
                .as_deref()
                .map(normalize)
                .filter(|h| !h.is_empty())),
            body: Set(normalize(&node.body)),
            position: Set(position),
        });
        flatten_clauses(&node.children, consultation_id, Some(id), out);
    }
}

/// Creates (or re-issues) one demo account per role and returns their passwords for this run.
pub async fn ensure_demo_accounts(
    db: &DatabaseConnection,
    params: PasswordParams,
) -> Result<Vec<DemoAccount>> {
    let front = organizations::Entity::find()
        .filter(organizations::Column::Kind.eq(OrganizationKind::FatherlandFront))
        .order_by_asc(organizations::Column::Code)
        .one(db)
        .await?;
    let mass = organizations::Entity::find()
        .filter(organizations::Column::Kind.eq(OrganizationKind::MassOrganization))
        .order_by_asc(organizations::Column::Code)
        .one(db)
        .await?;
    // The demo officer works for the Department of Construction, which leads most of the
    // sample consultations, so the demo shows comments reaching its inbox.
    let construction = agencies::Entity::find()
        .filter(agencies::Column::Code.eq("SXD"))
        .one(db)
        .await?;
    let agency = match construction {
        Some(agency) => Some(agency),
        None => {
            agencies::Entity::find()
                .filter(agencies::Column::Kind.eq(AgencyKind::Department))
                .order_by_asc(agencies::Column::Code)
                .one(db)
                .await?
        }
    };
    let plan = [
        (Role::Resident, "nguoidan", "Nguyễn Thị Lan", None, None),
        (
            Role::OrganizationRep,
            "hoi",
            "Trần Văn Hùng",
            None,
            mass.map(|o| o.code),
        ),
        (
            Role::Moderator,
            "mttq",
            "Lê Thị Thu",
            None,
            front.map(|o| o.code),
        ),
        (
            Role::AgencyOfficer,
            "canbo",
            "Phạm Minh Tuấn",
            agency.map(|a| a.code),
            None,
        ),
        (Role::Admin, "quantri", "Quản trị demo", None, None),
        // An officer of the Department of Agriculture and Environment, which answered the
        // concluded consultation of the demo history.
        (
            Role::AgencyOfficer,
            "canbo.moitruong",
            "Võ Thành Nhân",
            Some("SNNMT".to_owned()),
            None,
        ),
    ];
    let mut accounts = Vec::new();
    for (role, local, name, agency_code, organization_code) in plan {
        let email = Email::parse(&format!("{local}@demo.gopy.vn"))
            .map_err(|_| Error::Internal(anyhow::anyhow!("demo email")))?;
        let password = passwords::generate();
        let new_password = parse_generated(&password)?;
        match accounts::find_by_email(db, &email).await? {
            Some(user) => accounts::set_password(db, user, &new_password, params).await?,
            None => {
                let new = NewUser {
                    email: email.clone(),
                    password: new_password,
                    display_name: name.to_owned(),
                    role,
                    agency_code,
                    organization_code,
                    verified: true,
                };
                accounts::create(db, new, params).await?;
            }
        }
        accounts.push(DemoAccount {
            role,
            email: email.as_str().to_owned(),
            password,
        });
    }
    Ok(accounts)
}
