//! The floor: what pkce-desk's stack costs before pkce-desk adds anything. It loads
//! /config.json with gloo-net (serde_json into a derived type, as the app does), shows one
//! button per provider on /login, and has /callback and /dashboard routes.

use gloo_net::http::Request;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use serde::Deserialize;

#[derive(Clone, Deserialize)]
struct Config {
    providers: Vec<Provider>,
}

#[derive(Clone, Deserialize)]
struct Provider {
    id: String,
    label: String,
}

fn main() {
    leptos::mount::mount_to_body(Root);
}

#[component]
fn Root() -> impl IntoView {
    let config = RwSignal::new(None::<Config>);
    leptos::task::spawn_local(async move {
        let loaded = match Request::get("/config.json").send().await {
            Ok(response) => response.json::<Config>().await.ok(),
            Err(_) => None,
        };
        config.set(loaded);
    });
    move || {
        config.get().map(|config| {
            view! {
                <Router>
                    <Routes fallback=|| "Not found">
                        <Route path=path!("/login") view=move || view! { <Login config=config.clone() /> } />
                        <Route path=path!("/callback") view=|| view! { <p>"Signing you in…"</p> } />
                        <Route path=path!("/dashboard") view=|| view! { <A href="/login">"Sign out"</A> } />
                    </Routes>
                </Router>
            }
        })
    }
}

#[component]
fn Login(config: Config) -> impl IntoView {
    let clicked = RwSignal::new(false);
    let buttons = config
        .providers
        .into_iter()
        .map(|provider| {
            view! {
                <button
                    data-testid=format!("sign-in-{}", provider.id)
                    disabled=move || clicked.get()
                    on:click=move |_| clicked.set(true)
                >
                    {format!("Sign in with {}", provider.label)}
                </button>
            }
        })
        .collect_view();
    view! { <main>{buttons}</main> }
}
