//! `/dashboard`: the agent-desktop shell a team starts from.
//!
//! - the banner: the agent (initials, name, presence and routing status), the organization,
//!   the provider and its region, and "Sign out";
//! - the workspace: the content area where a team's own panels go, with one worked example
//!   ("My queues", a typed API call through the auth store, see `crate::api::queues`);
//! - the side column: the profile, the token lifecycle, and (config `diagnostics`) the lab.

use super::{ErrorPanel, Shell};
use crate::api::queues::{self, MyQueues};
use crate::browser;
use crate::config::ProviderKind;
use crate::error::Endpoint;
use crate::query;
use crate::schedule::format_remaining;
use crate::store::{AuthState, AuthStore, UserState};
use crate::text::capitalise;
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
    // Keyed on the session id: renewed tokens keep the dashboard, while another sign-in
    // (another tab, user or provider) rebuilds everything tied to the old one.
    let session_id = Memo::new(move |_| store.session_id());
    move || {
        if session_id.get().is_some() {
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
    let diagnostics = store.config().diagnostics;
    view! {
        <Shell title="Agent desktop" topbar=view! { <AgentBar /> }.into_any()>
            <h1 class="page-title">"Agent desktop"</h1>
            <ContinueSessionOffer />
            <div class="desk">
                <Workspace />
                <div class="desk-side">
                    <ProfilePanel />
                    <TokenPanel />
                    {diagnostics.then(|| view! { <LifecycleLab /> })}
                </div>
            </div>
        </Shell>
    }
}

/// Shown a few minutes before a session the provider will not renew runs out.
#[component]
fn ContinueSessionOffer() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let offered = store.continue_offered;
    let location = use_location();
    let leaving = RwSignal::new(false);
    let ends_at = move || {
        store.state.with(|state| match state {
            AuthState::SignedIn(session) => session.tokens.expires_at_ms.map(local_time),
            _ => None,
        })
    };
    let continue_session = {
        let store = store.clone();
        move |_| {
            leaving.set(true);
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            store.continue_session(here);
        }
    };
    view! {
        <Show when=move || offered.get()>
            <section class="card continue-offer" role="alert" data-testid="continue-session-offer">
                <p>
                    "Your session ends at " {ends_at} ". This provider cannot renew it in the "
                    "background: continue now to keep working (you will not normally be asked "
                    "for your password again)."
                </p>
                <button
                    type="button"
                    class="button primary"
                    data-testid="continue-session"
                    disabled=move || leaving.get()
                    on:click=continue_session.clone()
                >
                    "Continue session"
                </button>
            </section>
        </Show>
    }
}

// ----- The banner ---------------------------------------------------------------------------

/// Who is signed in, where, and the way out. Fields the provider does not report are left
/// out rather than shown empty.
#[component]
fn AgentBar() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let provider = store.session_provider();
    let provider_label = provider.as_ref().map(|p| p.label.clone());
    let (place_label, place) = provider
        .as_ref()
        .map(|p| {
            let label = match p.kind {
                ProviderKind::Genesys { .. } => "Region",
                ProviderKind::Cxone { .. } | ProviderKind::Oidc { .. } => "Sign-in server",
            };
            (label, p.kind.region())
        })
        .unwrap_or(("Region", String::new()));
    let user = store.user;
    let identity = move || match user.get() {
        UserState::Loaded(profile) => view! { <AgentIdentity profile /> }.into_any(),
        UserState::Failed(_) => view! {
            <div class="agent">
                <span class="avatar" aria-hidden="true">"?"</span>
                <p class="agent-name" data-testid="user-unavailable">"Profile unavailable"</p>
            </div>
        }
        .into_any(),
        UserState::Idle | UserState::Loading => view! {
            <div class="agent">
                <span class="avatar avatar-pending" aria-hidden="true"></span>
                <p class="hint" role="status" data-testid="user-loading">"Loading your profile…"</p>
            </div>
        }
        .into_any(),
    };
    let organization = move || {
        user.with(|state| match state {
            UserState::Loaded(profile) => profile.organization.clone(),
            _ => None,
        })
        .map(|name| {
            view! {
                <div>
                    <dt>"Organization"</dt>
                    <dd data-testid="user-organization">{name}</dd>
                </div>
            }
        })
    };
    let sign_out = move |_| store.sign_out();
    view! {
        <div class="agent-bar">
            {identity}
            <dl class="agent-context">
                {organization}
                <div>
                    <dt>"Provider"</dt>
                    <dd data-testid="provider-label">{provider_label}</dd>
                </div>
                <div>
                    <dt>{place_label}</dt>
                    <dd data-testid="provider-region">{place}</dd>
                </div>
            </dl>
            <button type="button" class="button sign-out" data-testid="sign-out" on:click=sign_out>
                "Sign out"
            </button>
        </div>
    }
}

#[component]
fn AgentIdentity(profile: UserProfile) -> impl IntoView {
    let presence = profile.presence.clone().map(|presence| {
        let tone = presence_tone(&presence);
        view! {
            <span class="chip" data-tone=tone data-testid="presence-chip">
                <span class="chip-dot" aria-hidden="true"></span>
                <span class="visually-hidden">"Presence: "</span>
                <span data-testid="user-presence">{presence}</span>
            </span>
        }
    });
    let routing = profile.routing_status.as_deref().map(|status| {
        view! {
            <span class="chip chip-quiet" data-testid="routing-chip">
                "Routing: " <span data-testid="user-routing-status">{routing_label(status)}</span>
            </span>
        }
    });
    let has_status = presence.is_some() || routing.is_some();
    view! {
        <div class="agent">
            <span class="avatar" aria-hidden="true">{profile.initials()}</span>
            <div class="agent-text">
                <p class="agent-name" data-testid="user-name">{profile.display_name.clone()}</p>
                {has_status.then(|| view! { <p class="agent-status">{presence} {routing}</p> })}
            </div>
        </div>
    }
}

/// The colour family of a Genesys Cloud system presence; the chip always shows the text too.
fn presence_tone(presence: &str) -> &'static str {
    match presence.to_ascii_lowercase().as_str() {
        "available" => "available",
        "on queue" | "on_queue" => "on-queue",
        "busy" | "meeting" | "training" => "busy",
        "away" | "break" | "meal" | "idle" => "away",
        "offline" => "offline",
        _ => "neutral",
    }
}

/// `OFF_QUEUE` -> `Off queue`.
fn routing_label(status: &str) -> String {
    capitalise(&status.trim().replace('_', " ").to_ascii_lowercase())
}

// ----- The content area ---------------------------------------------------------------------

/// Where a team's own panels go. "My queues" shows how to add one that calls the API.
#[component]
fn Workspace() -> impl IntoView {
    view! {
        <section class="workspace" aria-labelledby="workspace-title" data-testid="content-area">
            <div class="workspace-head">
                <h2 id="workspace-title">"Workspace"</h2>
                <span class="workspace-tag">"Content area"</span>
            </div>
            <p class="hint">
                "Your team's panels go here. “My queues” is the worked example: a typed call "
                "made through the auth store's API helper ("<code>"src/api/queues.rs"</code>
                "). ARCHITECTURE.md shows how to add your own."
            </p>
            <div class="workspace-panels">
                <QueuesPanel />
            </div>
        </section>
    }
}

/// The worked example: loading, the list, or the error, from one `LocalResource`.
#[component]
fn QueuesPanel() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let offered = store
        .session_provider()
        .is_some_and(|provider| queues::offered_by(&provider));
    let body = if !offered {
        // Another provider: nothing to call, and nothing faked.
        view! {
            <p class="hint" data-testid="queues-unavailable">
                "This provider has no routing-queue API like Genesys Cloud's. Replace this panel "
                "with a call to your provider's API."
            </p>
        }
        .into_any()
    } else {
        // Runs once when the panel appears, and again on `refetch`.
        let list = LocalResource::new(move || {
            let store = store.clone();
            async move { queues::fetch_my_queues(&store).await }
        });
        let reload = move |_| list.refetch();
        view! {
                <p class="hint">
                    <code>"GET "{queues::MY_QUEUES_PATH}</code>
                </p>
                <Suspense fallback=|| view! {
                    <p class="hint" role="status" data-testid="queues-loading">"Loading your queues…"</p>
                }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(found) => view! { <QueueList found /> }.into_any(),
                            Err(error) => view! {
                                <ErrorPanel error level=4 testid="queues-error" />
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
                <div class="actions">
                    <button type="button" class="button" data-testid="reload-queues" on:click=reload>
                        "Reload queues"
                    </button>
                </div>
            }
            .into_any()
    };
    view! {
        <article class="card" aria-labelledby="queues-title" data-testid="queues-panel">
            <h3 id="queues-title">"My queues"</h3>
            {body}
        </article>
    }
}

#[component]
fn QueueList(found: MyQueues) -> impl IntoView {
    if found.queues.is_empty() {
        return view! {
            <p data-testid="queues-empty">"You are not a member of any queue."</p>
        }
        .into_any();
    }
    let more = (found.total > found.queues.len()).then(|| {
        view! {
            <p class="hint" data-testid="queues-more">
                {format!("Showing {} of {} queues.", found.queues.len(), found.total)}
            </p>
        }
    });
    let items = found
        .queues
        .into_iter()
        .map(|queue| {
            let members = queue.member_count.map(|count| {
                let noun = if count == 1 { "member" } else { "members" };
                view! { <span class="queue-members">{format!("{count} {noun}")}</span> }
            });
            let joined = if queue.joined { "Joined" } else { "Not joined" };
            view! {
                <li class="queue" data-testid="queue-item">
                    <span class="queue-name">{queue.name}</span>
                    <span class="queue-meta">
                        <span class="chip chip-quiet" data-joined=queue.joined.to_string()>{joined}</span>
                        {members}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="queue-list" data-testid="queues-list">{items}</ul>
        {more}
    }
    .into_any()
}

// ----- The side column ----------------------------------------------------------------------

/// The rest of the profile. Missing fields are left out.
#[component]
fn ProfilePanel() -> impl IntoView {
    let store = expect_context::<AuthStore>();
    let user = store.user;
    let body = move || match user.get() {
        UserState::Loaded(profile) => view! { <ProfileFacts profile /> }.into_any(),
        UserState::Failed(error) => view! { <ErrorPanel error level=3 /> }.into_any(),
        UserState::Idle | UserState::Loading => view! { <p class="hint">"Loading…"</p> }.into_any(),
    };
    view! {
        <article class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            {body}
        </article>
    }
}

#[component]
fn ProfileFacts(profile: UserProfile) -> impl IntoView {
    let row = |label: &'static str, testid: &'static str, value: Option<String>| {
        value.map(|value| {
            view! {
                <dt>{label}</dt>
                <dd data-testid=testid>{value}</dd>
            }
        })
    };
    // The username is worth showing only when it is not the email address.
    let username = profile
        .username
        .clone()
        .filter(|name| Some(name) != profile.email.as_ref());
    let rows = [
        row("Email", "user-email", profile.email),
        row("Username", "user-username", username),
        row("Title", "user-title", profile.title),
        row("Department", "user-department", profile.department),
    ];
    if rows.iter().all(Option::is_none) {
        return view! {
            <p class="hint" data-testid="profile-sparse">"The provider reports nothing more about you."</p>
        }
        .into_any();
    }
    view! { <dl class="facts">{rows.into_iter().flatten().collect_view()}</dl> }.into_any()
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
                        "not available from this provider: Continue session is offered shortly before the session ends"
                    }}
                </dd>
                <dt>"Stored in"</dt>
                <dd>{format!("{:?}", store.token_storage()).to_ascii_lowercase()}</dd>
            </dl>
            <div class="actions">
                <Show when=refreshable>
                    <button type="button" class="button" data-testid="refresh-now" on:click=refresh_now.clone()>
                        "Refresh now"
                    </button>
                </Show>
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
        let Some(session) = store.session() else {
            return;
        };
        finished.set(0);
        succeeded.set(0);
        running.set(true);
        for _ in 0..PARALLEL_CALLS {
            let store = store.clone();
            let url = session.endpoints.current_user.clone();
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
            <p class="hint">"Sends parallel calls to the current-user API through the API helper. At expiry they share one renewal."</p>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_status_reads_as_words() {
        assert_eq!(routing_label("IDLE"), "Idle");
        assert_eq!(routing_label("OFF_QUEUE"), "Off queue");
        assert_eq!(routing_label("NOT_RESPONDING"), "Not responding");
        assert_eq!(routing_label(""), "");
    }

    #[test]
    fn presence_tones() {
        assert_eq!(presence_tone("Available"), "available");
        assert_eq!(presence_tone("On Queue"), "on-queue");
        assert_eq!(presence_tone("Meal"), "away");
        assert_eq!(presence_tone("Something new"), "neutral");
    }
}
