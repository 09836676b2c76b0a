//! Search over 1,000,000 comments: how long gopy takes to index them, how fast it answers a
//! fixed set of queries (typed with and without diacritics, one with a typo) in process and over
//! HTTP at 1 and 32 concurrent clients, how much memory the server holds, and (when
//! `BENCH_DATABASE_URL` names a PostgreSQL server) how long PostgreSQL full-text search
//! (`unaccent` + GIN, ranked with `ts_rank`) takes on the same texts.
//!
//! The comments are generated: the sentences of `tests/fixtures/screening/corpus-sample.jsonl`
//! recombined pseudo-randomly (fixed seed) into comments of 2 to 5 sentences, about 8% typed
//! without diacritics. Each comment gets the two documents gopy indexes for an approved comment
//! published with consent (`comment`, public, and `comment_full`, moderators), built directly
//! rather than read back through the database, and committed once at the end.
//!
//! The server runs in a child process (this executable started again with
//! `BENCH_SEARCH_SERVE=<data dir>`) so that its resident memory is its own; the load comes from
//! this process over the loopback interface, on the same machine.
//!
//! ```text
//! cargo bench --bench search
//! BENCH_COMMENTS=100000 cargo bench --bench search     # quicker
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench search
//! ```
//!
//! Other settings: `BENCH_FACETS=1` (count the facets in the in-process runs too; the HTTP
//! runs are made both ways), `BENCH_DATA_DIR` (keep the data directory and its index there, and reuse
//! them on the next run with the same `BENCH_COMMENTS`), `BENCH_SECONDS` (length of each HTTP phase, default 20), `BENCH_ROUNDS`
//! (passes over the query set in process, default 10), `BENCH_PG_ROUNDS`
//! (passes over the query set on PostgreSQL, default 5).

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use gopy::config::Settings;
use gopy::policy::Actor;
use gopy::search::SearchIndex;
use gopy::services::search::{SearchRequest, SearchSort};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tantivy::TantivyDocument;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Memory of the index writer, as gopy's own writer uses.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// Seed of the generated comments.
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// The queries: half with diacritics, half without; the last one has a typo ("cuongg").
const QUERIES: [&str; 20] = [
    "cây xanh",
    "Ninh Kiều",
    "đường Mậu Thân ngập",
    "cầu Hưng Lợi",
    "thoát nước",
    "bồi thường giải phóng mặt bằng",
    "xe buýt công viên Lưu Hữu Phước",
    "sạt lở",
    "đèn chiếu sáng hư hỏng",
    "nhà cổ Bình Thủy",
    "ngap nuoc",
    "duong mau than ngap",
    "thoat nuoc",
    "tai dinh cu",
    "cay xanh via he",
    "trieu cuong",
    "cau quang trung",
    "o nhiem rac",
    "kinh phi",
    "ngap nuoc trieu cuongg",
];

/// The sample consultations' titles: every comment document starts with its consultation's.
const CONSULTATIONS: [&str; 3] = [
    "Điều chỉnh quy hoạch phân khu tỷ lệ 1/2000 khu vực bờ sông Ninh Kiều – Cái Khế",
    "Dự án chống ngập và cải tạo hệ thống thoát nước đô thị khu vực trung tâm thành phố Cần Thơ giai đoạn 2026–2030",
    "Đề án phát triển giao thông công cộng, không gian đi bộ và cây xanh đô thị thành phố Cần Thơ đến năm 2030",
];

const STANCES: [&str; 4] = ["support", "oppose", "suggest", "question"];
const UNITS: [&str; 8] = [
    "31150", "31168", "31120", "31186", "31201", "31789", "31473", "31471",
];
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One generated comment.
struct Comment {
    id: uuid::Uuid,
    tracking_code: String,
    consultation: usize,
    body: String,
    stance: &'static str,
    author_kind: &'static str,
    unit: Option<&'static str>,
    created_at: DateTime<Utc>,
}

/// The distinct sentences of the sample corpus, in their order of appearance.
fn sentences() -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in include_str!("../tests/fixtures/screening/corpus-sample.jsonl").lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let body = row["body"].as_str().unwrap();
        let mut start = 0;
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        for (k, &(at, c)) in chars.iter().enumerate() {
            let end_of_sentence = matches!(c, '.' | '?' | '!')
                && chars
                    .get(k + 1)
                    .is_none_or(|(_, next)| next.is_whitespace());
            if end_of_sentence {
                let sentence = body[start..at + c.len_utf8()].trim();
                if sentence.chars().count() > 3 && seen.insert(sentence.to_owned()) {
                    out.push(sentence.to_owned());
                }
                start = at + c.len_utf8();
            }
        }
        let rest = body[start..].trim();
        if rest.chars().count() > 3 && seen.insert(rest.to_owned()) {
            out.push(rest.to_owned());
        }
    }
    out
}

/// The comments, always the same for the same count.
struct Generator {
    rng: Rng,
    sentences: Vec<String>,
    start: DateTime<Utc>,
    step_secs: i64,
    made: usize,
    count: usize,
}

impl Generator {
    fn new(count: usize) -> Self {
        let start = DateTime::parse_from_rfc3339("2026-01-05T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // Spread over about ten months.
        let step_secs = (300 * 86_400 / count.max(1) as i64).max(1);
        Self {
            rng: Rng(SEED),
            sentences: sentences(),
            start,
            step_secs,
            made: 0,
            count,
        }
    }
}

impl Iterator for Generator {
    type Item = Comment;

    fn next(&mut self) -> Option<Comment> {
        if self.made == self.count {
            return None;
        }
        let rng = &mut self.rng;
        let n = 2 + rng.below(4);
        let mut body = String::new();
        for k in 0..n {
            if k > 0 {
                body.push(' ');
            }
            body.push_str(&self.sentences[rng.below(self.sentences.len())]);
        }
        if rng.below(100) < 8 {
            body = gopy::domain::text::fold(&body);
        }
        let mut code = String::from("GY-");
        for k in 0..9 {
            if k == 4 {
                code.push('-');
            }
            code.push(CROCKFORD[rng.below(32)] as char);
        }
        let author_kind = match rng.below(100) {
            0..70 => "resident",
            70..95 => "imported",
            _ => "organization",
        };
        let comment = Comment {
            id: uuid::Uuid::from_u64_pair(rng.next(), self.made as u64),
            tracking_code: code,
            consultation: rng.below(CONSULTATIONS.len()),
            body,
            stance: STANCES[rng.below(STANCES.len())],
            author_kind,
            unit: (rng.below(3) > 0).then(|| UNITS[rng.below(UNITS.len())]),
            created_at: self.start + chrono::Duration::seconds(self.made as i64 * self.step_secs),
        };
        self.made += 1;
        Some(comment)
    }
}

fn consultation_id(k: usize) -> uuid::Uuid {
    uuid::Uuid::from_u64_pair(0x6770_7900, k as u64 + 1)
}

/// The two documents gopy indexes for an approved comment published with consent, as
/// `gopy::search::documents::comment` builds them.
fn documents(f: gopy::search::Fields, c: &Comment) -> [TantivyDocument; 2] {
    let title = CONSULTATIONS[c.consultation];
    let owner = format!("comment:{}", c.id);
    let month = c
        .created_at
        .with_timezone(&gopy::domain::time::VIETNAM)
        .format("%Y-%m")
        .to_string();
    let consultation = consultation_id(c.consultation).to_string();
    let comment_id = c.id.to_string();
    let make = |id: String, kind: &str, visibility: &str, title: &str| {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, id);
        doc.add_text(f.owner, &owner);
        doc.add_text(f.kind, kind);
        doc.add_text(f.month, &month);
        doc.add_i64(f.created_at, c.created_at.timestamp());
        doc.add_text(f.title, title);
        doc.add_text(f.exact, &c.body);
        doc.add_text(f.folded, &c.body);
        doc.add_text(f.bigrams, &c.body);
        doc.add_text(f.consultation_id, &consultation);
        doc.add_text(f.comment_id, &comment_id);
        doc.add_text(f.stance, c.stance);
        doc.add_text(f.status, "approved");
        doc.add_text(f.author_kind, c.author_kind);
        if let Some(unit) = c.unit {
            doc.add_text(f.unit, unit);
        }
        doc.add_text(f.visibility, visibility);
        doc
    };
    let mut full = make(
        format!("comment_full:{}", c.id),
        "comment_full",
        gopy::search::documents::MODERATORS,
        &format!("{} · {title}", c.tracking_code),
    );
    full.add_text(f.tracking_code, &c.tracking_code);
    let mut docs = [
        full,
        make(
            owner.clone(),
            "comment",
            gopy::search::documents::PUBLIC,
            title,
        ),
    ];
    gopy::search::documents::mark_public(f, &mut docs);
    docs
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                dir_size(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// Builds the index of `count` comments in `dir` (sorted as gopy's own index is), as a stored position the server's indexer
/// accepts (so it does not rebuild from its empty database).
fn build_index(dir: &Path, count: usize) -> SearchIndex {
    let index = SearchIndex::open_or_create(dir).unwrap();
    let f = index.fields();
    let mut writer = index
        .index()
        .writer::<TantivyDocument>(WRITER_HEAP_BYTES)
        .unwrap();
    let position = gopy::search::indexer::Position {
        version: gopy::search::SCHEMA_VERSION,
        low: 0,
        above: Default::default(),
    };
    let payload = serde_json::to_string(&position).unwrap();
    let started = Instant::now();
    let mut docs = 0usize;
    let mut chars = 0usize;
    for comment in Generator::new(count) {
        chars += comment.body.chars().count();
        for doc in documents(f, &comment) {
            writer.add_document(doc).unwrap();
            docs += 1;
        }
    }
    let added = started.elapsed();
    let mut prepared = writer.prepare_commit().unwrap();
    prepared.set_payload(&payload);
    prepared.commit().unwrap();
    let committed = started.elapsed();
    writer.wait_merging_threads().unwrap();
    let merged = started.elapsed();
    index.reload().unwrap();
    if gopy::search::indexer::stored_position(&index)
        .unwrap()
        .is_none()
    {
        // Merges keep the payload; should they not, commit it again.
        let mut writer = index
            .index()
            .writer::<TantivyDocument>(WRITER_HEAP_BYTES)
            .unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload(&payload);
        prepared.commit().unwrap();
        writer.wait_merging_threads().unwrap();
        index.reload().unwrap();
    }
    assert!(
        gopy::search::indexer::stored_position(&index)
            .unwrap()
            .is_some()
    );
    println!(
        "indexing: {count} comments ({docs} documents, {:.1} M characters of comment text): \
         added in {:.1} s, committed at {:.1} s ({:.0} comments/s), merges done at {:.1} s",
        chars as f64 / 1e6,
        added.as_secs_f64(),
        committed.as_secs_f64(),
        count as f64 / committed.as_secs_f64(),
        merged.as_secs_f64(),
    );
    let folded_terms: u64 = index
        .searcher()
        .segment_readers()
        .iter()
        .map(|s| s.inverted_index(f.folded).unwrap().terms().num_terms() as u64)
        .sum();
    println!(
        "index: {} documents, {} segments, {:.1} MiB on disk, {folded_terms} terms in the \
         folded field (summed over segments)",
        index.num_docs(),
        index.check().unwrap(),
        dir_size(dir) as f64 / (1024.0 * 1024.0),
    );
    index
}

/// Per-query and overall latencies of searches in process (no HTTP), as an anonymous visitor.
fn in_process(index: &SearchIndex, rounds: usize) -> Vec<Duration> {
    let actor = Actor::anonymous();
    let facets = std::env::var("BENCH_FACETS").is_ok_and(|v| v == "1");
    let request = |q: &str| SearchRequest {
        q: q.to_owned(),
        sort: SearchSort::Relevance,
        page: 1,
        per_page: 20,
        facets,
        ..SearchRequest::default()
    };
    println!(
        "in process: {}",
        if facets {
            "with the 8 facets (BENCH_FACETS=1)"
        } else {
            "without facets, as the API answers by default"
        }
    );
    // `BENCH_QUERY` runs that one query only (for profiling).
    let only = std::env::var("BENCH_QUERY").ok();
    let queries: Vec<&str> = match &only {
        Some(q) => vec![q.as_str()],
        None => QUERIES.to_vec(),
    };
    for q in &queries {
        gopy::services::search::search(index, &actor, &request(q)).unwrap();
    }
    let mut all = Vec::new();
    println!("in process, per query ({rounds} runs each):");
    for &q in &queries {
        let mut times = Vec::with_capacity(rounds);
        let mut total = 0;
        let mut suggestion = None;
        for _ in 0..rounds {
            let started = Instant::now();
            let results = gopy::services::search::search(index, &actor, &request(q)).unwrap();
            times.push(started.elapsed());
            total = results.total;
            suggestion = results.did_you_mean;
        }
        all.extend_from_slice(&times);
        times.sort();
        println!(
            "  {q:<34} {total:>8} results  p50 {:>8.2} ms  max {:>8.2} ms{}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 1.0)),
            suggestion
                .map(|s| format!("  did you mean: {s}"))
                .unwrap_or_default(),
        );
    }
    all.sort();
    println!(
        "in process, all queries: p50 {:.2} ms, p99 {:.2} ms ({} searches)",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        all.len()
    );
    all
}

/// Resident memory of a process, from `/proc/<pid>/status`.
fn memory(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    ["VmRSS", "RssAnon", "RssFile", "VmHWM"]
        .iter()
        .filter_map(|key| {
            status
                .lines()
                .find(|l| l.starts_with(&format!("{key}:")))
                .map(|l| {
                    let kb: f64 = l
                        .split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0.0);
                    format!("{key} {:.0} MiB", kb / 1024.0)
                })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn search_url(base: &str, q: &str, facets: bool) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    if facets {
        format!("{base}/api/v1/search?q={encoded}&facets=true")
    } else {
        format!("{base}/api/v1/search?q={encoded}")
    }
}

/// `clients` tasks send the queries in turn for `duration`; each timing covers the whole
/// response body. Returns (latency, query index) per request and the elapsed time.
async fn http_load(
    base: &str,
    clients: usize,
    duration: Duration,
    facets: bool,
) -> (Vec<(Duration, usize)>, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let base: Arc<str> = base.into();
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut k = c * 7;
            // At least one pass over the query set per client.
            while Instant::now() < deadline || out.len() < QUERIES.len() {
                let q = k % QUERIES.len();
                let url = search_url(&base, QUERIES[q], facets);
                let t = Instant::now();
                let response = client.get(&url).send().await.unwrap();
                assert_eq!(response.status(), 200, "{url}");
                let body = response.bytes().await.unwrap();
                out.push((t.elapsed(), q));
                assert!(body.starts_with(b"{"));
                k += 1;
            }
            out
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    (all, started.elapsed())
}

fn report_http(label: &str, results: &[(Duration, usize)], elapsed: Duration) -> Duration {
    let subset = |keep: &dyn Fn(usize) -> bool| {
        let mut v: Vec<Duration> = results
            .iter()
            .filter(|(_, q)| keep(*q))
            .map(|(d, _)| *d)
            .collect();
        v.sort();
        v
    };
    let all = subset(&|_| true);
    let accented = subset(&|q| q < QUERIES.len() / 2);
    let plain = subset(&|q| q >= QUERIES.len() / 2);
    println!(
        "HTTP, {label}: {} requests in {:.1} s = {:.0} queries/s; p50 {:.2} ms, p99 {:.2} ms \
         (with diacritics p50 {:.2} / p99 {:.2} ms, without p50 {:.2} / p99 {:.2} ms)",
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(percentile(&accented, 0.5)),
        ms(percentile(&accented, 0.99)),
        ms(percentile(&plain, 0.5)),
        ms(percentile(&plain, 0.99)),
    );
    percentile(&all, 0.5)
}

/// The server process: gopy on a fresh SQLite database with the prepared index.
async fn serve(data_dir: &Path) {
    let url = format!("sqlite://{}?mode=rwc", data_dir.join("gopy.db").display());
    let settings = Settings::for_tests(data_dir, &url);
    let app = gopy::startup::Application::build(settings).await.unwrap();
    println!("listening http://{}", app.local_addr().unwrap());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let stop = shutdown.clone();
    // Stops when the benchmark closes our standard input.
    tokio::spawn(async move {
        let mut line = String::new();
        let mut stdin = BufReader::new(tokio::io::stdin());
        while stdin
            .read_line(&mut line)
            .await
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            line.clear();
        }
        stop.cancel();
    });
    app.run_until_stopped(shutdown).await.unwrap();
}

/// PostgreSQL full-text search over the same texts: `unaccent` + a GIN index, ranked.
async fn postgres(server: &str, count: usize, rounds: usize) -> Option<Vec<Duration>> {
    let scratch = support::ScratchDatabase::create(server, "gopy_bench_search").await;
    let db = Database::connect(scratch.url.as_str()).await.unwrap();
    let result = async {
        let version = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SHOW server_version",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get_by_index::<String>(0).ok())
            .unwrap_or_default();
        if let Err(e) = db
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS unaccent")
            .await
        {
            println!("PostgreSQL: CREATE EXTENSION unaccent failed ({e}); comparison skipped");
            return None;
        }
        db.execute_unprepared(
            "CREATE TABLE bench_comments (id bigserial PRIMARY KEY, body text NOT NULL, \
             tsv tsvector NOT NULL)",
        )
        .await
        .unwrap();
        let started = Instant::now();
        let mut batch = String::new();
        let mut in_batch = 0;
        for comment in Generator::new(count) {
            // The same text gopy searches: the comment's own words.
            let text = comment.body;
            if in_batch == 0 {
                batch.push_str(
                    "INSERT INTO bench_comments (body, tsv) \
                     SELECT b, to_tsvector('simple', unaccent(b)) FROM (VALUES ",
                );
            } else {
                batch.push(',');
            }
            batch.push_str("('");
            batch.push_str(&text.replace('\'', "''"));
            batch.push_str("')");
            in_batch += 1;
            if in_batch == 1000 {
                batch.push_str(") AS v(b)");
                db.execute_unprepared(&batch).await.unwrap();
                batch.clear();
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            batch.push_str(") AS v(b)");
            db.execute_unprepared(&batch).await.unwrap();
        }
        let loaded = started.elapsed();
        db.execute_unprepared("CREATE INDEX bench_comments_tsv ON bench_comments USING GIN (tsv)")
            .await
            .unwrap();
        db.execute_unprepared("ANALYZE bench_comments")
            .await
            .unwrap();
        let indexed = started.elapsed();
        let size = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_total_relation_size('bench_comments')::bigint, \
                 pg_relation_size('bench_comments_tsv')::bigint",
            ))
            .await
            .unwrap()
            .unwrap();
        let total: i64 = size.try_get_by_index(0).unwrap();
        let gin: i64 = size.try_get_by_index(1).unwrap();
        println!(
            "PostgreSQL {version}: {count} rows loaded (with tsvector) in {:.1} s, GIN index and \
             ANALYZE done at {:.1} s; table with indexes {:.1} MiB (GIN {:.1} MiB)",
            loaded.as_secs_f64(),
            indexed.as_secs_f64(),
            total as f64 / (1024.0 * 1024.0),
            gin as f64 / (1024.0 * 1024.0),
        );
        let sql = "SELECT id, ts_rank(tsv, q) AS r FROM bench_comments, \
                   plainto_tsquery('simple', unaccent($1)) q WHERE tsv @@ q \
                   ORDER BY r DESC LIMIT 20";
        let run = |q: &str| {
            db.query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                [q.into()],
            ))
        };
        for q in QUERIES {
            run(q).await.unwrap();
        }
        let mut all = Vec::new();
        println!("PostgreSQL, per query ({rounds} runs each, one client):");
        for q in QUERIES {
            let mut times = Vec::with_capacity(rounds);
            let mut rows = 0;
            for _ in 0..rounds {
                let started = Instant::now();
                rows = run(q).await.unwrap().len();
                times.push(started.elapsed());
            }
            all.extend_from_slice(&times);
            times.sort();
            println!(
                "  {q:<34} {rows:>3} rows  p50 {:>8.2} ms  max {:>8.2} ms",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 1.0)),
            );
        }
        all.sort();
        println!(
            "PostgreSQL, all queries: p50 {:.2} ms, p99 {:.2} ms ({} queries)",
            ms(percentile(&all, 0.5)),
            ms(percentile(&all, 0.99)),
            all.len()
        );
        Some(all)
    }
    .await;
    db.close().await.ok();
    scratch.drop_now().await;
    result
}

#[tokio::main]
async fn main() {
    if let Some(dir) = std::env::var_os("BENCH_SEARCH_SERVE") {
        serve(Path::new(&dir)).await;
        return;
    }
    let count = env_usize("BENCH_COMMENTS", 1_000_000);
    let seconds = env_usize("BENCH_SECONDS", 20);
    let pg_rounds = env_usize("BENCH_PG_ROUNDS", 5);
    println!(
        "{} sentences of material; {count} comments",
        sentences().len()
    );
    // `BENCH_DATA_DIR` keeps the data directory (and its index) for the next run with the
    // same count, which then skips indexing; by default everything is temporary.
    let temporary = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("BENCH_DATA_DIR").map(std::path::PathBuf::from);
    let data_dir = kept.clone().unwrap_or_else(|| temporary.path().to_owned());
    let index_dir = data_dir.join("index");
    let reusable = kept.is_some()
        && SearchIndex::open_or_create(&index_dir).is_ok_and(|index| {
            index.num_docs() == 2 * count as u64
                && gopy::search::indexer::stored_position(&index)
                    .ok()
                    .flatten()
                    .is_some()
        });
    let index = if reusable {
        println!(
            "indexing: skipped, the index of {count} comments in {} is reused",
            index_dir.display()
        );
        SearchIndex::open_or_create(&index_dir).unwrap()
    } else {
        if index_dir.exists() {
            std::fs::remove_dir_all(&index_dir).unwrap();
        }
        build_index(&index_dir, count)
    };
    for stale in ["gopy.db", "gopy.db-wal", "gopy.db-shm"] {
        std::fs::remove_file(data_dir.join(stale)).ok();
    }
    let local = in_process(&index, env_usize("BENCH_ROUNDS", 10));
    drop(index);
    // `BENCH_HTTP=0` stops here (for profiling the searches in process).
    if std::env::var("BENCH_HTTP").is_ok_and(|v| v == "0") {
        return;
    }

    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .env("BENCH_SEARCH_SERVE", &data_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next_line().await.unwrap().expect("server exited");
        if let Some(addr) = line.strip_prefix("listening ") {
            break addr.to_owned();
        }
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("server (pid {pid}) started: {}", memory(pid));
    let duration = Duration::from_secs(seconds as u64);
    let (one, elapsed) = http_load(&base, 1, duration, false).await;
    let http_p50 = report_http("1 client", &one, elapsed);
    let (many, elapsed) = http_load(&base, 32, duration, false).await;
    report_http("32 clients", &many, elapsed);
    let (one, elapsed) = http_load(&base, 1, duration, true).await;
    report_http("1 client, with the 8 facets", &one, elapsed);
    let (many, elapsed) = http_load(&base, 32, duration, true).await;
    report_http("32 clients, with the 8 facets", &many, elapsed);
    println!("server after the load: {}", memory(pid));
    drop(child.stdin.take());
    if tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        child.kill().await.ok();
    }

    if let Ok(server) = std::env::var("BENCH_DATABASE_URL")
        && let Some(pg) = postgres(&server, count, pg_rounds).await
    {
        let pg_p50 = percentile(&pg, 0.5);
        println!(
            "PostgreSQL p50 / gopy p50: {:.1}x in process, {:.1}x over HTTP (1 client)",
            pg_p50.as_secs_f64() / percentile(&local, 0.5).as_secs_f64(),
            pg_p50.as_secs_f64() / http_p50.as_secs_f64(),
        );
    }
}
