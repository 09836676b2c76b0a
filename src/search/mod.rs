//! Full-text search: the tantivy index each node keeps in its data directory.
//!
//! The index is derived data that each node keeps for itself. Today it is opened (or created)
//! at start-up and checked by `/readyz`; feeding it from the outbox and rebuilding it from the
//! database come with full-text search.

use std::path::Path;
use std::sync::Arc;

use tantivy::schema::{STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// A handle on the search index, cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when missing.
    pub fn open_or_create(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let schema = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Self {
            inner: Arc::new(Inner { index, reader }),
        })
    }

    /// Number of documents visible to searches; proves the index can be read.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Reads the index's segment list from disk: fails when the index directory is unreadable.
    pub fn check(&self) -> anyhow::Result<usize> {
        Ok(self.inner.index.searchable_segment_metas()?.len())
    }

    /// The underlying tantivy index.
    pub fn index(&self) -> &Index {
        &self.inner.index
    }
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("doc_id", STRING | STORED);
    builder.add_text_field("kind", STRING | STORED);
    builder.add_text_field("text", TEXT);
    builder.build()
}
