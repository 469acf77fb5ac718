//! Genesys Cloud presence and routing status: the org's presence definitions (the picker's
//! options), setting presence, and reading the current presence and routing status.
//!
//! Sources: `PresenceApi.js` / `docs/PresenceApi.md`
//! in `MyPureCloud/platform-client-sdk-javascript` (v259) for the paths and shapes; the Python
//! SDK's `organization_presence_definition.py` for the `OnQueue` spelling of the current
//! endpoint; the terraform provider's unit test for the legacy `"On Queue"` spelling and for
//! `languageLabels` keyed `en_US`.
//!
//! A little over 300 lines: the presence and routing-status calls share their types and
//! wire shapes, so they stay in one file.

use super::time::parse_iso_ms;
use crate::api::parse_api_json;
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::HttpReply;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A Genesys system presence. The current API spells On Queue `OnQueue`, the legacy
/// `/api/v2/presencedefinitions` `On Queue`, and the case inside notification events is not
/// documented: values are compared ignoring case, spaces and underscores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemPresence {
    Available,
    Away,
    Busy,
    Offline,
    Idle,
    OnQueue,
    Meal,
    Training,
    Meeting,
    Break,
    /// A value this app does not know yet, kept as sent.
    Other(String),
}

impl SystemPresence {
    pub fn parse(value: &str) -> Self {
        let key: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "available" => Self::Available,
            "away" => Self::Away,
            "busy" => Self::Busy,
            "offline" => Self::Offline,
            "idle" => Self::Idle,
            "onqueue" => Self::OnQueue,
            "meal" => Self::Meal,
            "training" => Self::Training,
            "meeting" => Self::Meeting,
            "break" => Self::Break,
            _ => Self::Other(value.trim().to_owned()),
        }
    }

    /// The English name, for when a definition has no label.
    pub fn label(&self) -> &str {
        match self {
            Self::Available => "Available",
            Self::Away => "Away",
            Self::Busy => "Busy",
            Self::Offline => "Offline",
            Self::Idle => "Idle",
            Self::OnQueue => "On Queue",
            Self::Meal => "Meal",
            Self::Training => "Training",
            Self::Meeting => "Meeting",
            Self::Break => "Break",
            Self::Other(value) => value,
        }
    }
}

/// A user's ACD routing status. The platform sets it (going On Queue makes it `IDLE`); users
/// cannot set it directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingStatus {
    OffQueue,
    Idle,
    Interacting,
    NotResponding,
    Communicating,
    Other(String),
}

impl RoutingStatus {
    pub fn parse(value: &str) -> Self {
        match value.trim().to_ascii_uppercase().as_str() {
            "OFF_QUEUE" => Self::OffQueue,
            "IDLE" => Self::Idle,
            "INTERACTING" => Self::Interacting,
            "NOT_RESPONDING" => Self::NotResponding,
            "COMMUNICATING" => Self::Communicating,
            _ => Self::Other(value.trim().to_owned()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::OffQueue => "Off queue",
            Self::Idle => "Idle",
            Self::Interacting => "Interacting",
            Self::NotResponding => "Not responding",
            Self::Communicating => "Communicating",
            Self::Other(value) => value,
        }
    }
}

/// The agent's presence as the server reported it (an event, the PATCH answer, or a read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceReport {
    pub definition_id: String,
    pub system: SystemPresence,
    /// `modifiedDate`, to keep a late older report from replacing a newer one.
    pub modified_ms: Option<u64>,
}

/// The agent's routing status as the server reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingReport {
    pub status: RoutingStatus,
    /// `startTime`: since when.
    pub since_ms: Option<u64>,
}

/// One option of the presence picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceOption {
    pub id: String,
    pub label: String,
    pub system: SystemPresence,
}

pub const DEFINITIONS_PATH: &str = "/api/v2/presence/definitions";

/// The org's active presence definitions (`deactivated=false`; the parser filters too).
pub fn definitions_url(api_base: &str) -> String {
    format!(
        "{}{DEFINITIONS_PATH}?deactivated=false",
        api_base.trim_end_matches('/')
    )
}

/// `PATCH` (set) and `GET` (read) the user's presence from the PURECLOUD source. There is no
/// `/users/me/presences` path: the id comes from `/api/v2/users/me`.
pub fn purecloud_presence_url(api_base: &str, user_id: &str) -> String {
    format!(
        "{}/api/v2/users/{}/presences/purecloud",
        api_base.trim_end_matches('/'),
        query::encode(user_id)
    )
}

/// `GET /api/v2/users/{id}/routingstatus`.
pub fn routing_status_url(api_base: &str, user_id: &str) -> String {
    format!(
        "{}/api/v2/users/{}/routingstatus",
        api_base.trim_end_matches('/'),
        query::encode(user_id)
    )
}

/// The PATCH body: "the id is the only value required" (`PresenceApi.js` JSDoc).
pub fn set_presence_body(definition_id: &str) -> String {
    serde_json::json!({ "presenceDefinition": { "id": definition_id } }).to_string()
}

#[derive(Deserialize)]
struct DefinitionListing {
    #[serde(default)]
    entities: Vec<DefinitionEntity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefinitionEntity {
    id: String,
    name: Option<String>,
    #[serde(default)]
    language_labels: BTreeMap<String, String>,
    system_presence: Option<String>,
    #[serde(default)]
    deactivated: bool,
}

/// `GET /api/v2/presence/definitions` (or the legacy listing, same entity shape) as picker
/// options: deactivated ones left out, each labelled in the first of `locales` (the browser's
/// languages, most preferred first) the definition has a label for.
pub fn parse_definitions(
    reply: &HttpReply,
    locales: &[String],
) -> Result<Vec<PresenceOption>, AuthError> {
    let listing: DefinitionListing =
        parse_api_json(reply, Endpoint::Api, "presence definition list")?;
    Ok(listing
        .entities
        .into_iter()
        .filter(|entity| !entity.deactivated && !entity.id.trim().is_empty())
        .map(|entity| {
            let system = SystemPresence::parse(entity.system_presence.as_deref().unwrap_or(""));
            let label = pick_label(&entity.language_labels, locales)
                .or_else(|| {
                    entity
                        .name
                        .map(|name| name.trim().to_owned())
                        .filter(|name| !name.is_empty())
                })
                .unwrap_or_else(|| system.label().to_owned());
            PresenceOption {
                id: entity.id,
                label,
                system,
            }
        })
        .collect())
}

/// `en-GB` and `en_gb` are the same locale; Genesys keys labels `en_US`.
fn locale_key(locale: &str) -> String {
    locale.trim().replace('-', "_").to_ascii_lowercase()
}

/// The label for the first locale that has one: the exact locale, then the same language in
/// any region; after all of `locales`, US English, then any English.
fn pick_label(labels: &BTreeMap<String, String>, locales: &[String]) -> Option<String> {
    let labels: Vec<(String, &str)> = labels
        .iter()
        .map(|(key, label)| (locale_key(key), label.trim()))
        .filter(|(_, label)| !label.is_empty())
        .collect();
    let exact = |wanted: &str| labels.iter().find(|(key, _)| key == wanted);
    let language = |wanted: &str| {
        let language = wanted.split('_').next().unwrap_or(wanted);
        labels
            .iter()
            .find(|(key, _)| key.split('_').next() == Some(language))
    };
    let wanted: Vec<String> = locales.iter().map(|l| locale_key(l)).collect();
    wanted
        .iter()
        .find_map(|locale| exact(locale).or_else(|| language(locale)))
        .or_else(|| exact("en_us"))
        .or_else(|| language("en"))
        .map(|(_, label)| (*label).to_owned())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserPresenceWire {
    presence_definition: Option<DefinitionRef>,
    modified_date: Option<String>,
    /// Presence events and `UserPresence` both carry `primary`; only the primary source's
    /// presence is the agent's.
    primary: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefinitionRef {
    id: Option<String>,
    system_presence: Option<String>,
}

impl UserPresenceWire {
    /// `None` when it names no definition, or is a non-primary source's presence.
    pub(super) fn into_report(self) -> Option<PresenceReport> {
        if self.primary == Some(false) {
            return None;
        }
        let definition = self.presence_definition?;
        let definition_id = definition.id.filter(|id| !id.trim().is_empty())?;
        Some(PresenceReport {
            definition_id,
            system: SystemPresence::parse(definition.system_presence.as_deref().unwrap_or("")),
            modified_ms: self.modified_date.as_deref().and_then(parse_iso_ms),
        })
    }
}

/// The PATCH answer and `GET .../presences/purecloud`: a `UserPresence`. `Ok(None)` when the
/// record is not the agent's primary presence (another source is primary): nothing to show
/// from it.
pub fn parse_user_presence(reply: &HttpReply) -> Result<Option<PresenceReport>, AuthError> {
    let wire: UserPresenceWire = parse_api_json(reply, Endpoint::Api, "presence")?;
    if wire.presence_definition.is_none() {
        return Err(AuthError::MalformedResponse {
            endpoint: Endpoint::Api,
            reason: "the presence names no presence definition".into(),
        });
    }
    Ok(wire.into_report())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoutingStatusWire {
    status: Option<String>,
    start_time: Option<String>,
}

/// `GET /api/v2/users/{id}/routingstatus`: `{userId, status, startTime}`.
pub fn parse_routing_status(reply: &HttpReply) -> Result<RoutingReport, AuthError> {
    let wire: RoutingStatusWire = parse_api_json(reply, Endpoint::Api, "routing status")?;
    routing_report(wire.status, wire.start_time).ok_or(AuthError::MalformedResponse {
        endpoint: Endpoint::Api,
        reason: "the routing status has no status".into(),
    })
}

pub(super) fn routing_report(
    status: Option<String>,
    start_time: Option<String>,
) -> Option<RoutingReport> {
    let status = status.filter(|s| !s.trim().is_empty())?;
    Some(RoutingReport {
        status: RoutingStatus::parse(&status),
        since_ms: start_time.as_deref().and_then(parse_iso_ms),
    })
}

#[cfg(test)]
mod tests;
