//! The tamper-evident audit trail: every state change appends an event whose hash covers the
//! previous event's hash and the event's own content (see [`crate::domain::audit`]), so
//! rewriting, inserting or deleting a row anywhere but at the very end breaks the chain.
//! The head of each day is published (`/audit`, `GET /api/v1/audit/head`), so that the end
//! cannot be cut or rewritten unnoticed either.
//!
//! [`append`] runs inside the caller's write transaction: the event commits or rolls back
//! with the change it records. The chain stays linear under concurrent writers:
//!
//! * on SQLite, write transactions are serialized by `BEGIN IMMEDIATE`
//!   ([`crate::db::begin_write`]);
//! * on PostgreSQL, [`lock`] takes a transaction-scoped advisory lock before the last hash is
//!   read, and holds it until the transaction ends.
//!
//! The unique index on `prev_hash` refuses a fork should the locking ever be bypassed.
//!
//! Payloads hold identifiers, codes and digests, never personal data: the chain's heads are
//! public, and its rows must be shareable with an auditor as they are.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::Decision;
use entity::{audit_events, comments, consultations, moderation_decisions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::audit::{self as chain, EventContent, GENESIS_HASH};
use crate::domain::time::VIETNAM;
use crate::error::Result;
use crate::services::{new_id, now};

/// Key of the PostgreSQL advisory lock that serializes appends ("gopyaudi" in ASCII).
const CHAIN_LOCK_KEY: i64 = 0x676f_7079_6175_6469;

/// Events read per query when the chain is verified.
const VERIFY_PAGE: u64 = 1000;

/// Events inserted per statement by [`append_many`] (9 values each, well under SQLite's limit
/// of bound parameters).
const INSERT_BATCH: usize = 2000;

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Who acted; `None` for the system.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `comment.import`.
    pub action: String,
    /// Kind of object acted upon.
    pub entity_type: String,
    /// Identifier of that object.
    pub entity_id: String,
    /// Details (identifiers, codes and digests; no personal data).
    pub payload: Value,
}

/// Takes the chain's lock for the rest of the caller's transaction.
///
/// On PostgreSQL this is `pg_advisory_xact_lock`, released at commit or rollback; taking it
/// again in the same transaction is harmless. On SQLite it does nothing: the transaction holds
/// the database's write lock since `BEGIN IMMEDIATE`.
///
/// [`append`] takes it itself. A transaction that appends several events, or writes rows after
/// appending, calls it before its first write, so it never holds row locks while waiting for
/// the chain (which could deadlock with a writer holding the chain and waiting for those rows).
pub async fn lock<C: ConnectionTrait>(db: &C) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [CHAIN_LOCK_KEY.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The last event of the chain, as the next one links to it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ChainHead {
    /// Position in the chain.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// The latest event of the chain, if any.
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<Option<ChainHead>> {
    Ok(audit_events::Entity::find()
        .select_only()
        .column(audit_events::Column::Seq)
        .column(audit_events::Column::Hash)
        .column(audit_events::Column::OccurredAt)
        .order_by_desc(audit_events::Column::Seq)
        .limit(1)
        .into_model::<ChainHead>()
        .one(db)
        .await?)
}

/// Appends an event, in the caller's write transaction (begun with
/// [`crate::db::begin_write`]): it is part of the change it records.
///
/// Its time is now, or the previous event's time if the clock went back, so that time order
/// and chain order agree (the daily heads rely on it).
pub async fn append<C: ConnectionTrait>(
    db: &C,
    actor_id: Option<Uuid>,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    payload: Value,
) -> Result<audit_events::Model> {
    lock(db).await?;
    // With the lock held until commit, the sequence value taken by the insert below is larger
    // than that of every committed event and smaller than that of every later one: on
    // PostgreSQL, where a sequence hands out values before commit, `seq` order is still commit
    // order, so the chain read by `seq` is the chain as it was written.
    let last = head(db).await?;
    let (prev_hash, occurred_at) = match last {
        Some(last) => (last.hash, now().max(last.occurred_at)),
        None => (GENESIS_HASH.to_owned(), now()),
    };
    let id = new_id();
    let hash = chain::event_hash(
        &prev_hash,
        &EventContent {
            id,
            occurred_at,
            actor_id,
            action,
            entity_type,
            entity_id,
            payload: &payload,
        },
    );
    let event = audit_events::ActiveModel {
        id: Set(id),
        occurred_at: Set(occurred_at),
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id.to_owned()),
        payload: Set(payload),
        prev_hash: Set(prev_hash),
        hash: Set(hash),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(event)
}

/// Appends many events in the order given, in the caller's write transaction, with one read
/// of the head and a few multi-row inserts: for bulk imports.
pub async fn append_many<C: ConnectionTrait>(db: &C, events: Vec<NewEvent>) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    lock(db).await?;
    let (mut prev_hash, occurred_at) = match head(db).await? {
        Some(last) => (last.hash, now().max(last.occurred_at)),
        None => (GENESIS_HASH.to_owned(), now()),
    };
    let mut rows = Vec::with_capacity(events.len().min(INSERT_BATCH));
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        let id = new_id();
        let hash = chain::event_hash(
            &prev_hash,
            &EventContent {
                id,
                occurred_at,
                actor_id: event.actor_id,
                action: &event.action,
                entity_type: &event.entity_type,
                entity_id: &event.entity_id,
                payload: &event.payload,
            },
        );
        rows.push(audit_events::ActiveModel {
            id: Set(id),
            occurred_at: Set(occurred_at),
            actor_id: Set(event.actor_id),
            action: Set(event.action),
            entity_type: Set(event.entity_type),
            entity_id: Set(event.entity_id),
            payload: Set(event.payload),
            prev_hash: Set(std::mem::replace(&mut prev_hash, hash.clone())),
            hash: Set(hash),
            ..Default::default()
        });
        if rows.len() == INSERT_BATCH || events.peek().is_none() {
            // Rows of one multi-row INSERT take their sequence values in the order listed,
            // on both databases.
            audit_events::Entity::insert_many(std::mem::take(&mut rows))
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(())
}

/// Why the chain is broken at an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Its `prev_hash` is not the hash of the event before it (an event was deleted or
    /// inserted, or its `prev_hash` rewritten).
    WrongLink {
        /// The hash of the event before it (or the genesis hash).
        expected: String,
        /// What the row holds.
        found: String,
    },
    /// Its content does not hash to its stored `hash` (a field was changed).
    ContentMismatch {
        /// What the row holds.
        stored: String,
        /// What its content hashes to.
        computed: String,
    },
    /// Its payload is not JSON any more.
    UnreadablePayload,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WrongLink { expected, found } => write!(
                f,
                "wrong prev_hash link (expected {expected}, found {found})"
            ),
            Self::ContentMismatch { stored, computed } => write!(
                f,
                "content hash mismatch (stored {stored}, computed {computed})"
            ),
            Self::UnreadablePayload => f.write_str("payload is not valid JSON"),
        }
    }
}

/// The first broken event of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEvent {
    /// Its position.
    pub seq: i64,
    /// Its public id.
    pub id: Uuid,
    /// What is wrong with it.
    pub reason: Break,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events found intact, in chain order (up to the broken one, excluded).
    pub checked: u64,
    /// The last intact event.
    pub head: Option<ChainHead>,
    /// The first broken event, if any.
    pub broken: Option<BrokenEvent>,
}

impl VerifyReport {
    /// Whether the whole chain checked out.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// An event as stored, its payload read as text so that a damaged one is reported, not fatal.
#[derive(Debug, FromQueryResult)]
struct StoredEvent {
    seq: i64,
    id: Uuid,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: String,
    entity_type: String,
    entity_id: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl StoredEvent {
    /// What is wrong with this event, given the hash of the one before it.
    fn check(&self, expected_prev: &str) -> Option<Break> {
        if self.prev_hash != expected_prev {
            return Some(Break::WrongLink {
                expected: expected_prev.to_owned(),
                found: self.prev_hash.clone(),
            });
        }
        let Ok(payload) = serde_json::from_str::<Value>(&self.payload) else {
            return Some(Break::UnreadablePayload);
        };
        let computed = chain::event_hash(
            &self.prev_hash,
            &EventContent {
                id: self.id,
                occurred_at: self.occurred_at,
                actor_id: self.actor_id,
                action: &self.action,
                entity_type: &self.entity_type,
                entity_id: &self.entity_id,
                payload: &payload,
            },
        );
        (computed != self.hash).then(|| Break::ContentMismatch {
            stored: self.hash.clone(),
            computed,
        })
    }
}

/// Walks the whole chain in `seq` order, a page at a time (memory stays flat however long it
/// is), and reports the first event whose link or content hash is wrong.
///
/// Deleting the last events, or rewriting them all the way to the end, leaves a chain that
/// checks out: comparing its heads with the published daily heads finds that.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport> {
    let mut report = VerifyReport {
        checked: 0,
        head: None,
        broken: None,
    };
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut after = i64::MIN;
    loop {
        let page = audit_events::Entity::find()
            .select_only()
            .columns([
                audit_events::Column::Seq,
                audit_events::Column::Id,
                audit_events::Column::OccurredAt,
                audit_events::Column::ActorId,
                audit_events::Column::Action,
                audit_events::Column::EntityType,
                audit_events::Column::EntityId,
                audit_events::Column::PrevHash,
                audit_events::Column::Hash,
            ])
            .column_as(Expr::cust("CAST(payload AS TEXT)"), "payload")
            .filter(audit_events::Column::Seq.gt(after))
            .order_by_asc(audit_events::Column::Seq)
            .limit(VERIFY_PAGE)
            .into_model::<StoredEvent>()
            .all(db)
            .await?;
        let Some(last) = page.last() else {
            return Ok(report);
        };
        after = last.seq;
        for event in page {
            if let Some(reason) = event.check(&expected_prev) {
                report.broken = Some(BrokenEvent {
                    seq: event.seq,
                    id: event.id,
                    reason,
                });
                return Ok(report);
            }
            report.checked += 1;
            expected_prev = event.hash.clone();
            report.head = Some(ChainHead {
                seq: event.seq,
                hash: event.hash,
                occurred_at: event.occurred_at,
            });
        }
    }
}

/// The last event of one day (Vietnam time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHead {
    /// The day, in Vietnam.
    pub day: NaiveDate,
    /// Its last event.
    pub head: ChainHead,
}

/// The head of the chain at the end of each day with events, among the last `limit_days`
/// days (Vietnam time, today included), newest first: one indexed query per day.
pub async fn daily_heads<C: ConnectionTrait>(db: &C, limit_days: u32) -> Result<Vec<DayHead>> {
    let today = now().with_timezone(&VIETNAM).date_naive();
    let oldest = today - chrono::Days::new(u64::from(limit_days.saturating_sub(1)));
    let mut out = Vec::new();
    let mut current = head(db).await?;
    while let Some(event) = current {
        let day = event.occurred_at.with_timezone(&VIETNAM).date_naive();
        if day < oldest || limit_days == 0 {
            break;
        }
        let Some(start) = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(VIETNAM).single())
        else {
            break;
        };
        out.push(DayHead { day, head: event });
        // Event times never go back along the chain (see `append`), so the last event by time
        // before the day began is the last event of the day before (with events).
        current = audit_events::Entity::find()
            .select_only()
            .column(audit_events::Column::Seq)
            .column(audit_events::Column::Hash)
            .column(audit_events::Column::OccurredAt)
            .filter(audit_events::Column::OccurredAt.lt(start.with_timezone(&Utc)))
            .order_by_desc(audit_events::Column::OccurredAt)
            .order_by_desc(audit_events::Column::Seq)
            .limit(1)
            .into_model::<ChainHead>()
            .one(db)
            .await?;
    }
    Ok(out)
}

/// The hash of the event that brought a comment in (`comment.submit`, or `comment.import`
/// for one keyed in from paper): the comment's proof of receipt.
pub async fn submission_hash<C: ConnectionTrait>(
    db: &C,
    comment_id: Uuid,
) -> Result<Option<String>> {
    Ok(audit_events::Entity::find()
        .select_only()
        .column(audit_events::Column::Hash)
        .filter(audit_events::Column::EntityType.eq("comment"))
        .filter(audit_events::Column::EntityId.eq(comment_id.to_string()))
        .filter(audit_events::Column::Action.is_in(["comment.submit", "comment.import"]))
        .order_by_asc(audit_events::Column::Seq)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?)
}

/// What a comment's events record: its codes and choices, and the SHA-256 of its text instead
/// of the text (personal data stays out of the trail; the digest still proves which text was
/// received).
pub fn comment_payload(comment: &comments::Model) -> Value {
    serde_json::json!({
        "tracking_code": comment.tracking_code,
        "consultation_id": comment.consultation_id.to_string(),
        "clause_id": comment.clause_id.map(|id| id.to_string()),
        "organization_id": comment.organization_id.map(|id| id.to_string()),
        "channel": comment.channel.as_str(),
        "stance": comment.stance.as_str(),
        "consent": comment.consent.as_str(),
        "body_sha256": chain::text_digest(&comment.body),
    })
}

/// The action of a moderation decision: `comment.approve`, `comment.reject`,
/// `comment.request_edit` or `comment.merge`.
pub fn decision_action(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "comment.approve",
        Decision::Reject => "comment.reject",
        Decision::RequestEdit => "comment.request_edit",
        Decision::Merge => "comment.merge",
    }
}

/// What a moderation decision's event records: the reason code, how many spans were hidden
/// and of which kinds (not the spans' text), the campaign, and the digest of the public text.
/// The moderator's note is free text and stays out.
pub fn decision_payload(
    comment: &comments::Model,
    decision: &moderation_decisions::Model,
) -> Value {
    let mut kinds: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let spans = decision
        .redactions
        .as_ref()
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for span in spans {
        let kind = span.get("kind").and_then(Value::as_str).unwrap_or("other");
        *kinds.entry(kind.to_owned()).or_default() += 1;
    }
    serde_json::json!({
        "decision_id": decision.id.to_string(),
        "tracking_code": comment.tracking_code,
        "status": comment.status.as_str(),
        "reason_code": decision.reason_code,
        "redactions": spans.len(),
        "redaction_kinds": kinds,
        "campaign_id": comment.campaign_id.map(|id| id.to_string()),
        "public_body_sha256": comment.public_body.as_deref().map(chain::text_digest),
    })
}

/// What a consultation's events record: its version, window and status, and the SHA-256 of
/// its title and text, so a published text can be proven later.
pub fn consultation_payload(consultation: &consultations::Model) -> Value {
    serde_json::json!({
        "version": consultation.version,
        "previous_version_id": consultation.previous_version_id.map(|id| id.to_string()),
        "lead_agency_id": consultation.lead_agency_id.to_string(),
        "status": consultation.status.as_str(),
        "opens_at": chain::timestamp(consultation.opens_at),
        "closes_at": chain::timestamp(consultation.closes_at),
        "title_sha256": chain::text_digest(&consultation.title),
        "body_sha256": chain::text_digest(&consultation.body),
    })
}
