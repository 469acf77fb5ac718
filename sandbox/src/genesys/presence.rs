//! Presence definitions, a user's presence and routing status (AGENT-APIS.md §4):
//!
//! - GET /api/v2/presence/definitions (current: `systemPresence` "OnQueue", `type`)
//! - GET /api/v2/presencedefinitions (deprecated, paged: "On Queue", the shape of a
//!   captured payload in terraform-provider-genesyscloud)
//! - PATCH and GET /api/v2/users/{userId}/presences/{purecloud|PURECLOUD}
//! - GET /api/v2/users/{userId}/routingstatus
//!
//! Going On Queue is a presence change; the platform then sets the routing status
//! (IDLE on entering, OFF_QUEUE on leaving) and says so on `v2.users.{id}.routingStatus`.
//! The state lives in `notifications::Hub`, so that a change and its events are one step.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::authenticate;
use crate::controls::live::ON_QUEUE_PERMISSION;
use crate::controls::{Counter, Endpoint};
use crate::params::Params;
use crate::responses::{api_error, missing_permissions, Refusal};
use crate::users::{by_id, DIVISION_ID};
use crate::{faults, AppState};

/// One presence definition of the demo organization.
#[derive(Debug, PartialEq, Eq)]
pub struct PresenceDef {
    pub id: &'static str,
    /// The current endpoint's enum value ("OnQueue").
    pub system: &'static str,
    /// The deprecated endpoint's spelling ("On Queue"), also used in presences and events.
    pub legacy: &'static str,
    pub labels: &'static [(&'static str, &'static str)],
    /// System definitions are primary; an organization's own are `type: User`.
    pub primary: bool,
}

impl PresenceDef {
    pub fn is_on_queue(&self) -> bool {
        self.system == "OnQueue"
    }

    /// `{id, systemPresence, selfUri}` as in a UserPresence and in presence events.
    pub fn reference(&self) -> Value {
        json!({
            "id": self.id,
            "systemPresence": self.legacy,
            "selfUri": format!("/api/v2/presencedefinitions/{}", self.id),
        })
    }

    fn labels_json(&self) -> Value {
        self.labels
            .iter()
            .map(|(locale, label)| (locale.to_string(), json!(label)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

/// The system definitions' ids "are hardcoded into Genesys Cloud, can never change"
/// (react-app-with-genesys-cloud-sdk `genesysCloudUtils.tsx`); these are the captured ones.
pub const DEFINITIONS: &[PresenceDef] = &[
    PresenceDef {
        id: "6a3af858-942f-489d-9700-5f9bcdcdae9b",
        system: "Available",
        legacy: "Available",
        labels: &[("en_US", "Available"), ("de", "Verfügbar")],
        primary: true,
    },
    PresenceDef {
        id: "5e5c5c66-ea97-4e7f-ac41-6424784829f2",
        system: "Away",
        legacy: "Away",
        labels: &[("en_US", "Away"), ("de", "Abwesend")],
        primary: true,
    },
    PresenceDef {
        id: "227b37e2-f1d0-4dd0-8f50-badd7cf6d158",
        system: "Break",
        legacy: "Break",
        labels: &[("en_US", "Break"), ("de", "Pause")],
        primary: true,
    },
    PresenceDef {
        id: "31fe3bac-dea6-44b7-bed7-47f91660a1a0",
        system: "Busy",
        legacy: "Busy",
        labels: &[("en_US", "Busy"), ("de", "Beschäftigt")],
        primary: true,
    },
    PresenceDef {
        id: "7ffa01cd-7866-4ad7-8faa-31e11b42f51f",
        system: "Idle",
        legacy: "Idle",
        labels: &[("en_US", "Idle"), ("de", "Inaktiv")],
        primary: true,
    },
    PresenceDef {
        id: "3fd96123-badb-4f69-bc03-1b1ccc6d8014",
        system: "Meal",
        legacy: "Meal",
        labels: &[("en_US", "Meal"), ("de", "Essen")],
        primary: true,
    },
    PresenceDef {
        id: "bbdff279-7ae1-48ea-bade-7831d7234c64",
        system: "Meeting",
        legacy: "Meeting",
        labels: &[("en_US", "Meeting"), ("de", "Besprechung")],
        primary: true,
    },
    PresenceDef {
        id: "ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5",
        system: "Offline",
        legacy: "Offline",
        labels: &[("en_US", "Offline"), ("de", "Offline")],
        primary: true,
    },
    PresenceDef {
        id: "e08eaf1b-ee47-4fa9-a231-1200e284798f",
        system: "OnQueue",
        legacy: "On Queue",
        labels: &[("en_US", "On Queue"), ("de", "In Warteschlange")],
        primary: true,
    },
    PresenceDef {
        id: "d2390a99-8546-bad9-8f0a-219548e8aeb0",
        system: "Training",
        legacy: "Training",
        labels: &[("en_US", "Training"), ("de", "Schulung")],
        primary: true,
    },
    // The organization's own secondary presence (like the captured "Another Break Presence").
    PresenceDef {
        id: "4c1d9e27-8a3b-4f56-b2e0-7d9a6c5b3e18",
        system: "Busy",
        legacy: "Busy",
        labels: &[("en_US", "Coaching"), ("de", "Coaching")],
        primary: false,
    },
];

pub const AVAILABLE: &PresenceDef = &DEFINITIONS[0];
pub const ON_QUEUE: &PresenceDef = &DEFINITIONS[8];

pub fn by_definition_id(id: &str) -> Option<&'static PresenceDef> {
    DEFINITIONS.iter().find(|d| d.id == id)
}

/// A primary definition by system presence, in either spelling ("OnQueue", "On Queue"),
/// or any definition by id.
pub fn find(name: &str) -> Option<&'static PresenceDef> {
    by_definition_id(name).or_else(|| {
        DEFINITIONS.iter().find(|d| {
            d.primary
                && (d.system.eq_ignore_ascii_case(name) || d.legacy.eq_ignore_ascii_case(name))
        })
    })
}

/// The routing statuses of `UserRoutingStatusUserRoutingStatus` (JS SDK `index.d.ts`).
pub const ROUTING_STATUSES: &[&str] = &[
    "OFF_QUEUE",
    "IDLE",
    "INTERACTING",
    "NOT_RESPONDING",
    "COMMUNICATING",
];

fn bad_request(message: &str) -> Refusal {
    api_error(StatusCode::BAD_REQUEST, "bad.request", message).into()
}

/// `true`/`false` or absent; anything else is a 400.
fn bool_param(params: &Params, name: &str) -> Result<Option<bool>, Refusal> {
    match params.single(name) {
        Ok(None) => Ok(None),
        Ok(Some("true")) => Ok(Some(true)),
        Ok(Some("false")) => Ok(Some(false)),
        Ok(Some(v)) => Err(bad_request(&format!("Invalid value for {name}: {v}"))),
        Err(_) => Err(bad_request(&format!("{name} was given more than once"))),
    }
}

/// The live gates both definition listings pass first (failure rules, then the token),
/// then their query.
async fn definitions_query(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Params, Refusal> {
    faults::pass(state, &[Endpoint::Live]).await?;
    authenticate(state, headers)?;
    Ok(Params::from_query(uri.query()))
}

/// GET /api/v2/presence/definitions: every definition on one listing. `localeCode` and
/// `divisionId` are accepted and ignored (every label is returned); `deactivated=true`
/// lists the deactivated ones, of which the demo organization has none.
pub async fn definitions(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let params = definitions_query(&state, &headers, &uri).await?;
    let deactivated = bool_param(&params, "deactivated")?.unwrap_or(false);
    let entities: Vec<Value> = if deactivated {
        Vec::new()
    } else {
        DEFINITIONS
            .iter()
            .map(|d| {
                let mut entity = json!({
                    "id": d.id,
                    "name": d.labels[0].1,
                    "type": if d.primary { "System" } else { "User" },
                    "languageLabels": d.labels_json(),
                    "systemPresence": d.system,
                    "deactivated": false,
                    "selfUri": format!("/api/v2/presence/definitions/{}", d.id),
                });
                if !d.primary {
                    entity["divisionId"] = json!(DIVISION_ID);
                }
                entity
            })
            .collect()
    };
    Ok(Json(json!({
        "total": entities.len(),
        "entities": entities,
        "selfUri": "/api/v2/presence/definitions",
    }))
    .into_response())
}

/// GET /api/v2/presencedefinitions (deprecated): paged, `pageSize` 1 to 100 (default 25),
/// the captured entity shape (no `type`, no `name`).
pub async fn legacy_definitions(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let params = definitions_query(&state, &headers, &uri).await?;
    let number = |name: &str, default: usize, max: usize| -> Result<usize, Refusal> {
        match params.single(name) {
            Ok(None) => Ok(default),
            Ok(Some(v)) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(bad_request(&format!("Invalid value for {name}: {v}"))),
            },
            Err(_) => Err(bad_request(&format!("{name} was given more than once"))),
        }
    };
    let page_size = number("pageSize", 25, 100)?;
    let page_number = number("pageNumber", 1, 10_000)?;
    let deleted = bool_param(&params, "deleted")?.unwrap_or(false);
    let all: Vec<&PresenceDef> = if deleted {
        Vec::new()
    } else {
        DEFINITIONS.iter().collect()
    };
    let page_count = all.len().div_ceil(page_size);
    let entities: Vec<Value> = all
        .iter()
        .skip((page_number - 1) * page_size)
        .take(page_size)
        .map(|d| {
            json!({
                "id": d.id,
                "languageLabels": d.labels_json(),
                "systemPresence": d.legacy,
                "deactivated": false,
                "primary": d.primary,
            })
        })
        .collect();
    let page_uri =
        |n: usize| format!("/api/v2/presencedefinitions?pageSize={page_size}&pageNumber={n}");
    let mut body = json!({
        "entities": entities,
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": all.len(),
        "pageCount": page_count,
        "firstUri": page_uri(1),
        "selfUri": page_uri(page_number),
        "lastUri": page_uri(page_count.max(1)),
    });
    if page_number < page_count {
        body["nextUri"] = json!(page_uri(page_number + 1));
    }
    if page_number > 1 {
        body["previousUri"] = json!(page_uri(page_number - 1));
    }
    Ok(Json(body).into_response())
}

/// The path's user must be a demo user (404) and the token's own (403: setting someone
/// else's presence needs permissions the demo users do not have).
fn own_user(user_id: &str, token_user: &str) -> Result<(), Refusal> {
    if by_id(user_id).is_none() {
        return Err(api_error(StatusCode::NOT_FOUND, "not.found", "User not found").into());
    }
    if user_id != token_user {
        return Err(missing_permissions("user:presence:edit").into());
    }
    Ok(())
}

/// Only the Genesys Cloud source: `purecloud` or `PURECLOUD`, as the SDK and the blueprints
/// spell it.
fn purecloud_source(source: &str) -> Result<(), Refusal> {
    if source.eq_ignore_ascii_case("purecloud") {
        Ok(())
    } else {
        Err(api_error(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested resource was not found.",
        )
        .into())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresenceBody {
    presence_definition: Option<DefinitionRef>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct DefinitionRef {
    id: Option<String>,
}

/// PATCH /api/v2/users/{userId}/presences/purecloud `{"presenceDefinition":{"id":…}}`
/// (other fields, such as `primary` or a whole definition, are ignored). Answers the new
/// UserPresence after sending the events. Going On Queue without the permission is 403.
pub async fn patch(
    State(state): State<AppState>,
    Path((user_id, source)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    state.controls().count(Counter::PresencePatches);
    faults::pass(&state, &[Endpoint::Live]).await?;
    let grant = authenticate(&state, &headers)?;
    purecloud_source(&source)?;
    own_user(&user_id, &grant.user_id)?;
    let body: PresenceBody = serde_json::from_slice(&body)
        .map_err(|_| bad_request("The request body is not a valid presence."))?;
    let id = body
        .presence_definition
        .and_then(|d| d.id)
        .ok_or_else(|| bad_request("presenceDefinition.id is required."))?;
    let definition = by_definition_id(&id)
        .ok_or_else(|| bad_request(&format!("Invalid presence definition id: {id}")))?;
    if definition.is_on_queue() && !state.controls().live().may_go_on_queue(&user_id) {
        return Err(missing_permissions(ON_QUEUE_PERMISSION).into());
    }
    let presence = state.genesys_live.set_presence(
        &user_id,
        definition,
        body.message.unwrap_or_default(),
        std::time::SystemTime::now(),
    );
    Ok(Json(presence).into_response())
}

/// GET /api/v2/users/{userId}/presences/purecloud.
pub async fn get_presence(
    State(state): State<AppState>,
    Path((user_id, source)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    faults::pass(&state, &[Endpoint::Live]).await?;
    let grant = authenticate(&state, &headers)?;
    purecloud_source(&source)?;
    own_user(&user_id, &grant.user_id)?;
    Ok(Json(state.genesys_live.user_presence(&user_id)).into_response())
}

/// GET /api/v2/users/{userId}/routingstatus: `{userId, status, startTime}`; "OFF_QUEUE
/// will be returned if the specified user does not exist".
pub async fn routing_status(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    faults::pass(&state, &[Endpoint::Live]).await?;
    authenticate(&state, &headers)?;
    Ok(Json(state.genesys_live.routing_status(&user_id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_distinct_and_found_by_either_spelling() {
        let ids: std::collections::HashSet<_> = DEFINITIONS.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), DEFINITIONS.len());
        assert_eq!(find("On Queue"), Some(ON_QUEUE));
        assert_eq!(find("onqueue"), Some(ON_QUEUE));
        assert_eq!(find("available"), Some(AVAILABLE));
        assert_eq!(find(DEFINITIONS[10].id).unwrap().labels[0].1, "Coaching");
        // A secondary definition is found by id only.
        assert_eq!(
            find("Busy").unwrap().id,
            "31fe3bac-dea6-44b7-bed7-47f91660a1a0"
        );
        assert!(ON_QUEUE.is_on_queue() && !AVAILABLE.is_on_queue());
        assert_eq!(AVAILABLE.id, crate::users::AVAILABLE_PRESENCE_ID);
    }
}
