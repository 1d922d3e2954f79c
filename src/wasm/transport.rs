//! Where a call is carried out: in this process (`Local`, an engine over a store)
//! or on a members server (`Http`: browsers, and Node with `baseUrl`).

use super::http::HttpTarget;
use crate::api::Operation;
use crate::model::MembersResult;
use crate::service::Caller;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// The engine a local transport runs: memory, or SQL through a JS driver.
#[cfg(feature = "engine")]
pub type LocalEngine =
    crate::service::Engine<crate::store::AnyStore<super::sql_driver::HostSqlDriver>>;

/// Who a members API object calls as.
#[derive(Debug, Clone, PartialEq)]
pub enum Acting {
    /// A caller the code vouches for (visitor, `asMember`, `elevated`).
    Caller(Caller),
    /// The holder of a session token: its member, while the session lives.
    Session(String),
}

#[cfg(feature = "engine")]
impl Acting {
    /// The context of a call in this process: a vouched-for caller as it is, a
    /// session token looked up (`SESSION_INVALID` when it is no live session).
    pub async fn context(self, engine: &LocalEngine) -> MembersResult<crate::service::Context> {
        match self {
            Acting::Caller(caller) => Ok(crate::service::Context::of(caller)),
            Acting::Session(token) => engine.session_context(&token).await,
        }
    }
}

/// Carries operations to where they run.
pub enum Transport {
    /// The engine runs in this process (the engine build only).
    #[cfg(feature = "engine")]
    Local(Rc<LocalEngine>),
    /// A members server runs them.
    Http(HttpTarget),
}

impl Transport {
    /// Runs one operation for one caller; the result is the call's value in the
    /// SDK naming (`null` for void), the same whichever way it travelled.
    pub async fn execute(
        self: Rc<Self>,
        acting: Acting,
        operation: Operation,
    ) -> MembersResult<Value> {
        // Each way is its own boxed future: one call compiles (in V8, on first
        // run) only the way it takes, not the engine and the HTTP client inlined
        // into one function.
        let work: Pin<Box<dyn Future<Output = MembersResult<Value>> + '_>> = match &*self {
            #[cfg(feature = "engine")]
            Transport::Local(engine) => Box::pin(async move {
                crate::api::dispatch(engine, acting.context(engine).await?, operation)
                    .await
                    .map(|reply| reply.to_json())
            }),
            Transport::Http(target) => {
                Box::pin(async move { target.execute(&acting, &operation).await })
            }
        };
        work.await
    }
}
