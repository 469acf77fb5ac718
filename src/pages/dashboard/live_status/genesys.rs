//! Genesys Cloud's live presence (with the picker) and routing status.

use super::{api_message, part, reconnecting_line};
use crate::error::AuthError;
use crate::live::health::{Blocked, LinkStatus};
use crate::live::notifications::RejectedTopic;
use crate::live::presence::SystemPresence;
use crate::live::time::format_elapsed;
use crate::store::{LiveStore, LiveView};
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// The colour family of a system presence; the chip always shows the text too.
fn tone(system: &SystemPresence) -> &'static str {
    match system {
        SystemPresence::Available => "available",
        SystemPresence::OnQueue => "on-queue",
        SystemPresence::Busy | SystemPresence::Meeting | SystemPresence::Training => "busy",
        SystemPresence::Away
        | SystemPresence::Break
        | SystemPresence::Meal
        | SystemPresence::Idle => "away",
        SystemPresence::Offline => "offline",
        SystemPresence::Other(_) => "neutral",
    }
}

/// What an admin must grant for the topics the service refused.
fn missing_permissions(topics: &[RejectedTopic]) -> String {
    let mut names: Vec<&str> = topics
        .iter()
        .flat_map(|topic| topic.missing_permissions.iter().map(String::as_str))
        .collect();
    names.dedup();
    if names.is_empty() {
        "permission to view your own presence and routing status".into()
    } else {
        names.join(", ")
    }
}

#[component]
pub(crate) fn GenesysLiveStatus(live: LiveStore) -> impl IntoView {
    let view_of = move || match live.view.get() {
        LiveView::Genesys(view) => Some(view),
        _ => None,
    };
    // Live means the socket is open AND the state was re-read since it opened: before the
    // re-read (or while it keeps failing) the status may have missed events, so it is shown
    // as last known.
    let is_live =
        Memo::new(move |_| view_of().is_some_and(|v| v.link == LinkStatus::Live && v.synced));
    let confirmed_id = Memo::new(move |_| {
        view_of()
            .and_then(|v| v.status.presence.map(|p| p.definition_id))
            .unwrap_or_default()
    });
    let presence = move || {
        let view = view_of()?;
        let label = view.status.presence_label(&view.options)?;
        let system = view.status.presence.as_ref()?.system.clone();
        Some(view! {
            <span
                class="chip"
                data-tone=tone(&system)
                data-live=move || is_live.get().to_string()
                data-testid="presence-chip"
            >
                <span class="chip-dot" aria-hidden="true"></span>
                <span class="visually-hidden">"Presence: "</span>
                <span data-testid="user-presence">{label}</span>
                {move || (!is_live.get()).then(|| view! {
                    <span class="chip-stale" data-testid="presence-last-known">
                        " (last known)"
                    </span>
                })}
            </span>
        })
    };
    let routing = move || {
        let report = view_of()?.status.routing?;
        Some(view! {
            <span class="chip chip-quiet" data-testid="routing-chip">
                "Routing: "
                <span data-testid="user-routing-status">
                    {report.status.label().to_owned()}
                </span>
                {move || (!is_live.get()).then(|| view! {
                    <span class="chip-stale">" (last known)"</span>
                })}
            </span>
        })
    };
    let pending = move || {
        let view = view_of()?;
        let label = view.status.pending_label(&view.options)?;
        Some(view! {
            <p class="live-note" role="status" data-testid="presence-pending">
                "Changing to "{label}"…"
            </p>
        })
    };
    // Memos: the picker is rebuilt only when its options or the confirmed presence change
    // (not every second while reconnecting), so an open list stays open.
    let options = Memo::new(move |_| view_of().map(|v| v.options).unwrap_or_default());
    let pick = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        // The picker shows only what the server confirmed: back to it until the change is
        // confirmed (by the event or the PATCH answer).
        let select: HtmlSelectElement = event_target(&event);
        select.set_value(&confirmed_id.get_untracked());
        if !chosen.is_empty() {
            live.set_presence(&chosen);
        }
    };
    let picker = move || {
        let options = options.get();
        (!options.is_empty()).then(|| {
            let known = options.iter().any(|o| o.id == confirmed_id.get());
            let disabled = move || view_of().is_some_and(|v| v.status.pending.is_some());
            view! {
                <label class="presence-picker">
                    <span class="visually-hidden">"Change presence"</span>
                    <select data-testid="presence-picker" on:change=pick prop:disabled=disabled>
                        {(!known).then(|| view! {
                            <option value="" selected=true>"Set presence…"</option>
                        })}
                        {options
                            .into_iter()
                            .map(|option| {
                                let id = option.id.clone();
                                let selected = move || confirmed_id.get() == id;
                                view! {
                                    <option value=option.id.clone() prop:selected=selected>
                                        {option.label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
    };
    // The line changes with the kind of link only; the seconds update in place.
    let link_kind = Memo::new(move |_| {
        view_of().map(|v| match v.link {
            LinkStatus::Reconnecting { .. } => LinkStatus::Reconnecting { silent_ms: 0 },
            other => other,
        })
    });
    let silent = move || {
        view_of()
            .and_then(|v| match v.link {
                LinkStatus::Reconnecting { silent_ms } => Some(format_elapsed(silent_ms)),
                _ => None,
            })
            .unwrap_or_default()
    };
    let link = move || {
        let kind = link_kind.get()?;
        let refusal = live.view.with_untracked(|view| match view {
            LiveView::Genesys(view) => view.refusal.clone(),
            _ => None,
        });
        Some(match kind {
            LinkStatus::Live | LinkStatus::Stopped => ().into_any(),
            LinkStatus::Connecting => view! {
                <p class="live-note" role="status" data-testid="live-connecting">
                    "Connecting to live status…"
                </p>
            }
            .into_any(),
            LinkStatus::Reconnecting { .. } => reconnecting_line(silent).into_any(),
            LinkStatus::Blocked(Blocked::Forbidden) => view! {
                <p class="live-note live-note-warn" data-testid="live-permission-hint">
                    "Live status is off: Genesys Cloud refused the notification service. Ask your "
                    "administrator to allow notifications for this app's OAuth client. "
                    {refusal}
                </p>
            }
            .into_any(),
            LinkStatus::Blocked(Blocked::Unavailable) => view! {
                <p class="live-note" data-testid="live-unavailable">
                    "Live status is not available from this server: the status shown is from \
                    sign-in."
                </p>
            }
            .into_any(),
            LinkStatus::Blocked(Blocked::Rejected(topics)) => view! {
                <p class="live-note live-note-warn" data-testid="live-permission-hint">
                    "Live status is off: ask your Genesys Cloud administrator to grant "
                    {missing_permissions(&topics)}"."
                </p>
            }
            .into_any(),
        })
    };
    let partly = move || {
        let topics = view_of()?.partly_rejected;
        (!topics.is_empty()).then(|| {
            view! {
                <p class="live-note live-note-warn" data-testid="live-permission-hint">
                    "Part of the live status is off: ask your administrator to grant "
                    {missing_permissions(&topics)}"."
                </p>
            }
        })
    };
    let set_error = move || {
        let error = view_of()?.set_error?;
        let hint = match &error {
            AuthError::Forbidden { .. } => {
                "Ask your Genesys Cloud administrator for the permission to change presence \
                (going On Queue needs Routing > Agent > On Queue)."
            }
            _ => "Try again in a moment.",
        };
        Some(view! {
            <p class="live-note live-note-warn" role="alert" data-testid="presence-error">
                "Presence not changed. "{api_message(&error).map(|m| format!("{m}. "))}{hint}
            </p>
        })
    };
    let options_error = move || {
        let error = view_of()?.options_error?;
        matches!(error, AuthError::Forbidden { .. }).then(|| {
            view! {
                <p class="live-note" data-testid="presence-options-hint">
                    "The presence list needs the permission presence:presenceDefinition:view."
                </p>
            }
        })
    };
    // For tests and tools: the same "live" the chips show.
    view! {
        <div
            class="live-status"
            data-testid="live-status"
            data-ready=move || is_live.get().to_string()
        >
            <p class="agent-status">{part(presence)} {part(routing)} {part(picker)}</p>
            {part(pending)}
            {part(link)}
            {part(partly)}
            {part(set_error)}
            {part(options_error)}
        </div>
    }
}

#[cfg(test)]
mod tests;
