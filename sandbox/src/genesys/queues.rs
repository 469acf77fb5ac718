//! GET /api/v2/routing/queues/me: the queues the signed-in user is a member of, as one
//! Genesys-shaped page. The app's dashboard calls it as its worked example of an API call.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::authenticate;
use crate::controls::Endpoint;
use crate::responses::{unauthorized, Refusal};
use crate::users::by_id;
use crate::{faults, AppState};

/// One routing queue a demo user belongs to.
pub struct DemoQueue {
    pub id: &'static str,
    pub name: &'static str,
    pub member_count: u32,
}

/// The queues of each demo user, by user id (see `users::DEMO_USERS`).
pub const DEMO_QUEUES: &[(&str, &[DemoQueue])] = &[
    (
        "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada",
        &[
            DemoQueue {
                id: "0c7a51d2-3b64-4e8f-a9d1-6b2e4f8c1a01",
                name: "Customer Care",
                member_count: 24,
            },
            DemoQueue {
                id: "3e9b72f4-5d86-4a1c-8e2b-7c4d6a9f2b02",
                name: "Billing",
                member_count: 11,
            },
            DemoQueue {
                id: "6a1c93b5-7e28-4c3d-9f4a-8e6b2c1d3c03",
                name: "Returns and Refunds",
                member_count: 7,
            },
        ],
    ),
    (
        "8e4b2d7a-1c6f-4e3b-b5a9-3f2c7d9e0ace",
        &[
            DemoQueue {
                id: "9d2e14c6-8f3a-4b5e-a1c7-9d8e3f2a4d04",
                name: "Technical Support",
                member_count: 18,
            },
            DemoQueue {
                id: "b4f365d7-a94b-4c6f-b2d8-a1f9e4b3c5e5",
                name: "Escalations",
                member_count: 5,
            },
        ],
    ),
];

pub fn queues_of(user_id: &str) -> &'static [DemoQueue] {
    DEMO_QUEUES
        .iter()
        .find(|(id, _)| *id == user_id)
        .map(|(_, queues)| *queues)
        .unwrap_or(&[])
}

/// The page Genesys Cloud answers: every queue on page 1 (the demo users have few).
pub fn queues_page(queues: &[DemoQueue]) -> Value {
    let entities: Vec<Value> = queues
        .iter()
        .map(|queue| {
            json!({
                "id": queue.id,
                "name": queue.name,
                "joined": true,
                "memberCount": queue.member_count,
                "selfUri": format!("/api/v2/routing/queues/{}", queue.id),
            })
        })
        .collect();
    json!({
        "entities": entities,
        "pageSize": 25,
        "pageNumber": 1,
        "total": queues.len(),
        "pageCount": 1,
    })
}

/// Bearer-protected like /api/v2/users/me; failure rules for `api` apply. Not counted in
/// the stats (they have no counter for it).
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Refusal> {
    faults::pass(&state, &[Endpoint::Api]).await?;
    let grant = authenticate(&state, &headers)?;
    let user = by_id(&grant.user_id).ok_or_else(|| unauthorized("Invalid login credentials."))?;
    Ok(Json(queues_page(queues_of(user.id))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::DEMO_USERS;

    #[test]
    fn every_demo_user_has_a_few_queues() {
        for user in DEMO_USERS {
            let queues = queues_of(user.id);
            assert!((2..=3).contains(&queues.len()), "{}", user.username);
        }
        assert!(queues_of("someone-else").is_empty());
    }

    #[test]
    fn page_is_genesys_shaped() {
        let page = queues_page(queues_of(DEMO_USERS[1].id));
        assert_eq!(page["total"], 2);
        assert_eq!(page["pageCount"], 1);
        assert_eq!(page["entities"][0]["name"], "Technical Support");
        assert_eq!(page["entities"][0]["joined"], true);
        assert_eq!(
            page["entities"][1]["selfUri"],
            "/api/v2/routing/queues/b4f365d7-a94b-4c6f-b2d8-a1f9e4b3c5e5"
        );
    }
}
