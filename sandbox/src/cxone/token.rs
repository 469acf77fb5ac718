//! POST /auth/token: the shared grants (see `oauth::token`:
//! PKCE, single-use codes, rotation and reuse detection) with CXone's
//! response: JWT access token, `token_type: "Bearer"`, an HS256 ID token and
//! `issued_token_type`.
//!
//! The ID token test controls (`id_token_*`, `no_id_token`) apply to the code
//! grant only: its response is a normal one, tokens stored and valid, but the
//! ID token is altered as named.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::users::{names, profile};
use super::{
    unix_now, Cxone, ACCESS_TOKEN_TYPE, BUSINESS_UNIT_ID, CLUSTER, DOMAIN, TENANT_ID, TENANT_NAME,
};
use crate::controls::{Mode, Settings};
use crate::faults;
use crate::oauth::token::{grant_route, run_grant};
use crate::params::{is_form_urlencoded, Params};
use crate::responses::no_store;
use crate::store::IssuedTokens;
use crate::users::by_id;
use crate::{random, AppState};

/// What `id_token_wrong_aud` puts in `aud`.
pub const WRONG_AUDIENCE: &str = "another-app@OtherVendor";
/// What `id_token_wrong_iss` puts in `iss`.
pub const WRONG_ISSUER: &str = "https://cxone.example.invalid";
/// How far in the past `id_token_expired` puts `exp` (and `iat` an hour before that).
pub const EXPIRED_BY: Duration = Duration::from_secs(3600);

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = is_form_urlencoded(&headers).then(|| Params::parse(&body));
    let grant_type = params.as_ref().map(|p| p.single("grant_type"));
    let code_grant = matches!(grant_type, Some(Ok(Some("authorization_code"))));

    // Counted and matched against failure rules before any validation.
    let (counter, endpoints) = grant_route(&grant_type);
    state.controls().count(counter);
    // Only a code grant can trigger an ID token rule; others leave it queued.
    let fault =
        faults::triggered(&state, endpoints, |mode| code_grant || !mode.is_id_token()).await;
    let mut defect = None;
    if let Some(fault) = &fault {
        if fault.mode.is_id_token() {
            defect = Some(fault.mode);
        } else if let Some(response) = super::respond(&state, fault) {
            return response;
        }
    }

    let (Some(params), Some(grant_type)) = (&params, grant_type) else {
        return super::oauth_error(
            "invalid_request",
            "The token request must be sent as application/x-www-form-urlencoded.",
        );
    };
    let settings = state.controls().settings();
    let tokens = match run_grant(&state, &settings, params, grant_type) {
        Ok(tokens) => tokens,
        Err(error) => return super::oauth_error(error.error, &error.description),
    };
    // Only the code grant's ID token carries the authorization request's nonce.
    let nonce = if code_grant {
        state.store().code_nonce(tokens.grant.family)
    } else {
        None
    };
    success(&state.cxone, &settings, tokens, nonce.as_deref(), defect)
}

fn success(
    cx: &Cxone,
    settings: &Settings,
    tokens: IssuedTokens,
    nonce: Option<&str>,
    defect: Option<Mode>,
) -> Response {
    let mut body = json!({
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": settings.access_token_lifetime.as_secs(),
        "issued_token_type": ACCESS_TOKEN_TYPE,
    });
    if let Some(refresh_token) = tokens.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    if defect != Some(Mode::NoIdToken) {
        let claims = id_token_claims(
            cx,
            &tokens.grant.client_id,
            &tokens.grant.user_id,
            settings.access_token_lifetime,
            nonce,
        );
        if let Some(claims) = claims {
            body["id_token"] = json!(id_token(cx, claims, defect));
        }
    }
    no_store(StatusCode::OK, Json(body).into_response())
}

/// The ID token's claims; `None` only if the user has vanished (it cannot).
pub fn id_token_claims(
    cx: &Cxone,
    client_id: &str,
    user_id: &str,
    lifetime: Duration,
    nonce: Option<&str>,
) -> Option<Value> {
    let user = by_id(user_id)?;
    let (given, family) = names(user);
    let iat = unix_now();
    let mut claims = json!({
        "iss": cx.issuer,
        "aud": client_id,
        "sub": format!("user:{}", user.id),
        "userId": user.id,
        "tenantId": TENANT_ID,
        "tenant": TENANT_NAME,
        "name": user.name,
        "given_name": given,
        "family_name": family,
        "icBUId": BUSINESS_UNIT_ID,
        "icClusterId": CLUSTER,
        "icDomain": DOMAIN,
        "icAgentId": profile(user).agent_id.to_string(),
        "iat": iat,
        "exp": iat + lifetime.as_secs(),
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    Some(claims)
}

/// Signs the claims, first altering them (or the result) as `defect` says.
fn id_token(cx: &Cxone, mut claims: Value, defect: Option<Mode>) -> String {
    match defect {
        // Present even if the app sent no nonce, as a replayed token would carry one.
        Some(Mode::IdTokenWrongNonce) => claims["nonce"] = json!(random::token()),
        Some(Mode::IdTokenWrongAud) => claims["aud"] = json!(WRONG_AUDIENCE),
        Some(Mode::IdTokenWrongIss) => claims["iss"] = json!(WRONG_ISSUER),
        Some(Mode::IdTokenExpired) => {
            let exp = unix_now().saturating_sub(EXPIRED_BY.as_secs());
            claims["exp"] = json!(exp);
            claims["iat"] = json!(exp.saturating_sub(EXPIRED_BY.as_secs()));
        }
        Some(Mode::IdTokenMalformed) => {
            // Header and payload, no signature: two parts instead of three.
            let token = cx.sign(&claims);
            let (unsigned, _) = token.rsplit_once('.').unwrap_or((&token, ""));
            return unsigned.to_string();
        }
        _ => {}
    }
    cx.sign(&claims)
}
