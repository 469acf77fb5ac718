//! GET /api/v2/users/me[?expand=presence,routingStatus,organization]: presence and routing
//! status are the user's current ones (`notifications::Hub`).

use std::collections::HashSet;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::authenticate;
use crate::controls::{Counter, Endpoint};
use crate::params::Params;
use crate::responses::{unauthorized, Refusal};
use crate::users::{by_id, organization_json, user_json};
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
    // The current state, as presence changes and the test controls left it.
    let agent = state.genesys_live.agent_state(user.id);
    if expand.contains("presence") {
        body["presence"] = agent.me_presence_json();
    }
    if expand.contains("routingStatus") {
        body["routingStatus"] = agent.routing_json(user.id);
    }
    if expand.contains("organization") {
        body["organization"] = organization_json();
    }
    Ok(Json(body).into_response())
}
