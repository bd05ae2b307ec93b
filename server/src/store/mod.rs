//! Storage: one module per table family. Every function that reads or writes tenant data takes the
//! organisation id and filters on it, so a foreign id behaves exactly like a missing one.

pub mod apps;
pub mod content;
pub mod events;
pub mod outbox;
pub mod reports;
pub mod rollups;
pub mod settings;
pub mod tickets;
pub mod tokens;
pub mod users;
