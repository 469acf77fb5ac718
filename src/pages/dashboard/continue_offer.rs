use super::local_time;
use crate::pages::use_auth;
use crate::store::AuthState;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Shown a few minutes before a session the provider will not renew runs out.
#[component]
pub(super) fn ContinueSessionOffer() -> impl IntoView {
    let store = use_auth();
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
