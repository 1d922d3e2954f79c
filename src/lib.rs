//! universal-members: site members as one Rust core compiled to WebAssembly.
//!
//! Layers, each using only those below it (see DESIGN.md):
//! `wasm` → `api` → `service` → `store` → `query` → `model`.

pub mod api;
pub mod model;
pub mod query;
pub mod service;
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
