//! Full-text search: the tantivy index each node keeps in its data directory, fed from the
//! outbox (see [`indexer`]) and rebuilt from the database when it is empty or was built by
//! another version of its schema.
//!
//! Every document carries the visibility tokens of who may find it (`public`, `moderators`,
//! `agency:<id>`); [`crate::services::search`] adds the viewer's tokens to every query, so the
//! server, never the client, decides what a person can find.

pub mod analyzer;
pub mod at_least;
pub mod documents;
pub mod facets;
pub mod indexer;
pub mod public_only;
#[cfg(test)]
pub(crate) mod query_tests;
pub mod ranking;
pub mod statistics;

use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::index::{IndexSettings, IndexSortByField};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexBuilder, IndexReader, IndexWriter, ReloadPolicy};

/// Version of the schema and of the documents' content; an index built by another version is
/// rebuilt from the database.
pub const SCHEMA_VERSION: u32 = 2;

/// Memory the index writer may use before it flushes a segment.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// The fields of a document.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Unique id of the document, e.g. `comment:<uuid>`, `clause:<uuid>`.
    pub id: Field,
    /// The object the document is derived from (`comment:<uuid>`, `consultation:<uuid>`): all
    /// its documents are replaced together.
    pub owner: Field,
    /// `consultation`, `clause`, `comment`, `comment_full` (original text, moderators), `answer`.
    pub kind: Field,
    /// Who may find it: `public`, `moderators`, `agency:<uuid>`.
    pub visibility: Field,
    /// The consultation.
    pub consultation_id: Field,
    /// The comment (comments and answers).
    pub comment_id: Field,
    /// Title shown in results (consultation title, clause label ...).
    pub title: Field,
    /// Text, NFC with one tone placement, diacritics kept.
    pub exact: Field,
    /// Text folded to ASCII; also stores the text for snippets.
    pub folded: Field,
    /// Folded adjacent-syllable pairs.
    pub bigrams: Field,
    /// Facet: stance.
    pub stance: Field,
    /// Facet: consultation or comment status.
    pub status: Field,
    /// Facet: ward or commune codes.
    pub unit: Field,
    /// Facet: agency ids (lead agency, assigned or answering agencies).
    pub agency: Field,
    /// Facet: `resident`, `organization`, `imported`.
    pub author_kind: Field,
    /// Facet: `YYYY-MM` in Vietnam time.
    pub month: Field,
    /// When (submission, publication, answer), as seconds since the epoch.
    pub created_at: Field,
    /// A comment's tracking code (`GY-XXXX-XXXXX`), on its original text for moderators.
    pub tracking_code: Field,
    /// 1 when anyone may find the document (its visibility holds `public`), else 0; the index
    /// is sorted on it, public documents first (see [`public_only`]).
    pub public: Field,
}

/// A handle on the search index, cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<Option<IndexWriter>>,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        owner: b.add_text_field("owner", STRING),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        visibility: b.add_text_field("visibility", STRING),
        consultation_id: b.add_text_field("consultation_id", STRING | STORED | FAST),
        comment_id: b.add_text_field("comment_id", STRING | STORED),
        title: b.add_text_field("title", TextOptions::default().set_stored()),
        exact: b.add_text_field("exact", text(analyzer::VI_EXACT, false)),
        folded: b.add_text_field("folded", text(analyzer::VI_FOLDED, true)),
        bigrams: b.add_text_field("bigrams", text(analyzer::VI_BIGRAMS, false)),
        stance: b.add_text_field("stance", STRING | STORED | FAST),
        status: b.add_text_field("status", STRING | STORED | FAST),
        unit: b.add_text_field("unit", STRING | FAST),
        agency: b.add_text_field("agency", STRING | FAST),
        author_kind: b.add_text_field("author_kind", STRING | FAST),
        month: b.add_text_field("month", STRING | FAST),
        created_at: b.add_i64_field("created_at", INDEXED | STORED | FAST),
        tracking_code: b.add_text_field("tracking_code", STRING),
        public: b.add_u64_field(public_only::PUBLIC_FIELD, FAST),
    };
    (b.build(), fields)
}

/// The index's settings: documents sorted public first, so that a search for public documents
/// reads only the beginning of each segment.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField {
            field: public_only::PUBLIC_FIELD.to_owned(),
            order: tantivy::index::Order::Desc,
        }),
        ..IndexSettings::default()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when missing. An index whose
    /// schema or settings differ is deleted and created afresh (the indexer then rebuilds it).
    pub fn open_or_create(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let builder = || {
            IndexBuilder::new()
                .schema(schema.clone())
                .settings(index_settings())
        };
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let mut index = match builder().open_or_create(directory) {
            Ok(index) if index.settings().sort_by_field == index_settings().sort_by_field => index,
            Ok(_) | Err(tantivy::TantivyError::SchemaError(_)) => {
                tracing::warn!(dir = %dir.display(), "search index of another schema: rebuilding");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                builder().create_in_dir(dir)?
            }
            Err(e) => return Err(e.into()),
        };
        analyzer::register(index.tokenizers());
        // Segments are searched side by side, one thread per core: a search's latency is then
        // about its work divided by the cores, and searches that arrive together share them.
        let threads = search_threads();
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                writer: Mutex::new(None),
            }),
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

    /// The fields.
    pub fn fields(&self) -> Fields {
        self.inner.fields
    }

    /// A searcher on the last commit this node has loaded.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.inner.reader.searcher()
    }

    /// Loads the last commit for searching.
    pub fn reload(&self) -> anyhow::Result<()> {
        Ok(self.inner.reader.reload()?)
    }

    /// Runs `f` with this node's one index writer (opened on first use). Only the indexer
    /// writes; another process holding the index (a running `gopy serve` while `gopy reindex`
    /// runs) makes this fail with tantivy's lock error.
    pub fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter, Fields) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut guard = self
            .inner
            .writer
            .lock()
            .map_err(|_| anyhow::anyhow!("search writer lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(self.inner.index.writer(WRITER_HEAP_BYTES)?);
        }
        let writer = guard
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("search writer missing"))?;
        f(writer, self.inner.fields)
    }

    /// The payload of the last commit (the indexer's position in the outbox).
    pub fn commit_payload(&self) -> anyhow::Result<Option<String>> {
        Ok(self.inner.index.load_metas()?.payload)
    }
}

/// The threads of the index's search executor: one per core, read once (the standard library
/// reads the process's CPU affinity and cgroup quota each time it is asked).
pub fn search_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}
