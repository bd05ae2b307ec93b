//! End-to-end tests: the real server on a real database, driven through headless Chromium.

mod author_flow;
mod authoring;
mod axe;
mod bench_overlay;
mod builders;
mod checklist_events;
mod demo_tour;
mod editor;
mod editor_ui;
mod harness;
mod helpdesk_loop;
mod history;
mod host;
mod host_pages;
mod preview;
mod record;
mod reports;
mod spa_app;
mod strict_host;
mod surfaces_a11y;
