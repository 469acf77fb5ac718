//! GET /.well-known/openid-configuration, /auth/jwks and
//! /.well-known/cxone-configuration (the tenant lookup).

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{api_error, Cxone, ACD_DOMAIN, AREA, CLUSTER, DOMAIN, TENANT_ID};
use crate::controls::Counter;
use crate::params::Params;
use crate::responses::no_store;
use crate::AppState;

/// The discovery document, with the fields and paths of CXone's published one (see
/// tests/fixtures/cxone/openid-configuration.json), but HS256. No
/// revocation_endpoint and no authorization_response_iss_parameter_supported:
/// CXone has neither (the authorization response still carries `iss`).
pub fn document(cx: &Cxone) -> Value {
    json!({
        "issuer": cx.issuer,
        "authorization_endpoint": cx.url("/auth/authorize"),
        "token_endpoint": cx.url("/auth/token"),
        "userinfo_endpoint": cx.url("/auth/userinfo"),
        "jwks_uri": cx.url("/auth/jwks"),
        "end_session_endpoint": cx.url("/auth/authorize/logout"),
        "scopes_supported": ["openid"],
        "response_types_supported": ["code"],
        "display_values_supported": ["page", "popup"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["HS256"],
    })
}

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    state.controls().count(Counter::Discovery);
    no_store(StatusCode::OK, Json(document(&state.cxone)).into_response())
}

/// The HS256 key is a per-process secret shared with nobody, so nothing is published.
pub async fn jwks() -> Response {
    no_store(StatusCode::OK, Json(json!({ "keys": [] })).into_response())
}

/// Where a tenant's UI, auth server and API live; all three are this server.
pub async fn tenant_configuration(State(state): State<AppState>, uri: Uri) -> Response {
    state.controls().count(Counter::TenantConfig);
    let params = Params::from_query(uri.query());
    let tenant_id = match params.single("tenantId") {
        Ok(Some(id)) => id,
        Ok(None) => return api_error(StatusCode::BAD_REQUEST, "tenantId is required"),
        Err(_) => return api_error(StatusCode::BAD_REQUEST, "tenantId was given more than once"),
    };
    if tenant_id != TENANT_ID {
        return api_error(StatusCode::NOT_FOUND, "Tenant not found");
    }
    let iss = &state.cxone.issuer;
    let body = json!({
        "private": false,
        "area": AREA,
        "cluster": CLUSTER,
        "domain": DOMAIN,
        "acdDomain": ACD_DOMAIN,
        "uhDomain": ACD_DOMAIN,
        "ui_endpoint": iss,
        "auth_endpoint": iss,
        "api_endpoint": iss,
        "tenantId": tenant_id,
    });
    no_store(StatusCode::OK, Json(body).into_response())
}
