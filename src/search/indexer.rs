//! The one writer of a node's search index: it follows the outbox's `search` rows (written in
//! the same transaction as each change) and re-indexes the objects they name, in batches, one
//! commit per batch.
//!
//! Its position is stored in each commit's payload, so after a crash or restart it carries on
//! from the last commit: rows applied after it are applied again, which is harmless because
//! re-indexing an object replaces all its documents with what the database holds now.
//!
//! On PostgreSQL a sequence value is taken before commit, so rows become visible out of order:
//! a reader that only remembers "the last seq" would skip a row that commits late with a
//! smaller seq. The position is therefore a *low-water mark* (every row at or below it is
//! applied) plus the seqs applied above it. A missing seq (a gap) holds the mark back until the
//! row appears, or until it has been missing for [`GAP_TIMEOUT`] (a rolled-back transaction
//! leaves a gap for ever).

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use entity::{comments, consultations, outbox};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use tantivy::Term;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{SCHEMA_VERSION, SearchIndex, documents};
use crate::services::outbox::SEARCH_TOPIC;

/// How long a missing outbox seq may hold the position back.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(60);

/// Rows read per batch (one commit each).
const BATCH: u64 = 500;

/// The indexer's position, stored as the payload of each commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Schema version of the index.
    pub version: u32,
    /// Every outbox row with `seq <= low` is applied.
    pub low: i64,
    /// Rows above `low` already applied.
    pub above: BTreeSet<i64>,
}

impl Position {
    /// Records `seqs` as applied and moves `low` over every contiguous applied seq, and over
    /// gaps older than [`GAP_TIMEOUT`].
    fn advance(&mut self, seqs: &[i64], gaps: &mut HashMap<i64, Instant>, now: Instant) {
        self.above
            .extend(seqs.iter().copied().filter(|s| *s > self.low));
        let Some(&top) = self.above.iter().next_back() else {
            return;
        };
        while self.low < top {
            let next = self.low + 1;
            if self.above.remove(&next) {
                gaps.remove(&next);
                self.low = next;
                continue;
            }
            let seen = *gaps.entry(next).or_insert(now);
            if now.duration_since(seen) >= GAP_TIMEOUT {
                gaps.remove(&next);
                self.low = next;
                continue;
            }
            break;
        }
    }
}

/// The position of the index's last commit, if the index was built by this schema version.
pub fn stored_position(index: &SearchIndex) -> anyhow::Result<Option<Position>> {
    let Some(payload) = index.commit_payload()? else {
        return Ok(None);
    };
    Ok(serde_json::from_str::<Position>(&payload)
        .ok()
        .filter(|p| p.version == SCHEMA_VERSION))
}

/// Re-indexes one object: deletes its documents and adds what the database holds now.
async fn reindex_object(
    db: &DatabaseConnection,
    index: &SearchIndex,
    kind: &str,
    id: Uuid,
) -> anyhow::Result<()> {
    let f = index.fields();
    let docs = match kind {
        "comment" => documents::comment(db, f, id).await?,
        "consultation" => documents::consultation(db, f, id).await?,
        _ => Vec::new(),
    };
    let owner = documents::owner(kind, id);
    index.with_writer(|writer, f| {
        writer.delete_term(Term::from_field_text(f.owner, &owner));
        for doc in docs {
            writer.add_document(doc)?;
        }
        Ok(())
    })
}

fn commit(index: &SearchIndex, position: &Position) -> anyhow::Result<()> {
    let payload = serde_json::to_string(position)?;
    index.with_writer(|writer, _| {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        Ok(())
    })?;
    index.reload()
}

/// Applies one batch of outbox rows after `position`; returns how many rows were read.
pub async fn apply_batch(
    db: &DatabaseConnection,
    index: &SearchIndex,
    position: &mut Position,
    gaps: &mut HashMap<i64, Instant>,
) -> anyhow::Result<usize> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq(SEARCH_TOPIC))
        .filter(outbox::Column::Seq.gt(position.low))
        .order_by_asc(outbox::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?;
    let fresh: Vec<&outbox::Model> = rows
        .iter()
        .filter(|r| !position.above.contains(&r.seq))
        .collect();
    let mut done = std::collections::HashSet::new();
    for row in &fresh {
        let Ok(id) = Uuid::parse_str(&row.aggregate_id) else {
            continue;
        };
        if done.insert((row.aggregate_type.clone(), id)) {
            reindex_object(db, index, &row.aggregate_type, id).await?;
        }
    }
    let before = position.clone();
    let seqs: Vec<i64> = fresh.iter().map(|r| r.seq).collect();
    position.advance(&seqs, gaps, Instant::now());
    if !fresh.is_empty() || *position != before {
        commit(index, position)?;
    }
    Ok(fresh.len())
}

/// Rebuilds the whole index from the database. The position starts at the outbox rows older
/// than [`GAP_TIMEOUT`], so changes committed while the rebuild reads are applied again after it.
pub async fn rebuild(db: &DatabaseConnection, index: &SearchIndex) -> anyhow::Result<usize> {
    let horizon = crate::services::now()
        - chrono::Duration::from_std(GAP_TIMEOUT).unwrap_or_else(|_| chrono::Duration::zero());
    let low: Option<i64> = outbox::Entity::find()
        .select_only()
        .column_as(outbox::Column::Seq.max(), "low")
        .filter(outbox::Column::CreatedAt.lt(horizon))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    index.with_writer(|writer, _| {
        writer.delete_all_documents()?;
        Ok(())
    })?;
    let mut count = 0;
    let consultation_ids: Vec<Uuid> = consultations::Entity::find()
        .select_only()
        .column(consultations::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for id in consultation_ids {
        reindex_object(db, index, "consultation", id).await?;
        count += 1;
    }
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .order_by_asc(comments::Column::Id)
            .limit(1000);
        if let Some(last) = after {
            query = query.filter(comments::Column::Id.gt(last));
        }
        let ids: Vec<Uuid> = query.into_tuple().all(db).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            reindex_object(db, index, "comment", id).await?;
            count += 1;
        }
        after = Some(last);
    }
    let position = Position {
        version: SCHEMA_VERSION,
        low: low.unwrap_or(0),
        above: BTreeSet::new(),
    };
    commit(index, &position)?;
    Ok(count)
}

/// How often the indexer looks for new outbox rows when it has caught up.
pub const POLL: Duration = Duration::from_millis(250);

/// Runs until `shutdown`: rebuilds an empty or incompatible index, then follows the outbox,
/// looking every [`POLL`] (changes made on any node appear within a second).
pub async fn run(db: DatabaseConnection, index: SearchIndex, shutdown: CancellationToken) {
    let mut position = match stored_position(&index) {
        Ok(Some(position)) => position,
        _ => match rebuild(&db, &index).await {
            Ok(count) => {
                tracing::info!(objects = count, "search index rebuilt from the database");
                stored_position(&index).ok().flatten().unwrap_or_default()
            }
            Err(e) => {
                tracing::error!(error = %e, "search index rebuild failed");
                Position {
                    version: SCHEMA_VERSION,
                    ..Position::default()
                }
            }
        },
    };
    let mut gaps = HashMap::new();
    loop {
        let read = match apply_batch(&db, &index, &mut position, &mut gaps).await {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "search indexer pass failed");
                0
            }
        };
        if read as u64 >= BATCH {
            continue;
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_water_mark_waits_for_a_late_row_then_moves_over_it() {
        let mut p = Position::default();
        let mut gaps = HashMap::new();
        let t0 = Instant::now();
        p.advance(&[1, 2, 4, 5], &mut gaps, t0);
        assert_eq!(p.low, 2, "3 is missing: it may still commit");
        assert_eq!(p.above, BTreeSet::from([4, 5]));
        p.advance(&[3], &mut gaps, t0 + Duration::from_secs(1));
        assert_eq!(p.low, 5);
        assert!(p.above.is_empty());
    }

    #[test]
    fn a_gap_older_than_the_timeout_is_passed() {
        let mut p = Position::default();
        let mut gaps = HashMap::new();
        let t0 = Instant::now();
        p.advance(&[1, 3], &mut gaps, t0);
        assert_eq!(p.low, 1);
        p.advance(&[], &mut gaps, t0 + GAP_TIMEOUT);
        assert_eq!(p.low, 3);
    }
}
