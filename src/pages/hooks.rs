//! Hooks the pages share.

use crate::store::AuthStore;
use leptos::prelude::*;

/// The auth store `App` provides as context for every page.
pub fn use_auth() -> AuthStore {
    expect_context::<AuthStore>()
}
