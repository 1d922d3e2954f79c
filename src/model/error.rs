//! `MembersError`: the one error type of the whole core (SPEC §8).
//!
//! Owns the error codes, their HTTP statuses and the `details` shape shared by the
//! JS `MembersError` and the wire body. It must not know how errors are shown: the
//! wasm layer turns it into a JS `Error`, the REST codec into a response.

use serde::Serialize;
use serde_json::{json, Value};

/// The canonical error codes of SPEC §8 (gRPC names, as Wix uses them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidArgument,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The name seen by users, e.g. `INVALID_ARGUMENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::AlreadyExists => "ALREADY_EXISTS",
            ErrorCode::FailedPrecondition => "FAILED_PRECONDITION",
            ErrorCode::ResourceExhausted => "RESOURCE_EXHAUSTED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// Parses a code name as sent over the wire.
    pub fn parse(name: &str) -> Option<ErrorCode> {
        ALL_CODES.iter().copied().find(|code| code.as_str() == name)
    }

    /// The HTTP status Wix answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidArgument => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists => 409,
            ErrorCode::FailedPrecondition => 428,
            ErrorCode::ResourceExhausted => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// Every code, for parsing and for tests that walk them all.
pub const ALL_CODES: [ErrorCode; 9] = [
    ErrorCode::InvalidArgument,
    ErrorCode::Unauthenticated,
    ErrorCode::PermissionDenied,
    ErrorCode::NotFound,
    ErrorCode::AlreadyExists,
    ErrorCode::FailedPrecondition,
    ErrorCode::ResourceExhausted,
    ErrorCode::Unavailable,
    ErrorCode::Internal,
];

/// One broken rule of an input, as Wix reports it in `validationError.fieldViolations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldViolation {
    /// Dotted path of the field, e.g. `member.contact.phones`.
    pub field: String,
    /// What is wrong, for a person.
    pub description: String,
    /// A short machine name of the rule, e.g. `MAX_LENGTH`.
    pub violated_rule: String,
}

/// A failed call. The message always names the field or value at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct MembersError {
    /// The canonical code.
    pub code: ErrorCode,
    /// The application code, e.g. `SLUG_ALREADY_EXISTS`.
    pub application_code: String,
    /// What is wrong and with which field or value.
    pub message: String,
    /// Structured data: the slug that was taken, the field that was invalid...
    pub data: Value,
    /// For `INVALID_ARGUMENT`: the broken rules.
    pub violations: Vec<FieldViolation>,
}

/// Results of the core.
pub type MembersResult<T> = Result<T, MembersError>;

impl MembersError {
    /// A new error with no extra data.
    pub fn new(code: ErrorCode, application_code: &str, message: impl Into<String>) -> Self {
        MembersError {
            code,
            application_code: application_code.to_string(),
            message: message.into(),
            data: Value::Null,
            violations: Vec::new(),
        }
    }

    /// Attaches structured data (`details.applicationError.data`).
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// `INVALID_ARGUMENT` for one field: the message names the field and the rule.
    pub fn invalid_field(field: &str, rule: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        let mut error = MembersError::new(
            ErrorCode::InvalidArgument,
            "INVALID_ARGUMENT",
            format!("{field}: {description}"),
        );
        error.data = json!({ "field": field });
        error.violations.push(FieldViolation {
            field: field.to_string(),
            description,
            violated_rule: rule.to_string(),
        });
        error
    }

    /// `INVALID_ARGUMENT` for a query: filter, sort, paging or search.
    pub fn invalid_filter(field: &str, description: impl Into<String>) -> Self {
        let mut error = MembersError::invalid_field(field, "INVALID_FILTER", description);
        error.application_code = "INVALID_FILTER".to_string();
        error
    }

    /// `NOT_FOUND` for a member that does not exist or that the caller may not see.
    pub fn member_not_found(id: &str) -> Self {
        MembersError::new(
            ErrorCode::NotFound,
            "MEMBER_NOT_FOUND",
            format!("member {id} was not found"),
        )
        .with_data(json!({ "memberId": id }))
    }

    /// `PERMISSION_DENIED` saying what was refused.
    pub fn permission_denied(what: impl Into<String>) -> Self {
        MembersError::new(ErrorCode::PermissionDenied, "PERMISSION_DENIED", what)
    }

    /// `UNAUTHENTICATED`: a member session is needed and none was given.
    pub fn unauthenticated(call: &str) -> Self {
        MembersError::new(
            ErrorCode::Unauthenticated,
            "UNAUTHENTICATED",
            format!("{call} needs a logged-in member"),
        )
    }

    /// `INTERNAL`: a broken invariant or a failed dependency, never the caller's fault.
    pub fn internal(message: impl Into<String>) -> Self {
        MembersError::new(ErrorCode::Internal, "INTERNAL", message)
    }

    /// The HTTP status of this error.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// `details` as in the Wix wire body and on the JS error: `applicationError`
    /// always, plus `validationError.fieldViolations` for `INVALID_ARGUMENT`.
    pub fn details(&self) -> Value {
        let mut details = json!({
            "applicationError": {
                "code": self.application_code,
                "description": self.message,
                "data": if self.data.is_null() { json!({}) } else { self.data.clone() },
            }
        });
        if self.code == ErrorCode::InvalidArgument {
            details["validationError"] = json!({ "fieldViolations": self.violations });
        }
        details
    }

    /// Rebuilds an error from its parts as they crossed a wire or a JS boundary.
    pub fn from_parts(code: ErrorCode, message: String, details: &Value) -> Self {
        let application = &details["applicationError"];
        let application_code = application["code"]
            .as_str()
            .unwrap_or(code.as_str())
            .to_string();
        let data = match &application["data"] {
            Value::Object(map) if map.is_empty() => Value::Null,
            other => other.clone(),
        };
        let violations = details["validationError"]["fieldViolations"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|v| FieldViolation {
                        field: v["field"].as_str().unwrap_or_default().to_string(),
                        description: v["description"].as_str().unwrap_or_default().to_string(),
                        violated_rule: v["violatedRule"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        MembersError {
            code,
            application_code,
            message,
            data,
            violations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_field_names_the_field_in_message_and_violations() {
        let error =
            MembersError::invalid_field("member.loginEmail", "FORMAT", "is not a valid email");
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert!(error.message.contains("member.loginEmail"));
        let details = error.details();
        assert_eq!(
            details["validationError"]["fieldViolations"][0]["field"],
            "member.loginEmail"
        );
    }

    #[test]
    fn errors_survive_a_round_trip_through_their_details() {
        let error = MembersError::new(ErrorCode::AlreadyExists, "SLUG_ALREADY_EXISTS", "taken")
            .with_data(json!({ "slug": "ann" }));
        let back = MembersError::from_parts(error.code, error.message.clone(), &error.details());
        assert_eq!(back, error);
    }

    #[test]
    fn every_code_parses_back_from_its_name() {
        for code in ALL_CODES {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }
}
