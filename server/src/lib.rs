//! cairn-server: the `cairn` binary's library. See ARCHITECTURE.md for the map.

pub mod analytics_jobs;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod identity;
pub mod ingest;
pub mod integrations;
pub mod metrics;
pub mod rate_limit;
pub mod roles;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod signed;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod testing;
pub mod transfer;
pub mod web_assets;
