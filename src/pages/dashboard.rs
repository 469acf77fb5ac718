use super::{ErrorPanel, Shell};
use crate::browser::{self};
use crate::error::Endpoint;
use crate::query;
use crate::schedule::format_remaining;
use crate::store::{AuthState, AuthStore, UserState};
use crate::user::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use leptos_router::NavigateOptions;
use std::time::Duration;

/// `/dashboard`: protected. Signed out, it goes to the login page and comes back here after.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let location = use_location();
    // A Memo, so that renewed tokens (a new SignedIn state) do not rebuild the dashboard.
    let signed_in = Memo::new(move |_| store.is_signed_in());
    move || {
        if signed_in.get() {
            view! { <Dashboard /> }.into_any()
        } else {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let target = query::append_to_url("/login", &[("return_to", &here)]);
            view! { <Redirect path=target options=NavigateOptions { replace: true, ..Default::default() } /> }
                .into_any()
        }
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let provider = store.session_provider();
    let (provider_name, region) = provider
        .as_ref()
        .map(|p| (p.label.clone(), p.kind.region()))
        .unwrap_or_default();

    let user = store.user;
    let profile = move || match user.get() {
        UserState::Loaded(profile) => view! { <ProfileCard profile /> }.into_any(),
        UserState::Failed(error) => view! { <ErrorPanel error /> }.into_any(),
        UserState::Idle | UserState::Loading => view! {
            <p class="hint" role="status" data-testid="user-loading">"Loading your profile…"</p>
        }
        .into_any(),
    };
    let sign_out = {
        let store = store.clone();
        move |_| store.sign_out()
    };

    view! {
        <Shell>
            <section class="dashboard">
                <header class="dashboard-header">
                    <div>
                        <h1>"Agent desktop"</h1>
                        <p class="hint">{provider_name} " · " {region}</p>
                    </div>
                    <button type="button" class="button" data-testid="sign-out" on:click=sign_out>
                        "Sign out"
                    </button>
                </header>
                <div class="panels">
                    <article class="card" aria-labelledby="profile-title">
                        <h2 id="profile-title">"Signed in as"</h2>
                        {profile}
                    </article>
                    <TokenPanel />
                    {store.config().diagnostics.then(|| view! { <LifecycleLab /> })}
                </div>
            </section>
        </Shell>
    }
}

#[component]
fn ProfileCard(profile: UserProfile) -> impl IntoView {
    let row = |label: &'static str, testid: &'static str, value: Option<String>| {
        view! {
            <dt>{label}</dt>
            <dd data-testid=testid>{value.unwrap_or_else(|| "—".into())}</dd>
        }
    };
    view! {
        <div class="profile">
            <div class="avatar" aria-hidden="true">{profile.initials()}</div>
            <div>
                <p class="user-name" data-testid="user-name">{profile.display_name.clone()}</p>
                <p class="hint" data-testid="user-email">{profile.email.clone().unwrap_or_default()}</p>
            </div>
        </div>
        <dl class="facts">
            {row("Title", "user-title", profile.title)}
            {row("Department", "user-department", profile.department)}
            {row("Organization", "user-organization", profile.organization)}
            {row("Presence", "user-presence", profile.presence)}
        </dl>
    }
}

/// When the access token expires, counting down, and what the refresh timer has done.
#[component]
fn TokenPanel() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(browser::now_ms()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let state = store.state;
    let tokens = move || match state.get() {
        AuthState::SignedIn(session) => Some(session.tokens),
        _ => None,
    };
    let expires = move || {
        tokens().map(|t| match t.expires_at_ms {
            Some(at) => (format_remaining(now.get(), at), local_time(at)),
            None => ("unknown".to_owned(), "the provider did not say".to_owned()),
        })
    };
    let refreshable = move || tokens().is_some_and(|t| t.refresh_token.is_some());
    let history = store.refresh_history;
    let refresh_now = {
        let store = store.clone();
        move |_| {
            let store = store.clone();
            // The outcome shows in the history (or, if the session ended, on the login page).
            spawn_local(async move {
                let _ = store.refresh().await;
            });
        }
    };
    let reload_profile = {
        let store = store.clone();
        move |_| store.load_user()
    };
    view! {
        <article class="card" aria-labelledby="token-title">
            <h2 id="token-title">"Session"</h2>
            <dl class="facts">
                <dt>"Access token expires in"</dt>
                <dd data-testid="token-expiry" aria-live="off">{move || expires().map(|e| e.0)}</dd>
                <dt>"Expires at"</dt>
                <dd data-testid="token-expires-at">{move || expires().map(|e| e.1)}</dd>
                <dt>"Renewal"</dt>
                <dd data-testid="token-renewal">
                    {move || if refreshable() {
                        "automatic, before it expires"
                    } else {
                        "not available from this provider: sign in again when it expires"
                    }}
                </dd>
                <dt>"Stored in"</dt>
                <dd>{format!("{:?}", store.token_storage()).to_lowercase()}</dd>
            </dl>
            <div class="actions">
                <button type="button" class="button" data-testid="refresh-now" on:click=refresh_now>
                    "Refresh now"
                </button>
                <button type="button" class="button" data-testid="reload-profile" on:click=reload_profile>
                    "Reload profile"
                </button>
            </div>
            <Show when=move || !history.with(Vec::is_empty)>
                <h3>"Recent renewals"</h3>
                <ul class="history" data-testid="refresh-history">
                    {move || history.get().into_iter().map(|record| view! {
                        <li>{local_time(record.at_ms)} " — " {record.outcome}</li>
                    }).collect_view()}
                </ul>
            </Show>
        </article>
    }
}

/// `HH:MM:SS` in the browser's time zone.
fn local_time(epoch_ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// Demo and test aid (config `diagnostics`): fires many API calls at once through the store's
/// helper, to show that they share one token renewal.
#[component]
fn LifecycleLab() -> impl IntoView {
    const PARALLEL_CALLS: usize = 20;
    let store = expect_context::<AuthStore>();
    let finished = RwSignal::new(0usize);
    let succeeded = RwSignal::new(0usize);
    let running = RwSignal::new(false);
    let fire = move |_| {
        let Some(provider) = store.session_provider() else {
            return;
        };
        finished.set(0);
        succeeded.set(0);
        running.set(true);
        for _ in 0..PARALLEL_CALLS {
            let store = store.clone();
            let url = provider.endpoints.current_user.clone();
            spawn_local(async move {
                let ok = store
                    .api_get(&url, Endpoint::CurrentUser)
                    .await
                    .is_ok_and(|reply| reply.is_success());
                // try_: the page may have been left (and these signals disposed) meanwhile.
                if ok {
                    succeeded.try_update(|n| *n += 1);
                }
                if finished.try_update(|n| *n += 1) == Some(())
                    && finished.get_untracked() == PARALLEL_CALLS
                {
                    running.try_set(false);
                }
            });
        }
    };
    view! {
        <article class="card" aria-labelledby="lab-title">
            <h2 id="lab-title">"Lifecycle lab"</h2>
            <p class="hint">"Sends parallel calls to /users/me through the API helper. At expiry they share one renewal."</p>
            <button type="button" class="button" data-testid="lab-parallel" disabled=move || running.get() on:click=fire>
                {format!("Send {PARALLEL_CALLS} API calls at once")}
            </button>
            <p data-testid="lab-result" role="status">
                {move || {
                    let done = finished.get();
                    (done > 0).then(|| format!("{done} of {PARALLEL_CALLS} finished, {} succeeded", succeeded.get()))
                }}
            </p>
        </article>
    }
}
