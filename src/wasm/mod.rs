//! The `#[wasm_bindgen]` surface: `Members`, `Authentication`,
//! `MembersQueryBuilder`, `MembersQueryResult` and the `MembersError` bridge. JS values in, `Operation`s
//! down, `Reply`s back. No rules here; the only module that touches JS.

pub mod admin_signin;
pub mod authentication;
pub mod convert;
pub mod error;
pub mod handler;
pub mod hasher;
pub mod http;
pub mod import_rows;
pub mod mailer;
pub mod members;
pub mod query_builder;
pub mod sql_driver;
pub mod transport;
pub mod webhooks;
