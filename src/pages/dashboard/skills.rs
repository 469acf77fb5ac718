//! CXone's worked example, as "My queues" is Genesys Cloud's: the agent's skills.

use crate::api::agent_skills::{self, Skill};
use crate::pages::{use_auth, ErrorPanel};
use leptos::prelude::*;

#[component]
pub(super) fn SkillsPanel() -> impl IntoView {
    let store = use_auth();
    // Runs when the profile (the agent's id) is loaded, and again on `refetch`.
    let list = LocalResource::new(move || {
        let store = store.clone();
        let agent_id = agent_skills::agent_id(&store);
        async move {
            match agent_id {
                Some(id) => agent_skills::fetch_agent_skills(&store, &id)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    let reload = move |_| list.refetch();
    view! {
        <article class="card" aria-labelledby="skills-title" data-testid="skills-panel">
            <h3 id="skills-title">"My skills"</h3>
            <p class="hint">
                <code>"GET "{agent_skills::AGENT_SKILLS_PATH}</code>
            </p>
            <Suspense fallback=|| view! {
                <p class="hint" role="status" data-testid="skills-loading">"Loading your skills…"</p>
            }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(Some(skills)) => view! { <SkillList skills /> }.into_any(),
                        Ok(None) => view! {
                            <p class="hint" role="status" data-testid="skills-loading">"Loading your skills…"</p>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <ErrorPanel error level=4 testid="skills-error" />
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
            <div class="actions">
                <button type="button" class="button" data-testid="reload-skills" on:click=reload>
                    "Reload skills"
                </button>
            </div>
        </article>
    }
}

#[component]
fn SkillList(skills: Vec<Skill>) -> impl IntoView {
    if skills.is_empty() {
        return view! { <p data-testid="skills-empty">"No skills are assigned to you."</p> }
            .into_any();
    }
    let items = skills
        .into_iter()
        .map(|skill| {
            let media = skill
                .media
                .map(|media| view! { <span class="chip chip-quiet">{media}</span> });
            let direction = skill
                .outbound
                .then(|| view! { <span class="chip chip-quiet">"Outbound"</span> });
            let proficiency = skill.proficiency.map(
                |p| view! { <span class="queue-members">{format!("Proficiency: {p}")}</span> },
            );
            view! {
                <li class="queue" data-testid="skill-item">
                    <span class="queue-name">{skill.name}</span>
                    <span class="queue-meta">{media} {direction} {proficiency}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="queue-list" data-testid="skills-list">{items}</ul> }.into_any()
}
