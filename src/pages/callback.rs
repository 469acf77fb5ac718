use super::{use_auth, ErrorPanel, ReplaceRedirect, Shell};
use crate::browser::page;
use crate::callback::parse_callback;
use crate::store::AuthState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// `/callback`: where the provider sends the browser back.
#[component]
pub fn CallbackPage() -> impl IntoView {
    let store = use_auth();
    let query_string = page::query();
    // True while this page's own exchange runs: a tab already signed in (Continue session)
    // must wait for it to know where to land.
    let finishing = RwSignal::new(false);
    if !parse_callback(&query_string).is_empty() {
        // Before any await: the code and state leave the address bar and the history entry,
        // so a reload or the back button can never replay them.
        page::replace_url("/callback");
        store.mark_exchanging();
        finishing.set(true);
        let store = store.clone();
        spawn_local(async move {
            store.complete_sign_in(query_string).await;
            finishing.try_set(false);
        });
    }

    let state = store.state;
    let landing = store.landing;
    move || {
        let state = if finishing.get() {
            AuthState::Exchanging
        } else {
            state.get()
        };
        match state {
        AuthState::SignedIn(_) => {
            let target = landing.get_untracked().unwrap_or_else(|| "/dashboard".into());
            view! { <ReplaceRedirect path=target /> }.into_any()
        }
        AuthState::Failed(error) => view! {
            <Shell title="Sign-in problem">
                <section class="card"><ErrorPanel error /></section>
            </Shell>
        }
        .into_any(),
        AuthState::Exchanging | AuthState::Redirecting => view! {
            <Shell title="Signing in">
                <section class="card center" aria-busy="true">
                    <div class="spinner" aria-hidden="true"></div>
                    <p role="status" data-testid="callback-status">"Signing you in…"</p>
                </section>
            </Shell>
        }
        .into_any(),
        // A reload after a failure, or a visit without a sign-in: nothing to do here, and no
        // automatic redirect (that could loop).
        AuthState::SignedOut { .. } => view! {
            <Shell title="No sign-in in progress">
                <section class="card" data-testid="callback-idle">
                    <h1>"No sign-in in progress"</h1>
                    <p>
                        "This page finishes a sign-in started from the sign-in page, and there is \
                        none to finish."
                    </p>
                    <A href="/login" attr:class="button primary" attr:data-testid="fresh-sign-in">
                        "Go to sign-in"
                    </A>
                </section>
            </Shell>
        }
        .into_any(),
    }
    }
}
