//! Administration of the routing rules (admins): the list with the names of what each rule
//! refers to, creating, changing, (de)activating and deleting rules, and the choices the
//! rule form offers. Which rule applies to a comment is `services::routing`'s business.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::enums::{ConsultationKind, ConsultationStatus, UnitLevel};
use entity::{admin_units, agencies, clauses, consultations, routing_rules};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::{Error, FieldErrors, Result};
use crate::services::routing::{TARGET_AGENCY, TARGET_LEAD_AGENCY, TARGET_UNIT_COMMITTEE};
use crate::services::{new_id, now};

/// The three targets a rule may name, in the order forms offer them.
pub const TARGETS: [&str; 3] = [TARGET_AGENCY, TARGET_LEAD_AGENCY, TARGET_UNIT_COMMITTEE];

/// Longest rule name, in characters.
pub const NAME_MAX: usize = 200;
/// Highest priority number (lower numbers are tried first).
pub const PRIORITY_MAX: i64 = 10_000;
/// Longest keyword, in characters.
pub const KEYWORD_MAX: usize = 100;
/// Most working days a rule may give to answer.
pub const WORKING_DAYS_MAX: i64 = 120;

/// A rule with the names of the consultation, unit and agency it refers to.
#[derive(Debug, Clone)]
pub struct RuleView {
    /// The rule.
    pub rule: routing_rules::Model,
    /// Title of its consultation, if it names one.
    pub consultation_title: Option<String>,
    /// Name of its ward or commune, if it names one.
    pub unit_name: Option<String>,
    /// Name of its agency, if it names one.
    pub agency_name: Option<String>,
}

/// A rule as typed by an admin, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// Name shown to admins.
    pub name: String,
    /// Lower numbers are tried first (0 to 10,000).
    pub priority: i64,
    /// Only comments on this consultation.
    pub consultation_id: Option<Uuid>,
    /// Only consultations of this kind.
    pub consultation_kind: Option<String>,
    /// Only comments on this clause (its stable key).
    pub clause_stable_key: Option<Uuid>,
    /// Only comments containing this word or phrase.
    pub keyword: Option<String>,
    /// Only comments about this ward or commune.
    pub unit_id: Option<Uuid>,
    /// `agency`, `lead_agency` or `unit_committee`.
    pub target: String,
    /// The agency, for the `agency` target.
    pub agency_id: Option<Uuid>,
    /// Working days to answer (1 to 120), instead of the default.
    pub working_days: Option<i64>,
    /// Whether the rule is used.
    pub is_active: bool,
}

/// A change to a rule: `None` keeps a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    /// New name.
    pub name: Option<String>,
    /// New priority.
    pub priority: Option<i64>,
    /// New consultation condition.
    pub consultation_id: Option<Option<Uuid>>,
    /// New kind condition.
    pub consultation_kind: Option<Option<String>>,
    /// New clause condition.
    pub clause_stable_key: Option<Option<Uuid>>,
    /// New keyword condition.
    pub keyword: Option<Option<String>>,
    /// New unit condition.
    pub unit_id: Option<Option<Uuid>>,
    /// New target.
    pub target: Option<String>,
    /// New agency.
    pub agency_id: Option<Option<Uuid>>,
    /// New number of working days.
    pub working_days: Option<Option<i64>>,
    /// Used or not.
    pub is_active: Option<bool>,
}

impl RulePatch {
    fn apply(self, rule: &routing_rules::Model) -> RuleInput {
        RuleInput {
            name: self.name.unwrap_or_else(|| rule.name.clone()),
            priority: self.priority.unwrap_or(i64::from(rule.priority)),
            consultation_id: self.consultation_id.unwrap_or(rule.consultation_id),
            consultation_kind: self
                .consultation_kind
                .unwrap_or_else(|| rule.consultation_kind.clone()),
            clause_stable_key: self.clause_stable_key.unwrap_or(rule.clause_stable_key),
            keyword: self.keyword.unwrap_or_else(|| rule.keyword.clone()),
            unit_id: self.unit_id.unwrap_or(rule.unit_id),
            target: self.target.unwrap_or_else(|| rule.target.clone()),
            agency_id: self.agency_id.unwrap_or(rule.agency_id),
            working_days: self
                .working_days
                .unwrap_or(rule.working_days.map(i64::from)),
            is_active: self.is_active.unwrap_or(rule.is_active),
        }
    }
}

/// A checked rule, ready to store.
struct Checked {
    name: String,
    priority: i32,
    consultation_id: Option<Uuid>,
    consultation_kind: Option<String>,
    clause_stable_key: Option<Uuid>,
    keyword: Option<String>,
    unit_id: Option<Uuid>,
    target: String,
    agency_id: Option<Uuid>,
    working_days: Option<i32>,
    is_active: bool,
}

/// Every rule, in the order they are tried (active or not), with the names they refer to.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<RuleView>> {
    let rules = routing_rules::Entity::find()
        .order_by_asc(routing_rules::Column::Priority)
        .order_by_asc(routing_rules::Column::CreatedAt)
        .order_by_asc(routing_rules::Column::Id)
        .all(db)
        .await?;
    let consultation_ids: Vec<Uuid> = rules.iter().filter_map(|r| r.consultation_id).collect();
    let unit_ids: Vec<Uuid> = rules.iter().filter_map(|r| r.unit_id).collect();
    let agency_ids: Vec<Uuid> = rules.iter().filter_map(|r| r.agency_id).collect();
    let titles: HashMap<Uuid, String> = consultations::Entity::find()
        .filter(consultations::Column::Id.is_in(consultation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let units: HashMap<Uuid, String> = admin_units::Entity::find()
        .filter(admin_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let agency_names: HashMap<Uuid, String> = agencies::Entity::find()
        .filter(agencies::Column::Id.is_in(agency_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(rules
        .into_iter()
        .map(|rule| RuleView {
            consultation_title: rule.consultation_id.and_then(|id| titles.get(&id).cloned()),
            unit_name: rule.unit_id.and_then(|id| units.get(&id).cloned()),
            agency_name: rule.agency_id.and_then(|id| agency_names.get(&id).cloned()),
            rule,
        })
        .collect())
}

/// One rule with its names; `NotFound` when there is none.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<RuleView> {
    let rule = routing_rules::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("routing rule"))?;
    view(db, rule).await
}

async fn view<C: ConnectionTrait>(db: &C, rule: routing_rules::Model) -> Result<RuleView> {
    let consultation_title = match rule.consultation_id {
        Some(id) => consultations::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.title),
        None => None,
    };
    let unit_name = match rule.unit_id {
        Some(id) => admin_units::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.name),
        None => None,
    };
    let agency_name = match rule.agency_id {
        Some(id) => agencies::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|a| a.name),
        None => None,
    };
    Ok(RuleView {
        rule,
        consultation_title,
        unit_name,
        agency_name,
    })
}

/// Creates a rule after checking it.
pub async fn create<C: ConnectionTrait>(db: &C, input: RuleInput) -> Result<RuleView> {
    let checked = check(db, input).await?;
    let at = now();
    let rule = routing_rules::ActiveModel {
        id: Set(new_id()),
        name: Set(checked.name),
        priority: Set(checked.priority),
        consultation_id: Set(checked.consultation_id),
        consultation_kind: Set(checked.consultation_kind),
        clause_stable_key: Set(checked.clause_stable_key),
        keyword: Set(checked.keyword),
        unit_id: Set(checked.unit_id),
        target: Set(checked.target),
        agency_id: Set(checked.agency_id),
        working_days: Set(checked.working_days),
        is_active: Set(checked.is_active),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    view(db, rule).await
}

/// Checks a rule without storing it (a form that has other errors still shows these).
pub async fn validate<C: ConnectionTrait>(db: &C, input: RuleInput) -> Result<()> {
    check(db, input).await.map(|_| ())
}

/// Changes a rule: the patch is applied to the stored rule and the result checked whole.
pub async fn update<C: ConnectionTrait>(db: &C, id: Uuid, patch: RulePatch) -> Result<RuleView> {
    let rule = routing_rules::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("routing rule"))?;
    let checked = check(db, patch.apply(&rule)).await?;
    let mut active: routing_rules::ActiveModel = rule.into();
    active.name = Set(checked.name);
    active.priority = Set(checked.priority);
    active.consultation_id = Set(checked.consultation_id);
    active.consultation_kind = Set(checked.consultation_kind);
    active.clause_stable_key = Set(checked.clause_stable_key);
    active.keyword = Set(checked.keyword);
    active.unit_id = Set(checked.unit_id);
    active.target = Set(checked.target);
    active.agency_id = Set(checked.agency_id);
    active.working_days = Set(checked.working_days);
    active.is_active = Set(checked.is_active);
    active.updated_at = Set(now());
    let rule = active.update(db).await?;
    view(db, rule).await
}

/// Turns a rule on or off without touching anything else.
pub async fn set_active<C: ConnectionTrait>(db: &C, id: Uuid, active: bool) -> Result<RuleView> {
    let patch = RulePatch {
        is_active: Some(active),
        ..RulePatch::default()
    };
    update(db, id, patch).await
}

/// Deletes a rule. Nothing stores which rule proposed an assignment (the moderator's choice
/// is what counts), so a rule can go at any time; deactivating keeps it for later.
pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    let deleted = routing_rules::Entity::delete_by_id(id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound("routing rule"));
    }
    Ok(())
}

fn optional_text(value: Option<String>) -> Option<String> {
    value
        .map(|v| crate::domain::text::normalize(&v).trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Checks every field and that what the rule names exists; collects all the errors at once.
async fn check<C: ConnectionTrait>(db: &C, input: RuleInput) -> Result<Checked> {
    let mut errors = FieldErrors::default();
    let name = crate::domain::text::normalize(&input.name)
        .trim()
        .to_owned();
    let name_chars = name.chars().count();
    if name_chars == 0 || name_chars > NAME_MAX {
        errors.push("name", "length", "Đặt tên cho quy tắc, từ 1 đến 200 ký tự");
    }
    let priority = i32::try_from(input.priority)
        .ok()
        .filter(|p| (0..=PRIORITY_MAX).contains(&i64::from(*p)));
    if priority.is_none() {
        errors.push(
            "priority",
            "out_of_range",
            "Thứ tự ưu tiên là một số từ 0 đến 10.000 (số nhỏ được xét trước)",
        );
    }
    let target = input.target.trim().to_owned();
    if !TARGETS.contains(&target.as_str()) {
        errors.push(
            "target",
            "unknown",
            "Chọn nơi nhận: một cơ quan cụ thể, cơ quan chủ trì hoặc UBND phường, xã",
        );
    }
    check_agency(db, &target, input.agency_id, &mut errors).await?;
    let consultation_kind = optional_text(input.consultation_kind);
    if let Some(kind) = &consultation_kind
        && !ConsultationKind::iter().any(|k| k.as_str() == kind)
    {
        errors.push(
            "consultation_kind",
            "unknown",
            "Chọn một loại dự thảo trong danh sách",
        );
    }
    if let Some(id) = input.consultation_id
        && consultations::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(
            "consultation_id",
            "unknown",
            "Không có dự thảo này. Chọn một dự thảo trong danh sách",
        );
    }
    if let Some(key) = input.clause_stable_key {
        let found = clauses::Entity::find()
            .filter(clauses::Column::StableKey.eq(key))
            .count(db)
            .await?;
        if found == 0 {
            errors.push(
                "clause_stable_key",
                "unknown",
                "Không có điều khoản nào mang mã này",
            );
        }
    }
    if let Some(id) = input.unit_id
        && admin_units::Entity::find_by_id(id).one(db).await?.is_none()
    {
        errors.push(
            "unit_id",
            "unknown",
            "Không có phường, xã này. Chọn một phường, xã trong danh sách",
        );
    }
    let keyword = optional_text(input.keyword);
    if keyword
        .as_ref()
        .is_some_and(|k| k.chars().count() > KEYWORD_MAX)
    {
        errors.push("keyword", "too_long", "Từ khóa tối đa 100 ký tự");
    }
    let working_days = match input.working_days {
        None => None,
        Some(days) if (1..=WORKING_DAYS_MAX).contains(&days) => i32::try_from(days).ok(),
        Some(_) => {
            errors.push(
                "working_days",
                "out_of_range",
                "Số ngày làm việc để trả lời là một số từ 1 đến 120, hoặc để trống",
            );
            None
        }
    };
    errors.into_result()?;
    Ok(Checked {
        name,
        priority: priority.unwrap_or_default(),
        consultation_id: input.consultation_id,
        consultation_kind,
        clause_stable_key: input.clause_stable_key,
        keyword,
        unit_id: input.unit_id,
        agency_id: if target == TARGET_AGENCY {
            input.agency_id
        } else {
            None
        },
        target,
        working_days,
        is_active: input.is_active,
    })
}

/// The `agency` target needs an agency that exists today; other targets take none.
async fn check_agency<C: ConnectionTrait>(
    db: &C,
    target: &str,
    agency_id: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<()> {
    match (target == TARGET_AGENCY, agency_id) {
        (true, None) => errors.push(
            "agency_id",
            "required",
            "Chọn cơ quan nhận ý kiến theo quy tắc này",
        ),
        (true, Some(id)) => {
            let current = agencies::Entity::find_by_id(id)
                .one(db)
                .await?
                .is_some_and(|a| a.valid_to.is_none());
            if !current {
                errors.push(
                    "agency_id",
                    "unknown",
                    "Không có cơ quan này, hoặc cơ quan đã giải thể. Chọn một cơ quan trong danh sách",
                );
            }
        }
        (false, Some(_)) => errors.push(
            "agency_id",
            "not_allowed",
            "Chỉ chọn cơ quan khi nơi nhận là “một cơ quan cụ thể”; hãy để trống ô này",
        ),
        (false, None) => {}
    }
    Ok(())
}

/// What the rule form lets an admin choose from.
#[derive(Debug, Clone, Default)]
pub struct FormOptions {
    /// Current agencies, by name: `(id, name)`.
    pub agencies: Vec<(Uuid, String)>,
    /// Published consultations (not drafts), by title: `(id, title)`.
    pub consultations: Vec<(Uuid, String)>,
    /// Wards and communes in force today, by name: `(id, name)`.
    pub units: Vec<(Uuid, String)>,
}

/// The agencies, consultations and wards or communes the rule form offers.
pub async fn form_options<C: ConnectionTrait>(db: &C) -> Result<FormOptions> {
    let agencies = agencies::Entity::find()
        .filter(agencies::Column::ValidTo.is_null())
        .order_by_asc(agencies::Column::Name)
        .order_by_asc(agencies::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let consultations = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(ConsultationStatus::Draft))
        .order_by_asc(consultations::Column::Title)
        .order_by_asc(consultations::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let today: NaiveDate = Utc::now()
        .with_timezone(&crate::domain::time::VIETNAM)
        .date_naive();
    let units = admin_units::Entity::find()
        .filter(admin_units::Column::Level.eq(UnitLevel::Commune))
        .filter(admin_units::Column::ValidFrom.lte(today))
        .filter(
            Condition::any()
                .add(admin_units::Column::ValidTo.is_null())
                .add(admin_units::Column::ValidTo.gte(today)),
        )
        .order_by_asc(admin_units::Column::Name)
        .order_by_asc(admin_units::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(FormOptions {
        agencies,
        consultations,
        units,
    })
}
