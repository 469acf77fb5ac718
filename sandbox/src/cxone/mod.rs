//! The NICE CXone flavor (`--flavor cxone`): the same store, users, pages,
//! CORS and test controls, behind CXone-shaped endpoints. An OpenID Connect
//! provider with its own issuer (`http://127.0.0.1:<port>`), discovery document,
//! HS256 ID tokens, userinfo, tenant lookup and user-management API.
//!
//! The Genesys paths (/oauth/*, /api/v2/*) are not routed in this flavor.

pub mod agents;
pub mod api;
pub mod authorize;
pub mod controls;
pub mod discovery;
pub mod logout;
pub mod sessions;
pub mod token;
pub mod users;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use rand::rngs::OsRng;
use rand::TryRngCore;
use serde_json::{json, Value};

use crate::auth::{check_bearer, BearerError};
use crate::config::SandboxConfig;
use crate::controls::{Endpoint, Fault, Mode};
use crate::pages::Brand;
use crate::responses::{no_store, oauth_error_status, Refusal};
use crate::store::{Grant, Store};
use crate::{faults, jwt, random, AppState};

pub use crate::users::{ORGANIZATION_NAME as TENANT_NAME, TENANT_ID};
pub const BUSINESS_UNIT_ID: u64 = 4600123;
pub const CLUSTER: &str = "B32";
pub const AREA: &str = "na1";
pub const DOMAIN: &str = "niceincontact.com";
pub const ACD_DOMAIN: &str = "nice-incontact.com";
/// RFC 8693's type for the access token in `issued_token_type`.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

pub const BRAND: Brand = Brand {
    product: "NICE CXone",
    action: "/auth/authorize",
};

/// The flavor's identity: its issuer and the per-process HS256 key that signs
/// its tokens. Built for either flavor (it costs nothing); only cxone uses it.
#[derive(Clone)]
pub struct Cxone {
    pub issuer: String,
    key: Vec<u8>,
}

impl Cxone {
    pub fn new(config: &SandboxConfig) -> Self {
        let key = config.signing_key.clone().unwrap_or_else(|| {
            let mut key = vec![0u8; 32];
            OsRng
                .try_fill_bytes(&mut key)
                .expect("operating system randomness is unavailable");
            key
        });
        let issuer = config
            .issuer
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}", config.port));
        Self { issuer, key }
    }

    /// `iss`/`ISS + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub fn sign(&self, claims: &Value) -> String {
        jwt::sign_hs256(claims, &self.key)
    }

    /// The claims of a token this server signed (any claims, even expired).
    pub fn verify(&self, token: &str) -> Option<Value> {
        jwt::verify_hs256(token, &self.key)
    }

    /// A JWT access token; the store keeps it like an opaque one.
    pub fn access_token(&self, grant: &Grant, lifetime: Duration) -> String {
        let iat = unix_now();
        self.sign(&json!({
            "iss": self.issuer,
            "sub": format!("user:{}", grant.user_id),
            "tenantId": TENANT_ID,
            "iat": iat,
            "exp": iat + lifetime.as_secs(),
            "jti": random::uuid_v4(),
        }))
    }

    /// The flavor's store: its access tokens are JWTs this key signs.
    pub fn store(&self) -> Store {
        let me = self.clone();
        Store::with_access_token_minter(Box::new(move |grant, lifetime| {
            me.access_token(grant, lifetime)
        }))
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The flavor's routes and its 404; `app` adds /health and the test controls.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/cxone-configuration",
            get(discovery::tenant_configuration),
        )
        .route(
            "/auth/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route("/auth/token", post(token::token))
        .route("/auth/userinfo", get(api::userinfo))
        .route("/auth/jwks", get(discovery::jwks))
        .route(
            "/auth/authorize/logout",
            get(logout::logout).post(logout::logout_form),
        )
        .route("/user-management/v1/users/{user_id}", get(api::user))
        .merge(acd_routes("/InContactAPI"))
        .merge(acd_routes("/inContactAPI"))
        .fallback(not_found)
}

/// The agent API under `{api_endpoint}{prefix}/services/{version}`: NICE's SDK spells the
/// prefix `/InContactAPI`, its docs `/inContactAPI` (AGENT-APIS.md §6).
fn acd_routes(prefix: &str) -> Router<AppState> {
    let base = format!("{prefix}/services/{{version}}");
    Router::new()
        .route(&format!("{base}/agent-sessions"), post(sessions::start))
        .route(
            &format!("{base}/agent-sessions/{{session_id}}"),
            delete(sessions::end),
        )
        .route(
            &format!("{base}/agent-sessions/{{session_id}}/get-next-event"),
            get(sessions::next_event),
        )
        .route(
            &format!("{base}/agent-sessions/{{session_id}}/state"),
            post(sessions::set_state),
        )
        .route(
            &format!("{base}/teams/{{team_id}}/unavailable-codes"),
            get(agents::unavailable_codes),
        )
        .route(
            &format!("{base}/agents/{{agent_id}}/skills"),
            get(agents::skills),
        )
        .route(
            &format!("{base}/agents/{{agent_id}}/states"),
            get(agents::states),
        )
}

/// CXone-style API error: `{"message": …, "statusCode": …}`.
pub fn api_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "message": message, "statusCode": status.as_u16() })),
    )
        .into_response()
}

/// 401 for a missing or dead bearer token, in the OAuth shape CXone uses (RFC 6750 3).
pub fn invalid_token(description: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "invalid_token", "error_description": description })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// A missing or dead token; becomes the 401 of `invalid_token`.
pub struct InvalidToken(&'static str);

impl IntoResponse for InvalidToken {
    fn into_response(self) -> Response {
        invalid_token(self.0)
    }
}

impl From<InvalidToken> for Refusal {
    fn from(rejection: InvalidToken) -> Self {
        rejection.into_response().into()
    }
}

/// The live grant behind the request's bearer token.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Grant, InvalidToken> {
    check_bearer(state, headers).map_err(|e| match e {
        BearerError::Missing => InvalidToken("No bearer token in the Authorization header."),
        BearerError::Dead => InvalidToken("The access token is invalid, expired or revoked."),
    })
}

/// CXone's token endpoint error: `errorDescription` in camel case, as CXone's
/// global-authentication OpenAPI types name it (PROVIDERS.md, second source check).
pub fn oauth_error(error: &str, description: &str) -> Response {
    no_store(
        oauth_error_status(error),
        Json(json!({ "error": error, "errorDescription": description })).into_response(),
    )
}

/// `faults::respond` with CXone's error shapes and token responses.
pub fn respond(state: &AppState, fault: &Fault) -> Option<Response> {
    let response = match fault.mode {
        Mode::InvalidGrant => oauth_error("invalid_grant", faults::INJECTED),
        Mode::InvalidClient => oauth_error("invalid_client", faults::INJECTED),
        Mode::OauthError => oauth_error(&fault.error, faults::INJECTED),
        Mode::Unauthorized => invalid_token("The access token is invalid, expired or revoked."),
        Mode::Forbidden => api_error(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        ),
        Mode::RateLimited => faults::with_retry_after(
            api_error(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many requests. Retry in {} seconds.", fault.retry_after),
            ),
            fault.retry_after,
        ),
        Mode::WrongContentType | Mode::Oversized | Mode::OversizedChunked | Mode::OversizedGzip => {
            return faults::token_body(fault.mode, fake_token_json(state))
        }
        Mode::EndlessChunked => faults::endless_chunked(),
        _ => return faults::respond(state, fault),
    };
    Some(response)
}

/// For endpoints without modes of their own: the injected response, or `None`
/// to handle the request normally.
pub async fn intercept(state: &AppState, endpoints: &[Endpoint]) -> Option<Response> {
    let fault = faults::triggered(state, endpoints, |_| true).await?;
    respond(state, &fault)
}

/// `intercept` for `?`: `Err` with the injected response.
pub async fn pass(state: &AppState, endpoints: &[Endpoint]) -> Result<(), Refusal> {
    intercept(state, endpoints)
        .await
        .map_or(Ok(()), |r| Err(r.into()))
}

/// A well-formed CXone token response whose tokens were never issued.
fn fake_token_json(state: &AppState) -> Value {
    let settings = state.controls().settings();
    let mut body = json!({
        "access_token": random::token(),
        "token_type": "Bearer",
        "expires_in": settings.access_token_lifetime.as_secs(),
        "id_token": format!("{}.{}.{}", random::token(), random::token(), random::token()),
        "issued_token_type": ACCESS_TOKEN_TYPE,
    });
    if settings.issues_refresh_tokens() {
        body["refresh_token"] = json!(random::token());
    }
    body
}

/// The fallback of the cxone flavor; an "api" rule covers unknown
/// /user-management paths too.
async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/user-management/")
        || path.to_ascii_lowercase().starts_with("/incontactapi/")
    {
        if let Some(response) = intercept(&state, &[Endpoint::Api]).await {
            return response;
        }
    }
    api_error(StatusCode::NOT_FOUND, "Not found")
}
