use crate::error::Endpoint;
use crate::pages::use_auth;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Demo and test aid (config `diagnostics`): fires many API calls at once through the store's
/// helper, to show that they share one token renewal.
#[component]
pub(super) fn LifecycleLab() -> impl IntoView {
    const PARALLEL_CALLS: usize = 20;
    let store = use_auth();
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
            <p class="hint">
                "Sends parallel calls to the current-user API through the API helper. At expiry \
                they share one renewal."
            </p>
            <button
                type="button"
                class="button"
                data-testid="lab-parallel"
                disabled=move || running.get()
                on:click=fire
            >
                {format!("Send {PARALLEL_CALLS} API calls at once")}
            </button>
            <p data-testid="lab-result" role="status">
                {move || {
                    let done = finished.get();
                    let ok = succeeded.get();
                    (done > 0).then(|| {
                        format!("{done} of {PARALLEL_CALLS} finished, {ok} succeeded")
                    })
                }}
            </p>
        </article>
    }
}
