//! Settings: typed, loaded once at start-up.
//!
//! Precedence, lowest first: built-in defaults → optional `gopy.toml` (or the file named by
//! `GOPY_CONFIG`) → `GOPY_*` environment variables → `DATABASE_URL` → command-line flags.
//! Paths that are not set explicitly are derived from `data_dir`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// What an operator can set, as read from the providers before paths are derived.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    listen: SocketAddr,
    data_dir: PathBuf,
    database_url: Option<String>,
    index_dir: Option<PathBuf>,
    files_dir: Option<PathBuf>,
    public_url: Option<String>,
    reference_file: Option<PathBuf>,
    load_samples: bool,
    admin_email: String,
    max_body_bytes: usize,
    request_timeout_secs: u64,
    db_max_connections: u32,
    log: String,
    smtp_host: Option<String>,
    smtp_port: u16,
    smtp_tls: String,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_from: String,
    session_idle_minutes: u64,
    session_absolute_hours: u64,
    max_attachment_bytes: usize,
    max_document_bytes: usize,
    storage: String,
    s3_bucket: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
    s3_allow_http: bool,
    min_comment_days: MinCommentDays,
    answer_working_days: AnswerWorkingDays,
    deadline_check_secs: u64,
}

/// Working days an agency has to answer a comment assigned to it, per kind of consultation
/// (a routing rule can set its own). Set in `gopy.toml` as an `[answer_working_days]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnswerWorkingDays {
    /// General plans.
    pub general_plan: u32,
    /// Zoning plans.
    pub zoning_plan: u32,
    /// Detailed plans.
    pub detailed_plan: u32,
    /// Investment projects.
    pub investment_project: u32,
    /// Schemes and policies.
    pub policy: u32,
}

impl Default for AnswerWorkingDays {
    fn default() -> Self {
        Self {
            general_plan: 15,
            zoning_plan: 15,
            detailed_plan: 15,
            investment_project: 15,
            policy: 10,
        }
    }
}

impl AnswerWorkingDays {
    /// The number for one kind.
    pub fn for_kind(&self, kind: entity::enums::ConsultationKind) -> u32 {
        use entity::enums::ConsultationKind as K;
        match kind {
            K::GeneralPlan => self.general_plan,
            K::ZoningPlan => self.zoning_plan,
            K::DetailedPlan => self.detailed_plan,
            K::InvestmentProject => self.investment_project,
            K::Policy => self.policy,
        }
    }
}

/// Fewest days a comment window may last, per kind of consultation, unless the agency states a
/// reason that is shown to the public. Planning law asks at least 30 days of community
/// consultation on plans. Set in `gopy.toml` as a `[min_comment_days]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MinCommentDays {
    /// General plans (quy hoạch chung).
    pub general_plan: i64,
    /// Zoning plans (quy hoạch phân khu).
    pub zoning_plan: i64,
    /// Detailed plans (quy hoạch chi tiết).
    pub detailed_plan: i64,
    /// Investment projects.
    pub investment_project: i64,
    /// Schemes and policies.
    pub policy: i64,
}

impl Default for MinCommentDays {
    fn default() -> Self {
        Self {
            general_plan: 30,
            zoning_plan: 30,
            detailed_plan: 30,
            investment_project: 30,
            policy: 20,
        }
    }
}

impl MinCommentDays {
    /// The minimum for one kind.
    pub fn for_kind(&self, kind: entity::enums::ConsultationKind) -> i64 {
        use entity::enums::ConsultationKind as K;
        match kind {
            K::GeneralPlan => self.general_plan,
            K::ZoningPlan => self.zoning_plan,
            K::DetailedPlan => self.detailed_plan,
            K::InvestmentProject => self.investment_project,
            K::Policy => self.policy,
        }
    }
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            index_dir: None,
            files_dir: None,
            public_url: None,
            reference_file: None,
            load_samples: true,
            admin_email: "admin@gopy.local".to_owned(),
            // A consultation document (50 MiB) plus the multipart framing around it.
            max_body_bytes: 51 * 1024 * 1024,
            request_timeout_secs: 30,
            db_max_connections: 10,
            log: "info,sqlx=warn,sea_orm=warn,tantivy=warn".to_owned(),
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: "starttls".to_owned(),
            smtp_username: None,
            smtp_password: None,
            mail_from: "gopy <no-reply@gopy.local>".to_owned(),
            session_idle_minutes: 60,
            session_absolute_hours: 24,
            max_attachment_bytes: 10 * 1024 * 1024,
            max_document_bytes: 50 * 1024 * 1024,
            storage: "local".to_owned(),
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_allow_http: false,
            min_comment_days: MinCommentDays::default(),
            answer_working_days: AnswerWorkingDays::default(),
            deadline_check_secs: 60,
        }
    }
}

/// Keys read from `GOPY_*` variables (other `GOPY_` variables belong to other programs).
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "index_dir",
    "files_dir",
    "public_url",
    "reference_file",
    "load_samples",
    "admin_email",
    "max_body_bytes",
    "request_timeout_secs",
    "db_max_connections",
    "log",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_username",
    "smtp_password",
    "mail_from",
    "session_idle_minutes",
    "session_absolute_hours",
    "max_attachment_bytes",
    "max_document_bytes",
    "storage",
    "s3_bucket",
    "s3_endpoint",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_allow_http",
    "deadline_check_secs",
];

/// Overrides given on the command line for one run.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--listen ADDR:PORT`.
    pub listen: Option<SocketAddr>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
}

/// How gopy talks to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test sink.
    None,
}

/// Outgoing mail settings; without `host`, mail is written to `<data_dir>/outbox-mail/`.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// SMTP server host name.
    pub host: String,
    /// SMTP server port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// User name for authentication, if the server asks for one.
    pub username: Option<String>,
    /// Password for authentication.
    pub password: Option<SecretString>,
}

/// Where uploaded files (comment attachments, consultation documents) are kept.
#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// Files under [`Settings::files_dir`] on this machine (one node, or a shared volume).
    Local,
    /// An S3-compatible object store shared by every gopy node.
    S3(S3Settings),
}

/// An S3-compatible bucket (AWS S3, MinIO, Ceph, a Vietnamese cloud's object storage).
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// Bucket name.
    pub bucket: String,
    /// Endpoint URL for non-AWS services (`https://s3.example.vn`); `None` means AWS.
    pub endpoint: Option<String>,
    /// Region (`us-east-1` when not set; most S3-compatible services ignore it).
    pub region: String,
    /// Access key id; without one, credentials come from the instance metadata service.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<SecretString>,
    /// Whether a plain `http://` endpoint is allowed (a store on the same private network).
    pub allow_http: bool,
}

/// Cost parameters of password hashing (argon2id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl PasswordParams {
    /// OWASP's recommended minimum for argon2id: m=19 MiB, t=2, p=1.
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// Cheap parameters for tests only.
    pub const FOR_TESTS: Self = Self {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };
}

/// The resolved settings that the rest of gopy reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address the HTTP server binds to.
    pub listen: SocketAddr,
    /// Directory for everything gopy writes.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; secret because it may hold a password.
    pub database_url: SecretString,
    /// Directory of the tantivy search index.
    pub index_dir: PathBuf,
    /// Directory of uploaded files (local storage backend).
    pub files_dir: PathBuf,
    /// Public base URL used in links sent by mail; `None` means "derive from the listen address".
    pub public_url: Option<String>,
    /// Reference data file (units, agencies, organizations); `None` means the copy built into gopy.
    pub reference_file: Option<PathBuf>,
    /// Whether the first run loads the sample consultations.
    pub load_samples: bool,
    /// Email of the admin account created on first run.
    pub admin_email: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Time after which a request is answered with 408.
    pub request_timeout_secs: u64,
    /// Size of the database connection pool.
    pub db_max_connections: u32,
    /// `tracing` filter directive.
    pub log: String,
    /// Password hashing cost (not configurable from files: OWASP minimum in production).
    pub password: PasswordParams,
    /// SMTP server; `None` writes mail to `<data_dir>/outbox-mail/` as `.eml` files.
    pub smtp: Option<SmtpSettings>,
    /// Sender address of outgoing mail (`Name <address>` or an address).
    pub mail_from: String,
    /// Directory where mail is written when no SMTP server is set.
    pub mail_dir: PathBuf,
    /// A session unused for this long ends.
    pub session_idle: std::time::Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: std::time::Duration,
    /// Largest file attached to a comment, in bytes.
    pub max_attachment_bytes: usize,
    /// Largest document attached to a consultation, in bytes.
    pub max_document_bytes: usize,
    /// Where uploaded files are kept.
    pub storage: StorageSettings,
    /// Fewest days of a comment window per kind, unless a public reason is given.
    pub min_comment_days: MinCommentDays,
    /// Working days to answer an assigned comment, per kind.
    pub answer_working_days: AnswerWorkingDays,
    /// How often the deadline job looks for reminders and overdue assignments, in seconds.
    pub deadline_check_secs: u64,
}

/// A configuration value that is missing or not allowed; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads settings from the providers in precedence order, then applies `overrides`.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let file = std::env::var_os("GOPY_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("gopy.toml"));
        let mut figment = Figment::from(Serialized::defaults(RawSettings::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("GOPY_").only(KEYS));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(("database_url", url));
        }
        if let Some(listen) = overrides.listen {
            figment = figment.merge(("listen", listen.to_string()));
        }
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(("data_dir", dir.clone()));
        }
        let raw: RawSettings = figment.extract().map_err(|e| ConfigError(describe(&e)))?;
        Self::resolve(raw)
    }

    /// Settings for tests: a given data dir, port 0, cheap password hashing, no samples.
    pub fn for_tests(data_dir: &Path, database_url: &str) -> Self {
        let raw = RawSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_path_buf(),
            database_url: Some(database_url.to_owned()),
            load_samples: false,
            ..RawSettings::default()
        };
        let mut settings = Self::resolve(raw).unwrap_or_else(|e| panic!("test settings: {e}"));
        settings.password = PasswordParams::FOR_TESTS;
        settings
    }

    fn resolve(raw: RawSettings) -> Result<Self, ConfigError> {
        let storage = storage_settings(&raw)?;
        let database_url = match raw.database_url {
            Some(url) => url,
            None => format!(
                "sqlite://{}?mode=rwc",
                raw.data_dir.join("gopy.db").display()
            ),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError(
                "key `database_url`: must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }
        if let Some(url) = &raw.public_url {
            let parsed = url::Url::parse(url).map_err(|e| {
                ConfigError(format!(
                    "key `public_url`: `{url}` is not an absolute URL ({e})"
                ))
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ConfigError(
                    "key `public_url`: scheme must be http or https".into(),
                ));
            }
        }
        if raw.max_body_bytes < 1024 {
            return Err(ConfigError(
                "key `max_body_bytes`: must be at least 1024".into(),
            ));
        }
        if raw.request_timeout_secs == 0 {
            return Err(ConfigError(
                "key `request_timeout_secs`: must be at least 1".into(),
            ));
        }
        if raw.db_max_connections == 0 {
            return Err(ConfigError(
                "key `db_max_connections`: must be at least 1".into(),
            ));
        }
        if !raw.admin_email.contains('@') {
            return Err(ConfigError(
                "key `admin_email`: must be an email address".into(),
            ));
        }
        let tls = match raw.smtp_tls.as_str() {
            "starttls" => SmtpTls::StartTls,
            "tls" => SmtpTls::Tls,
            "none" => SmtpTls::None,
            other => {
                return Err(ConfigError(format!(
                    "key `smtp_tls`: `{other}` is not allowed; use starttls, tls or none"
                )));
            }
        };
        if raw.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError(
                "key `mail_from`: must be an address like `gopy <no-reply@example.vn>`".into(),
            ));
        }
        if raw.session_idle_minutes == 0 || raw.session_absolute_hours == 0 {
            return Err(ConfigError(
                "keys `session_idle_minutes` and `session_absolute_hours`: must be at least 1"
                    .into(),
            ));
        }
        if raw.max_attachment_bytes == 0 || raw.max_document_bytes == 0 {
            return Err(ConfigError(
                "keys `max_attachment_bytes` and `max_document_bytes`: must be at least 1".into(),
            ));
        }
        let largest_upload = raw.max_attachment_bytes.max(raw.max_document_bytes);
        if raw.max_body_bytes < largest_upload.saturating_add(UPLOAD_FRAMING_BYTES) {
            return Err(ConfigError(format!(
                "key `max_body_bytes`: must be at least {} (the largest upload, \
                 `max_document_bytes` or `max_attachment_bytes`, plus 64 KiB of multipart framing)",
                largest_upload.saturating_add(UPLOAD_FRAMING_BYTES)
            )));
        }
        let smtp = raw
            .smtp_host
            .filter(|h| !h.trim().is_empty())
            .map(|host| SmtpSettings {
                host,
                port: raw.smtp_port,
                tls,
                username: raw.smtp_username,
                password: raw.smtp_password.map(SecretString::from),
            });
        let days = raw.min_comment_days;
        if [
            days.general_plan,
            days.zoning_plan,
            days.detailed_plan,
            days.investment_project,
            days.policy,
        ]
        .iter()
        .any(|d| !(1..=365).contains(d))
        {
            return Err(ConfigError(
                "key `min_comment_days`: every kind needs 1 to 365 days".into(),
            ));
        }
        let answer = raw.answer_working_days;
        if [
            answer.general_plan,
            answer.zoning_plan,
            answer.detailed_plan,
            answer.investment_project,
            answer.policy,
        ]
        .iter()
        .any(|d| !(1..=120).contains(d))
        {
            return Err(ConfigError(
                "key `answer_working_days`: every kind needs 1 to 120 working days".into(),
            ));
        }
        if !(1..=86_400).contains(&raw.deadline_check_secs) {
            return Err(ConfigError(
                "key `deadline_check_secs`: 1 to 86400 seconds".into(),
            ));
        }
        let mail_dir = raw.data_dir.join("outbox-mail");
        Ok(Self {
            index_dir: raw.index_dir.unwrap_or_else(|| raw.data_dir.join("index")),
            files_dir: raw.files_dir.unwrap_or_else(|| raw.data_dir.join("files")),
            listen: raw.listen,
            data_dir: raw.data_dir,
            database_url: SecretString::from(database_url),
            public_url: raw.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            reference_file: raw.reference_file,
            load_samples: raw.load_samples,
            admin_email: raw.admin_email.to_lowercase(),
            max_body_bytes: raw.max_body_bytes,
            request_timeout_secs: raw.request_timeout_secs,
            db_max_connections: raw.db_max_connections,
            log: raw.log,
            password: PasswordParams::OWASP,
            smtp,
            mail_from: raw.mail_from,
            mail_dir,
            session_idle: std::time::Duration::from_secs(raw.session_idle_minutes * 60),
            session_absolute: std::time::Duration::from_secs(raw.session_absolute_hours * 3600),
            max_attachment_bytes: raw.max_attachment_bytes,
            max_document_bytes: raw.max_document_bytes,
            storage,
            min_comment_days: raw.min_comment_days,
            answer_working_days: raw.answer_working_days,
            deadline_check_secs: raw.deadline_check_secs,
        })
    }

    /// Whether the database is SQLite (embedded) rather than PostgreSQL.
    pub fn is_sqlite(&self) -> bool {
        use secrecy::ExposeSecret;
        self.database_url.expose_secret().starts_with("sqlite:")
    }
}

/// Room left in a request body around an uploaded file for the multipart framing.
const UPLOAD_FRAMING_BYTES: usize = 64 * 1024;

/// Checks the storage keys and gathers them; the S3 client itself is built by
/// [`crate::storage::Storage::from_settings`] at start-up.
fn storage_settings(raw: &RawSettings) -> Result<StorageSettings, ConfigError> {
    fn non_empty(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    match raw.storage.as_str() {
        "local" => Ok(StorageSettings::Local),
        "s3" => {
            let bucket = non_empty(&raw.s3_bucket).ok_or_else(|| {
                ConfigError("key `s3_bucket`: required when `storage` is \"s3\"".into())
            })?;
            let endpoint = non_empty(&raw.s3_endpoint).map(|e| e.trim_end_matches('/').to_owned());
            if let Some(endpoint) = &endpoint {
                let parsed = url::Url::parse(endpoint).map_err(|e| {
                    ConfigError(format!(
                        "key `s3_endpoint`: `{endpoint}` is not an absolute URL ({e})"
                    ))
                })?;
                match parsed.scheme() {
                    "https" => {}
                    "http" if raw.s3_allow_http => {}
                    "http" => {
                        return Err(ConfigError(
                            "key `s3_endpoint`: an http:// endpoint needs `s3_allow_http = true`"
                                .into(),
                        ));
                    }
                    _ => {
                        return Err(ConfigError(
                            "key `s3_endpoint`: scheme must be https (or http)".into(),
                        ));
                    }
                }
            }
            let access_key_id = non_empty(&raw.s3_access_key_id).map(ToOwned::to_owned);
            let secret = non_empty(&raw.s3_secret_access_key).map(ToOwned::to_owned);
            if access_key_id.is_some() != secret.is_some() {
                return Err(ConfigError(
                    "keys `s3_access_key_id` and `s3_secret_access_key`: set both or neither"
                        .into(),
                ));
            }
            Ok(StorageSettings::S3(S3Settings {
                bucket: bucket.to_owned(),
                endpoint,
                region: non_empty(&raw.s3_region).unwrap_or("us-east-1").to_owned(),
                access_key_id,
                secret_access_key: secret.map(SecretString::from),
                allow_http: raw.s3_allow_http,
            }))
        }
        other => Err(ConfigError(format!(
            "key `storage`: `{other}` is not allowed; use local or s3"
        ))),
    }
}

/// Turns a figment error into one line that names the key and what is allowed.
fn describe(error: &figment::Error) -> String {
    let mut lines = Vec::new();
    for e in error.clone() {
        let key = if e.path.is_empty() {
            "(file)".to_owned()
        } else {
            e.path.join(".")
        };
        let source = e
            .metadata
            .as_ref()
            .map(|m| m.name.to_string())
            .unwrap_or_default();
        let hint = match key.as_str() {
            "listen" => " (expected ADDRESS:PORT, for example 127.0.0.1:8080)",
            "load_samples" | "s3_allow_http" => " (expected true or false)",
            _ => "",
        };
        lines.push(format!("key `{key}` from {source}: {}{hint}", e.kind));
    }
    lines.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(change: impl FnOnce(&mut RawSettings)) -> Result<Settings, ConfigError> {
        let mut raw = RawSettings::default();
        change(&mut raw);
        Settings::resolve(raw)
    }

    fn error(change: impl FnOnce(&mut RawSettings)) -> String {
        match resolve(change) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn storage_is_local_by_default_and_s3_needs_a_bucket() {
        assert!(matches!(
            resolve(|_| {}).map(|s| s.storage),
            Ok(StorageSettings::Local)
        ));
        assert!(error(|r| r.storage = "s3".into()).contains("`s3_bucket`"));
        assert!(error(|r| r.storage = "ftp".into()).contains("`storage`"));
        let s3 = resolve(|r| {
            r.storage = "s3".into();
            r.s3_bucket = Some("gopy-files".into());
            r.s3_endpoint = Some("https://s3.example.vn/".into());
        });
        match s3.map(|s| s.storage) {
            Ok(StorageSettings::S3(s3)) => {
                assert_eq!(s3.bucket, "gopy-files");
                assert_eq!(s3.endpoint.as_deref(), Some("https://s3.example.vn"));
                assert_eq!(s3.region, "us-east-1");
            }
            other => panic!("expected S3 settings, got {other:?}"),
        }
    }

    #[test]
    fn s3_keys_are_checked() {
        let s3 = |r: &mut RawSettings| {
            r.storage = "s3".into();
            r.s3_bucket = Some("gopy-files".into());
        };
        assert!(
            error(|r| {
                s3(r);
                r.s3_endpoint = Some("http://10.0.0.5:9000".into());
            })
            .contains("s3_allow_http")
        );
        assert!(
            error(|r| {
                s3(r);
                r.s3_endpoint = Some("http://10.0.0.5:9000".into());
                r.s3_allow_http = true;
            })
            .is_empty()
        );
        assert!(
            error(|r| {
                s3(r);
                r.s3_access_key_id = Some("GOPY".into());
            })
            .contains("set both or neither")
        );
        assert!(
            error(|r| {
                s3(r);
                r.s3_endpoint = Some("not a url".into());
            })
            .contains("`s3_endpoint`")
        );
    }

    #[test]
    fn the_body_limit_leaves_room_for_the_largest_upload() {
        assert!(error(|r| r.max_body_bytes = 26 * 1024 * 1024).contains("`max_body_bytes`"));
        assert!(
            error(|r| {
                r.max_body_bytes = 26 * 1024 * 1024;
                r.max_document_bytes = 20 * 1024 * 1024;
            })
            .is_empty()
        );
        assert!(error(|r| r.max_attachment_bytes = 0).contains("`max_attachment_bytes`"));
    }
}
