//! An exclusive Web Lock (`navigator.locks.request`) shared by every tab of the origin, so
//! that tabs sharing one refresh token never refresh at the same time (rotating refresh
//! tokens would trip the provider's reuse detection and end the whole session).
//!
//! `LockManager` is still "unstable" in web-sys, so it is reached through `Reflect`. Where the
//! browser has no Web Locks, the work runs unguarded. If a tab closes while holding the lock,
//! the browser releases it.

use futures_channel::oneshot;
use js_sys::{futures::future_to_promise, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// How long the lock stays held after the work is done. The work writes localStorage, and
/// another tab's copy of it is updated asynchronously (in Chromium, by a message that is not
/// ordered with the lock's grant): released at once, the next holder could still read the old
/// session and spend a refresh token that was just rotated away, which the provider takes for
/// token theft. This tab does not wait for it.
const LINGER_MS: u32 = 250;

/// Runs `work` while holding the exclusive lock `name` (and [`LINGER_MS`] after).
pub async fn with_exclusive_lock<T, Fut>(name: &str, work: impl FnOnce() -> Fut) -> T
where
    Fut: Future<Output = T>,
{
    let Some((acquired, release)) = request(name) else {
        return work().await;
    };
    if acquired.await.is_err() {
        // The lock request failed (for instance, the document is going away): nothing to
        // serialise against any more.
        return work().await;
    }
    let result = work().await;
    leptos::task::spawn_local(async move {
        crate::browser::sleep(LINGER_MS).await;
        let _ = release.send(());
    });
    result
}

/// Asks for the lock. Returns a receiver that fires once it is held and a sender that releases it.
fn request(name: &str) -> Option<(oneshot::Receiver<()>, oneshot::Sender<()>)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|v| !v.is_undefined())?;
    let request: Function = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;

    let (acquired_tx, acquired_rx) = oneshot::channel::<()>();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    // Shared by the grant callback and the rejection handler: whichever runs first takes it.
    // A request the browser rejects (an opaque origin, a document going away) drops it, so the
    // waiting side hears "failed" instead of waiting forever.
    let acquired_tx = Rc::new(RefCell::new(Some(acquired_tx)));
    let on_rejected = {
        let acquired_tx = Rc::clone(&acquired_tx);
        Closure::<dyn FnMut(JsValue)>::new(move |_error: JsValue| {
            acquired_tx.borrow_mut().take();
        })
    };
    // Called by the browser once the lock is ours; the lock is held until the promise it
    // returns settles, which happens when `release_tx` is used or dropped.
    let on_granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        if let Some(sender) = acquired_tx.borrow_mut().take() {
            let _ = sender.send(());
        }
        future_to_promise(async move {
            let _ = release_rx.await;
            Ok(JsValue::UNDEFINED)
        })
        .into()
    });
    let options = Object::new();
    Reflect::set(&options, &"mode".into(), &"exclusive".into()).ok()?;
    let granted: Promise = request
        .call3(&locks, &name.into(), &options, &on_granted)
        .ok()?
        .dyn_into()
        .ok()?;
    let _ = granted.catch(&on_rejected);
    // The browser calls it at most once, whenever the request settles.
    on_rejected.forget();
    Some((acquired_rx, release_tx))
}
