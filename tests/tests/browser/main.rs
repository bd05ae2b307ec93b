//! End-to-end tests: the real server on a real database, driven through headless Chromium.

mod axe;
mod demo_tour;
mod editor;
mod harness;
