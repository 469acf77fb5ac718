//! Following what other tabs do to a shared (localStorage) session: renewals, sign-ins and
//! sign-outs show up here without a reload.

use super::{AuthState, AuthStore, Session};
use crate::browser::storage;
use crate::config::TokenStorage;
use leptos::prelude::*;

impl AuthStore {
    /// With shared (localStorage) tokens, other tabs' renewals, sign-ins and sign-outs show
    /// up here without a reload.
    pub(super) fn watch_other_tabs(&self) {
        if self.config.token_storage != TokenStorage::Local {
            return;
        }
        let store = self.clone();
        storage::on_shared_session_change(move || {
            store.follow_shared(storage::load_session(TokenStorage::Local))
        });
    }

    /// Brings this tab in line with the shared session `stored`: the same session renewed is
    /// adopted; another session (another user, provider or sign-in) is a new sign-in here
    /// too; none means another tab signed out.
    pub(super) fn follow_shared(&self, stored: Option<Session>) {
        let current = self.session();
        match stored {
            None => {
                let busy = self.state.with_untracked(|s| {
                    matches!(s, AuthState::SignedIn(_) | AuthState::Exchanging)
                });
                if busy {
                    self.end_session(Some("You were signed out in another tab.".into()));
                }
            }
            Some(session) if self.config.provider(&session.provider_id).is_none() => {}
            // A late write of a session that has ended (a refresh that lost the race with a
            // sign-out): the signing-out tab removes it; never take it for a sign-in.
            Some(session) if self.has_ended(&session.session_id) => {}
            Some(session) => match current {
                Some(current) if current.session_id == session.session_id => {
                    if current != session {
                        self.adopt(session, "renewed by another tab");
                    }
                }
                _ => self.start_session(session),
            },
        }
    }
}
