//! The call boundary: `Operation` (one variant per call) and `Reply`, and the
//! dispatch to the engine. The REST wire codec joins here with the server.

pub mod operation;

pub use operation::{dispatch, Operation, Reply};
pub mod rest;
pub mod rest_text;
