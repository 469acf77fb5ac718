//! Start-up (config.json) and the router.

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
pub async fn load_config() -> Result<AppConfig, ConfigError> {
    let unavailable = |problem: String| ConfigError {
        location: "/config.json".into(),
        problem,
    };
    let response = Request::get("/config.json")
        .cache(RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| unavailable("could not be loaded: the server did not answer".into()))?;
    if !response.ok() {
        return Err(unavailable(format!(
            "could not be loaded (HTTP {}); deploy it next to index.html",
            response.status()
        )));
    }
    let text = response
        .text()
        .await
        .map_err(|_| unavailable("could not be read".into()))?;
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
