//! pkce-desk: sign a contact-center agent in to Genesys Cloud with OAuth 2.1 + PKCE, from the
//! browser alone.
//!
//! The modules read as the flow: `config` -> `provider` -> `pkce` + `authorize` -> `callback`
//! -> `token` -> `schedule` -> `user`. They are pure (no web-sys) and tested natively.
//! `browser` is the thin glue to the page, `store` the reactive auth store, `pages` the views.

pub mod app;
pub mod authorize;
pub mod browser;
pub mod callback;
pub mod config;
pub mod error;
pub mod pages;
pub mod pkce;
pub mod provider;
pub mod query;
pub mod return_to;
pub mod schedule;
pub mod secret;
pub mod store;
pub mod token;
pub mod user;
