//! (being written)

use crate::dispatch::Handler;

/// The handler of a command of this family, by lowercase name.
pub fn handler(_name: &str) -> Option<Handler> {
    None
}
