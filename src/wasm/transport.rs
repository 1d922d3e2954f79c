//! Where a call is carried out: in this process (`Local`, an engine over a store)
//! or on a members server (`Http`: browsers, and Node with `baseUrl`).

use super::http::HttpTarget;
use super::sql_driver::JsSqlDriver;
use crate::api::{dispatch, Operation};
use crate::model::MembersResult;
use crate::service::{Caller, Engine};
use crate::store::AnyStore;
use serde_json::Value;
use std::rc::Rc;

/// The engine a local transport runs: memory, or SQL through a JS driver.
pub type LocalEngine = Engine<AnyStore<JsSqlDriver>>;

/// Carries operations to where they run.
pub enum Transport {
    /// The engine runs in this process.
    Local(Rc<LocalEngine>),
    /// A members server runs them.
    Http(HttpTarget),
}

impl Transport {
    /// Runs one operation for one caller; the result is the call's value in the
    /// SDK naming (`null` for void), the same whichever way it travelled.
    pub async fn execute(
        self: Rc<Self>,
        caller: Caller,
        operation: Operation,
    ) -> MembersResult<Value> {
        match &*self {
            Transport::Local(engine) => dispatch(engine, &caller, operation)
                .await
                .map(|reply| reply.to_json()),
            Transport::Http(target) => target.execute(&caller, &operation).await,
        }
    }
}
