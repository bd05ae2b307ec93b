//! End-to-end tests: the real server on a real database, driven through headless Chromium.

mod demo_tour;
mod harness;
mod preview;
