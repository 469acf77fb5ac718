//! The OAuth protocol steps both flavors share; each flavor's handlers shape
//! the requests and responses around them.

pub mod authorize;
pub mod token;
