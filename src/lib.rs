//! pkce-desk: sign a contact-center agent in to Genesys Cloud, NICE CXone or any OpenID provider
//! with OAuth 2.1 + PKCE, from the browser alone.
//!
//! In the order of the flow: `config` -> `provider` (+ `discovery`) -> `pkce` + `authorize` ->
//! `callback` + `return_to` -> `token` (+ `id_token`) -> `schedule` -> `user`. Beside them:
//! `reply` (the one gate every HTTP reply passes), `secret` (one redacting type per credential),
//! `endpoint_url` (one type per endpoint URL), `error`, `query` and `text`. These are pure (no
//! web-sys) and tested natively. `browser` is the thin glue to the page, `store` the reactive
//! auth store, `api` the typed API calls made through it, `pages` the views and `app` the
//! router. (The list below is alphabetical.)

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
pub mod live;
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
