//! One module per endpoint.

pub mod authorize;
pub mod controls;
pub mod logout;
pub mod misc;
pub mod queues;
pub mod token;
pub mod tokens;
pub mod users;
