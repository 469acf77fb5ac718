//! `fetch` for the three kinds of request the app makes. Every request omits cookies and the
//! Referer, bypasses caches, and gives up after a timeout; bodies are size-capped while read.

use crate::error::{AuthError, Endpoint};
use crate::reply::{HttpReply, MAX_RESPONSE_BYTES};
use crate::secret::{AccessToken, Secret};
use gloo_net::http::{Request, RequestBuilder};
use js_sys::futures::JsFuture;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamDefaultReader, ReferrerPolicy,
    RequestCache, RequestCredentials, RequestInit,
};

const TIMEOUT_MS: u32 = 20_000;

/// `POST` an `application/x-www-form-urlencoded` body (token and refresh requests).
pub async fn post_form(
    url: &str,
    body: &Secret,
    endpoint: Endpoint,
) -> Result<HttpReply, AuthError> {
    let request = hardened(Request::post(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body.expose())
        .map_err(|_| AuthError::Network { endpoint })?;
    send(request, endpoint).await
}

/// `GET` without credentials (discovery documents, CXone's tenant lookup).
pub async fn get(url: &str, endpoint: Endpoint) -> Result<HttpReply, AuthError> {
    let request = hardened(Request::get(url))
        .header("Accept", "application/json")
        .build()
        .map_err(|_| AuthError::Network { endpoint })?;
    send(request, endpoint).await
}

/// `GET` with a bearer token (RFC 6750 section 2.1: in the header, never in the URL).
pub async fn get_with_bearer(
    url: &str,
    token: &AccessToken,
    endpoint: Endpoint,
) -> Result<HttpReply, AuthError> {
    let request = bearer(Request::get(url), token)
        .build()
        .map_err(|_| AuthError::Network { endpoint })?;
    send(request, endpoint).await
}

/// The methods of the agent APIs' writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

/// Any method with a bearer token and an optional JSON body (the live layer's writes: channel
/// and subscription, presence, CXone's agent session).
pub async fn send_with_bearer(
    method: Method,
    url: &str,
    token: &AccessToken,
    json_body: Option<&str>,
    endpoint: Endpoint,
) -> Result<HttpReply, AuthError> {
    let builder = match method {
        Method::Get => Request::get(url),
        Method::Post => Request::post(url),
        Method::Patch => Request::patch(url),
        Method::Delete => Request::delete(url),
    };
    let builder = bearer(builder, token);
    let request = match json_body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
        None => builder.build(),
    }
    .map_err(|_| AuthError::Network { endpoint })?;
    send(request, endpoint).await
}

/// `DELETE` with a bearer token (Genesys Cloud's token revocation).
pub async fn delete_with_bearer(
    url: &str,
    token: &AccessToken,
    endpoint: Endpoint,
) -> Result<HttpReply, AuthError> {
    let request = bearer(Request::delete(url), token)
        .build()
        .map_err(|_| AuthError::Network { endpoint })?;
    send(request, endpoint).await
}

/// A request that outlives the page (`keepalive`): a last request that must reach the server
/// even if the page goes away meanwhile (sent from `pagehide`, or at sign-out). Its answer
/// is not read; the future says whether one came (false: refused, e.g. by a browser that
/// does not send keepalive requests needing a CORS preflight, failed, or timed out). The
/// browser caps such bodies (64 KiB in flight).
pub fn send_keepalive(
    method: Method,
    url: &str,
    token: &AccessToken,
    json_body: Option<&str>,
) -> impl std::future::Future<Output = bool> {
    let sent = keepalive_fetch(method, url, token, json_body);
    async move {
        match sent {
            Some(promise) => JsFuture::from(promise).await.is_ok(),
            None => false,
        }
    }
}

fn keepalive_fetch(
    method: Method,
    url: &str,
    token: &AccessToken,
    json_body: Option<&str>,
) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let headers = Headers::new().ok()?;
    let authorization = format!("Bearer {}", token.expose());
    let _ = headers.set("Authorization", &authorization);
    let _ = headers.set("Accept", "application/json");
    let init = RequestInit::new();
    init.set_method(match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    });
    if let Some(body) = json_body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    // Not in web-sys' RequestInit (its WebIDL comes from Firefox): set it as a property.
    let _ = Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    Some(window.fetch_with_str_and_init(url, &init))
}

fn bearer(builder: RequestBuilder, token: &AccessToken) -> RequestBuilder {
    hardened(builder)
        .header("Authorization", &format!("Bearer {}", token.expose()))
        .header("Accept", "application/json")
}

fn hardened(builder: RequestBuilder) -> RequestBuilder {
    let signal = AbortSignal::timeout_with_u32(TIMEOUT_MS);
    builder
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .referrer_policy(ReferrerPolicy::NoReferrer)
        .abort_signal(Some(&signal))
}

async fn send(request: Request, endpoint: Endpoint) -> Result<HttpReply, AuthError> {
    // The browser's error text says nothing useful and the URL is already known: map it to the
    // endpoint so the message names what was unreachable.
    let response = request
        .send()
        .await
        .map_err(|_| AuthError::Network { endpoint })?;
    let too_large = AuthError::ResponseTooLarge {
        endpoint,
        limit: MAX_RESPONSE_BYTES,
    };
    let headers = response.headers();
    let declared_length = headers
        .get("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > MAX_RESPONSE_BYTES) {
        return Err(too_large);
    }
    // Content-Length is absent from chunked replies and counts compressed bytes: the cap is
    // enforced while reading.
    let bytes = match response.body() {
        Some(stream) => read_capped(&stream, MAX_RESPONSE_BYTES)
            .await
            .map_err(|error| error.unwrap_or(AuthError::Network { endpoint }))?
            .ok_or(too_large)?,
        None => Vec::new(),
    };
    Ok(HttpReply {
        status: response.status(),
        content_type: headers.get("content-type"),
        retry_after: headers.get("retry-after"),
        // JSON is UTF-8 (RFC 8259): a body that is not is refused, never silently mended.
        body: String::from_utf8(bytes).map_err(|_| AuthError::MalformedResponse {
            endpoint,
            reason: "the body is not UTF-8 text".into(),
        })?,
    })
}

/// Reads `stream` to its end, or stops (and cancels it) once it passes `limit` bytes:
/// `Ok(None)` then. `Err(None)` is a read that failed midway.
async fn read_capped(
    stream: &ReadableStream,
    limit: usize,
) -> Result<Option<Vec<u8>>, Option<AuthError>> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| None)?;
        let done = Reflect::get(&chunk, &"done".into()).map_err(|_| None)?;
        if done.is_truthy() {
            return Ok(Some(bytes));
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|_| None)?;
        let data: Uint8Array = value.dyn_into().map_err(|_| None)?;
        if bytes.len() + data.length() as usize > limit {
            let _ = reader.cancel();
            return Ok(None);
        }
        bytes.extend_from_slice(&data.to_vec());
    }
}
