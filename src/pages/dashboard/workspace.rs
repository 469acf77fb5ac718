//! The content area.

use super::queues::QueuesPanel;
use leptos::prelude::*;

/// Where a team's own panels go. "My queues" shows how to add one that calls the API.
#[component]
pub(super) fn Workspace() -> impl IntoView {
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
