//! The `#[wasm_bindgen]` surface: `Members`, `Authentication`,
//! `MembersQueryBuilder`, `MembersQueryResult` and the `MembersError` bridge. JS values in, `Operation`s
//! down, `Reply`s back. No rules here; the only module that touches JS.
//!
//! Two builds of this one source (DESIGN.md): the *engine* build (feature
//! `engine`, the default; Node, the server and `universal-members/engine`) runs
//! calls in this process; the *client* build (browsers) has only what a page
//! needs to talk to a server — the REST codec, the query builder, errors and the
//! HTTP transport — so the modules below marked `engine` are not in it.

pub mod authentication;
pub mod convert;
pub mod eager;
pub mod error;
pub mod http;
pub mod members;
pub mod query_builder;
pub mod transport;
pub mod webhooks;

#[cfg(feature = "engine")]
pub mod admin_signin;
#[cfg(feature = "engine")]
pub mod handler;
#[cfg(feature = "engine")]
pub mod hasher;
#[cfg(feature = "engine")]
pub mod host_calls;
#[cfg(feature = "engine")]
pub mod import_rows;
#[cfg(feature = "engine")]
pub mod mailer;
#[cfg(feature = "engine")]
pub mod open;
#[cfg(feature = "engine")]
pub mod signer;
#[cfg(feature = "engine")]
pub mod sql_driver;
