//! The REST wire codec (SPEC §5, §8): every call ⇄ HTTP method, path, query and
//! JSON in Wix's REST naming. The browser/Node client encodes requests and decodes
//! responses with it; the server decodes requests and encodes responses with it,
//! so the two ends can not disagree.

use super::operation::{Operation, PageBody, Reply};
use super::rest_text::to_rest_text;
use crate::model::credentials::Secret;
use crate::model::decode::decode;
use crate::model::error::ALL_CODES;
use crate::model::ids::is_uuid;
use crate::model::naming::{to_rest_naming, to_sdk_naming};
use crate::model::{ErrorCode, Fieldset, MemberView, MembersError, MembersResult};
use crate::service::{ContactList, Moderation};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The path every route lives under: members at `/members`, authentication
/// (Beyond Wix's members API) at `/auth`.
pub const API_ROOT: &str = "/members/v1";
/// Wix also serves the same routes under this prefix.
pub const WIX_API_ROOT: &str = "/_api/members/v1";
/// Where the member routes are.
pub const BASE: &str = "/members/v1/members";
/// Where the authentication routes are.
pub const AUTH_BASE: &str = "/members/v1/auth";

/// HTTP methods the routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    /// Parses an HTTP method name.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One route: method and path pattern under `API_ROOT` (`{id}` is a member id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub pattern: &'static str,
    /// The call, as named in the JS API.
    pub call: &'static str,
}

/// Every route, for the router, the OpenAPI document and its test.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::Post,
        pattern: "/members",
        call: "createMember",
    },
    Route {
        method: Method::Get,
        pattern: "/members",
        call: "listMembers",
    },
    Route {
        method: Method::Post,
        pattern: "/members/query",
        call: "queryMembers",
    },
    Route {
        method: Method::Post,
        pattern: "/members/count",
        call: "countMembers",
    },
    Route {
        method: Method::Get,
        pattern: "/members/my",
        call: "getCurrentMember",
    },
    Route {
        method: Method::Delete,
        pattern: "/members/my",
        call: "deleteMyMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/my/slug",
        call: "updateCurrentMemberSlug",
    },
    Route {
        method: Method::Post,
        pattern: "/members/join-community",
        call: "joinCommunity",
    },
    Route {
        method: Method::Post,
        pattern: "/members/leave-community",
        call: "leaveCommunity",
    },
    Route {
        method: Method::Post,
        pattern: "/members/bulk/delete",
        call: "bulkDeleteMembers",
    },
    Route {
        method: Method::Post,
        pattern: "/members/bulk/delete-by-filter",
        call: "bulkDeleteMembersByFilter",
    },
    Route {
        method: Method::Post,
        pattern: "/members/bulk/approve-by-filter",
        call: "bulkApproveMembers",
    },
    Route {
        method: Method::Post,
        pattern: "/members/bulk/block-by-filter",
        call: "bulkBlockMembers",
    },
    Route {
        method: Method::Post,
        pattern: "/members/import",
        call: "importMembers",
    },
    Route {
        method: Method::Get,
        pattern: "/members/{id}",
        call: "getMember",
    },
    Route {
        method: Method::Patch,
        pattern: "/members/{id}",
        call: "updateMember",
    },
    Route {
        method: Method::Delete,
        pattern: "/members/{id}",
        call: "deleteMember",
    },
    Route {
        method: Method::Delete,
        pattern: "/members/{id}/addresses",
        call: "deleteMemberAddresses",
    },
    Route {
        method: Method::Delete,
        pattern: "/members/{id}/emails",
        call: "deleteMemberEmails",
    },
    Route {
        method: Method::Delete,
        pattern: "/members/{id}/phones",
        call: "deleteMemberPhones",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/slug",
        call: "updateMemberSlug",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/mute",
        call: "muteMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/unmute",
        call: "unmuteMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/approve",
        call: "approveMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/block",
        call: "blockMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/disconnect",
        call: "disconnectMember",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/login-email",
        call: "changeLoginEmail",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/register",
        call: "register",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/login",
        call: "login",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/logout",
        call: "logout",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/members/send-set-password-email",
        call: "sendSetPasswordEmail",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/set-password",
        call: "setPassword",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/verify-email",
        call: "verifyEmail",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/send-verification-email",
        call: "sendVerificationEmail",
    },
    Route {
        method: Method::Get,
        pattern: "/auth/sessions",
        call: "listMySessions",
    },
    Route {
        method: Method::Delete,
        pattern: "/auth/sessions/{id}",
        call: "revokeSession",
    },
    Route {
        method: Method::Post,
        pattern: "/auth/sessions/revoke-others",
        call: "revokeOtherSessions",
    },
    Route {
        method: Method::Post,
        pattern: "/members/{id}/revoke-sessions",
        call: "revokeMemberSessions",
    },
    Route {
        method: Method::Get,
        pattern: "/async-jobs/{id}",
        call: "getAsyncJob",
    },
    Route {
        method: Method::Get,
        pattern: "/async-jobs/{id}/items",
        call: "listAsyncJobItems",
    },
    Route {
        method: Method::Post,
        pattern: "/webhooks",
        call: "createWebhook",
    },
    Route {
        method: Method::Get,
        pattern: "/webhooks",
        call: "listWebhooks",
    },
    Route {
        method: Method::Get,
        pattern: "/webhooks/{id}",
        call: "getWebhook",
    },
    Route {
        method: Method::Delete,
        pattern: "/webhooks/{id}",
        call: "deleteWebhook",
    },
    Route {
        method: Method::Post,
        pattern: "/webhooks/{id}/rotate-secret",
        call: "rotateWebhookSecret",
    },
    Route {
        method: Method::Get,
        pattern: "/webhooks/{id}/deliveries",
        call: "listWebhookDeliveries",
    },
    Route {
        method: Method::Post,
        pattern: "/webhooks/deliveries/{id}/redeliver",
        call: "redeliver",
    },
];

/// Where the webhook routes are.
pub const WEBHOOKS_BASE: &str = "/members/v1/webhooks";

/// Where Wix's Async Job API is (its own root, as on Wix).
pub const JOBS_ROOT: &str = "/async-jobs/v1";
/// Where the async job routes are.
pub const JOBS_BASE: &str = "/async-jobs/v1/async-jobs";

/// The options of a by-filter bulk call from its body (`dryRun`, Beyond Wix).
fn job_options(body: &Value) -> Value {
    match &body["dryRun"] {
        Value::Null => json!({}),
        dry_run => json!({ "dryRun": dry_run }),
    }
}

/// The body of a by-filter bulk call.
fn job_body(filter: &Value, options: &Value) -> Value {
    let mut body = json!({ "filter": rest(filter.clone()) });
    if !options["dryRun"].is_null() {
        body["dryRun"] = options["dryRun"].clone();
    }
    body
}

/// An HTTP request as the codec sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct WireRequest {
    pub method: Method,
    /// Path under the host, starting with `/`.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// The JSON body (`Null` for none).
    pub body: Value,
}

/// An HTTP response as the codec sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct WireResponse {
    pub status: u16,
    pub body: Value,
}

/// Why a request matched no route.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteError {
    /// No route has this path (404).
    NotFound,
    /// The path exists with other methods (405); lists them for `Allow`.
    MethodNotAllowed(Vec<&'static str>),
}

/// The path under `API_ROOT` (or `WIX_API_ROOT`), if the request is for the
/// members or authentication API.
pub fn api_path(path: &str) -> Option<&str> {
    // Wix's Async Job API has a root of its own: `/async-jobs/v1/async-jobs/…`.
    for root in ["/_api/async-jobs/v1", JOBS_ROOT] {
        if let Some(rest) = path.strip_prefix(root) {
            if rest == "/async-jobs" || rest.starts_with("/async-jobs/") {
                return Some(rest.trim_end_matches('/'));
            }
        }
    }
    [WIX_API_ROOT, API_ROOT].iter().find_map(|root| {
        let rest = path.strip_prefix(root)?;
        ["/members", "/auth", "/webhooks"]
            .iter()
            .any(|area| {
                rest.strip_prefix(area)
                    .is_some_and(|tail| tail.is_empty() || tail.starts_with('/'))
            })
            .then_some(rest.trim_end_matches('/'))
    })
}

/// Whether `path` fits `pattern`, whose one `{id}` takes one non-empty
/// segment, and the raw segment it holds. Compared as text around the `{id}`,
/// neither split up nor copied: every request tries most routes.
fn matches<'a>(pattern: &str, path: &'a str) -> Option<Option<&'a str>> {
    match pattern.find('{') {
        None => (pattern == path).then_some(None),
        Some(at) => {
            let (head, tail) = (&pattern[..at], &pattern[at + "{id}".len()..]);
            let rest = path.strip_prefix(head)?;
            let (id, after) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (!id.is_empty() && after == tail).then_some(Some(id))
        }
    }
}

/// Finds the route of a request under `API_ROOT`: the route and the `{id}` it holds.
pub fn route(method: Method, path: &str) -> Result<(Route, Option<String>), RouteError> {
    // Fixed paths win over `{id}` ones (`/my` is not an id).
    let fixed_path = ROUTES
        .iter()
        .any(|r| r.pattern == path && !r.pattern.contains('{'));
    let fits = |route: &Route| match matches(route.pattern, path) {
        Some(Some(_)) if fixed_path => None,
        found => found,
    };
    // Only the method's own routes are tried first: a miss is the rare case.
    let found = ROUTES
        .iter()
        .filter(|route| route.method == method)
        .find_map(|route| fits(route).map(|id| (*route, id)));
    if let Some((route, id)) = found {
        return Ok((route, id.map(percent_decode)));
    }
    let allowed: Vec<&'static str> = ROUTES
        .iter()
        .filter(|route| fits(route).is_some())
        .map(|route| route.method.as_str())
        .collect();
    if allowed.is_empty() {
        Err(RouteError::NotFound)
    } else {
        Err(RouteError::MethodNotAllowed(allowed))
    }
}

/// The methods some route takes at this path under `API_ROOT` (for `Allow`).
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    [Method::Get, Method::Post, Method::Patch, Method::Delete]
        .into_iter()
        .filter(|method| route(*method, path).is_ok())
        .map(Method::as_str)
        .collect()
}

/// Decodes `%XX` and `+` in a query-string or path component.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    // Ids and most values have nothing to decode.
    if !bytes.iter().any(|b| matches!(b, b'%' | b'+')) {
        return text.to_string();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query-string component.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Most parts of a dotted GET parameter name (`paging.limit` has 2).
pub const MAX_PARAM_DEPTH: usize = 16;

/// The GET parameters as one JSON request: either the `.r` parameter (base64url
/// JSON of the whole request) or flat `a.b=1&fieldsets=X&fieldsets=Y` pairs.
pub fn query_params(query: &str) -> MembersResult<Value> {
    let mut flat = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key);
        let value = percent_decode(value);
        // `a.b.c` nests; bounded, so a key of dots can not build (or overflow
        // the stack with) a deep tree, and any request fits in `.r` JSON.
        if key.split('.').count() > MAX_PARAM_DEPTH {
            let shown: String = key.chars().take(64).collect();
            return Err(MembersError::invalid_field(
                &shown,
                "DEPTH",
                format!("nests deeper than {MAX_PARAM_DEPTH} levels"),
            ));
        }
        if key == ".r" {
            let bytes = URL_SAFE_NO_PAD
                .decode(value.trim_end_matches('='))
                .map_err(|_| MembersError::invalid_field(".r", "FORMAT", "is not base64url"))?;
            return serde_json::from_slice(&bytes)
                .map_err(|_| MembersError::invalid_field(".r", "FORMAT", "is not base64url JSON"));
        }
        insert_flat(&mut flat, &key, Value::String(value));
    }
    Ok(Value::Object(flat))
}

/// Puts `a.b.c = v` into nested objects; a repeated key becomes an array.
fn insert_flat(map: &mut Map<String, Value>, key: &str, value: Value) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let inner = map.entry(head.to_string()).or_insert_with(|| json!({}));
            if let Value::Object(inner) = inner {
                insert_flat(inner, rest, value);
            }
        }
        None => match map.get_mut(key) {
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = json!([first, value]);
            }
            None => {
                map.insert(key.to_string(), value);
            }
        },
    }
}

fn fieldsets_of(value: &Value) -> MembersResult<Vec<Fieldset>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(one) => decode(json!([one]), "fieldsets"),
        other => decode(other.clone(), "fieldsets"),
    }
}

/// Numbers arrive as strings in flat GET parameters.
fn numbers(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => {
                            s.parse::<i64>().map_or_else(|_| v.clone(), Value::from)
                        }
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A sort list from the wire: `[{ fieldName, order }]` or one flat object; a flat
/// `sorting.order` alone orders the default field (`createdDate`).
fn sorting_of(value: &Value) -> Value {
    match value {
        Value::Object(flat) if !flat.contains_key("fieldName") && flat.contains_key("order") => {
            let mut key = flat.clone();
            key.insert("fieldName".into(), json!("_createdDate"));
            json!([key])
        }
        Value::Object(_) => json!([value]),
        other => other.clone(),
    }
}

/// Decodes a request into the operation it asks for (server side).
pub fn decode_request(request: &WireRequest) -> Result<MembersResult<Operation>, RouteError> {
    let path = api_path(&request.path).ok_or(RouteError::NotFound)?;
    let (route, id) = route(request.method, path)?;
    let mut request = request.clone();
    // JSON has one kind of number: `2.0` is the integer 2, as in JavaScript.
    integral_numbers(&mut request.body);
    Ok(check_body(route.call, &request.body)
        .and_then(|()| operation_of(route, id.unwrap_or_default(), &request)))
}

/// The top-level body fields of each call that takes a body (REST naming), for
/// the router and the OpenAPI document's test. Any other field is refused by name
/// (SPEC §2: typos must not vanish); a call not listed takes no fields (`{}`).
pub fn body_fields(call: &str) -> &'static [&'static str] {
    match call {
        "createMember" | "updateMember" => &["member"],
        "queryMembers" => &["query", "search", "fieldsets"],
        "countMembers" => &["query", "search"],
        "updateCurrentMemberSlug" | "updateMemberSlug" => &["slug"],
        "bulkDeleteMembers" => &["memberIds"],
        "bulkDeleteMembersByFilter" | "bulkApproveMembers" | "bulkBlockMembers" => {
            &["filter", "dryRun"]
        }
        "importMembers" => &["members"],
        "changeLoginEmail" => &["loginEmail"],
        "register" => &[
            "email",
            "password",
            "contactInfo",
            "profile",
            "privacyStatus",
        ],
        "login" => &["email", "password"],
        "sendSetPasswordEmail" => &["email", "hideIgnoreMessage"],
        "setPassword" => &["token", "password"],
        "verifyEmail" => &["codeOrToken", "email"],
        "sendVerificationEmail" => &["email"],
        "createWebhook" => &["url", "format", "events"],
        _ => &[],
    }
}

/// A body, when there is one, is a JSON object of the call's own fields.
fn check_body(call: &str, body: &Value) -> MembersResult<()> {
    match body {
        Value::Null => Ok(()),
        Value::Object(map) => {
            let known = body_fields(call);
            match map.keys().find(|key| !known.contains(&key.as_str())) {
                // A key of "" would name no field: name the body instead (found by fuzzing).
                Some(unknown) if unknown.is_empty() => Err(MembersError::invalid_field(
                    "body",
                    "UNKNOWN_FIELD",
                    format!("has a field with an empty name, which is not a field of {call}"),
                )),
                Some(unknown) => Err(MembersError::invalid_field(
                    unknown,
                    "UNKNOWN_FIELD",
                    format!("is not a field of {call} (check the spelling)"),
                )),
                None => no_nulls(body, ""),
            }
        }
        _ => Err(MembersError::invalid_field(
            "body",
            "TYPE",
            "must be a JSON object",
        )),
    }
}

/// `null` is no value: a field is left out instead (`""` clears a string, SPEC
/// §5), so a `null` is refused by name rather than read as "not sent". Filters
/// (where `null` means "empty"), custom field values (any JSON) and
/// `profile.photo` / `profile.cover` (where it removes the image) may hold it.
fn no_nulls(value: &Value, path: &str) -> MembersResult<()> {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Null => Err(MembersError::invalid_field(
            path,
            "TYPE",
            "must not be null: leave the field out",
        )),
        Value::Object(map) => map.iter().try_for_each(|(key, inner)| {
            if null_is_meant(path, key, inner) {
                Ok(())
            } else {
                no_nulls(inner, &at(key))
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| no_nulls(item, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

/// Where a body may hold `null` (or anything) as a value: inside a filter, a
/// custom field's value, and `profile.photo` / `profile.cover`, where `null`
/// removes the image.
fn null_is_meant(path: &str, key: &str, value: &Value) -> bool {
    key == "filter"
        || (key == "value" && path.contains(".customFields."))
        || (value.is_null() && (key == "photo" || key == "cover") && path.ends_with("profile"))
}

/// Leaves out the `null` fields the server would refuse (see `no_nulls`): the
/// JS API takes `undefined` and `null` alike for "not given".
fn drop_nulls(value: &mut Value, path: &str) {
    match value {
        Value::Object(map) => {
            map.retain(|key, inner| !inner.is_null() || null_is_meant(path, key, inner));
            for (key, inner) in map.iter_mut() {
                if !null_is_meant(path, key, inner) {
                    drop_nulls(inner, &format!("{path}.{key}"));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| drop_nulls(item, path)),
        _ => {}
    }
}

/// Turns every number with no fraction (within the exactly representable range)
/// into an integer, so `"height": 480.0` reads as 480.
fn integral_numbers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64() {
                if float.fract() == 0.0 && float.abs() <= EXACT {
                    *value = Value::from(float as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// A by-filter bulk call's `filter`: required, and an object (`{}` is every member).
fn required_filter(body: &Value) -> MembersResult<Value> {
    match &body["filter"] {
        Value::Object(_) => Ok(body["filter"].clone()),
        _ => Err(MembersError::invalid_field(
            "filter",
            "REQUIRED_FIELD",
            "is required and must be an object ({} for every member)",
        )),
    }
}

/// An optional boolean field: absent, null, true or false.
fn optional_boolean(body: &Value, field: &str) -> MembersResult<()> {
    match &body[field] {
        Value::Null | Value::Bool(_) => Ok(()),
        _ => Err(MembersError::invalid_field(
            field,
            "TYPE",
            "must be true or false",
        )),
    }
}

fn operation_of(route: Route, id: String, request: &WireRequest) -> MembersResult<Operation> {
    let mut body = request.body.clone();
    to_sdk_naming(&mut body);
    let params = if request.method == Method::Get || request.method == Method::Delete {
        query_params(&request.query)?
    } else {
        Value::Null
    };
    let member = |body: &Value| -> MembersResult<Value> {
        match &body["member"] {
            Value::Object(_) => Ok(body["member"].clone()),
            _ => Err(MembersError::invalid_field(
                "member",
                "REQUIRED_FIELD",
                "is required and must be an object",
            )),
        }
    };
    let text = |value: &Value, field: &str| -> MembersResult<String> {
        value.as_str().map(str::to_string).ok_or_else(|| {
            MembersError::invalid_field(field, "REQUIRED_FIELD", "is required and must be a string")
        })
    };
    let moderate = |action| Operation::Moderate {
        id: id.clone(),
        action,
    };
    let list = |list| Operation::DeleteMemberList {
        id: id.clone(),
        list,
    };
    Ok(match route.call {
        "createMember" => Operation::CreateMember {
            member: member(&body)?,
        },
        "listMembers" => Operation::ListMembers {
            paging: numbers(&params["paging"]),
            sorting: sorting_of(&params["sorting"]),
            fieldsets: fieldsets_of(&params["fieldsets"])?,
        },
        "queryMembers" => Operation::QueryMembers {
            query: body["query"].clone(),
            search: body["search"].clone(),
            fieldsets: fieldsets_of(&body["fieldsets"])?,
        },
        "countMembers" => Operation::CountMembers {
            query: body["query"].clone(),
            search: body["search"].clone(),
        },
        "getCurrentMember" => Operation::GetCurrentMember {
            fieldsets: fieldsets_of(&params["fieldsets"])?,
        },
        "deleteMyMember" => Operation::DeleteMyMember {
            content_assignee_id: match &params["contentAssigneeId"] {
                Value::Null => None,
                Value::String(id) if is_uuid(id) => Some(id.clone()),
                _ => {
                    return Err(MembersError::invalid_field(
                        "contentAssigneeId",
                        "FORMAT",
                        "must be one member id (a UUID)",
                    ))
                }
            },
        },
        "updateCurrentMemberSlug" => Operation::UpdateCurrentMemberSlug {
            slug: text(&body["slug"], "slug")?,
        },
        "joinCommunity" => Operation::JoinCommunity,
        "leaveCommunity" => Operation::LeaveCommunity,
        "bulkDeleteMembers" => Operation::BulkDeleteMembers {
            ids: decode(body["memberIds"].clone(), "memberIds")?,
        },
        "bulkDeleteMembersByFilter" => Operation::BulkDeleteMembersByFilter {
            filter: required_filter(&body)?,
            options: job_options(&body),
        },
        "bulkApproveMembers" => Operation::BulkModerate {
            filter: required_filter(&body)?,
            action: Moderation::Approve,
            options: job_options(&body),
        },
        "bulkBlockMembers" => Operation::BulkModerate {
            filter: required_filter(&body)?,
            action: Moderation::Block,
            options: job_options(&body),
        },
        "getAsyncJob" => Operation::GetAsyncJob { id },
        "listAsyncJobItems" => Operation::ListAsyncJobItems {
            id,
            options: json!({
                "statusFilter": params["statusFilter"],
                "paging": {
                    "limit": numbers(&params["paging"])["limit"],
                    "cursor": params["paging"]["cursor"],
                },
            }),
        },
        "importMembers" => Operation::ImportMembers {
            members: body["members"].clone(),
        },
        "getMember" => Operation::GetMember {
            id,
            fieldsets: fieldsets_of(&params["fieldsets"])?,
        },
        "updateMember" => Operation::UpdateMember {
            id,
            member: member(&body)?,
        },
        "deleteMember" => Operation::DeleteMember { id },
        "deleteMemberAddresses" => list(ContactList::Addresses),
        "deleteMemberEmails" => list(ContactList::Emails),
        "deleteMemberPhones" => list(ContactList::Phones),
        "updateMemberSlug" => Operation::UpdateMemberSlug {
            id,
            slug: text(&body["slug"], "slug")?,
        },
        "muteMember" => moderate(Moderation::Mute),
        "unmuteMember" => moderate(Moderation::Unmute),
        "approveMember" => moderate(Moderation::Approve),
        "blockMember" => moderate(Moderation::Block),
        "disconnectMember" => moderate(Moderation::Disconnect),
        "changeLoginEmail" => Operation::ChangeLoginEmail {
            id,
            new_email: text(&body["loginEmail"], "loginEmail")?,
        },
        "register" => Operation::Register {
            email: text(&body["email"], "email")?,
            password: Secret(text(&body["password"], "password")?),
            options: json!({
                "contactInfo": body["contactInfo"],
                "profile": body["profile"],
                "privacyStatus": body["privacyStatus"],
            }),
        },
        "login" => Operation::Login {
            email: text(&body["email"], "email")?,
            password: Secret(text(&body["password"], "password")?),
        },
        "logout" => Operation::Logout,
        "sendSetPasswordEmail" => {
            optional_boolean(&body, "hideIgnoreMessage")?;
            Operation::SendSetPasswordEmail {
                email: text(&body["email"], "email")?,
            }
        }
        "setPassword" => Operation::SetPassword {
            token: Secret(text(&body["token"], "token")?),
            password: Secret(text(&body["password"], "password")?),
        },
        "verifyEmail" => Operation::VerifyEmail {
            code_or_token: Secret(text(&body["codeOrToken"], "codeOrToken")?),
            options: json!({ "email": body["email"] }),
        },
        "sendVerificationEmail" => Operation::SendVerificationEmail {
            email: text(&body["email"], "email")?,
        },
        "listMySessions" => Operation::ListMySessions,
        "revokeSession" => Operation::RevokeSession { id },
        "revokeOtherSessions" => Operation::RevokeOtherSessions,
        "revokeMemberSessions" => Operation::RevokeMemberSessions { member_id: id },
        "createWebhook" => Operation::CreateWebhook {
            options: request.body.clone(),
        },
        "listWebhooks" => Operation::ListWebhooks,
        "getWebhook" => Operation::GetWebhook { id },
        "deleteWebhook" => Operation::DeleteWebhook { id },
        "rotateWebhookSecret" => Operation::RotateWebhookSecret { id },
        "listWebhookDeliveries" => Operation::ListWebhookDeliveries {
            id,
            options: json!({ "status": params["status"], "limit": params["limit"] }),
        },
        "redeliver" => Operation::Redeliver { delivery_id: id },
        other => {
            return Err(MembersError::internal(format!(
                "route {other} has no operation"
            )))
        }
    })
}

/// Encodes a reply as the response body (server side), in REST naming.
pub fn encode_reply(reply: &Reply) -> WireResponse {
    let mut body = match reply {
        Reply::Member(view) => json!({ "member": view }),
        Reply::Count(count) => json!({ "count": count }),
        Reply::Empty => json!({}),
        other => other.to_json(),
    };
    to_rest_naming(&mut body);
    WireResponse { status: 200, body }
}

/// `encode_reply`'s body as text for the replies of reads (a member, a page),
/// written straight from the typed reply with no JSON tree between
/// (rest_text.rs); None for every other reply, which takes `encode_reply`.
pub fn encode_read_reply(reply: &Reply) -> Option<String> {
    #[derive(Serialize)]
    struct MemberBody<'a> {
        member: &'a MemberView,
    }
    let text = match reply {
        Reply::Member(view) | Reply::Wrapped(Some(view)) => {
            to_rest_text(&MemberBody { member: view })
        }
        Reply::Page(page) => to_rest_text(&PageBody::of(page)),
        _ => return None,
    };
    text.ok()
}

/// Encodes an error as Wix does: `{ message, details }` with the HTTP status.
pub fn encode_error(error: &MembersError) -> WireResponse {
    WireResponse {
        status: error.http_status(),
        body: json!({ "message": error.message, "details": error.details() }),
    }
}

/// The canonical code of an HTTP status (each code has its own status).
pub fn code_of_status(status: u16) -> ErrorCode {
    ALL_CODES
        .iter()
        .copied()
        .find(|code| code.http_status() == status)
        .unwrap_or(ErrorCode::Internal)
}

/// Turns an error response back into the same `MembersError` (client side).
pub fn decode_error(response: &WireResponse) -> MembersError {
    let message = response.body["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("the server answered HTTP {}", response.status));
    MembersError::from_parts(
        code_of_status(response.status),
        message,
        &response.body["details"],
    )
}

fn base64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn rest(mut value: Value) -> Value {
    to_rest_naming(&mut value);
    value
}

/// GET parameters that `query_params` reads back as `pairs` (dotted keys nest):
/// flat `key=value` when each is a string (or an integer, where the route reads
/// numbers), else all of them as `.r`, so the server gets exactly what was sent.
fn get_query(pairs: &[(&str, &Value)], integers: bool) -> String {
    let flat = |v: &Value| v.is_null() || v.is_string() || (integers && v.is_i64());
    if !pairs.iter().all(|(_, value)| flat(value)) {
        let mut request = Map::new();
        for (key, value) in pairs {
            insert_flat(&mut request, key, (*value).clone());
        }
        return format!(".r={}", base64_json(&Value::Object(request)));
    }
    let pair = |(key, value): &(&str, &Value)| match value {
        Value::Null => None,
        Value::String(text) => Some(format!("{key}={}", percent_encode(text))),
        number => Some(format!("{key}={number}")),
    };
    pairs.iter().filter_map(pair).collect::<Vec<_>>().join("&")
}

/// Encodes an operation as a request (client side), in REST naming.
pub fn encode_request(operation: &Operation) -> WireRequest {
    use Operation::*;
    let id_path = |id: &str, tail: &str| format!("{BASE}/{}{tail}", percent_encode(id));
    let fieldsets_query = |fieldsets: &[Fieldset]| {
        fieldsets
            .iter()
            .map(|f| {
                format!(
                    "fieldsets={}",
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    let post = |path: String, mut body: Value| {
        drop_nulls(&mut body, "");
        WireRequest {
            method: Method::Post,
            path,
            query: String::new(),
            body,
        }
    };
    let (method, path, query, body) = match operation {
        CreateMember { member } => return post(BASE.into(), rest(json!({ "member": member }))),
        GetMember { id, fieldsets } => (
            Method::Get,
            id_path(id, ""),
            fieldsets_query(fieldsets),
            Value::Null,
        ),
        ListMembers {
            paging,
            sorting,
            fieldsets,
        } => {
            // Nested arrays do not fit flat parameters: send the whole request as `.r`.
            let request = json!({ "paging": paging, "sorting": rest(sorting.clone()), "fieldsets": fieldsets });
            (
                Method::Get,
                BASE.into(),
                format!(".r={}", base64_json(&request)),
                Value::Null,
            )
        }
        QueryMembers {
            query,
            search,
            fieldsets,
        } => {
            return post(
                format!("{BASE}/query"),
                json!({ "query": rest(query.clone()), "search": search, "fieldsets": fieldsets }),
            )
        }
        CountMembers { query, search } => {
            return post(
                format!("{BASE}/count"),
                json!({ "query": rest(query.clone()), "search": search }),
            )
        }
        UpdateMember { id, member } => (Method::Patch, id_path(id, ""), String::new(), {
            let mut body = rest(json!({ "member": member }));
            drop_nulls(&mut body, "");
            body
        }),
        DeleteMember { id } => (Method::Delete, id_path(id, ""), String::new(), Value::Null),
        DeleteMemberList { id, list } => {
            let tail = match list {
                ContactList::Addresses => "/addresses",
                ContactList::Emails => "/emails",
                ContactList::Phones => "/phones",
            };
            (
                Method::Delete,
                id_path(id, tail),
                String::new(),
                Value::Null,
            )
        }
        GetCurrentMember { fieldsets } => (
            Method::Get,
            format!("{BASE}/my"),
            fieldsets_query(fieldsets),
            Value::Null,
        ),
        JoinCommunity => return post(format!("{BASE}/join-community"), json!({})),
        LeaveCommunity => return post(format!("{BASE}/leave-community"), json!({})),
        UpdateCurrentMemberSlug { slug } => {
            return post(format!("{BASE}/my/slug"), json!({ "slug": slug }))
        }
        UpdateMemberSlug { id, slug } => {
            return post(id_path(id, "/slug"), json!({ "slug": slug }))
        }
        Moderate { id, action } => {
            let tail = match action {
                Moderation::Approve => "/approve",
                Moderation::Block => "/block",
                Moderation::Mute => "/mute",
                Moderation::Unmute => "/unmute",
                Moderation::Disconnect => "/disconnect",
            };
            return post(id_path(id, tail), json!({}));
        }
        DeleteMyMember {
            content_assignee_id,
        } => {
            let query = content_assignee_id
                .as_deref()
                .map(|id| format!("contentAssigneeId={}", percent_encode(id)))
                .unwrap_or_default();
            (Method::Delete, format!("{BASE}/my"), query, Value::Null)
        }
        BulkDeleteMembers { ids } => {
            return post(format!("{BASE}/bulk/delete"), json!({ "memberIds": ids }))
        }
        BulkDeleteMembersByFilter { filter, options } => {
            return post(
                format!("{BASE}/bulk/delete-by-filter"),
                job_body(filter, options),
            )
        }
        BulkModerate {
            filter,
            action,
            options,
        } => {
            let path = match action {
                Moderation::Block => "/bulk/block-by-filter",
                _ => "/bulk/approve-by-filter",
            };
            return post(format!("{BASE}{path}"), job_body(filter, options));
        }
        GetAsyncJob { id } => (
            Method::Get,
            format!("{JOBS_BASE}/{}", percent_encode(id)),
            String::new(),
            Value::Null,
        ),
        ListAsyncJobItems { id, options } => {
            let paging = &options["paging"];
            let query = get_query(
                &[
                    ("statusFilter", &options["statusFilter"]),
                    ("paging.limit", &paging["limit"]),
                    ("paging.cursor", &paging["cursor"]),
                ],
                true,
            );
            (
                Method::Get,
                format!("{JOBS_BASE}/{}/items", percent_encode(id)),
                query,
                Value::Null,
            )
        }
        ImportMembers { members } => {
            return post(
                format!("{BASE}/import"),
                rest(json!({ "members": members })),
            )
        }
        ChangeLoginEmail { id, new_email } => {
            return post(
                id_path(id, "/login-email"),
                json!({ "loginEmail": new_email }),
            )
        }
        Register {
            email,
            password,
            options,
        } => {
            let mut body = json!({ "email": email, "password": password.0 });
            for key in ["contactInfo", "profile", "privacyStatus"] {
                if !options[key].is_null() {
                    body[key] = rest(options[key].clone());
                }
            }
            return post(format!("{AUTH_BASE}/register"), body);
        }
        Login { email, password } => {
            return post(
                format!("{AUTH_BASE}/login"),
                json!({ "email": email, "password": password.0 }),
            )
        }
        Logout => return post(format!("{AUTH_BASE}/logout"), json!({})),
        CreateWebhook { options } => return post(WEBHOOKS_BASE.into(), options.clone()),
        ListWebhooks => (
            Method::Get,
            WEBHOOKS_BASE.into(),
            String::new(),
            Value::Null,
        ),
        GetWebhook { id } => (
            Method::Get,
            format!("{WEBHOOKS_BASE}/{}", percent_encode(id)),
            String::new(),
            Value::Null,
        ),
        DeleteWebhook { id } => (
            Method::Delete,
            format!("{WEBHOOKS_BASE}/{}", percent_encode(id)),
            String::new(),
            Value::Null,
        ),
        RotateWebhookSecret { id } => {
            return post(
                format!("{WEBHOOKS_BASE}/{}/rotate-secret", percent_encode(id)),
                json!({}),
            )
        }
        ListWebhookDeliveries { id, options } => {
            let query = get_query(
                &[("status", &options["status"]), ("limit", &options["limit"])],
                false,
            );
            (
                Method::Get,
                format!("{WEBHOOKS_BASE}/{}/deliveries", percent_encode(id)),
                query,
                Value::Null,
            )
        }
        Redeliver { delivery_id } => {
            return post(
                format!(
                    "{WEBHOOKS_BASE}/deliveries/{}/redeliver",
                    percent_encode(delivery_id)
                ),
                json!({}),
            )
        }
        SendSetPasswordEmail { email } => {
            return post(
                format!("{AUTH_BASE}/members/send-set-password-email"),
                json!({ "email": email }),
            )
        }
        SetPassword { token, password } => {
            return post(
                format!("{AUTH_BASE}/set-password"),
                json!({ "token": token.0, "password": password.0 }),
            )
        }
        VerifyEmail {
            code_or_token,
            options,
        } => {
            return post(
                format!("{AUTH_BASE}/verify-email"),
                json!({ "codeOrToken": code_or_token.0, "email": options["email"] }),
            )
        }
        SendVerificationEmail { email } => {
            return post(
                format!("{AUTH_BASE}/send-verification-email"),
                json!({ "email": email }),
            )
        }
        ListMySessions => (
            Method::Get,
            format!("{AUTH_BASE}/sessions"),
            String::new(),
            Value::Null,
        ),
        RevokeSession { id } => (
            Method::Delete,
            format!("{AUTH_BASE}/sessions/{}", percent_encode(id)),
            String::new(),
            Value::Null,
        ),
        RevokeOtherSessions => {
            return post(format!("{AUTH_BASE}/sessions/revoke-others"), json!({}))
        }
        RevokeMemberSessions { member_id } => {
            return post(
                format!("{BASE}/{}/revoke-sessions", percent_encode(member_id)),
                json!({}),
            )
        }
    };
    WireRequest {
        method,
        path,
        query,
        body,
    }
}

/// Decodes a successful response into what the JS call returns, in SDK naming
/// (client side): the mirror of `encode_reply` and `Reply::to_json`.
pub fn decode_response(operation: &Operation, response: &WireResponse) -> Value {
    let mut body = response.body.clone();
    to_sdk_naming(&mut body);
    match operation {
        Operation::CreateMember { .. }
        | Operation::GetMember { .. }
        | Operation::UpdateMember { .. }
        | Operation::ChangeLoginEmail { .. } => body["member"].take(),
        Operation::CountMembers { .. } => body["count"].take(),
        Operation::DeleteMember { .. }
        | Operation::DeleteMyMember { .. }
        | Operation::Logout
        | Operation::SetPassword { .. }
        | Operation::RevokeSession { .. }
        | Operation::DeleteWebhook { .. } => Value::Null,
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn every_operation() -> Vec<Operation> {
        use Operation::*;
        vec![
            CreateMember {
                member: json!({ "loginEmail": "a@example.com", "profile": { "photo": { "_id": "p", "url": "u" } } }),
            },
            GetMember {
                id: ID.into(),
                fieldsets: vec![Fieldset::Full, Fieldset::Extended],
            },
            ListMembers {
                paging: json!({ "limit": 10, "offset": 20 }),
                sorting: json!([{ "fieldName": "_createdDate", "order": "ASC" }]),
                fieldsets: vec![Fieldset::Public],
            },
            QueryMembers {
                query: json!({ "filter": { "_id": { "$in": [ID] } }, "sort": [{ "fieldName": "profile.nickname" }], "paging": { "limit": 5 } }),
                search: json!({ "expression": "an" }),
                fieldsets: vec![Fieldset::Full],
            },
            CountMembers {
                query: json!({ "filter": { "status": "APPROVED" } }),
                search: Value::Null,
            },
            UpdateMember {
                id: ID.into(),
                member: json!({ "contact": { "firstName": "Ann" } }),
            },
            DeleteMember { id: ID.into() },
            DeleteMemberList {
                id: ID.into(),
                list: ContactList::Addresses,
            },
            DeleteMemberList {
                id: ID.into(),
                list: ContactList::Emails,
            },
            DeleteMemberList {
                id: ID.into(),
                list: ContactList::Phones,
            },
            GetCurrentMember {
                fieldsets: vec![Fieldset::Full],
            },
            JoinCommunity,
            LeaveCommunity,
            UpdateCurrentMemberSlug { slug: "ann".into() },
            UpdateMemberSlug {
                id: ID.into(),
                slug: "ann".into(),
            },
            Moderate {
                id: ID.into(),
                action: Moderation::Mute,
            },
            Moderate {
                id: ID.into(),
                action: Moderation::Unmute,
            },
            Moderate {
                id: ID.into(),
                action: Moderation::Approve,
            },
            Moderate {
                id: ID.into(),
                action: Moderation::Block,
            },
            Moderate {
                id: ID.into(),
                action: Moderation::Disconnect,
            },
            DeleteMyMember {
                content_assignee_id: Some(ID.into()),
            },
            BulkDeleteMembers {
                ids: vec![ID.into()],
            },
            BulkDeleteMembersByFilter {
                filter: json!({ "_id": ID }),
                options: json!({}),
            },
            BulkModerate {
                filter: json!({ "status": "PENDING" }),
                action: Moderation::Approve,
                options: json!({ "dryRun": true }),
            },
            BulkModerate {
                filter: json!({ "status": "APPROVED" }),
                action: Moderation::Block,
                options: json!({}),
            },
            GetAsyncJob { id: ID.into() },
            ListAsyncJobItems {
                id: ID.into(),
                options: json!({ "statusFilter": "FAILED_ONLY", "paging": { "limit": 5, "cursor": "12" } }),
            },
            ImportMembers {
                members: json!([{ "_id": ID }]),
            },
            ChangeLoginEmail {
                id: ID.into(),
                new_email: "new@example.com".into(),
            },
            Register {
                email: "ann@example.com".into(),
                password: Secret("correct horse".into()),
                options: json!({ "contactInfo": { "firstName": "Ann" }, "profile": { "nickname": "Ann" }, "privacyStatus": "PRIVATE" }),
            },
            Login {
                email: "ann@example.com".into(),
                password: Secret("correct horse".into()),
            },
            Logout,
            SendSetPasswordEmail {
                email: "ann@example.com".into(),
            },
            SetPassword {
                token: Secret("t".repeat(43)),
                password: Secret("correct horse".into()),
            },
            CreateWebhook {
                options: json!({ "url": "https://example.com/h", "format": "wix", "events": ["created"] }),
            },
            ListWebhooks,
            GetWebhook { id: ID.into() },
            DeleteWebhook { id: ID.into() },
            RotateWebhookSecret { id: ID.into() },
            ListWebhookDeliveries {
                id: ID.into(),
                options: json!({ "status": "FAILED", "limit": "5" }),
            },
            Redeliver {
                delivery_id: "42".into(),
            },
            VerifyEmail {
                code_or_token: Secret("123456".into()),
                options: json!({ "email": "ann@example.com" }),
            },
            SendVerificationEmail {
                email: "ann@example.com".into(),
            },
            ListMySessions,
            RevokeSession { id: ID.into() },
            RevokeOtherSessions,
            RevokeMemberSessions {
                member_id: ID.into(),
            },
        ]
    }

    #[test]
    fn every_operation_survives_the_wire_both_ways() {
        for operation in every_operation() {
            let request = encode_request(&operation);
            let decoded = decode_request(&request).expect("routed").expect("decoded");
            // Field names may arrive in REST naming; the core accepts both, so
            // compare after bringing both to SDK naming.
            let mut expected = format!("{operation:?}");
            let mut got = format!("{decoded:?}");
            for (rest, sdk) in [
                ("\"id\"", "\"_id\""),
                ("\"createdDate\"", "\"_createdDate\""),
            ] {
                expected = expected.replace(rest, sdk);
                got = got.replace(rest, sdk);
            }
            assert_eq!(
                got,
                expected,
                "{} {}",
                request.method.as_str(),
                request.path
            );
        }
    }

    #[test]
    fn every_route_is_reached_by_some_operation() {
        let reached: Vec<String> = every_operation()
            .iter()
            .map(|op| {
                let request = encode_request(op);
                let (route, _) = route(request.method, api_path(&request.path).unwrap()).unwrap();
                route.call.to_string()
            })
            .collect();
        for route in ROUTES {
            assert!(
                reached.contains(&route.call.to_string()),
                "{} is never used",
                route.call
            );
        }
    }

    #[test]
    fn get_parameters_arrive_flat_or_as_one_base64url_request() {
        let flat =
            query_params("fieldsets=FULL&fieldsets=EXTENDED&paging.limit=10&paging.offset=20")
                .unwrap();
        assert_eq!(flat["fieldsets"], json!(["FULL", "EXTENDED"]));
        assert_eq!(flat["paging"]["limit"], "10");
        let r = URL_SAFE_NO_PAD.encode(r#"{"paging":{"limit":3},"fieldsets":["FULL"]}"#);
        let packed = query_params(&format!(".r={r}")).unwrap();
        assert_eq!(packed["paging"]["limit"], 3);
        assert!(query_params(".r=%%%").is_err());
    }

    #[test]
    fn both_path_prefixes_route_and_fixed_paths_win_over_ids() {
        assert_eq!(api_path("/_api/members/v1/members/my"), Some("/members/my"));
        assert_eq!(api_path("/members/v1/members"), Some("/members"));
        assert_eq!(api_path("/members/v1/auth/login"), Some("/auth/login"));
        assert_eq!(api_path("/members/v1/membersx"), None);
        assert_eq!(api_path("/members/v1/other"), None);
        assert_eq!(
            route(Method::Get, "/members/my").unwrap().0.call,
            "getCurrentMember"
        );
        assert_eq!(
            route(Method::Get, &format!("/members/{ID}"))
                .unwrap()
                .0
                .call,
            "getMember"
        );
        assert_eq!(route(Method::Post, "/auth/login").unwrap().0.call, "login");
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert_eq!(
            route(Method::Get, "/nope/deeper/still"),
            Err(RouteError::NotFound)
        );
        match route(Method::Get, "/members/query") {
            Err(RouteError::MethodNotAllowed(allowed)) => assert_eq!(allowed, vec!["POST"]),
            other => panic!("{other:?}"),
        }
    }

    fn refused_field(method: Method, path: &str, body: Value) -> String {
        let request = WireRequest {
            method,
            path: path.into(),
            query: String::new(),
            body,
        };
        let error = decode_request(&request).expect("routed").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument, "{error:?}");
        error.data["field"].as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn bodies_are_objects_of_the_calls_own_fields_without_nulls() {
        let join = format!("{BASE}/join-community");
        assert_eq!(refused_field(Method::Post, &join, json!([])), "body");
        assert_eq!(refused_field(Method::Post, &join, json!({ "x": 1 })), "x");
        let query = format!("{BASE}/query");
        assert_eq!(
            refused_field(Method::Post, &query, json!({ "search": null })),
            "search"
        );
        let by_filter = format!("{BASE}/bulk/delete-by-filter");
        assert_eq!(refused_field(Method::Post, &by_filter, json!({})), "filter");
        // `null` keeps its meaning inside a filter.
        let request = WireRequest {
            method: Method::Post,
            path: query,
            query: String::new(),
            body: json!({ "query": { "filter": { "profile.title": null } } }),
        };
        assert!(decode_request(&request).unwrap().is_ok());
        for call in ["createMember", "queryMembers", "login"] {
            assert!(!body_fields(call).is_empty(), "{call}");
        }
    }

    #[test]
    fn integral_floats_read_as_integers() {
        let mut body = json!({ "a": 480.0, "b": [1.5, -2.0] });
        integral_numbers(&mut body);
        assert_eq!(body, json!({ "a": 480, "b": [1.5, -2] }));
    }

    #[test]
    fn errors_cross_the_wire_unchanged() {
        let error = MembersError::invalid_field("member.loginEmail", "FORMAT", "is not an email");
        let back = decode_error(&encode_error(&error));
        assert_eq!(back, error);
        let error = MembersError::new(ErrorCode::AlreadyExists, "SLUG_ALREADY_EXISTS", "taken")
            .with_data(json!({ "slug": "ann" }));
        let wire = encode_error(&error);
        assert_eq!(wire.status, 409);
        assert_eq!(decode_error(&wire), error);
    }
}
