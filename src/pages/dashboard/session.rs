use super::local_time;
use crate::browser;
use crate::pages::use_auth;
use crate::schedule::format_remaining;
use crate::store::AuthState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// When the access token expires, counting down, and what the refresh timer has done.
#[component]
pub(super) fn TokenPanel() -> impl IntoView {
    let store = use_auth();
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
                        "not available from this provider: Continue session is offered shortly \
                        before the session ends"
                    }}
                </dd>
                <dt>"Stored in"</dt>
                <dd>{format!("{:?}", store.token_storage()).to_ascii_lowercase()}</dd>
            </dl>
            <div class="actions">
                <Show when=refreshable>
                    <button
                        type="button"
                        class="button"
                        data-testid="refresh-now"
                        on:click=refresh_now.clone()
                    >
                        "Refresh now"
                    </button>
                </Show>
                <button
                    type="button"
                    class="button"
                    data-testid="reload-profile"
                    on:click=reload_profile
                >
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
