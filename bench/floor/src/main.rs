//! The floor: what pkce-desk's stack costs before pkce-desk adds anything. It loads
//! /config.json with gloo-net (serde_json into a derived type, as the app does) and shows one
//! button per provider on /login. The button does the minimal real sign-in, as the reference
//! page does, so that the bench can time it against the reference (`BENCH_FLOOR=1
//! ./scripts/bench.sh`): PKCE verifier and state into sessionStorage, redirect to the provider;
//! /callback reads them back, sends the one token request, loads users/me and shows the name,
//! with a "Refresh now" button (the bench's journey presses it). No ID token, no error pages,
//! no lock: it is a floor, not an app, and it signs in only to providers with `login_base` and
//! `api_base` in the config (the sandbox's).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use gloo_net::http::Request;
use gloo_storage::{SessionStorage, Storage};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_query_map;
use leptos_router::path;
use rand::{rngs::OsRng, TryRngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Deserialize)]
struct Config {
    providers: Vec<Provider>,
}

#[derive(Clone, Deserialize)]
struct Provider {
    id: String,
    label: String,
    client_id: String,
    login_base: String,
    api_base: String,
}

/// What /login leaves for /callback in sessionStorage.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    verifier: String,
    state: String,
}

#[derive(Clone, Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct Me {
    name: String,
}

const PENDING: &str = "floor.pending";

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
            let for_callback = config.clone();
            view! {
                <Router>
                    <Routes fallback=|| "Not found">
                        <Route path=path!("/login") view=move || view! { <Login config=config.clone() /> } />
                        <Route path=path!("/callback") view=move || view! { <Callback config=for_callback.clone() /> } />
                        <Route path=path!("/dashboard") view=|| view! { <A href="/login">"Sign out"</A> } />
                    </Routes>
                </Router>
            }
        })
    }
}

fn random() -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("crypto.getRandomValues");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

fn redirect_uri() -> String {
    format!(
        "{}/callback",
        window().location().origin().unwrap_or_default()
    )
}

fn start_sign_in(provider: &Provider) {
    let pending = Pending {
        provider: provider.id.clone(),
        verifier: random(),
        state: random(),
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
    let url = format!(
        "{}/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256&state={}",
        provider.login_base,
        encode(&provider.client_id),
        encode(&redirect_uri()),
        challenge,
        pending.state,
    );
    if SessionStorage::set(PENDING, &pending).is_ok() {
        let _ = window().location().set_href(&url);
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
                    on:click=move |_| {
                        clicked.set(true);
                        start_sign_in(&provider);
                    }
                >
                    {format!("Sign in with {}", provider.label)}
                </button>
            }
        })
        .collect_view();
    view! { <main>{buttons}</main> }
}

async fn token_request(provider: &Provider, form: String) -> Option<Tokens> {
    Request::post(&format!("{}/oauth/token", provider.login_base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .ok()?
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

/// The code exchange and users/me, one after the other, as the reference page does them.
async fn sign_in(
    config: Config,
    code: Option<String>,
    state: Option<String>,
) -> Option<(Provider, Tokens, Me)> {
    let pending: Pending = SessionStorage::get(PENDING).ok()?;
    SessionStorage::delete(PENDING);
    if state.as_deref() != Some(pending.state.as_str()) {
        return None;
    }
    let provider = config
        .providers
        .into_iter()
        .find(|p| p.id == pending.provider)?;
    let form = format!(
        "grant_type=authorization_code&code={}&code_verifier={}&client_id={}&redirect_uri={}",
        encode(&code?),
        pending.verifier,
        encode(&provider.client_id),
        encode(&redirect_uri()),
    );
    let tokens = token_request(&provider, form).await?;
    let me: Me = Request::get(&format!(
        "{}/api/v2/users/me?expand=presence,routingStatus,organization",
        provider.api_base
    ))
    .header("Authorization", &format!("Bearer {}", tokens.access_token))
    .send()
    .await
    .ok()?
    .json()
    .await
    .ok()?;
    Some((provider, tokens, me))
}

#[component]
fn Callback(config: Config) -> impl IntoView {
    let query = use_query_map();
    let (code, state) = query.with_untracked(|q| (q.get("code"), q.get("state")));
    // None: signing in; Some(None): failed; Some(Some(name)): signed in.
    let outcome = RwSignal::new(None::<Option<String>>);
    let session = StoredValue::new(None::<(Provider, Tokens)>);
    leptos::task::spawn_local(async move {
        let result = sign_in(config, code, state).await;
        outcome.set(Some(result.map(|(provider, tokens, me)| {
            session.set_value(Some((provider, tokens)));
            me.name
        })));
    });
    let refresh = move |_| {
        let Some((provider, tokens)) = session.get_value() else {
            return;
        };
        let Some(refresh_token) = tokens.refresh_token else {
            return;
        };
        leptos::task::spawn_local(async move {
            let form = format!(
                "grant_type=refresh_token&refresh_token={}&client_id={}",
                encode(&refresh_token),
                encode(&provider.client_id),
            );
            if let Some(tokens) = token_request(&provider, form).await {
                session.set_value(Some((provider, tokens)));
            }
        });
    };
    move || match outcome.get() {
        None => view! { <p>"Signing you in…"</p> }.into_any(),
        Some(None) => view! { <p>"Sign-in failed"</p> }.into_any(),
        Some(Some(name)) => view! {
            <main>
                <span data-testid="user-name">{name}</span>
                <button data-testid="refresh-now" on:click=refresh>"Refresh now"</button>
            </main>
        }
        .into_any(),
    }
}
