//! The context of one call: the resolved caller, the session it came with (so
//! `logout` knows which to end) and the client's network address (so failed
//! logins can be limited per address) and browser (named on its sessions).

use super::caller::Caller;
use crate::model::credentials::TokenHash;

/// Everything about the maker of a call that the rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Who calls.
    pub caller: Caller,
    /// The session the caller presented, when it came with one.
    pub session: Option<TokenHash>,
    /// The client's address as the server saw it (none in process).
    pub client_address: Option<String>,
    /// The client's `User-Agent` (none in process), recorded on the sessions it starts.
    pub user_agent: Option<String>,
}

impl Context {
    /// A call by `caller`, with no session and no address.
    pub fn of(caller: Caller) -> Context {
        Context {
            caller,
            session: None,
            client_address: None,
            user_agent: None,
        }
    }
}

impl From<&Caller> for Context {
    fn from(caller: &Caller) -> Context {
        Context::of(caller.clone())
    }
}

impl From<&Context> for Context {
    fn from(context: &Context) -> Context {
        context.clone()
    }
}
