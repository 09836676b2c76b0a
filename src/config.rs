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
];

/// Overrides given on the command line for one run.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--listen ADDR:PORT`.
    pub listen: Option<SocketAddr>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
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
