//! Start-up seam: build the application (database, migrations, first run, index, router), learn
//! its address, then run it until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::http::metrics::Metrics;
use crate::mail::Mailer;
use crate::search::SearchIndex;
use crate::services::first_run;
use crate::state::AppState;
use crate::storage::Storage;

/// A built, bound, not yet running gopy.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    jobs: CancellationToken,
    /// What the first run did (reference data, samples, admin account).
    pub first_run: first_run::Report,
}

impl Application {
    /// Connects to the database, migrates it, loads first-run data, opens the index and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)?;
        // Admins extend the built-in list of abusive words with a file in the data directory.
        let extra_abuse = settings.data_dir.join("moderation").join("abuse-extra.txt");
        match std::fs::read_to_string(&extra_abuse) {
            Ok(extra) => {
                tracing::info!(path = %extra_abuse.display(), "extra abusive words loaded");
                crate::services::screening::configure_abuse_list(Some(&extra));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::services::screening::configure_abuse_list(None);
            }
            Err(e) => anyhow::bail!("cannot read {}: {e}", extra_abuse.display()),
        }
        let db = crate::db::connect(&settings).await?;
        crate::db::migrate(&db).await?;
        let report = first_run::run(&db, &settings).await?;
        let search = SearchIndex::open_or_create(&settings.index_dir)?;
        let listener = TcpListener::bind(settings.listen).await?;
        let base_url: Arc<str> = match &settings.public_url {
            Some(url) => url.as_str().into(),
            // Links in mail must work from a browser: an unspecified bind address becomes localhost.
            None => {
                let addr = listener.local_addr()?;
                if addr.ip().is_unspecified() {
                    format!("http://localhost:{}", addr.port()).into()
                } else {
                    format!("http://{addr}").into()
                }
            }
        };
        let mailer = Mailer::from_settings(&settings)?;
        let storage = Storage::from_settings(&settings)?;
        let mail_wake = Arc::new(Notify::new());
        let jobs = CancellationToken::new();
        tokio::spawn(crate::jobs::mail::run(
            db.clone(),
            mailer.clone(),
            mail_wake.clone(),
            jobs.clone(),
        ));
        tokio::spawn(crate::search::indexer::run(
            db.clone(),
            search.clone(),
            jobs.clone(),
        ));
        tokio::spawn(crate::jobs::deadlines::run(
            db.clone(),
            base_url.clone(),
            std::time::Duration::from_secs(settings.deadline_check_secs),
            mail_wake.clone(),
            jobs.clone(),
        ));
        let state = AppState {
            db,
            settings: Arc::new(settings),
            search,
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::default(),
            mailer,
            mail_wake,
            base_url,
            storage,
        };
        Ok(Self {
            listener,
            state,
            jobs,
            first_run: report,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state (for commands that run next to the server, such as demo accounts).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves requests until `shutdown` is cancelled, then finishes in-flight requests.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let router = crate::http::router(self.state.clone());
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        self.jobs.cancel();
        self.state.db.clone().close().await.ok();
        result
    }
}

/// Cancels `token` on Ctrl-C or SIGTERM.
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            () = terminate => {}
        }
        tracing::info!("shutting down");
        token.cancel();
    });
}
