//! CXone's live agent state, with Available / Unavailable + code.

use super::{api_message, part, reconnecting_line};
use crate::error::AuthError;
use crate::live::cxone::{AgentState, StateRequest};
use crate::live::time::format_elapsed;
use crate::pages::dashboard::local_time;
use crate::store::{CxoneLink, LiveStore, LiveView};
use leptos::prelude::*;

#[component]
pub(crate) fn CxoneLiveStatus(live: LiveStore) -> impl IntoView {
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
        Some(
            view! {
                <span
                    class="chip"
                    data-tone=tone
                    data-live=move || is_live.get().to_string()
                    data-testid="agent-state-chip"
                >
                    <span class="chip-dot" aria-hidden="true"></span>
                    <span class="visually-hidden">"Agent state: "</span>
                    <span data-testid="agent-state">{report.state.label().to_owned()}{reason}</span>
                    <span class="chip-since">{since}</span>
                    {move || (!is_live.get()).then(|| view! {
                        <span class="chip-stale">" (last known)"</span>
                    })}
                </span>
            }
            .into_any(),
        )
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
            <p class="live-note" role="status" data-testid="agent-state-pending">
                "Changing to "{label}"…"
            </p>
        })
    };
    let link_state = Memo::new(move |_| view_of().map(|v| v.link));
    let link = move || {
        Some(match link_state.get()? {
            CxoneLink::Live => ().into_any(),
            CxoneLink::Starting => view! {
                <p class="live-note" role="status" data-testid="live-connecting">
                    "Starting the agent session…"
                </p>
            }
            .into_any(),
            CxoneLink::Reconnecting { since_ms } => reconnecting_line(move || {
                format_elapsed(live.now_ms.get().saturating_sub(since_ms))
            })
            .into_any(),
            CxoneLink::Ended => view! {
                <p class="live-note live-note-warn" role="status" data-testid="agent-session-ended">
                    "The agent session ended (by the platform, or another tab or window started \
                    one). "
                    <button
                        type="button"
                        class="button button-small"
                        data-testid="agent-session-restart"
                        on:click=move |_| live.restart_agent_session()
                    >
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
            <p class="agent-status">{part(state)}</p>
            <div class="agent-state-controls">
                <button type="button" class="button button-small" data-testid="agent-available"
                    prop:disabled=move || busy() || is_available() on:click=go_available>
                    "Go Available"
                </button>
                {part(code_picker)}
                <button type="button" class="button button-small" data-testid="agent-unavailable"
                    prop:disabled=busy on:click=go_unavailable>
                    "Go Unavailable"
                </button>
            </div>
            {part(pending)}
            {part(link)}
            {part(set_error)}
        </div>
    }
}
