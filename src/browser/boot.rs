//! The loader's head start: `boot.js`, prepended to Trunk's wasm loader, has asked for
//! `/config.json` while the wasm was still downloading. This takes its answer, once.

use js_sys::futures::JsFuture;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// What the loader's request for config.json came to.
pub enum Prefetched {
    /// The server did not answer (network error).
    NoAnswer,
    /// An HTTP answer; `text` is `None` when its body could not be read.
    Reply { status: u16, text: Option<String> },
}

const KEY: &str = "__pkceDeskConfig";

/// The loader's answer, or `None` when there is none (no loader prelude, or already taken):
/// the caller then fetches the file itself.
pub async fn take_prefetched_config() -> Option<Prefetched> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(KEY);
    let promise: Promise = Reflect::get(&window, &key).ok()?.dyn_into().ok()?;
    // Taken once: any later load asks the server again.
    let _ = Reflect::delete_property(&window, &key);
    let answer = JsFuture::from(promise).await.ok()?;
    if answer.is_null() {
        return Some(Prefetched::NoAnswer);
    }
    let status = Reflect::get(&answer, &"status".into()).ok()?.as_f64()?;
    let text = Reflect::get(&answer, &"text".into()).ok()?.as_string();
    Some(Prefetched::Reply {
        status: status as u16,
        text,
    })
}
