//! Integration tests: the real server on a real database (SQLite by default; PostgreSQL when
//! `CAIRN_TEST_DATABASE_URL` is set), spoken to over HTTP.

mod auth;
mod bad_input;
mod connectors;
mod health;
mod helpdesk;
mod helpers;
mod identity;
mod isolation;
mod limits;
mod overlay;
mod roles;
mod tenancy;
mod tokens;
mod tours;
mod transfer;
mod users;
mod versions;
