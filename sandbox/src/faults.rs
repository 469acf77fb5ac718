//! Turns a triggered failure rule (see `controls`) into what the client sees,
//! and the layer that carries out `drop`.
//!
//! A rule's answer replaces the handler's: the request is not processed (no
//! code is consumed, no refresh token rotated), so a test can retry it.
//! `delay` is the exception: it only postpones normal handling.

use std::convert::Infallible;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::abort::AbortHandle;
use crate::controls::{Endpoint, Fault, Mode};
use crate::random;
use crate::responses::{api_error, no_store, oauth_error, unauthorized, Refusal};
use crate::AppState;

/// The `error_description` of injected OAuth errors, so nobody mistakes them for real ones.
pub const INJECTED: &str = "Injected by a sandbox test control.";
pub const HTML_502: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";
pub const MALFORMED_JSON: &str = "{\"access_token\": \"trunc";
/// Comfortably over the 100 KiB a client might cap token responses at.
pub const OVERSIZED_PADDING: usize = 128 * 1024;

/// Sent in pieces this big by `oversized_chunked`.
const CHUNK: usize = 8 * 1024;

tokio::task_local! {
    /// Milliseconds the current request's response is to be held (`hold_response`);
    /// set by `triggered`, carried out by `layer` once the handler has answered.
    static HELD_MS: Arc<AtomicU64>;
}

/// Marks a response that must never reach the client; `layer` aborts the
/// connection instead, and the log shows "dropped".
#[derive(Debug, Clone, Copy)]
pub struct Dropped;

/// Consumes the oldest rule for one of `endpoints` whose mode `applies`, and
/// waits out its delay before the caller answers.
pub async fn triggered(
    state: &AppState,
    endpoints: &[Endpoint],
    applies: impl Fn(Mode) -> bool,
) -> Option<Fault> {
    // The guard is a temporary: the lock is released before the sleep.
    let fault = state.controls().take(endpoints, applies)?;
    if fault.mode == Mode::HoldResponse {
        // Outside `layer` (no test controls) there is nothing to hold: rules cannot exist.
        let _ = HELD_MS.try_with(|held| {
            let ms = u64::try_from(fault.delay.as_millis()).unwrap_or(u64::MAX);
            held.store(ms, Ordering::Relaxed)
        });
        return Some(fault);
    }
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    Some(fault)
}

/// For endpoints without modes of their own: the injected response, or `None`
/// to handle the request normally (no rule, or `delay`).
pub async fn intercept(state: &AppState, endpoints: &[Endpoint]) -> Option<Response> {
    let fault = triggered(state, endpoints, |_| true).await?;
    respond(state, &fault)
}

/// `intercept` for `?`: `Err` with the injected response.
pub async fn pass(state: &AppState, endpoints: &[Endpoint]) -> Result<(), Refusal> {
    intercept(state, endpoints)
        .await
        .map_or(Ok(()), |r| Err(r.into()))
}

/// The response for a generic mode; `None` for `delay` (handle normally) and
/// for the authorization endpoint's own modes, which `authorize` answers itself.
pub fn respond(state: &AppState, fault: &Fault) -> Option<Response> {
    let response = match fault.mode {
        Mode::Delay
        | Mode::HoldResponse
        | Mode::RedirectError
        | Mode::WrongState
        | Mode::Iss => return None,
        // The cxone token endpoint answers these itself (a normal response, altered ID token).
        Mode::IdTokenWrongNonce
        | Mode::IdTokenWrongAud
        | Mode::IdTokenWrongIss
        | Mode::IdTokenExpired
        | Mode::IdTokenMalformed
        | Mode::NoIdToken => return None,
        Mode::Drop => dropped(),
        Mode::InvalidGrant => oauth_error("invalid_grant", INJECTED),
        Mode::InvalidClient => oauth_error("invalid_client", INJECTED),
        Mode::OauthError => oauth_error(&fault.error, INJECTED),
        Mode::Unauthorized => unauthorized("Invalid login credentials."),
        Mode::Forbidden => api_error(
            StatusCode::FORBIDDEN,
            "missing.any.permissions",
            "Unable to perform the requested action. You are missing the following permission(s): [sandbox:test:control]",
        ),
        Mode::RateLimited => {
            let message = format!(
                "Rate limit exceeded the maximum. Retry the request in [{}] seconds",
                fault.retry_after
            );
            let response = api_error(StatusCode::TOO_MANY_REQUESTS, "too.many.requests", &message);
            with_retry_after(response, fault.retry_after)
        }
        // What a proxy in front of the API says when the service behind it is down.
        Mode::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            HTML_502,
        )
            .into_response(),
        Mode::MalformedJson => no_store(
            StatusCode::OK,
            ([(header::CONTENT_TYPE, "application/json")], MALFORMED_JSON).into_response(),
        ),
        Mode::WrongContentType
        | Mode::Oversized
        | Mode::OversizedChunked
        | Mode::OversizedGzip => return token_body(fault.mode, fake_token_json(state)),
        Mode::EndlessChunked => endless_chunked(),
    };
    Some(response)
}

/// The modes that spoil a token response's body, with `token` (well-formed, its tokens
/// never issued) as that body; `None` for any other mode.
pub fn token_body(mode: Mode, token: Value) -> Option<Response> {
    let response = match mode {
        Mode::WrongContentType => no_store(
            StatusCode::OK,
            ([(header::CONTENT_TYPE, "text/plain")], token.to_string()).into_response(),
        ),
        Mode::Oversized => no_store(StatusCode::OK, Json(oversized(token)).into_response()),
        Mode::OversizedChunked => oversized_chunked(oversized(token)),
        Mode::OversizedGzip => oversized_gzip(oversized(token)),
        _ => return None,
    };
    Some(response)
}

/// `response` with `Retry-After: seconds` (a 429's).
pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// `body` plus a `"padding"` string that takes it over 100 KiB.
pub fn oversized(mut body: Value) -> Value {
    body["padding"] = json!("x".repeat(OVERSIZED_PADDING));
    body
}

/// 200 JSON sent in 8 KiB chunks with no Content-Length (HTTP/1.1 chunked transfer
/// encoding), so a client cannot refuse it by the header: it has to count as it reads.
pub fn oversized_chunked(body: Value) -> Response {
    let bytes = body.to_string().into_bytes();
    let chunks: Vec<Result<Bytes, Infallible>> = bytes
        .chunks(CHUNK)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    let response = (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response();
    no_store(StatusCode::OK, response)
}

/// Chunks `endless_chunked` sends at most (one every [`ENDLESS_CHUNK_INTERVAL`]: 30 s, 4.8 MB).
const ENDLESS_CHUNKS: u32 = 600;
const ENDLESS_CHUNK_INTERVAL: std::time::Duration = std::time::Duration::from_millis(50);

/// 200 JSON that does not end: the start of a token response, then 8 KiB chunks every 50 ms
/// for up to 30 s, no Content-Length. A client that reads a body whole before checking its
/// size waits until its own timeout; one that counts as it reads stops at its cap at once.
pub fn endless_chunked() -> Response {
    use futures_util::StreamExt;
    let opening = Bytes::from_static(b"{\"access_token\":\"");
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let rest = futures_util::stream::unfold(0u32, move |sent| {
        let filler = filler.clone();
        async move {
            if sent >= ENDLESS_CHUNKS {
                return None;
            }
            tokio::time::sleep(ENDLESS_CHUNK_INTERVAL).await;
            Some((Ok::<_, Infallible>(filler), sent + 1))
        }
    });
    let stream =
        futures_util::stream::once(async move { Ok::<_, Infallible>(opening) }).chain(rest);
    let response = (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response();
    no_store(StatusCode::OK, response)
}

/// 200 JSON gzip-compressed (`Content-Encoding: gzip`): a few hundred bytes on the wire,
/// Content-Length included, that a browser inflates to over 100 KiB before the app sees it.
pub fn oversized_gzip(body: Value) -> Response {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let compressed = encoder
        .write_all(body.to_string().as_bytes())
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    let response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        compressed,
    )
        .into_response();
    no_store(StatusCode::OK, response)
}

/// A well-formed token response whose tokens were never issued: the body is
/// right, only the way it is delivered is wrong.
fn fake_token_json(state: &AppState) -> Value {
    let settings = state.controls().settings();
    let mut body = json!({
        "access_token": random::token(),
        "token_type": "bearer",
        "expires_in": settings.access_token_lifetime.as_secs(),
    });
    if settings.issues_refresh_tokens() {
        body["refresh_token"] = json!(random::token());
    }
    body
}

/// Also what the client gets when the connection cannot be aborted (see `layer`).
fn dropped() -> Response {
    let mut response = StatusCode::OK.into_response();
    response.extensions_mut().insert(Dropped);
    response
}

/// Installed only with test controls, outside the CORS layer.
///
/// Carries out `drop`: aborts the connection, or, if the app is not served
/// through `abort::AbortableListener`, answers an empty 200 without any CORS
/// header, which a cross-origin fetch also reports as a network error.
///
/// Every response also gets `Connection: close`. Chrome silently resends a
/// request when a kept-alive connection it reused closes without a response,
/// so a dropped request would reach us again and succeed; on a fresh
/// connection the browser reports the failure instead.
pub async fn layer(request: Request, next: Next) -> Response {
    let abort = request
        .extensions()
        .get::<ConnectInfo<AbortHandle>>()
        .map(|ConnectInfo(handle)| handle.clone());
    let held = Arc::new(AtomicU64::new(0));
    let mut response = HELD_MS.scope(held.clone(), next.run(request)).await;
    let held_ms = held.load(Ordering::Relaxed);
    if held_ms > 0 {
        tokio::time::sleep(Duration::from_millis(held_ms)).await;
    }
    if response.extensions().get::<Dropped>().is_some() {
        match abort {
            Some(handle) => handle.abort(),
            None => response = dropped(),
        }
    }
    // A WebSocket handshake's `Connection: upgrade` must stay.
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
