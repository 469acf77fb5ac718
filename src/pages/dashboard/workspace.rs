//! The content area.

use super::queues::QueuesPanel;
use super::skills::SkillsPanel;
use crate::api::agent_skills;
use crate::pages::use_auth;
use leptos::prelude::*;

/// Where a team's own panels go. "My queues" shows how to add one that calls the API.
#[component]
pub(super) fn Workspace() -> impl IntoView {
    let cxone = use_auth()
        .session_provider()
        .is_some_and(|provider| agent_skills::offered_by(&provider));
    // One worked example per provider: CXone has no routing queues like Genesys Cloud's.
    let (example, name, file) = if cxone {
        (
            view! { <SkillsPanel /> }.into_any(),
            "“My skills”",
            "src/api/agent_skills.rs",
        )
    } else {
        (
            view! { <QueuesPanel /> }.into_any(),
            "“My queues”",
            "src/api/queues.rs",
        )
    };
    view! {
        <section class="workspace" aria-labelledby="workspace-title" data-testid="content-area">
            <div class="workspace-head">
                <h2 id="workspace-title">"Workspace"</h2>
                <span class="workspace-tag">"Content area"</span>
            </div>
            <p class="hint">
                "Your team's panels go here. "{name}" is the worked example: a typed call "
                "made through the auth store's API helper ("<code>{file}</code>
                "). ARCHITECTURE.md shows how to add your own."
            </p>
            <div class="workspace-panels">
                {example}
            </div>
        </section>
    }
}
