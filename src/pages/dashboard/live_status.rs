//! The banner's live status: Genesys Cloud's presence (with the picker) and routing status,
//! or CXone's agent state (with Available / Unavailable + code). Everything shown is what the
//! server confirmed (`crate::store::LiveStore`); a change asked for shows as "Changing to …"
//! beside it, never in its place, and a lost stream says so with the time since the last
//! event instead of passing off the last known status as live.

use super::local_time;
use crate::error::AuthError;
use crate::live::cxone::{AgentState, StateRequest};
use crate::live::health::{Blocked, LinkStatus};
use crate::live::notifications::RejectedTopic;
use crate::live::presence::SystemPresence;
use crate::live::time::format_elapsed;
use crate::store::{CxoneLink, LiveStore, LiveView};
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// Which live layer runs, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LiveKind {
    Off,
    Genesys,
    Cxone,
}

pub(super) fn live_kind(live: Option<LiveStore>) -> Memo<LiveKind> {
    Memo::new(move |_| match live {
        None => LiveKind::Off,
        Some(live) => live.view.with(|view| match view {
            LiveView::Off => LiveKind::Off,
            LiveView::Genesys(_) => LiveKind::Genesys,
            LiveView::Cxone(_) => LiveKind::Cxone,
        }),
    })
}

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

fn api_message(error: &AuthError) -> Option<String> {
    match error {
        AuthError::Forbidden { message } | AuthError::ApiFailed { message, .. } => message.clone(),
        _ => None,
    }
}

/// "Offline, reconnecting (12 s since last event)". Only the words are a live region: the
/// seconds count in place and are not announced every second.
fn reconnecting_line(silent: impl Fn() -> String + Send + 'static) -> impl IntoView {
    view! {
        <p class="live-note live-note-warn" data-testid="live-reconnecting">
            <span role="status">"Offline, reconnecting"</span>
            " ("{silent}" since last event)"
        </p>
    }
}

#[component]
pub(super) fn GenesysLiveStatus(live: LiveStore) -> impl IntoView {
    let view_of = move || match live.view.get() {
        LiveView::Genesys(view) => Some(view),
        _ => None,
    };
    let is_live = Memo::new(move |_| view_of().is_some_and(|v| v.link == LinkStatus::Live));
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
            <span class="chip" data-tone=tone(&system) data-live=move || is_live.get().to_string()
                data-testid="presence-chip">
                <span class="chip-dot" aria-hidden="true"></span>
                <span class="visually-hidden">"Presence: "</span>
                <span data-testid="user-presence">{label}</span>
                {move || (!is_live.get()).then(|| view! {
                    <span class="chip-stale" data-testid="presence-last-known">" (last known)"</span>
                })}
            </span>
        })
    };
    let routing = move || {
        let report = view_of()?.status.routing?;
        Some(view! {
            <span class="chip chip-quiet" data-testid="routing-chip">
                "Routing: " <span data-testid="user-routing-status">{report.status.label().to_owned()}</span>
                {move || (!is_live.get()).then(|| view! { <span class="chip-stale">" (last known)"</span> })}
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
                        {(!known).then(|| view! { <option value="" selected=true>"Set presence…"</option> })}
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
                <p class="live-note" role="status" data-testid="live-connecting">"Connecting to live status…"</p>
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
                    "Live status is not available from this server: the status shown is from sign-in."
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
            AuthError::Forbidden { .. } => "Ask your Genesys Cloud administrator for the permission to change presence (going On Queue needs Routing > Agent > On Queue).",
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
    // For tests and tools: live, and the state re-read since the socket opened.
    let ready = move || view_of().is_some_and(|v| v.link == LinkStatus::Live && v.synced);
    view! {
        <div class="live-status" data-testid="live-status" data-ready=move || ready().to_string()>
            <p class="agent-status">{presence} {routing} {picker}</p>
            {pending}
            {link}
            {partly}
            {set_error}
            {options_error}
        </div>
    }
}

#[component]
pub(super) fn CxoneLiveStatus(live: LiveStore) -> impl IntoView {
    let view_of = move || match live.view.get() {
        LiveView::Cxone(view) => Some(view),
        _ => None,
    };
    let is_live = Memo::new(move |_| view_of().is_some_and(|v| v.link == CxoneLink::Live));
    let chosen_code = RwSignal::new(String::new());
    let state = move || {
        let view = view_of()?;
        let Some(report) = view.state else {
            return Some(
                view! {
                    <span class="chip chip-quiet" data-testid="agent-state-chip">
                        "Agent state: " <span data-testid="agent-state">"not known yet"</span>
                    </span>
                }
                .into_any(),
            );
        };
        let tone = match report.state {
            AgentState::Available => "available",
            AgentState::Unavailable => "away",
            AgentState::Working(_) => "busy",
            AgentState::LoggedOut => "offline",
            AgentState::Other(_) => "neutral",
        };
        let reason = report
            .out_reason
            .clone()
            .filter(|_| report.state == AgentState::Unavailable)
            .map(|reason| format!(" · {reason}"));
        let since = report
            .since_ms
            .map(|ms| format!(" since {}", local_time(ms)));
        Some(view! {
            <span class="chip" data-tone=tone data-live=move || is_live.get().to_string()
                data-testid="agent-state-chip">
                <span class="chip-dot" aria-hidden="true"></span>
                <span class="visually-hidden">"Agent state: "</span>
                <span data-testid="agent-state">{report.state.label().to_owned()}{reason}</span>
                <span class="chip-since">{since}</span>
                {move || (!is_live.get()).then(|| view! { <span class="chip-stale">" (last known)"</span> })}
            </span>
        }
        .into_any())
    };
    let codes = Memo::new(move |_| view_of().map(|v| v.codes).unwrap_or_default());
    let busy = move || {
        view_of().is_none_or(|v| {
            v.pending.is_some()
                || !matches!(v.link, CxoneLink::Live | CxoneLink::Reconnecting { .. })
        })
    };
    let is_available = move || {
        view_of().is_some_and(|v| v.state.is_some_and(|s| s.state == AgentState::Available))
    };
    let go_available = move |_| live.set_agent_state(StateRequest::Available);
    let go_unavailable = move |_| {
        let code = chosen_code.get_untracked();
        let code = if code.is_empty() {
            codes.get_untracked().into_iter().next().unwrap_or_default()
        } else {
            code
        };
        live.set_agent_state(StateRequest::Unavailable(code));
    };
    let code_picker = move || {
        let codes = codes.get();
        (!codes.is_empty()).then(|| view! {
            <label class="presence-picker">
                <span class="visually-hidden">"Unavailable code"</span>
                <select data-testid="unavailable-code"
                    on:change=move |event| chosen_code.set(event_target_value(&event))>
                    {codes
                        .into_iter()
                        .map(|code| view! { <option value=code.clone()>{code.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
        })
    };
    let pending = move || {
        let request = view_of()?.pending?;
        let label = match request {
            StateRequest::Available => "Available".to_owned(),
            StateRequest::Unavailable(code) if code.is_empty() => "Unavailable".to_owned(),
            StateRequest::Unavailable(code) => format!("Unavailable · {code}"),
        };
        Some(view! {
            <p class="live-note" role="status" data-testid="agent-state-pending">"Changing to "{label}"…"</p>
        })
    };
    let link_state = Memo::new(move |_| view_of().map(|v| v.link));
    let link = move || {
        Some(match link_state.get()? {
            CxoneLink::Live => ().into_any(),
            CxoneLink::Starting => view! {
                <p class="live-note" role="status" data-testid="live-connecting">"Starting the agent session…"</p>
            }
            .into_any(),
            CxoneLink::Reconnecting { since_ms } => {
                reconnecting_line(move || {
                    format_elapsed(live.now_ms.get().saturating_sub(since_ms))
                })
                .into_any()
            }
            CxoneLink::Ended => view! {
                <p class="live-note live-note-warn" role="status" data-testid="agent-session-ended">
                    "The agent session ended (by the platform, or another tab or window started one). "
                    <button type="button" class="button button-small" data-testid="agent-session-restart"
                        on:click=move |_| live.restart_agent_session()>
                        "Start a new agent session"
                    </button>
                </p>
            }
            .into_any(),
            CxoneLink::Failed(AuthError::Forbidden { message }) => view! {
                <p class="live-note live-note-warn" data-testid="live-permission-hint">
                    "No agent session: your CXone user needs a role with agent (ACD) access. "
                    "Ask your CXone administrator. "{message}
                </p>
            }
            .into_any(),
            CxoneLink::Failed(_) => view! {
                <p class="live-note live-note-warn" data-testid="agent-session-failed">
                    "The agent session could not be read. Reload the page to try again."
                </p>
            }
            .into_any(),
        })
    };
    let set_error = move || {
        let error = view_of()?.set_error?;
        Some(view! {
            <p class="live-note live-note-warn" role="alert" data-testid="agent-state-error">
                "Agent state not changed. "{api_message(&error)}
            </p>
        })
    };
    let ready = move || view_of().is_some_and(|v| v.link == CxoneLink::Live);
    view! {
        <div class="live-status" data-testid="live-status" data-ready=move || ready().to_string()>
            <p class="agent-status">{state}</p>
            <div class="agent-state-controls">
                <button type="button" class="button button-small" data-testid="agent-available"
                    prop:disabled=move || busy() || is_available() on:click=go_available>
                    "Go Available"
                </button>
                {code_picker}
                <button type="button" class="button button-small" data-testid="agent-unavailable"
                    prop:disabled=busy on:click=go_unavailable>
                    "Go Unavailable"
                </button>
            </div>
            {pending}
            {link}
            {set_error}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_permissions_are_named_once() {
        let topic = |perms: &[&str]| RejectedTopic {
            topic: "t".into(),
            missing_permissions: perms.iter().map(|p| (*p).to_owned()).collect(),
            reason: None,
        };
        assert_eq!(
            missing_permissions(&[topic(&["a:b:c"]), topic(&["a:b:c"])]),
            "a:b:c"
        );
        assert_eq!(
            missing_permissions(&[topic(&[])]),
            "permission to view your own presence and routing status"
        );
    }

    #[test]
    fn tones() {
        assert_eq!(tone(&SystemPresence::OnQueue), "on-queue");
        assert_eq!(tone(&SystemPresence::Other("x".into())), "neutral");
    }
}
