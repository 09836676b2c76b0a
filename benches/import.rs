//! Import of 100,000 comments keyed in from paper forms and meetings, on SQLite and (when
//! `BENCH_DATABASE_URL` names a PostgreSQL server) on PostgreSQL.
//!
//! ```text
//! cargo bench --bench import
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench import
//! BENCH_ROWS=20000 cargo bench --bench import
//! ```
//!
//! Each run builds a fresh database with gopy's migrations, reference data and sample
//! consultations, generates realistic Vietnamese rows in memory (stances in both languages,
//! clause references in every accepted notation, author names, organizations, channels, quoted
//! commas and multi-line cells), then times `services::import::import_comments` on the CSV, and
//! once more on the same rows as JSON Lines (into the same consultation, so the second import
//! checks its tracking codes against the first one's).

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

use std::time::Instant;

use entity::{clauses, consultations};
use gopy::config::Settings;
use gopy::services::import::{Format, import_comments};
use gopy::startup::Application;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};

/// A small deterministic generator (xorshift64*), so every run imports the same rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        let len = u64::try_from(items.len()).unwrap();
        items[usize::try_from(self.next() % len).unwrap()]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ",
    "Ngô", "Hồ", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Thu", "Quốc", "Kim",
];
const GIVEN: &[&str] = &[
    "An", "Bảy", "Cúc", "Dũng", "Hạnh", "Hùng", "Lan", "Mười", "Nga", "Phúc", "Sơn", "Tâm", "Thảo",
    "Tuấn", "Út", "Xuân", "Yến", "Đức", "Ánh", "Khoa",
];
const OPENING: &[&str] = &[
    "Đề nghị",
    "Tôi đồng ý với việc",
    "Tôi không đồng ý với việc",
    "Xin hỏi khi nào sẽ",
    "Kiến nghị thành phố",
    "Bà con trong hẻm mong",
    "Hội nông dân phường đề xuất",
];
const SUBJECT: &[&str] = &[
    "nạo vét kênh Cái Khế",
    "nâng cấp trạm bơm Tầm Vu",
    "xây cống ngăn triều ở rạch Cái Sơn",
    "mở rộng vỉa hè đường Hai Bà Trưng",
    "giữ lại hàng cây dầu cổ thụ ven sông",
    "bố trí tái định cư tại chỗ cho hộ bị giải tỏa",
    "làm hồ điều hòa ở phường An Khánh",
    "nâng cốt nền đường Mậu Thân",
    "hỗ trợ hộ kinh doanh bị ảnh hưởng khi thi công",
    "công khai tiến độ thi công hằng tháng",
];
const DETAIL: &[&str] = &[
    "vì mùa mưa năm nào hẻm 51 cũng ngập tới gối",
    "trước tháng 9, khi triều cường lên cao nhất",
    "để người già, trẻ em đi lại an toàn",
    "và niêm yết tại trụ sở khu vực cho bà con cùng biết",
    "vì chi phí di dời quá lớn so với thu nhập của hộ nghèo",
    "nhưng cần làm rõ nguồn kinh phí, tránh bỏ dở giữa chừng",
    "đồng thời lắp đèn chiếu sáng, camera ở lối đi bộ",
];
const STANCES: &[&str] = &[
    "đồng ý",
    "Đồng ý",
    "dong y",
    "không đồng ý",
    "khong dong y",
    "đề xuất",
    "de xuat",
    "câu hỏi",
    "cau hoi",
    "support",
    "oppose",
    "suggest",
    "question",
];

/// Clause references in every notation the importer reads, all valid for the consultation.
async fn clause_refs(db: &DatabaseConnection, consultation_id: uuid::Uuid) -> Vec<String> {
    use entity::enums::ClauseLevel;
    let all = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation_id))
        .all(db)
        .await
        .unwrap();
    let mut refs = Vec::new();
    for clause in &all {
        match clause.level {
            ClauseLevel::Dieu => {
                refs.push(format!("Điều {}", clause.number));
                refs.push(clause.number.clone());
            }
            ClauseLevel::Khoan => {
                let Some(dieu) = all.iter().find(|c| Some(c.id) == clause.parent_id) else {
                    continue;
                };
                refs.push(format!("Điều {} khoản {}", dieu.number, clause.number));
                refs.push(format!("khoản {} Điều {}", clause.number, dieu.number));
                refs.push(format!("{}.{}", dieu.number, clause.number));
            }
            _ => refs.push(clause.id.to_string()),
        }
    }
    refs
}

/// One generated row, as CSV fields and as a JSON object.
struct Row {
    body: String,
    stance: &'static str,
    clause: String,
    author_name: String,
    organization: &'static str,
    channel: &'static str,
    consent: &'static str,
}

fn generate(count: usize, refs: &[String]) -> Vec<Row> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    (0..count)
        .map(|i| {
            let mut body = format!(
                "{} {}, {}.",
                rng.pick(OPENING),
                rng.pick(SUBJECT),
                rng.pick(DETAIL)
            );
            if rng.chance(30) {
                body.push_str(&format!(
                    "\nNgoài ra, {} {}.",
                    rng.pick(SUBJECT),
                    rng.pick(DETAIL)
                ));
            }
            if rng.chance(10) {
                body.push_str(&format!(" (phiếu số {i}, ghi \"khẩn\")"));
            }
            let (channel, consent) = match rng.next() % 10 {
                0..=5 => ("", ""),
                6 => ("meeting", "public_anonymous"),
                7 => ("email", "private"),
                8 => ("hotline", "private"),
                _ => ("paper_form", "public_named"),
            };
            let author_name = if consent == "public_named" || rng.chance(60) {
                format!(
                    "{} {} {}",
                    rng.pick(FAMILY),
                    rng.pick(MIDDLE),
                    rng.pick(GIVEN)
                )
            } else {
                String::new()
            };
            let organization = match rng.next() % 20 {
                0 => "HND-TP",
                1 => "HLHPN-TP",
                2 => "HCCB-TP",
                _ => "",
            };
            Row {
                body,
                stance: rng.pick(STANCES),
                clause: if rng.chance(80) {
                    rng.pick(&refs).to_owned()
                } else {
                    String::new()
                },
                author_name,
                organization,
                channel,
                consent,
            }
        })
        .collect()
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn to_csv(rows: &[Row]) -> Vec<u8> {
    let mut out = String::from("body,stance,clause,author_name,organization,channel,consent\n");
    for r in rows {
        let fields = [
            r.body.as_str(),
            r.stance,
            &r.clause,
            &r.author_name,
            r.organization,
            r.channel,
            r.consent,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn to_json_lines(rows: &[Row]) -> Vec<u8> {
    let mut out = String::new();
    for r in rows {
        let mut object = serde_json::json!({"body": r.body, "stance": r.stance});
        for (key, value) in [
            ("clause", r.clause.as_str()),
            ("author_name", &r.author_name),
            ("organization", r.organization),
            ("channel", r.channel),
            ("consent", r.consent),
        ] {
            if !value.is_empty() {
                object[key] = value.into();
            }
        }
        out.push_str(&object.to_string());
        out.push('\n');
    }
    out.into_bytes()
}

async fn run(label: &str, database_url: &str, rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(dir.path(), database_url);
    settings.load_samples = true;
    let app = Application::build(settings).await.unwrap();
    let db = app.state().db.clone();
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let refs = clause_refs(&db, consultation.id).await;
    let generated = generate(rows, &refs);
    let inputs = [
        ("CSV", Format::Csv, to_csv(&generated)),
        ("JSON Lines", Format::JsonLines, to_json_lines(&generated)),
    ];
    for (name, format, input) in inputs {
        let started = Instant::now();
        let report = import_comments(&db, consultation.id, None, format, &input)
            .await
            .unwrap_or_else(|e| panic!("{label} {name}: {e:?}"));
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(report.imported, rows);
        #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
        let rate = rows as f64 / seconds;
        println!(
            "{label:<10} {name:<10} {rows:>7} rows  {:>6.1} MiB  {seconds:>6.2} s  {rate:>9.0} rows/s",
            byte_mib(input.len()),
        );
    }
    let stored = entity::comments::Entity::find().count(&db).await.unwrap();
    assert_eq!(stored, u64::try_from(rows * 2).unwrap());
    db.close().await.ok();
}

#[expect(clippy::cast_precision_loss, reason = "a size for people to read")]
fn byte_mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        run("SQLite", &sqlite, rows).await;

        if let Ok(server) = std::env::var("BENCH_DATABASE_URL")
            && !server.is_empty()
        {
            let name = format!("gopy_bench_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&server).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            run("PostgreSQL", &format!("{base}/{name}"), rows).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            admin.close().await.ok();
        }
    });
}
