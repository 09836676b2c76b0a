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
            max_body_bytes: 26 * 1024 * 1024,
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
        })
    }

    /// Whether the database is SQLite (embedded) rather than PostgreSQL.
    pub fn is_sqlite(&self) -> bool {
        use secrecy::ExposeSecret;
        self.database_url.expose_secret().starts_with("sqlite:")
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
            "load_samples" => " (expected true or false)",
            _ => "",
        };
        lines.push(format!("key `{key}` from {source}: {}{hint}", e.kind));
    }
    lines.join("; ")
}
