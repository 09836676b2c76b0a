//! Agencies publishing drafts: create and edit a draft consultation, build its clause tree from
//! pasted text, publish it with a comment window, close it, and start a new version.
//!
//! Published consultations are never deleted, only closed; a new version keeps the old one and
//! its comments, and clauses keep their `stable_key` across versions so changes can be shown.

use chrono::{DateTime, Duration, Utc};
use entity::enums::{ClauseLevel, ConsultationKind, ConsultationStatus};
use entity::{admin_units, agencies, clauses, consultation_units, consultations};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::config::MinCommentDays;
use crate::domain::clauses::{Level, ParsedClause, parse};
use crate::domain::text::{char_len, normalize};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::services::{audit, new_id, now};

/// The fields of a draft as an officer sends them.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    /// Title.
    pub title: String,
    /// Short summary.
    pub summary: String,
    /// Full text (Markdown).
    pub body: String,
    /// `general_plan`, `zoning_plan`, `detailed_plan`, `investment_project` or `policy`.
    pub kind: String,
    /// Lead agency code; officers may only name their own agency.
    pub lead_agency: Option<String>,
    /// Codes of the units concerned (units in force).
    pub units: Vec<String>,
    /// Legal basis.
    pub legal_basis: String,
    /// Start of the comment window.
    pub opens_at: DateTime<Utc>,
    /// End of the comment window.
    pub closes_at: DateTime<Utc>,
    /// Why the window is shorter than the minimum, if it is.
    pub short_window_reason: Option<String>,
    /// Area concerned, as GeoJSON.
    pub area_geojson: Option<serde_json::Value>,
}

fn parse_kind(kind: &str) -> Option<ConsultationKind> {
    match kind {
        "general_plan" => Some(ConsultationKind::GeneralPlan),
        "zoning_plan" => Some(ConsultationKind::ZoningPlan),
        "detailed_plan" => Some(ConsultationKind::DetailedPlan),
        "investment_project" => Some(ConsultationKind::InvestmentProject),
        "policy" => Some(ConsultationKind::Policy),
        _ => None,
    }
}

fn text_field(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = normalize(value);
    let length = char_len(&value);
    if length == 0 {
        errors.push(field, "required", "Không được để trống");
    } else if length > max {
        errors.push(field, "too_long", format!("Tối đa {max} ký tự"));
    }
    value
}

/// Checks the comment window: it must end after it starts, and be at least the minimum for
/// the kind unless a reason is given (the reason is shown to the public).
fn check_window(
    errors: &mut FieldErrors,
    kind: Option<ConsultationKind>,
    input: &DraftInput,
    minimums: &MinCommentDays,
) -> Option<String> {
    if input.closes_at <= input.opens_at {
        errors.push(
            "closes_at",
            "before_opening",
            "Ngày kết thúc phải sau ngày bắt đầu",
        );
        return None;
    }
    let reason = input
        .short_window_reason
        .as_deref()
        .map(normalize)
        .filter(|r| !r.is_empty());
    if let Some(kind) = kind {
        let minimum = minimums.for_kind(kind);
        if input.closes_at - input.opens_at < Duration::days(minimum) && reason.is_none() {
            errors.push(
                "short_window_reason",
                "required",
                format!(
                    "Thời gian lấy ý kiến dưới {minimum} ngày: cần nêu lý do (lý do được công khai)"
                ),
            );
        }
    }
    reason
}

async fn resolve_agency<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    requested: Option<&str>,
    errors: &mut FieldErrors,
) -> Result<Option<agencies::Model>> {
    let account = actor.account.as_ref().ok_or(Error::Unauthenticated)?;
    let agency = match (requested, account.agency_id) {
        (Some(code), _) => {
            agencies::Entity::find()
                .filter(agencies::Column::Code.eq(code.trim()))
                .one(db)
                .await?
        }
        (None, Some(own)) => agencies::Entity::find_by_id(own).one(db).await?,
        (None, None) => None,
    };
    let Some(agency) = agency else {
        errors.push("lead_agency", "unknown", "Chọn cơ quan chủ trì");
        return Ok(None);
    };
    if !actor.can(&Action::PublishConsultation {
        lead_agency_id: agency.id,
    }) {
        return Err(Error::Forbidden);
    }
    Ok(Some(agency))
}

async fn resolve_units<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
    errors: &mut FieldErrors,
) -> Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for code in codes {
        let unit = admin_units::Entity::find()
            .filter(admin_units::Column::Code.eq(code.trim()))
            .filter(admin_units::Column::ValidTo.is_null())
            .one(db)
            .await?;
        match unit {
            Some(unit) if !ids.contains(&unit.id) => ids.push(unit.id),
            Some(_) => {}
            None => errors.push(
                "units",
                "unknown",
                format!("Không có đơn vị hành chính mã {code}"),
            ),
        }
    }
    Ok(ids)
}

/// A draft's fields after every check passed.
struct ValidDraft {
    title: String,
    summary: String,
    body: String,
    legal_basis: String,
    kind: ConsultationKind,
    agency_id: Uuid,
    units: Vec<Uuid>,
    reason: Option<String>,
    area: Option<serde_json::Value>,
}

/// Checks every field of a draft at once; the error lists each problem.
async fn validate<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: &DraftInput,
    minimums: &MinCommentDays,
) -> Result<ValidDraft> {
    let mut errors = FieldErrors::default();
    let title = text_field(&mut errors, "title", &input.title, 300);
    let summary = text_field(&mut errors, "summary", &input.summary, 2_000);
    let body = normalize(&input.body);
    if char_len(&body) > 500_000 {
        errors.push("body", "too_long", "Tối đa 500.000 ký tự");
    }
    let legal_basis = text_field(&mut errors, "legal_basis", &input.legal_basis, 5_000);
    let kind = parse_kind(&input.kind);
    if kind.is_none() {
        errors.push(
            "kind",
            "unknown_value",
            "Chọn loại: quy hoạch chung, phân khu, chi tiết, dự án đầu tư hoặc đề án, chính sách",
        );
    }
    let reason = check_window(&mut errors, kind, input, minimums);
    if let Some(area) = &input.area_geojson {
        let kind = area.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let known = [
            "Polygon",
            "MultiPolygon",
            "Feature",
            "FeatureCollection",
            "Point",
            "LineString",
            "MultiLineString",
        ];
        if !known.contains(&kind) {
            errors.push(
                "area_geojson",
                "invalid_format",
                "Vùng phải là GeoJSON (Polygon, MultiPolygon, Feature ...)",
            );
        }
    }
    let agency = resolve_agency(db, actor, input.lead_agency.as_deref(), &mut errors).await?;
    let units = resolve_units(db, &input.units, &mut errors).await?;
    errors.into_result()?;
    let (Some(kind), Some(agency)) = (kind, agency) else {
        return Err(Error::Internal(anyhow::anyhow!(
            "draft parsed without errors but incomplete"
        )));
    };
    Ok(ValidDraft {
        title,
        summary,
        body,
        legal_basis,
        kind,
        agency_id: agency.id,
        units,
        reason,
        area: input.area_geojson.clone(),
    })
}

async fn set_units<C: ConnectionTrait>(db: &C, id: Uuid, units: &[Uuid]) -> Result<()> {
    consultation_units::Entity::delete_many()
        .filter(consultation_units::Column::ConsultationId.eq(id))
        .exec(db)
        .await?;
    for unit_id in units {
        consultation_units::ActiveModel {
            consultation_id: Set(id),
            unit_id: Set(*unit_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Creates a draft (status `draft`, version 1) for the actor's agency; its window must last
/// at least `minimums` for its kind unless a reason is given.
pub async fn create_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &DraftInput,
    minimums: &MinCommentDays,
) -> Result<consultations::Model> {
    let valid = validate(db, actor, input, minimums).await?;
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    let id = new_id();
    let created = consultations::ActiveModel {
        id: Set(id),
        title: Set(valid.title),
        summary: Set(valid.summary),
        body: Set(valid.body),
        kind: Set(valid.kind),
        lead_agency_id: Set(valid.agency_id),
        legal_basis: Set(valid.legal_basis),
        opens_at: Set(input.opens_at),
        closes_at: Set(input.closes_at),
        short_window_reason: Set(valid.reason),
        status: Set(ConsultationStatus::Draft),
        version: Set(1),
        previous_version_id: Set(None),
        area_geojson: Set(valid.area),
        created_by: Set(actor.account.as_ref().map(|a| a.user_id)),
        published_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    set_units(&txn, id, &valid.units).await?;
    txn.commit().await?;
    Ok(created)
}

/// The current fields of a draft, as input to change some of them.
pub async fn draft_input<C: ConnectionTrait>(
    db: &C,
    c: &consultations::Model,
) -> Result<DraftInput> {
    let agency = agencies::Entity::find_by_id(c.lead_agency_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("agency"))?;
    let unit_ids: Vec<Uuid> = consultation_units::Entity::find()
        .filter(consultation_units::Column::ConsultationId.eq(c.id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.unit_id)
        .collect();
    let units = admin_units::Entity::find()
        .filter(admin_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.code)
        .collect();
    Ok(DraftInput {
        title: c.title.clone(),
        summary: c.summary.clone(),
        body: c.body.clone(),
        kind: c.kind.as_str().to_owned(),
        lead_agency: Some(agency.code),
        units,
        legal_basis: c.legal_basis.clone(),
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        short_window_reason: c.short_window_reason.clone(),
        area_geojson: c.area_geojson.clone(),
    })
}

/// Changes a draft's fields (all checks run again). Published consultations do not change:
/// they are closed, or replaced by a new version.
pub async fn update_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: &DraftInput,
    minimums: &MinCommentDays,
) -> Result<consultations::Model> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "not_a_draft",
            detail: "A published consultation does not change; start a new version instead.".into(),
        });
    }
    let valid = validate(db, actor, input, minimums).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut active = consultation.into_active_model();
    active.title = Set(valid.title);
    active.summary = Set(valid.summary);
    active.body = Set(valid.body);
    active.kind = Set(valid.kind);
    active.lead_agency_id = Set(valid.agency_id);
    active.legal_basis = Set(valid.legal_basis);
    active.opens_at = Set(input.opens_at);
    active.closes_at = Set(input.closes_at);
    active.short_window_reason = Set(valid.reason);
    active.area_geojson = Set(valid.area);
    active.updated_at = Set(now());
    let updated = active.update(&txn).await?;
    set_units(&txn, id, &valid.units).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A consultation the actor may edit (an officer of its lead agency, or an admin).
pub async fn find_editable(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<consultations::Model> {
    let consultation = consultations::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("consultation"))?;
    if !actor.can(&Action::PublishConsultation {
        lead_agency_id: consultation.lead_agency_id,
    }) {
        // Drafts of other agencies are not even acknowledged.
        return Err(if consultation.status == ConsultationStatus::Draft {
            Error::NotFound("consultation")
        } else {
            Error::Forbidden
        });
    }
    Ok(consultation)
}

fn level_of(level: Level) -> ClauseLevel {
    match level {
        Level::Phan => ClauseLevel::Phan,
        Level::Chuong => ClauseLevel::Chuong,
        Level::Muc => ClauseLevel::Muc,
        Level::Dieu => ClauseLevel::Dieu,
        Level::Khoan => ClauseLevel::Khoan,
        Level::Diem => ClauseLevel::Diem,
    }
}

/// Replaces a draft's clause tree with the one recognised in pasted text; returns the clauses
/// in document order. Only drafts can change: a published text changes by a new version.
pub async fn set_clauses_from_text(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    text: &str,
) -> Result<Vec<clauses::Model>> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "not_a_draft",
            detail: "Only a draft's text can change; publish a new version instead.".into(),
        });
    }
    if char_len(text) > 2_000_000 {
        let mut errors = FieldErrors::default();
        errors.push("text", "too_long", "Văn bản quá dài (tối đa 2 triệu ký tự)");
        return Err(Error::Invalid(errors));
    }
    let document = parse(text);
    // Keep the stable keys of clauses that keep their place (the same level and number path).
    let old = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .order_by_asc(clauses::Column::Position)
        .all(db)
        .await?;
    let txn = crate::db::begin_write(db).await?;
    clauses::Entity::delete_many()
        .filter(clauses::Column::ConsultationId.eq(id))
        .exec(&txn)
        .await?;
    let mut rows = Vec::new();
    flatten(
        &document.clauses,
        id,
        None,
        &mut Vec::new(),
        &stored_paths(&old),
        &mut rows,
    );
    for chunk in rows.chunks(200) {
        clauses::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let mut active = consultation.into_active_model();
    active.updated_at = Set(now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .order_by_asc(clauses::Column::Position)
        .all(db)
        .await?)
}

/// The place of a clause in the tree: the (level, number) of each ancestor and itself.
type ClausePath = Vec<(ClauseLevel, String)>;

/// Paths of stored clauses, to keep a clause's stable key when its place stays the same.
fn stored_paths(old: &[clauses::Model]) -> std::collections::HashMap<ClausePath, Uuid> {
    let by_id: std::collections::HashMap<Uuid, &clauses::Model> =
        old.iter().map(|c| (c.id, c)).collect();
    let mut paths = std::collections::HashMap::new();
    for clause in old {
        let mut path = vec![(clause.level, clause.number.clone())];
        let mut cursor = clause.parent_id;
        while let Some(parent) = cursor.and_then(|id| by_id.get(&id)) {
            path.push((parent.level, parent.number.clone()));
            cursor = parent.parent_id;
        }
        path.reverse();
        paths.insert(path, clause.stable_key);
    }
    paths
}

fn flatten(
    nodes: &[ParsedClause],
    consultation_id: Uuid,
    parent_id: Option<Uuid>,
    path: &mut ClausePath,
    old: &std::collections::HashMap<ClausePath, Uuid>,
    out: &mut Vec<clauses::ActiveModel>,
) {
    for node in nodes {
        let id = new_id();
        let level = level_of(node.level);
        path.push((level, node.number.clone()));
        let position = i32::try_from(out.len()).unwrap_or(i32::MAX);
        let stable_key = old.get(path.as_slice()).copied().unwrap_or_else(new_id);
        out.push(clauses::ActiveModel {
            id: Set(id),
            consultation_id: Set(consultation_id),
            parent_id: Set(parent_id),
            stable_key: Set(stable_key),
            level: Set(level),
            number: Set(node.number.clone()),
            heading: Set(node.heading.clone()),
            body: Set(node.body.clone()),
            position: Set(position),
        });
        flatten(&node.children, consultation_id, Some(id), path, old, out);
        path.pop();
    }
}

/// Opens a draft for comments (its window must still be valid), or refuses with the reason.
pub async fn publish(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<consultations::Model> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "not_a_draft",
            detail: "This consultation is already published.".into(),
        });
    }
    let at = now();
    if consultation.closes_at <= at {
        return Err(Error::Conflict {
            code: "window_in_the_past",
            detail: "The comment window has already ended; set new dates.".into(),
        });
    }
    let txn = crate::db::begin_write(db).await?;
    // The new version replaces the old one for comments; the old one and its comments stay.
    let previous = match consultation.previous_version_id {
        Some(id) => consultations::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    if let Some(old) = previous.filter(|old| old.status == ConsultationStatus::Open) {
        let mut old = old.into_active_model();
        old.status = Set(ConsultationStatus::Closed);
        old.updated_at = Set(at);
        old.update(&txn).await?;
    }
    let mut active = consultation.into_active_model();
    active.status = Set(ConsultationStatus::Open);
    active.published_at = Set(Some(at));
    active.updated_at = Set(at);
    let published = active.update(&txn).await?;
    let (actor_id, payload) = (
        actor.account.as_ref().map(|a| a.user_id),
        audit::consultation_payload(&published),
    );
    let id = published.id.to_string();
    audit::append(
        &txn,
        actor_id,
        "consultation.publish",
        "consultation",
        &id,
        payload,
    )
    .await?;
    crate::services::outbox::enqueue_index(&txn, "consultation", published.id).await?;
    if let Some(previous) = published.previous_version_id {
        crate::services::outbox::enqueue_index(&txn, "consultation", previous).await?;
    }
    txn.commit().await?;
    Ok(published)
}

/// Ends a consultation's comment window now. Published consultations are closed, never deleted.
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<consultations::Model> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Open {
        return Err(Error::Conflict {
            code: "not_open",
            detail: "Only an open consultation can be closed.".into(),
        });
    }
    let at = now();
    let mut active = consultation.clone().into_active_model();
    active.status = Set(ConsultationStatus::Closed);
    if consultation.closes_at > at {
        active.closes_at = Set(at);
    }
    active.updated_at = Set(at);
    let txn = crate::db::begin_write(db).await?;
    let closed = active.update(&txn).await?;
    let (actor_id, payload) = (
        actor.account.as_ref().map(|a| a.user_id),
        audit::consultation_payload(&closed),
    );
    let id = closed.id.to_string();
    audit::append(
        &txn,
        actor_id,
        "consultation.close",
        "consultation",
        &id,
        payload,
    )
    .await?;
    crate::services::outbox::enqueue_index(&txn, "consultation", closed.id).await?;
    txn.commit().await?;
    Ok(closed)
}

/// Deletes a draft; published consultations cannot be deleted.
pub async fn delete_draft(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<()> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "published_cannot_be_deleted",
            detail: "A published consultation is part of the public record: close it instead."
                .into(),
        });
    }
    consultations::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Starts a new draft version of a published consultation, copying its text and clauses (with
/// their stable keys) and units. The published version stays as it is until the new one is
/// published.
pub async fn new_version(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<consultations::Model> {
    let current = find_editable(db, actor, id).await?;
    if current.status == ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "still_a_draft",
            detail: "Edit the draft itself.".into(),
        });
    }
    let newer = consultations::Entity::find()
        .filter(consultations::Column::PreviousVersionId.eq(id))
        .one(db)
        .await?;
    if newer.is_some() {
        return Err(Error::Conflict {
            code: "newer_version_exists",
            detail: "A newer version of this consultation exists.".into(),
        });
    }
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    let new_id_ = new_id();
    let mut copy = current.clone().into_active_model();
    copy.id = Set(new_id_);
    copy.status = Set(ConsultationStatus::Draft);
    copy.version = Set(current.version + 1);
    copy.previous_version_id = Set(Some(current.id));
    copy.published_at = Set(None);
    copy.created_by = Set(actor.account.as_ref().map(|a| a.user_id));
    copy.created_at = Set(at);
    copy.updated_at = Set(at);
    let created = copy.insert(&txn).await?;
    let units = consultation_units::Entity::find()
        .filter(consultation_units::Column::ConsultationId.eq(id))
        .all(&txn)
        .await?;
    for unit in units {
        consultation_units::ActiveModel {
            consultation_id: Set(new_id_),
            unit_id: Set(unit.unit_id),
        }
        .insert(&txn)
        .await?;
    }
    let old_clauses = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .order_by_asc(clauses::Column::Position)
        .all(&txn)
        .await?;
    let mut id_map = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(old_clauses.len());
    for clause in &old_clauses {
        let fresh = new_id();
        id_map.insert(clause.id, fresh);
        rows.push(clauses::ActiveModel {
            id: Set(fresh),
            consultation_id: Set(new_id_),
            parent_id: Set(clause.parent_id.and_then(|p| id_map.get(&p).copied())),
            stable_key: Set(clause.stable_key),
            level: Set(clause.level),
            number: Set(clause.number.clone()),
            heading: Set(clause.heading.clone()),
            body: Set(clause.body.clone()),
            position: Set(clause.position),
        });
    }
    for chunk in rows.chunks(200) {
        clauses::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let (actor_id, payload) = (
        actor.account.as_ref().map(|a| a.user_id),
        audit::consultation_payload(&created),
    );
    let id = created.id.to_string();
    audit::append(
        &txn,
        actor_id,
        "consultation.new_version",
        "consultation",
        &id,
        payload,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// How a clause changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClauseChange {
    /// New in the later version.
    Added(clauses::Model),
    /// Gone from the later version.
    Removed(clauses::Model),
    /// Same clause (stable key) with other text or heading.
    Changed {
        /// Earlier text.
        before: clauses::Model,
        /// Later text.
        after: clauses::Model,
    },
}

/// What changed between a version and the one before it, in the later version's order.
pub async fn changes_since_previous<C: ConnectionTrait>(
    db: &C,
    consultation: &consultations::Model,
) -> Result<Vec<ClauseChange>> {
    let Some(previous) = consultation.previous_version_id else {
        return Ok(Vec::new());
    };
    let load = |id: Uuid| {
        clauses::Entity::find()
            .filter(clauses::Column::ConsultationId.eq(id))
            .order_by_asc(clauses::Column::Position)
            .all(db)
    };
    let before = load(previous).await?;
    let after = load(consultation.id).await?;
    let mut changes = Vec::new();
    for clause in &after {
        match before.iter().find(|b| b.stable_key == clause.stable_key) {
            None => changes.push(ClauseChange::Added(clause.clone())),
            Some(old)
                if old.body != clause.body
                    || old.heading != clause.heading
                    || old.number != clause.number =>
            {
                changes.push(ClauseChange::Changed {
                    before: old.clone(),
                    after: clause.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for clause in &before {
        if !after.iter().any(|a| a.stable_key == clause.stable_key) {
            changes.push(ClauseChange::Removed(clause.clone()));
        }
    }
    Ok(changes)
}

/// Corrections to one clause of a draft; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ClauseEdit {
    /// Number as printed ("5", "a", "II").
    pub number: Option<String>,
    /// Heading (empty removes it).
    pub heading: Option<String>,
    /// Text.
    pub body: Option<String>,
}

async fn editable_clause(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    clause_id: Uuid,
) -> Result<clauses::Model> {
    let consultation = find_editable(db, actor, id).await?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "not_a_draft",
            detail: "Only a draft's text can change; publish a new version instead.".into(),
        });
    }
    clauses::Entity::find_by_id(clause_id)
        .one(db)
        .await?
        .filter(|c| c.consultation_id == id)
        .ok_or(Error::NotFound("clause"))
}

/// Corrects one clause of a draft after its text was recognised.
pub async fn edit_clause(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    clause_id: Uuid,
    edit: ClauseEdit,
) -> Result<clauses::Model> {
    let clause = editable_clause(db, actor, id, clause_id).await?;
    let mut errors = FieldErrors::default();
    let mut active = clause.into_active_model();
    if let Some(number) = edit.number {
        let number = normalize(&number);
        if number.is_empty() || char_len(&number) > 20 {
            errors.push("number", "invalid_length", "Số hiệu từ 1 đến 20 ký tự");
        }
        active.number = Set(number);
    }
    if let Some(heading) = edit.heading {
        let heading = normalize(&heading);
        if char_len(&heading) > 1_000 {
            errors.push("heading", "too_long", "Tối đa 1.000 ký tự");
        }
        active.heading = Set(Some(heading).filter(|h| !h.is_empty()));
    }
    if let Some(body) = edit.body {
        let body = normalize(&body);
        if char_len(&body) > 100_000 {
            errors.push("body", "too_long", "Tối đa 100.000 ký tự");
        }
        active.body = Set(body);
    }
    errors.into_result()?;
    Ok(active.update(db).await?)
}

/// Removes a clause (and the clauses under it) from a draft.
pub async fn delete_clause(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    clause_id: Uuid,
) -> Result<()> {
    let clause = editable_clause(db, actor, id, clause_id).await?;
    let all = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .all(db)
        .await?;
    // Collect the clause and its descendants explicitly (no reliance on cascading deletes).
    let mut doomed = vec![clause.id];
    let mut index = 0;
    while index < doomed.len() {
        let parent = doomed[index];
        doomed.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.id),
        );
        index += 1;
    }
    let txn = crate::db::begin_write(db).await?;
    for clause_id in doomed.iter().rev() {
        clauses::Entity::delete_by_id(*clause_id).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The consultations an author works on: an officer's agency's ones, all of them for an admin.
/// Drafts come first, then the others, most recently changed first.
pub async fn list_authored(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<Vec<(consultations::Model, agencies::Model)>> {
    if !actor.can(&Action::AuthorConsultations) {
        return Err(Error::Forbidden);
    }
    let account = actor.account.as_ref().ok_or(Error::Unauthenticated)?;
    let mut query = consultations::Entity::find();
    if account.role != entity::enums::Role::Admin {
        // An officer sees the consultations the policy lets them publish: their agency's.
        let Some(agency_id) = account.agency_id else {
            return Ok(Vec::new());
        };
        query = query.filter(consultations::Column::LeadAgencyId.eq(agency_id));
    }
    let rows = query
        .find_also_related(agencies::Entity)
        .order_by_desc(consultations::Column::UpdatedAt)
        .order_by_asc(consultations::Column::Id)
        .all(db)
        .await?;
    let mut out: Vec<(consultations::Model, agencies::Model)> = rows
        .into_iter()
        .filter_map(|(c, a)| a.map(|a| (c, a)))
        .filter(|(c, _)| {
            actor.can(&Action::PublishConsultation {
                lead_agency_id: c.lead_agency_id,
            })
        })
        .collect();
    out.sort_by_key(|(c, _)| c.status != ConsultationStatus::Draft);
    Ok(out)
}

/// The agencies an author may name as lead agency, by name (admins: all; officers: their own).
pub async fn lead_agencies(db: &DatabaseConnection, actor: &Actor) -> Result<Vec<agencies::Model>> {
    let all = agencies::Entity::find()
        .order_by_asc(agencies::Column::Name)
        .order_by_asc(agencies::Column::Id)
        .all(db)
        .await?;
    Ok(all
        .into_iter()
        .filter(|a| {
            actor.can(&Action::PublishConsultation {
                lead_agency_id: a.id,
            })
        })
        .collect())
}
