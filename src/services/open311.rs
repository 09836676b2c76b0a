//! Open311 GeoReport v2, read only: each published consultation is a "service", each public
//! comment a "service request", `open` until an agency has answered it, then `closed` with the
//! latest answer as its status notes.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::AssignmentStatus;
use entity::{admin_units, agency_responses, assignments, comments, consultations};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::ExprTrait,
};
use uuid::Uuid;

use crate::error::Result;
use crate::services::open_data::{
    ConsultationRecord, agency_names, answered, consultation_records, public_comment_ids,
};

/// The published consultations, newest first.
pub async fn services<C: ConnectionTrait>(db: &C) -> Result<Vec<ConsultationRecord>> {
    let rows = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(entity::enums::ConsultationStatus::Draft))
        .order_by_desc(consultations::Column::PublishedAt)
        .order_by_desc(consultations::Column::Id)
        .all(db)
        .await?;
    consultation_records(db, rows).await
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only comments on this consultation.
    pub service_code: Option<Uuid>,
    /// Submitted at or after.
    pub start: Option<DateTime<Utc>>,
    /// Submitted at or before.
    pub end: Option<DateTime<Utc>>,
    /// `Some(true)`: answered only; `Some(false)`: unanswered only.
    pub closed: Option<bool>,
    /// Only this tracking code.
    pub tracking_code: Option<String>,
}

/// A public comment as a service request.
#[derive(Debug, Clone)]
pub struct ServiceRequest {
    /// Tracking code.
    pub tracking_code: String,
    /// The comment's id.
    pub comment_id: Uuid,
    /// Whether an agency has answered.
    pub closed: bool,
    /// The latest answer.
    pub status_notes: Option<String>,
    /// The consultation's title.
    pub service_name: String,
    /// The consultation's id.
    pub service_code: Uuid,
    /// The published text.
    pub description: String,
    /// The agencies it is assigned to, comma separated.
    pub agency_responsible: String,
    /// Submission time.
    pub requested: DateTime<Utc>,
    /// Last change or answer.
    pub updated: DateTime<Utc>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// The administrative unit's name.
    pub address: Option<String>,
}

/// One page (from 1) of public comments as service requests, newest first.
pub async fn requests<C: ConnectionTrait>(
    db: &C,
    filter: &RequestFilter,
    page: u64,
    page_size: u64,
) -> Result<Vec<ServiceRequest>> {
    let mut query = comments::Entity::find()
        .filter(comments::Column::Id.in_subquery(public_comment_ids(filter.service_code)));
    if let Some(start) = filter.start {
        query = query.filter(comments::Column::CreatedAt.gte(start));
    }
    if let Some(end) = filter.end {
        query = query.filter(comments::Column::CreatedAt.lte(end));
    }
    match filter.closed {
        Some(true) => query = query.filter(answered()),
        Some(false) => query = query.filter(answered().not()),
        None => {}
    }
    if let Some(code) = &filter.tracking_code {
        query = query.filter(comments::Column::TrackingCode.eq(code.as_str()));
    }
    let rows = query
        .order_by_desc(comments::Column::CreatedAt)
        .order_by_asc(comments::Column::Id)
        .offset(page.saturating_sub(1) * page_size)
        .limit(page_size)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let consultation_ids: HashSet<Uuid> = rows.iter().map(|c| c.consultation_id).collect();
    let titles: HashMap<Uuid, String> = consultations::Entity::find()
        .select_only()
        .column(consultations::Column::Id)
        .column(consultations::Column::Title)
        .filter(consultations::Column::Id.is_in(consultation_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut latest: HashMap<Uuid, agency_responses::Model> = HashMap::new();
    for answer in agency_responses::Entity::find()
        .filter(agency_responses::Column::CommentId.is_in(ids.clone()))
        .order_by_asc(agency_responses::Column::CreatedAt)
        .order_by_asc(agency_responses::Column::Id)
        .all(db)
        .await?
    {
        latest.insert(answer.comment_id, answer);
    }
    let assigned: Vec<(Uuid, Uuid)> = assignments::Entity::find()
        .select_only()
        .column(assignments::Column::CommentId)
        .column(assignments::Column::AgencyId)
        .filter(assignments::Column::CommentId.is_in(ids))
        .filter(assignments::Column::Status.ne(AssignmentStatus::Transferred))
        .order_by_desc(assignments::Column::IsLead)
        .order_by_asc(assignments::Column::AssignedAt)
        .into_tuple()
        .all(db)
        .await?;
    let agencies = agency_names(db, assigned.iter().map(|(_, a)| *a)).await?;
    let mut responsible: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (comment, agency) in assigned {
        if let Some(name) = agencies.get(&agency) {
            let names = responsible.entry(comment).or_default();
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let unit_ids: HashSet<Uuid> = rows.iter().filter_map(|c| c.unit_id).collect();
    let units: HashMap<Uuid, String> = if unit_ids.is_empty() {
        HashMap::new()
    } else {
        admin_units::Entity::find()
            .select_only()
            .column(admin_units::Column::Id)
            .column(admin_units::Column::Name)
            .filter(admin_units::Column::Id.is_in(unit_ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let answer = latest.remove(&c.id);
            let updated = answer
                .as_ref()
                .map_or(c.updated_at, |a| std::cmp::max(a.created_at, c.updated_at));
            ServiceRequest {
                closed: answer.is_some(),
                status_notes: answer.map(|a| a.body),
                service_name: titles.get(&c.consultation_id).cloned().unwrap_or_default(),
                service_code: c.consultation_id,
                description: c.public_body.unwrap_or_default(),
                agency_responsible: responsible
                    .remove(&c.id)
                    .map(|n| n.join(", "))
                    .unwrap_or_default(),
                requested: c.created_at,
                updated,
                lat: c.lat,
                lon: c.lon,
                address: c.unit_id.and_then(|u| units.get(&u).cloned()),
                tracking_code: c.tracking_code,
                comment_id: c.id,
            }
        })
        .collect())
}
