//! A WebSocket, reduced to what the live layer needs: open, text messages, close. No
//! decisions here: `crate::live::health` says when to open, ping and close.
//!
//! The Genesys notification socket takes no credentials other than the channel id in its
//! URL (the SDKs dial `connectUri` with no headers), so nothing is added to it; the URL is
//! never logged.

use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What a socket reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    Opened,
    /// A text frame (binary frames are not used by the service and are dropped).
    Message(String),
    /// Closed, by either side or by a network loss (an `error` is always followed by this).
    Closed,
}

/// An open (or opening) socket. Dropping it detaches its handlers and closes it: nothing is
/// reported after that.
pub struct Socket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `url`; `on_event` hears its open, messages and close. `None` when the browser
    /// refuses the URL at once (then nothing is reported; treat it as closed).
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Option<Self> {
        let socket = WebSocket::new(url).ok()?;
        let on_event = Rc::new(on_event);
        let opened = on_event.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_| opened(SocketEvent::Opened));
        let received = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                received(SocketEvent::Message(text));
            }
        });
        let closed = on_event;
        let on_close =
            Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| closed(SocketEvent::Closed));
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Some(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a text frame; `false` when the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        self.socket.ready_state() == WebSocket::OPEN && self.socket.send_with_str(text).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Handlers first: the closures are freed with `self`, and a late event must not call
        // into freed memory.
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// The browser's preferred languages, most preferred first (for presence labels).
pub fn preferred_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|value| value.as_string())
        .collect();
    if languages.is_empty() {
        languages.extend(navigator.language());
    }
    languages
}
