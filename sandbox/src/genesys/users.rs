//! GET /api/v2/users/me[?expand=presence,routingStatus,organization]

use std::collections::HashSet;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::auth::authenticate;
use crate::clock::iso8601;
use crate::controls::{Counter, Endpoint};
use crate::params::Params;
use crate::responses::{unauthorized, Refusal};
use crate::users::{by_id, organization_json, user_json, AVAILABLE_PRESENCE_ID};
use crate::{faults, AppState};

pub async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    state.controls().count(Counter::UsersMe);
    faults::pass(&state, &[Endpoint::UsersMe, Endpoint::Api]).await?;
    let grant = authenticate(&state, &headers)?;
    let user = by_id(&grant.user_id).ok_or_else(|| unauthorized("Invalid login credentials."))?;

    // Genesys accepts `expand=a,b` and repeated `expand=`; unknown names are ignored.
    let params = Params::from_query(uri.query());
    let expand: HashSet<&str> = params
        .all("expand")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();

    let mut body = user_json(user);
    let since = iso8601(state.started);
    if expand.contains("presence") {
        body["presence"] = json!({
            "source": "PURECLOUD",
            "primary": true,
            "presenceDefinition": { "id": AVAILABLE_PRESENCE_ID, "systemPresence": "Available" },
            "modifiedDate": since,
        });
    }
    if expand.contains("routingStatus") {
        body["routingStatus"] = json!({ "userId": user.id, "status": "IDLE", "startTime": since });
    }
    if expand.contains("organization") {
        body["organization"] = organization_json();
    }
    Ok(Json(body).into_response())
}
