//! What survives a page load: login transactions (sessionStorage, keyed by `state`), the
//! session's tokens (per the configured policy), cached discovery documents and a one-shot
//! notice for the login page. Every key starts with [`KEY_PREFIX`], so sign-out can remove
//! all of them.

use crate::authorize::LoginTransaction;
use crate::config::TokenStorage;
use crate::error::AuthError;
use crate::provider::Endpoints;
use crate::token::TokenSet;
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};

/// Every key the app owns starts with this.
pub const KEY_PREFIX: &str = "pkce-desk.";
const TRANSACTION_PREFIX: &str = "pkce-desk.tx.";
const SESSION_KEY: &str = "pkce-desk.session";
const NOTICE_KEY: &str = "pkce-desk.notice";
const LOGOUT_STATE_KEY: &str = "pkce-desk.logout-state";
const DISCOVERY_PREFIX: &str = "pkce-desk.discovery.";
const AGENT_SESSION_KEY: &str = "pkce-desk.agent-session";

/// The CXone agent session a tab started for a shared session: whichever tab signs out ends
/// it, even when another tab started it.
#[derive(Serialize, Deserialize)]
struct AgentSessionRecord {
    session_id: String,
    agent_session: String,
}

/// A signed-in session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// Random, made at sign-in and kept through renewals: tells a renewal of this session
    /// from another sign-in (another user or provider) that replaced it in shared storage.
    pub session_id: String,
    pub provider_id: String,
    pub tokens: TokenSet,
    /// The server the tokens came from: refreshes, API calls and sign-out go only there.
    pub endpoints: Endpoints,
}

/// sessionStorage is required for the transaction; a browser that blocks it cannot sign in.
pub fn ensure_available() -> Result<(), AuthError> {
    let available = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .is_some();
    if available {
        Ok(())
    } else {
        Err(AuthError::BrowserUnsupported {
            missing: "sessionStorage",
        })
    }
}

pub fn save_transaction(transaction: &LoginTransaction) -> Result<(), AuthError> {
    SessionStorage::set(
        format!("{TRANSACTION_PREFIX}{}", transaction.state),
        transaction,
    )
    .map_err(|_| AuthError::BrowserUnsupported {
        missing: "writable sessionStorage",
    })
}

/// Reads and deletes the transaction for `state`: whatever happens next, it cannot be used again.
pub fn take_transaction(state: &str) -> Option<LoginTransaction> {
    let key = format!("{TRANSACTION_PREFIX}{state}");
    let transaction = SessionStorage::get::<LoginTransaction>(&key).ok();
    SessionStorage::delete(&key);
    transaction
}

/// The keys of `storage` that start with `prefix`.
fn keys_with_prefix(storage: &web_sys::Storage, prefix: &str) -> Vec<String> {
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(prefix))
        .collect()
}

/// Deletes abandoned transactions (a sign-in started and never finished).
pub fn purge_expired_transactions(now_ms: u64) {
    for key in keys_with_prefix(&SessionStorage::raw(), TRANSACTION_PREFIX) {
        let stale =
            SessionStorage::get::<LoginTransaction>(&key).map_or(true, |tx| tx.is_expired(now_ms));
        if stale {
            SessionStorage::delete(&key);
        }
    }
}

pub fn load_session(policy: TokenStorage) -> Option<StoredSession> {
    match policy {
        TokenStorage::Memory => None,
        TokenStorage::Session => SessionStorage::get(SESSION_KEY).ok(),
        TokenStorage::Local => LocalStorage::get(SESSION_KEY).ok(),
    }
}

/// Stores the session whole or not at all.
pub fn save_session(policy: TokenStorage, session: &StoredSession) -> Result<(), AuthError> {
    let result = match policy {
        TokenStorage::Memory => Ok(()),
        TokenStorage::Session => SessionStorage::set(SESSION_KEY, session),
        TokenStorage::Local => LocalStorage::set(SESSION_KEY, session),
    };
    result.map_err(|_| {
        clear_session();
        AuthError::BrowserUnsupported {
            missing: "writable storage for the session",
        }
    })
}

/// Removes the session from every store, whatever the policy: a policy change in config.json
/// must not leave old tokens behind.
pub fn clear_session() {
    SessionStorage::delete(SESSION_KEY);
    LocalStorage::delete(SESSION_KEY);
}

/// Deletes every login transaction of this tab (a sign-in abandoned before it left).
pub fn purge_all_transactions() {
    for key in keys_with_prefix(&SessionStorage::raw(), TRANSACTION_PREFIX) {
        SessionStorage::delete(&key);
    }
}

/// Removes every key the app owns from both storages: the session, abandoned transactions
/// (they hold PKCE verifiers), cached discovery documents and any notice. The shared session
/// goes only if it is `ending` (the session this tab is ending) or unreadable: a newer one
/// another tab wrote meanwhile is not this tab's to remove. Other tabs' own sessionStorage is
/// theirs to clear; they follow the shared session's removal.
pub fn clear_everything(ending: Option<&str>) {
    let foreign = load_session(TokenStorage::Local)
        .map(|stored| stored.session_id)
        .filter(|stored| Some(stored.as_str()) != ending);
    // The agent session recorded for that newer session is its to end, too.
    let foreign_record = foreign.as_deref().is_some_and(|foreign| {
        load_agent_record().is_some_and(|record| record.session_id == foreign)
    });
    for (storage, shared) in [(SessionStorage::raw(), false), (LocalStorage::raw(), true)] {
        for key in keys_with_prefix(&storage, KEY_PREFIX) {
            let keep = shared
                && ((foreign.is_some() && key == SESSION_KEY)
                    || (foreign_record && key == AGENT_SESSION_KEY));
            if !keep {
                let _ = storage.remove_item(&key);
            }
        }
    }
}

/// Records `agent_session` as the CXone agent session of the shared session `session_id`
/// (the platform keeps one per agent: the newest start replaces any other).
pub fn record_agent_session(session_id: &str, agent_session: &str) {
    let record = AgentSessionRecord {
        session_id: session_id.to_owned(),
        agent_session: agent_session.to_owned(),
    };
    // Best effort: without it only this tab can end the agent session.
    let _ = LocalStorage::set(AGENT_SESSION_KEY, record);
}

/// The agent session recorded for the shared session `session_id`.
pub fn recorded_agent_session(session_id: &str) -> Option<String> {
    load_agent_record()
        .filter(|record| record.session_id == session_id)
        .map(|record| record.agent_session)
}

fn load_agent_record() -> Option<AgentSessionRecord> {
    LocalStorage::get(AGENT_SESSION_KEY).ok()
}

/// Forgets the record if it names `agent_session` (which has ended).
pub fn forget_agent_session(agent_session: &str) {
    let names_it = load_agent_record().is_some_and(|record| record.agent_session == agent_session);
    if names_it {
        LocalStorage::delete(AGENT_SESSION_KEY);
    }
}

/// Endpoints read from an issuer's discovery document earlier in this browser session.
pub fn load_discovery(issuer: &str) -> Option<Endpoints> {
    SessionStorage::get(format!("{DISCOVERY_PREFIX}{issuer}")).ok()
}

pub fn save_discovery(issuer: &str, endpoints: &Endpoints) {
    // A cache: failing to write it only costs a fetch next time.
    let _ = SessionStorage::set(format!("{DISCOVERY_PREFIX}{issuer}"), endpoints);
}

/// A message for the next login page (it survives the trip through the provider's logout),
/// with the `state` that trip must come back with, where the provider takes one.
pub fn set_notice(text: &str, logout_state: Option<&str>) {
    let _ = SessionStorage::set(NOTICE_KEY, text);
    match logout_state {
        Some(state) => {
            let _ = SessionStorage::set(LOGOUT_STATE_KEY, state);
        }
        None => SessionStorage::delete(LOGOUT_STATE_KEY),
    }
}

/// The notice for this page load, and the logout `state` it waits for (both read once).
pub fn take_notice() -> (Option<String>, Option<String>) {
    let notice = SessionStorage::get::<String>(NOTICE_KEY).ok();
    let logout_state = SessionStorage::get::<String>(LOGOUT_STATE_KEY).ok();
    SessionStorage::delete(NOTICE_KEY);
    SessionStorage::delete(LOGOUT_STATE_KEY);
    (notice, logout_state)
}

/// Calls `changed` when another tab changes the shared (localStorage) session. The caller reads
/// storage itself: by the time a throttled tab handles the event, its value may be stale.
/// Browsers fire `storage` events only in the *other* tabs, so there is no echo.
pub fn on_shared_session_change(changed: impl Fn() + 'static) {
    use wasm_bindgen::JsCast;
    let handle = leptos::prelude::window_event_listener_untyped("storage", move |event| {
        let Ok(event) = event.dyn_into::<web_sys::StorageEvent>() else {
            return;
        };
        // `key` is null when another tab cleared the whole storage.
        if event.key().is_none_or(|key| key == SESSION_KEY) {
            changed();
        }
    });
    // The store lives as long as the page; so does this listener.
    std::mem::forget(handle);
}
