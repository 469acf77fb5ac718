//! The banner: who is signed in, where, and the way out.

use super::live_status::{live_kind, CxoneLiveStatus, GenesysLiveStatus, LiveKind};
use crate::pages::{part, use_auth};
use crate::store::{LiveStore, UserState};
use crate::text::capitalise;
use crate::user::UserProfile;
use leptos::prelude::*;

/// Who is signed in, where, and the way out. Fields the provider does not report are left
/// out rather than shown empty.
#[component]
pub(super) fn AgentBar() -> impl IntoView {
    let store = use_auth();
    let provider = store.session_provider();
    let provider_label = provider.as_ref().map(|p| p.label.clone());
    let (place_label, place) = provider
        .as_ref()
        .map(|p| (p.kind.rules().location_label(), p.kind.region()))
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
                <p class="hint" role="status" data-testid="user-loading">
                    "Loading your profile…"
                </p>
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
            {part(identity)}
            <dl class="agent-context">
                {part(organization)}
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
    // Live status when a live layer runs (Genesys Cloud, CXone); else the status as the
    // profile reported it at sign-in.
    let live = use_context::<LiveStore>();
    let kind = live_kind(live);
    let name = profile.display_name.clone();
    let initials = profile.initials();
    let status = move || match (kind.get(), live) {
        (LiveKind::Genesys, Some(live)) => view! { <GenesysLiveStatus live /> }.into_any(),
        (LiveKind::Cxone, Some(live)) => view! { <CxoneLiveStatus live /> }.into_any(),
        _ => signed_in_status(&profile).into_any(),
    };
    view! {
        <div class="agent">
            <span class="avatar" aria-hidden="true">{initials}</span>
            <div class="agent-text">
                <p class="agent-name" data-testid="user-name">{name}</p>
                {part(status)}
            </div>
        </div>
    }
}

/// Presence and routing status as `/users/me` reported them at sign-in.
fn signed_in_status(profile: &UserProfile) -> Option<impl IntoView> {
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
    has_status.then(|| view! { <p class="agent-status">{presence} {routing}</p> })
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
