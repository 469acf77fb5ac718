//! The live agent desktop's protocol, pure and tested natively: status that changes in real
//! time, and the controls that change it.
//!
//! - Genesys Cloud: [`notifications`] (channel, subscription, the socket's messages),
//!   [`presence`] (definitions, set and read presence and routing status), [`health`] (the
//!   socket's health: ping, reconnect, channel renewal, as a state machine) and [`status`]
//!   (only server-confirmed status is shown);
//! - NICE CXone: [`cxone`] (the agent session, long polling, agent state, unavailable codes);
//! - [`time`]: ISO-8601 timestamps.
//!
//! The browser glue (`crate::browser::socket`) and the reactive store (`crate::store::live`)
//! sit on top; they make no protocol decisions.

pub mod cxone;
pub mod health;
pub mod notifications;
pub mod presence;
pub mod status;
pub mod time;
