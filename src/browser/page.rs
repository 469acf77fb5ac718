//! The address bar: where we are, and leaving for the provider.

use wasm_bindgen::JsValue;

fn window() -> web_sys::Window {
    web_sys::window().expect("pkce-desk runs in a browser window")
}

/// `https://desk.example` (no trailing slash).
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The current path, without query or fragment.
pub fn path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// The current query string, with its `?`.
pub fn query() -> String {
    window().location().search().unwrap_or_default()
}

/// Replaces the current history entry's URL with `path`, so the code and state never stay in
/// the address bar, the history, or a bookmark. Called before any `await` on the callback.
pub fn replace_url(path: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(path));
    }
}

/// Full navigation away from the app (to the provider's authorize or logout page).
pub fn leave_for(url: &str) {
    let _ = window().location().assign(url);
}
