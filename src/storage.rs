//! Where uploaded files live: one small interface, [`Storage`], over two backends.
//!
//! - **Local** (the default): files under `files_dir`. A write goes to a temporary file in the
//!   same directory, is flushed to disk (`fsync`), then renamed over its final name, and the
//!   directory is synced, so a crash never leaves a half-written file under a real key.
//! - **S3**: an S3-compatible object store (AWS S3, MinIO, Ceph, a cloud provider's object
//!   storage) through the `object_store` crate, so several stateless gopy nodes share the same
//!   files. A `PUT` is atomic on these services. The client is built and its settings checked
//!   at start-up; no test talks to a real bucket (the test machines have no network), so the
//!   S3 path is covered by construction tests only.
//!
//! Keys are made by [`Storage::new_key`] from a fixed prefix and a fresh UUID v7 (74 random
//! bits); they are never derived from user input, and [`Storage`] refuses any key that is not
//! of that shape, so no key can reach outside the storage root.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use object_store::ObjectStoreExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::config::{S3Settings, Settings, StorageSettings};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No object has this key.
    #[error("no stored object under this key")]
    NotFound,
    /// The key was not made by [`Storage::new_key`].
    #[error("invalid storage key `{0}`")]
    InvalidKey(String),
    /// A local file system failure.
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    /// An object store failure.
    #[error("object storage: {0}")]
    ObjectStore(object_store::Error),
}

impl From<object_store::Error> for StorageError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::ObjectStore(other),
        }
    }
}

impl From<StorageError> for crate::error::Error {
    fn from(error: StorageError) -> Self {
        Self::Internal(anyhow::Error::new(error))
    }
}

#[derive(Clone)]
enum Backend {
    Local(Arc<PathBuf>),
    S3(Arc<AmazonS3>),
}

/// Uploaded files, by key. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    backend: Backend,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Local(dir) => write!(f, "Storage::Local({})", dir.display()),
            Backend::S3(store) => write!(f, "Storage::S3({store})"),
        }
    }
}

impl Storage {
    /// The backend chosen by the settings (`storage = "local"` or `"s3"`).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.storage {
            StorageSettings::Local => Ok(Self::local(&settings.files_dir)),
            StorageSettings::S3(s3) => Self::s3(s3),
        }
    }

    /// Files under `dir` (created on the first write).
    pub fn local(dir: &Path) -> Self {
        Self {
            backend: Backend::Local(Arc::new(dir.to_path_buf())),
        }
    }

    /// An S3-compatible bucket. Builds the client without contacting the service.
    pub fn s3(settings: &S3Settings) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_allow_http(settings.allow_http);
        if let Some(endpoint) = &settings.endpoint {
            // S3-compatible services usually serve buckets as paths, not host names.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose_secret());
        }
        let store = builder
            .build()
            .map_err(|e| anyhow::anyhow!("configuration error: S3 storage: {e}"))?;
        Ok(Self {
            backend: Backend::S3(Arc::new(store)),
        })
    }

    /// A fresh random key under `prefix` (a fixed word such as `attachments`, never user
    /// input): `prefix/<uuid v7>`.
    pub fn new_key(prefix: &'static str) -> String {
        format!("{prefix}/{}", Uuid::now_v7().simple())
    }

    /// Stores `bytes` under `key`, replacing any earlier object; durable when it returns.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => {
                let path = dir.join(key);
                tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
            }
            Backend::S3(store) => {
                store.put(&ObjectPath::from(key), bytes.into()).await?;
                Ok(())
            }
        }
    }

    /// The bytes stored under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => match tokio::fs::read(dir.join(key)).await {
                Ok(bytes) => Ok(Bytes::from(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::NotFound),
                Err(e) => Err(e.into()),
            },
            Backend::S3(store) => Ok(store.get(&ObjectPath::from(key)).await?.bytes().await?),
        }
    }

    /// Removes the object under `key`; removing a missing object is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(dir) => match tokio::fs::remove_file(dir.join(key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
            Backend::S3(store) => match store.delete(&ObjectPath::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// Accepts only keys shaped like those of [`Storage::new_key`]: `word/hex`, lowercase ASCII
/// letters, digits, `_` and `-`, so no key can climb out of the storage root.
fn check_key(key: &str) -> Result<(), StorageError> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 64
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    match key.split_once('/') {
        Some((prefix, name)) if part_ok(prefix) && part_ok(name) => Ok(()),
        _ => Err(StorageError::InvalidKey(key.to_owned())),
    }
}

/// Writes to a temporary file next to `path`, syncs it, renames it into place and syncs the
/// directory, so `path` holds either nothing or the whole content.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| StorageError::InvalidKey(path.display().to_string()))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| StorageError::InvalidKey(path.display().to_string()))?;
    let temp = dir.join(format!(".{name}.{}.tmp", Uuid::now_v7().simple()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create_new(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        // Make the rename itself durable (directories cannot be opened this way on Windows).
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    Ok(written?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[tokio::test]
    async fn local_files_round_trip_and_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::local(dir.path());
        let key = Storage::new_key("attachments");
        storage
            .put(&key, Bytes::from_static(b"%PDF-1.4 first"))
            .await
            .unwrap();
        storage
            .put(&key, Bytes::from_static(b"%PDF-1.4 second"))
            .await
            .unwrap();
        assert_eq!(&storage.get(&key).await.unwrap()[..], b"%PDF-1.4 second");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("attachments"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [key.trim_start_matches("attachments/")]);
        storage.delete(&key).await.unwrap();
        assert!(matches!(
            storage.get(&key).await,
            Err(StorageError::NotFound)
        ));
        // Deleting twice is fine.
        storage.delete(&key).await.unwrap();
    }

    #[test]
    fn keys_are_random_and_well_formed() {
        let a = Storage::new_key("documents");
        let b = Storage::new_key("documents");
        assert_ne!(a, b);
        assert!(a.starts_with("documents/"));
        assert!(check_key(&a).is_ok());
    }

    #[tokio::test]
    async fn keys_that_could_escape_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::local(dir.path());
        for key in [
            "../etc/passwd",
            "/etc/passwd",
            "attachments/../../x",
            "attachments",
            "attachments/",
            "a/b/c",
            "Attachments/x",
            "attachments/x.jpg",
            "",
        ] {
            assert!(
                matches!(
                    storage.put(key, Bytes::from_static(b"x")).await,
                    Err(StorageError::InvalidKey(_))
                ),
                "{key:?}"
            );
            assert!(storage.get(key).await.is_err(), "{key:?}");
        }
    }

    #[test]
    fn s3_backend_is_built_from_settings_without_network() {
        let settings = S3Settings {
            bucket: "gopy-files".to_owned(),
            endpoint: Some("http://127.0.0.1:9000".to_owned()),
            region: "us-east-1".to_owned(),
            access_key_id: Some("GOPYTEST".to_owned()),
            secret_access_key: Some("bi-mat".to_owned().into()),
            allow_http: true,
        };
        let storage = Storage::s3(&settings).unwrap();
        assert!(format!("{storage:?}").contains("gopy-files"));
    }
}
