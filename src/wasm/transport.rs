//! Where a call is carried out: in this process (`Local`, an engine over a store)
//! or, in the browser until the HTTP transport lands, nowhere (`Unavailable`).

use crate::api::{dispatch, Operation, Reply};
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::service::{Caller, Engine};
use crate::store::AnyStore;
use std::rc::Rc;

use super::sql_driver::JsSqlDriver;

/// The engine a local transport runs: memory, or SQL through a JS driver.
pub type LocalEngine = Engine<AnyStore<JsSqlDriver>>;

/// Carries operations to where they run.
pub enum Transport {
    /// The engine runs in this process.
    Local(Rc<LocalEngine>),
    /// No way to run calls here yet; says why.
    Unavailable(String),
}

impl Transport {
    /// Runs one operation for one caller.
    pub async fn execute(
        self: Rc<Self>,
        caller: Caller,
        operation: Operation,
    ) -> MembersResult<Reply> {
        match &*self {
            Transport::Local(engine) => dispatch(engine, &caller, operation).await,
            Transport::Unavailable(why) => Err(MembersError::new(
                ErrorCode::Unavailable,
                "UNAVAILABLE",
                why.clone(),
            )),
        }
    }
}
