use crate::api::queues::{self, MyQueues};
use crate::pages::{use_auth, ErrorPanel};
use leptos::prelude::*;

/// The worked example: loading, the list, or the error, from one `LocalResource`.
#[component]
pub(super) fn QueuesPanel() -> impl IntoView {
    let store = use_auth();
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
                <p class="hint" role="status" data-testid="queues-loading">
                    "Loading your queues…"
                </p>
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
                <button
                    type="button"
                    class="button"
                    data-testid="reload-queues"
                    on:click=reload
                >
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
                        <span class="chip chip-quiet" data-joined=queue.joined.to_string()>
                            {joined}
                        </span>
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
