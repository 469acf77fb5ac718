//! `/dashboard`: the agent-desktop shell a team starts from, one file per panel.
//!
//! - the banner ([`agent_bar`]): the agent (initials, name, presence and routing status), the
//!   organization, the provider and its region, and "Sign out"; [`live_status`] makes the
//!   status live (Genesys presence picker, CXone agent state) through `crate::store::LiveStore`;
//! - the workspace ([`workspace`]): the content area where a team's own panels go, with one
//!   worked example ([`queues`]: "My queues", a typed API call through the auth store, see
//!   `crate::api::queues`; for CXone [`skills`]: "My skills", `crate::api::agent_skills`);
//! - the side column: the profile ([`profile`]), the token lifecycle ([`session`]), and
//!   (config `diagnostics`) the lab ([`lifecycle_lab`]).

mod agent_bar;
mod continue_offer;
mod lifecycle_lab;
mod live_status;
mod profile;
mod queues;
mod session;
mod skills;
mod workspace;

use super::{use_auth, ReplaceRedirect, Shell};
use crate::query;
use crate::store::UserState;
use agent_bar::AgentBar;
use continue_offer::ContinueSessionOffer;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use lifecycle_lab::LifecycleLab;
use profile::ProfilePanel;
use session::TokenPanel;
use std::time::Duration;
use workspace::Workspace;

/// `/dashboard`: protected. Signed out, it goes to the login page and comes back here after.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let store = use_auth();
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
            view! { <ReplaceRedirect path=target /> }.into_any()
        }
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let store = use_auth();
    let diagnostics = store.config().diagnostics;
    // The banner first; the panels in the task after the profile has answered (or failed).
    // Built with it, their first render held the agent's name back by tens of milliseconds
    // after users/me had answered (bench/README.md, issue 13).
    let user = store.user;
    let panels_shown = RwSignal::new(false);
    Effect::new(move |_| {
        let settled = !user.with(|u| matches!(u, UserState::Loading));
        if settled && !panels_shown.get_untracked() {
            set_timeout(
                move || {
                    panels_shown.try_set(true);
                },
                Duration::ZERO,
            );
        }
    });
    view! {
        <Shell title="Agent desktop" topbar=view! { <AgentBar /> }.into_any()>
            <h1 class="page-title">"Agent desktop"</h1>
            <ContinueSessionOffer />
            <Show when=move || panels_shown.get()>
                <div class="desk">
                    <Workspace />
                    <div class="desk-side">
                        <ProfilePanel />
                        <TokenPanel />
                        {diagnostics.then(|| view! { <LifecycleLab /> })}
                    </div>
                </div>
            </Show>
        </Shell>
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
