//! A local stand-in for Genesys Cloud's authorization server and API, so the
//! pkce-desk demo and its browser tests run without internet access.
//! `--flavor cxone` (`config::Flavor`) makes it NICE CXone's instead (see `cxone`).
//!
//! Each flavor (`genesys`, `cxone`) owns its routes and handlers; what both
//! share sits beside them (`oauth` for the protocol steps, `store`, `users`,
//! `faults`, `controls`, `responses`...) and never imports a flavor.
//!
//! `app` builds the selected flavor's router; `serve` runs it on a listener the
//! caller bound (tests bind 127.0.0.1:0 and run it in-process).

pub mod abort;
pub mod auth;
pub mod clock;
pub mod config;
pub mod controls;
pub mod cors;
pub mod cxone;
pub mod faults;
pub mod genesys;
pub mod jwt;
pub mod log;
pub mod oauth;
pub mod pages;
pub mod params;
pub mod pkce;
pub mod random;
pub mod responses;
pub mod sso;
pub mod store;
pub mod users;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub use config::SandboxConfig;

use abort::{AbortHandle, AbortableListener};
use controls::Controls;
use store::Store;

/// State shared by every handler.
pub struct Shared {
    pub config: SandboxConfig,
    /// Derived once from the redirect URIs.
    pub allowed_origins: Vec<String>,
    /// Used as the presence/routing-status timestamps in /users/me.
    pub started: SystemTime,
    /// The cxone flavor's issuer and signing key (unused by the genesys flavor).
    pub cxone: cxone::Cxone,
    /// The genesys flavor's notification channels, sockets and agent states.
    pub genesys_live: genesys::notifications::Hub,
    /// The cxone flavor's agent sessions and agent states.
    pub cxone_live: cxone::sessions::Sessions,
    store: Mutex<Store>,
    controls: Mutex<Controls>,
}

impl Shared {
    /// A panic while holding the lock leaves the maps consistent (each method is
    /// one step), so a poisoned lock is safe to keep using.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The live layer's gauges for GET /__sandbox/stats (not counters: `reset` leaves them).
    pub fn live_gauges(&self) -> [(&'static str, usize); 3] {
        [
            ("sockets_open", self.genesys_live.sockets_open()),
            ("agent_sessions_live", self.cxone_live.live_sessions()),
            ("agent_session_polls_held", self.cxone_live.polls_held()),
        ]
    }

    /// `reset`: every agent back to its initial state (channels and sessions are kept,
    /// like tokens).
    pub fn reset_agents(&self) {
        self.genesys_live.reset_agents();
        self.cxone_live.reset_agents();
    }

    /// Sockets re-read the heartbeat settings at once.
    pub fn live_settings_changed(&self) {
        self.genesys_live.wake_all();
    }

    /// Failure rules, counters and run-time settings; same reasoning as `store`.
    /// Never held together with the store's lock.
    pub fn controls(&self) -> MutexGuard<'_, Controls> {
        self.controls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub type AppState = Arc<Shared>;

pub fn app(config: SandboxConfig) -> Router {
    build(config).0
}

/// The router and the state it serves, so `serve_with_shutdown` can end long-lived
/// exchanges when asked to stop.
fn build(config: SandboxConfig) -> (Router, AppState) {
    let cxone = cxone::Cxone::new(&config);
    let (routes, store) = match config.flavor {
        config::Flavor::Genesys => (genesys::routes(), Store::new()),
        config::Flavor::Cxone => (cxone::routes(), cxone.store()),
    };
    let started = SystemTime::now();
    let state: AppState = Arc::new(Shared {
        allowed_origins: config.allowed_origins(),
        controls: Mutex::new(Controls::new(&config)),
        config,
        started,
        cxone,
        genesys_live: genesys::notifications::Hub::new(started),
        cxone_live: cxone::sessions::Sessions::new(started),
        store: Mutex::new(store),
    });
    let test_controls = state.config.test_controls;
    let mut router = routes.route("/health", get(health));
    // Without the flag these paths do not exist: the flavor's fallback answers 404.
    if test_controls {
        router = router
            .merge(controls::routes::routes())
            .merge(match state.config.flavor {
                config::Flavor::Genesys => genesys::controls::routes(),
                config::Flavor::Cxone => cxone::controls::routes(),
            });
    }
    let mut router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        cors::layer,
    ));
    if test_controls {
        // Outside CORS: a dropped response must not be answered with CORS headers.
        router = router.layer(axum::middleware::from_fn(faults::layer));
    }
    let router = router
        .layer(axum::middleware::from_fn(log::layer))
        .with_state(state.clone());
    (router, state)
}

async fn health() -> &'static str {
    "ok"
}

/// Serves until SIGINT or SIGTERM.
pub async fn serve(config: SandboxConfig, listener: TcpListener) -> std::io::Result<()> {
    serve_with_shutdown(config, listener, shutdown_signal()).await
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve_with_shutdown<F>(
    config: SandboxConfig,
    listener: TcpListener,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    // The cxone flavor's issuer is the address actually bound (port 0 included).
    let mut config = config;
    if config.issuer.is_none() {
        config.issuer = Some(format!("http://{}", listener.local_addr()?));
    }
    let (router, state) = build(config);
    // A graceful shutdown waits for requests in flight: held long polls answer at once
    // and sockets are closed, rather than keeping it waiting up to a minute.
    let shutdown = async move {
        shutdown.await;
        state.cxone_live.release_all();
        state.genesys_live.close_all();
    };
    // Through `AbortableListener` so that the `drop` test control can close a
    // connection without answering.
    axum::serve(
        AbortableListener::new(listener),
        router.into_make_service_with_connect_info::<AbortHandle>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM (or a kill) stops us.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
