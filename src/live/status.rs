//! What the header shows of a Genesys agent's status: only what the server confirmed (an
//! event, the PATCH answer, or a read), newest first. A change the agent asked for is kept
//! apart as `pending` until the server confirms it, so the picker never shows it early.

use super::presence::{PresenceOption, PresenceReport, RoutingReport, SystemPresence};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfirmedStatus {
    pub presence: Option<PresenceReport>,
    pub routing: Option<RoutingReport>,
    /// The definition the agent asked for, until a report names it or the request fails.
    pub pending: Option<String>,
}

/// Whether a report stamped `incoming` may replace one stamped `current`: not when it is
/// older (an event and a read can cross). Unstamped reports are taken as they come.
fn not_older(incoming: Option<u64>, current: Option<u64>) -> bool {
    match (incoming, current) {
        (Some(incoming), Some(current)) => incoming >= current,
        _ => true,
    }
}

impl ConfirmedStatus {
    /// Takes a presence report unless it is older than the one shown; `true` when taken.
    pub fn confirm_presence(&mut self, report: PresenceReport) -> bool {
        if let Some(current) = &self.presence {
            if !not_older(report.modified_ms, current.modified_ms) {
                return false;
            }
        }
        if self.pending.as_deref() == Some(report.definition_id.as_str()) {
            self.pending = None;
        }
        self.presence = Some(report);
        true
    }

    pub fn confirm_routing(&mut self, report: RoutingReport) -> bool {
        if let Some(current) = &self.routing {
            if !not_older(report.since_ms, current.since_ms) {
                return false;
            }
        }
        self.routing = Some(report);
        true
    }

    /// The agent picked `definition_id`; `false` (nothing to send) when it is already shown.
    pub fn request(&mut self, definition_id: &str) -> bool {
        if self
            .presence
            .as_ref()
            .is_some_and(|p| p.definition_id == definition_id)
        {
            self.pending = None;
            return false;
        }
        self.pending = Some(definition_id.to_owned());
        true
    }

    /// The request failed (or its answer named another presence): nothing is pending.
    pub fn request_settled(&mut self, definition_id: &str) {
        if self.pending.as_deref() == Some(definition_id) {
            self.pending = None;
        }
    }

    /// The label of the confirmed presence: its definition's label when the picker knows the
    /// definition, else the system presence's name.
    pub fn presence_label(&self, options: &[PresenceOption]) -> Option<String> {
        let presence = self.presence.as_ref()?;
        Some(label_of(&presence.definition_id, &presence.system, options))
    }

    /// The pending definition's label.
    pub fn pending_label(&self, options: &[PresenceOption]) -> Option<String> {
        let id = self.pending.as_deref()?;
        options.iter().find(|o| o.id == id).map(|o| o.label.clone())
    }
}

fn label_of(id: &str, system: &SystemPresence, options: &[PresenceOption]) -> String {
    options
        .iter()
        .find(|o| !id.is_empty() && o.id == id)
        .map(|o| o.label.clone())
        .unwrap_or_else(|| system.label().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::presence::RoutingStatus;

    fn presence(id: &str, system: SystemPresence, at: Option<u64>) -> PresenceReport {
        PresenceReport {
            definition_id: id.into(),
            system,
            modified_ms: at,
        }
    }

    fn options() -> Vec<PresenceOption> {
        vec![
            PresenceOption {
                id: "avail".into(),
                label: "Verfügbar".into(),
                system: SystemPresence::Available,
            },
            PresenceOption {
                id: "queue".into(),
                label: "On Queue".into(),
                system: SystemPresence::OnQueue,
            },
        ]
    }

    #[test]
    fn a_request_is_not_shown_until_confirmed() {
        let mut status = ConfirmedStatus::default();
        status.confirm_presence(presence("avail", SystemPresence::Available, Some(10)));
        assert!(status.request("queue"));
        assert_eq!(
            status.presence_label(&options()).as_deref(),
            Some("Verfügbar"),
            "still the confirmed presence"
        );
        assert_eq!(
            status.pending_label(&options()).as_deref(),
            Some("On Queue")
        );
        // The event (or the PATCH answer, whichever comes first) confirms it.
        assert!(status.confirm_presence(presence("queue", SystemPresence::OnQueue, Some(20))));
        assert_eq!(status.pending, None);
        assert_eq!(
            status.presence_label(&options()).as_deref(),
            Some("On Queue")
        );
        // The second of the two, with the same stamp, changes nothing visible.
        assert!(status.confirm_presence(presence("queue", SystemPresence::OnQueue, Some(20))));
        assert_eq!(
            status.presence_label(&options()).as_deref(),
            Some("On Queue")
        );
    }

    #[test]
    fn older_reports_never_replace_newer_ones() {
        let mut status = ConfirmedStatus::default();
        status.confirm_presence(presence("queue", SystemPresence::OnQueue, Some(20)));
        assert!(!status.confirm_presence(presence("avail", SystemPresence::Available, Some(10))));
        assert_eq!(status.presence.as_ref().unwrap().definition_id, "queue");
        assert!(status.confirm_presence(presence("avail", SystemPresence::Available, None)));
        let idle = RoutingReport {
            status: RoutingStatus::Idle,
            since_ms: Some(50),
        };
        let off = RoutingReport {
            status: RoutingStatus::OffQueue,
            since_ms: Some(40),
        };
        assert!(status.confirm_routing(idle.clone()));
        assert!(!status.confirm_routing(off));
        assert_eq!(status.routing, Some(idle));
    }

    #[test]
    fn failed_or_needless_requests_leave_nothing_pending() {
        let mut status = ConfirmedStatus::default();
        status.confirm_presence(presence("avail", SystemPresence::Available, None));
        assert!(!status.request("avail"), "already there");
        assert_eq!(status.pending, None);
        assert!(status.request("queue"));
        status.request_settled("other");
        assert_eq!(status.pending.as_deref(), Some("queue"));
        status.request_settled("queue");
        assert_eq!(status.pending, None);
    }

    #[test]
    fn unknown_definitions_show_the_system_presence() {
        let mut status = ConfirmedStatus::default();
        assert_eq!(status.presence_label(&options()), None);
        status.confirm_presence(presence("", SystemPresence::Break, None));
        assert_eq!(status.presence_label(&options()).as_deref(), Some("Break"));
    }
}
