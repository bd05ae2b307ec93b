//! Integration tests: the real server on a real database (SQLite by default; PostgreSQL when
//! `CAIRN_TEST_DATABASE_URL` is set), spoken to over HTTP.

mod analytics;
mod auth;
mod author;
mod background;
mod bad_input;
mod connectors;
mod documents;
mod health;
mod helpdesk;
mod helpers;
mod hints;
mod identity;
mod isolation;
mod limits;
mod operations;
mod overlay;
mod preview;
mod roles;
mod scaleout;
mod tenancy;
mod tokens;
mod tours;
mod transfer;
mod translations;
mod users;
mod versions;
