//! The worked example of a typed API call: the routing queues the agent is a member of,
//! from Genesys Cloud's `GET /api/v2/routing/queues/me`. The dashboard's "My queues" panel
//! shows them.
//!
//! To add your own call, copy this file and change the three parts:
//! 1. the types the views use (`Queue`, `MyQueues`), which hold only what the UI needs;
//! 2. a pure `parse_*` function from the HTTP reply to those types: status, content type,
//!    size and shape are checked here, and it is unit-tested below without a browser;
//! 3. an async `fetch_*` function that sends the request through `AuthStore::api_get`.
//!    Never call `fetch` yourself: the helper brings a valid token, renews it once on a 401
//!    (a second 401 ends the session), and waits out a short `Retry-After` on a 429.
//!
//! The OAuth client needs the scope the endpoint asks for (here `routing:readonly` or
//! `routing`); without it Genesys Cloud answers 403, which `ErrorPanel` explains.

use crate::api::parse_api_json;
use crate::config::ProviderConfig;
use crate::error::{AuthError, Endpoint};
use crate::reply::HttpReply;
use crate::store::AuthStore;
use serde::Deserialize;

/// The endpoint, relative to the provider's API base.
pub const MY_QUEUES_PATH: &str = "/api/v2/routing/queues/me";
/// Genesys Cloud pages its lists; one page of this size is plenty for an agent's queues.
pub const PAGE_SIZE: u32 = 25;

/// One queue, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub id: String,
    pub name: String,
    /// Whether the agent has joined the queue (is taking its interactions).
    pub joined: bool,
    pub member_count: Option<u32>,
}

/// The first page of the agent's queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyQueues {
    pub queues: Vec<Queue>,
    /// How many queues there are in all (more than `queues.len()` when there are more pages).
    pub total: usize,
}

// The wire format: Genesys Cloud's paged entity listing. Unknown fields are ignored, so the
// API can grow without breaking the app.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueuePage {
    #[serde(default)]
    entities: Vec<QueueEntity>,
    total: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueEntity {
    id: String,
    name: Option<String>,
    joined: Option<bool>,
    member_count: Option<u32>,
}

/// The URL of the first page of the agent's queues.
pub fn my_queues_url(api_base: &str) -> String {
    format!(
        "{}{MY_QUEUES_PATH}?pageSize={PAGE_SIZE}&pageNumber=1",
        api_base.trim_end_matches('/')
    )
}

/// Whether the provider has this API (Genesys Cloud only; CXone and generic OpenID providers
/// have no routing queues of this shape). The view shows a note instead of calling.
pub fn offered_by(provider: &ProviderConfig) -> bool {
    provider.kind.rules().offers_routing_queues()
}

/// `GET /api/v2/routing/queues/me`, checked and typed.
pub fn parse_my_queues(reply: &HttpReply) -> Result<MyQueues, AuthError> {
    // Size, status (403, 429, 5xx... typed, with the API's message), content type and JSON.
    let page: QueuePage = parse_api_json(reply, Endpoint::Api, "queue list")?;
    let queues: Vec<Queue> = page
        .entities
        .into_iter()
        .map(|entity| Queue {
            name: entity
                .name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| entity.id.clone()),
            id: entity.id,
            joined: entity.joined.unwrap_or(false),
            member_count: entity.member_count,
        })
        .collect();
    let total = page.total.unwrap_or(queues.len()).max(queues.len());
    Ok(MyQueues { queues, total })
}

/// Loads the agent's queues through the auth store's API helper, from the API of the server
/// the session's tokens came from (`session.endpoints.api_base`: the region's API host for
/// Genesys Cloud, the tenant's API for CXone).
pub async fn fetch_my_queues(store: &AuthStore) -> Result<MyQueues, AuthError> {
    let session = store.session().ok_or(AuthError::SessionExpired)?;
    let url = my_queues_url(&session.endpoints.api_base);
    let reply = store.api_get(&url, Endpoint::Api).await?;
    parse_my_queues(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::MAX_RESPONSE_BYTES;

    fn reply(status: u16, content_type: &str, body: &str) -> HttpReply {
        HttpReply {
            status,
            content_type: Some(content_type.into()),
            retry_after: None,
            body: body.into(),
        }
    }

    fn json(status: u16, body: &str) -> HttpReply {
        reply(status, "application/json", body)
    }

    #[test]
    fn url_is_the_first_page_under_the_api_base() {
        assert_eq!(
            my_queues_url("https://api.mypurecloud.ie/"),
            "https://api.mypurecloud.ie/api/v2/routing/queues/me?pageSize=25&pageNumber=1"
        );
    }

    #[test]
    fn reads_a_genesys_page() {
        let queues = parse_my_queues(&json(
            200,
            r#"{"entities":[
                {"id":"q1","name":"Customer Care","joined":true,"memberCount":24,
                "selfUri":"/api/v2/routing/queues/q1"},
                {"id":"q2","name":"Billing","joined":false,"memberCount":11,"division":{"id":"d"}}],
              "pageSize":25,"pageNumber":1,"total":2,"pageCount":1}"#,
        ))
        .unwrap();
        assert_eq!(queues.total, 2);
        assert_eq!(
            queues.queues[0],
            Queue {
                id: "q1".into(),
                name: "Customer Care".into(),
                joined: true,
                member_count: Some(24),
            }
        );
        assert!(!queues.queues[1].joined);
    }

    #[test]
    fn tolerates_missing_optional_fields() {
        let queues =
            parse_my_queues(&json(200, r#"{"entities":[{"id":"q1","name":" "}]}"#)).unwrap();
        assert_eq!(queues.total, 1);
        assert_eq!(queues.queues[0].name, "q1");
        assert_eq!(queues.queues[0].member_count, None);
        assert!(!queues.queues[0].joined);
        assert_eq!(
            parse_my_queues(&json(200, "{}")).unwrap(),
            MyQueues {
                queues: vec![],
                total: 0
            }
        );
    }

    #[test]
    fn more_pages_show_in_the_total() {
        let queues = parse_my_queues(&json(
            200,
            r#"{"entities":[{"id":"q1","name":"A"}],"total":40,"pageCount":2}"#,
        ))
        .unwrap();
        assert_eq!((queues.queues.len(), queues.total), (1, 40));
    }

    #[test]
    fn failures_are_typed() {
        assert_eq!(
            parse_my_queues(&json(
                403,
                r#"{"message":"Missing permission routing:queue:view","code":"missing.permissions",
                    "status":403}"#
            ))
            .unwrap_err(),
            AuthError::Forbidden {
                message: Some("Missing permission routing:queue:view".into())
            }
        );
        assert!(matches!(
            parse_my_queues(&reply(502, "text/html", "<html>")),
            Err(AuthError::ApiFailed { status: 502, .. })
        ));
        assert!(matches!(
            parse_my_queues(&reply(200, "text/html", "<html>")),
            Err(AuthError::UnexpectedResponse { .. })
        ));
        assert!(matches!(
            parse_my_queues(&json(200, r#"{"entities":[{"name":"no id"}]}"#)),
            Err(AuthError::MalformedResponse { .. })
        ));
        let huge = json(200, &" ".repeat(MAX_RESPONSE_BYTES + 1));
        assert!(matches!(
            parse_my_queues(&huge),
            Err(AuthError::ResponseTooLarge { .. })
        ));
    }

    #[test]
    fn only_genesys_offers_routing_queues() {
        let config = crate::config::parse_config(
            r#"{"providers":[
                {"id":"g","label":"G","kind":"genesys","region":"mypurecloud.com","client_id":"c"},
                {"id":"c","label":"C","kind":"cxone","issuer":"https://cxone.niceincontact.com",
                    "client_id":"c"},
                {"id":"o","label":"O","kind":"oidc","issuer":"https://o.example","client_id":"c",
                    "scopes":["openid"]}]}"#,
        )
        .unwrap();
        let offered: Vec<bool> = config.providers.iter().map(offered_by).collect();
        assert_eq!(offered, [true, false, false]);
    }
}
