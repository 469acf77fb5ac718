//! pkce-desk: sign a contact-center agent in to Genesys Cloud with OAuth 2.1 + PKCE, from the
//! browser alone.
//!
//! The modules read as the flow: `config` -> `provider` (+ `discovery`) -> `pkce` + `authorize`
//! -> `callback` -> `token` (+ `id_token`) -> `schedule` -> `user`. They are pure (no web-sys) and tested natively.
//! Beside them: `reply` (the one gate every HTTP reply passes), `secret` (one redacting type
//! per credential) and `endpoint_url` (one type per endpoint URL).
//! `browser` is the thin glue to the page, `store` the reactive auth store, `api` the typed
//! API calls made through it, `pages` the views.

pub mod api;
pub mod app;
pub mod authorize;
pub mod browser;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod endpoint_url;
pub mod error;
pub mod id_token;
pub mod pages;
pub mod pkce;
pub mod provider;
pub mod query;
pub mod reply;
pub mod return_to;
pub mod schedule;
pub mod secret;
pub mod store;
pub mod text;
pub mod token;
pub mod user;
