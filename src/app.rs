//! Start-up (config.json) and the router.

use crate::browser::boot::{self, Prefetched};
use crate::config::{parse_config, AppConfig, ConfigError};
use crate::pages::{
    CallbackPage, ConfigErrorPage, DashboardPage, HomePage, LoginPage, NotFoundPage,
};
use crate::store::{AuthStore, LiveStore};
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use web_sys::RequestCache;

/// Fetches and validates `/config.json`, bypassing caches so a deployment's edit is seen.
/// The loader has usually asked for it already, while the wasm was loading (`browser::boot`).
pub async fn load_config() -> Result<AppConfig, ConfigError> {
    let unavailable = |problem: String| ConfigError {
        location: "/config.json".into(),
        problem,
    };
    let no_answer = || unavailable("could not be loaded: the server did not answer".into());
    let (status, text) = match boot::take_prefetched_config().await {
        Some(Prefetched::Reply { status, text }) => (status, text),
        Some(Prefetched::NoAnswer) => return Err(no_answer()),
        None => {
            let response = Request::get("/config.json")
                .cache(RequestCache::NoStore)
                .send()
                .await
                .map_err(|_| no_answer())?;
            let status = response.status();
            let text = if response.ok() {
                response.text().await.ok()
            } else {
                None
            };
            (status, text)
        }
    };
    if !(200..300).contains(&status) {
        return Err(unavailable(format!(
            "could not be loaded (HTTP {status}); deploy it next to index.html"
        )));
    }
    let text = text.ok_or_else(|| unavailable("could not be read".into()))?;
    parse_config(&text)
}

/// Loads config.json, then renders the app (or says what is wrong with the file).
#[component]
pub fn Root() -> impl IntoView {
    let loaded = RwSignal::new(None);
    leptos::task::spawn_local(async move { loaded.set(Some(load_config().await)) });
    move || match loaded.get() {
        None => view! { <p class="boot" role="status">"Loading…"</p> }.into_any(),
        Some(config) => view! { <App config /> }.into_any(),
    }
}

#[component]
pub fn App(config: Result<AppConfig, ConfigError>) -> impl IntoView {
    match config {
        Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
        Ok(config) => {
            let auth = AuthStore::new(config);
            // The live layer follows the auth store's session (see store/live/mod.rs).
            provide_context(LiveStore::new(&auth));
            provide_context(auth);
            view! {
                <Router>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/callback") view=CallbackPage />
                        <Route path=path!("/dashboard") view=DashboardPage />
                    </Routes>
                </Router>
            }
            .into_any()
        }
    }
}
