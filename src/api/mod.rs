//! Typed calls to the provider's API, one file per call (or family of calls).
//!
//! `queues` is the worked example: copy it to add your own. Each file has the same three
//! parts: the types the views use, a pure `parse_*` function (unit-tested natively, no
//! browser needed), and an async `fetch_*` function that sends the request through the auth
//! store's `api_get`, which brings a valid token, renews it once on a 401, and waits out a
//! short `Retry-After`. Views call `fetch_*` from a `LocalResource` and render its error
//! with `ErrorPanel`.

pub mod queues;
