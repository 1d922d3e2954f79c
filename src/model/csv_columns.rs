//! The CSV columns of import and export (SPEC §13): header names and their aliases
//! (ours, Ghost's and Wix's), a CSV row ⇄ a member as JSON in the SDK naming, and
//! the canonical header that export writes.
//!
//! Owns the cell encodings. It does not validate members (see `input`) nor decide
//! conflicts (see `service::import_rows`).
//!
//! Cell encodings (**Decision**), chosen so that `import` reads back exactly what
//! `export` wrote:
//! - an empty cell is "not given";
//! - `phones`, `emails`: values separated by `;` (neither may hold one);
//! - `addresses`, `photo`, `cover`: JSON (as in the member);
//! - dates: ISO-8601; `loginEmailVerified`: `true` / `false`;
//! - `customFields.<key>`: a string is written as itself, unless it is empty or
//!   would read as JSON (`42`, `true`, `"x"`, `[1]`...): then, like every value
//!   that is not a string, it is written as JSON. On import a cell that parses as
//!   JSON is that value, anything else is the string;
//! - `customFieldNames`: JSON `{ key: name }` of the fields that have a name;
//! - a cell that would start with `=`, `+`, `-`, `@`, a tab or a carriage return
//!   is written with a `'` before it, so a spreadsheet shows it as text instead of
//!   running it as a formula (OWASP's CSV injection rule); a cell that starts with
//!   quotes before such a character gets one more. Import takes exactly one away
//!   from a cell that starts with `'` and then (after any more quotes) such a
//!   character, so `+1 555 0100` comes back as it went out.

use super::error::{MembersError, MembersResult};
use super::member::{CustomField, Member};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The prefix of a custom field's column (`customFields.<key>`).
pub const CUSTOM_FIELD_PREFIX: &str = "customFields.";

/// What one CSV column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Id,
    LoginEmail,
    LoginEmailVerified,
    Status,
    PrivacyStatus,
    ActivityStatus,
    ContactId,
    FirstName,
    LastName,
    Nickname,
    Title,
    Slug,
    Phones,
    Emails,
    Company,
    JobTitle,
    Birthdate,
    Addresses,
    Photo,
    Cover,
    CreatedDate,
    UpdatedDate,
    LastLoginDate,
    CustomFieldNames,
    /// `customFields.<key>`, Ghost's `note` and `labels`.
    CustomField(String),
    /// Read and dropped (Ghost's `subscribed_to_emails`).
    Ignored,
}

/// The fixed columns export writes, in order; custom fields follow.
const CANONICAL: [Column; 24] = [
    Column::Id,
    Column::LoginEmail,
    Column::LoginEmailVerified,
    Column::Status,
    Column::PrivacyStatus,
    Column::ActivityStatus,
    Column::ContactId,
    Column::FirstName,
    Column::LastName,
    Column::Nickname,
    Column::Title,
    Column::Slug,
    Column::Phones,
    Column::Emails,
    Column::Company,
    Column::JobTitle,
    Column::Birthdate,
    Column::Addresses,
    Column::Photo,
    Column::Cover,
    Column::CreatedDate,
    Column::UpdatedDate,
    Column::LastLoginDate,
    Column::CustomFieldNames,
];

impl Column {
    /// The canonical header of this column.
    pub fn name(&self) -> String {
        let fixed = match self {
            Column::Id => "id",
            Column::LoginEmail => "loginEmail",
            Column::LoginEmailVerified => "loginEmailVerified",
            Column::Status => "status",
            Column::PrivacyStatus => "privacyStatus",
            Column::ActivityStatus => "activityStatus",
            Column::ContactId => "contactId",
            Column::FirstName => "firstName",
            Column::LastName => "lastName",
            Column::Nickname => "nickname",
            Column::Title => "title",
            Column::Slug => "slug",
            Column::Phones => "phones",
            Column::Emails => "emails",
            Column::Company => "company",
            Column::JobTitle => "jobTitle",
            Column::Birthdate => "birthdate",
            Column::Addresses => "addresses",
            Column::Photo => "photo",
            Column::Cover => "cover",
            Column::CreatedDate => "createdDate",
            Column::UpdatedDate => "updatedDate",
            Column::LastLoginDate => "lastLoginDate",
            Column::CustomFieldNames => "customFieldNames",
            Column::CustomField(key) => return format!("{CUSTOM_FIELD_PREFIX}{key}"),
            Column::Ignored => "",
        };
        fixed.to_string()
    }
}

/// A header as compared: lower case, without spaces, `_` and `-`.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column a header names, if any.
pub fn column_of(header: &str) -> Option<Column> {
    let trimmed = header.trim();
    if let Some((prefix, key)) = trimmed.split_once('.') {
        return (normalise(prefix) == "customfields" && !key.trim().is_empty())
            .then(|| Column::CustomField(key.trim().to_string()));
    }
    let column = match normalise(trimmed).as_str() {
        "id" => Column::Id,
        "loginemail" | "email" | "email1" => Column::LoginEmail,
        "loginemailverified" => Column::LoginEmailVerified,
        "status" => Column::Status,
        "privacystatus" => Column::PrivacyStatus,
        "activitystatus" => Column::ActivityStatus,
        "contactid" => Column::ContactId,
        "firstname" => Column::FirstName,
        "lastname" => Column::LastName,
        "nickname" | "name" => Column::Nickname,
        "title" => Column::Title,
        "slug" => Column::Slug,
        "phones" | "phone" | "phone1" => Column::Phones,
        "emails" => Column::Emails,
        "company" => Column::Company,
        "jobtitle" | "position" => Column::JobTitle,
        "birthdate" => Column::Birthdate,
        "addresses" => Column::Addresses,
        "photo" => Column::Photo,
        "cover" => Column::Cover,
        "createddate" | "createdat" => Column::CreatedDate,
        "updateddate" | "updatedat" => Column::UpdatedDate,
        "lastlogindate" => Column::LastLoginDate,
        "customfieldnames" => Column::CustomFieldNames,
        "note" => Column::CustomField("note".into()),
        "labels" => Column::CustomField("labels".into()),
        "subscribedtoemails" => Column::Ignored,
        _ => return None,
    };
    Some(column)
}

/// What a header row maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderCheck {
    /// Per header, the canonical column it fills (`null`: dropped).
    pub columns: Vec<Option<String>>,
    /// Headers no column answers to, as written.
    pub unknown: Vec<String>,
    /// Things worth telling once (a column that is ignored).
    pub notices: Vec<String>,
    #[serde(skip)]
    parsed: Vec<Option<Column>>,
}

/// Maps a header row to columns. Two headers for one column are refused; unknown
/// headers are listed in `unknown` (and dropped when `ignore_unknown`).
pub fn check_header(headers: &[String]) -> MembersResult<HeaderCheck> {
    let mut check = HeaderCheck {
        columns: Vec::with_capacity(headers.len()),
        unknown: Vec::new(),
        notices: Vec::new(),
        parsed: Vec::with_capacity(headers.len()),
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for header in headers {
        let column = column_of(header);
        match &column {
            None => check.unknown.push(header.clone()),
            Some(Column::Ignored) => check.notices.push(format!(
                "the column {header:?} is ignored (email subscriptions are not kept here)"
            )),
            Some(column) => {
                let name = column.name();
                if let Some(first) = seen.insert(name.clone(), header) {
                    return Err(MembersError::invalid_field(
                        "header",
                        "DUPLICATE",
                        format!("{first:?} and {header:?} both fill the column {name}"),
                    ));
                }
            }
        }
        check.columns.push(
            column
                .as_ref()
                .filter(|c| **c != Column::Ignored)
                .map(Column::name),
        );
        check.parsed.push(column.filter(|c| *c != Column::Ignored));
    }
    if !check.parsed.contains(&Some(Column::LoginEmail)) {
        return Err(MembersError::invalid_field(
            "header",
            "REQUIRED_FIELD",
            "needs a loginEmail column (or email, Email 1)",
        ));
    }
    Ok(check)
}

impl HeaderCheck {
    /// The error that refuses unknown headers, naming them; `None` when all are known.
    pub fn unknown_error(&self) -> Option<MembersError> {
        (!self.unknown.is_empty()).then(|| {
            let names: Vec<String> = self.unknown.iter().map(|h| format!("{h:?}")).collect();
            MembersError::invalid_field(
                "header",
                "UNKNOWN_COLUMN",
                format!(
                    "unknown column{} {} (use --ignore-unknown to drop {})",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" },
                ),
            )
            .with_data(json!({ "unknown": self.unknown }))
        })
    }

    /// One CSV row as a member in the SDK naming (as `export --format json` writes
    /// it); empty cells are left out. Errors name the member field at fault.
    pub fn member_of_row(&self, cells: &[String]) -> MembersResult<Value> {
        let mut member = Map::new();
        let mut contact = Map::new();
        let mut profile = Map::new();
        let mut custom = Map::new();
        let mut names: Option<Map<String, Value>> = None;
        for (column, cell) in self.parsed.iter().zip(cells) {
            let Some(column) = column else { continue };
            let raw = unneutralised_cell(cell);
            let cell = raw.trim();
            if cell.is_empty() {
                continue;
            }
            let text = || Value::String(cell.to_string());
            // Free text keeps its spaces, so what export wrote comes back unchanged.
            let raw_text = || Value::String(raw.to_string());
            match column {
                Column::Id => {
                    // Another system's ids (Ghost's are 24 hex digits) would fail
                    // every row with a bare "not a UUID": say how to keep them.
                    if !super::ids::is_uuid(cell) {
                        return Err(MembersError::invalid_field(
                            "member._id",
                            "FORMAT",
                            format!(
                                "{cell:?} is not a member id (a UUID); to keep another \
                                 system's ids, rename the column to customFields.sourceId"
                            ),
                        ));
                    }
                    member.insert("_id".into(), text());
                }
                Column::LoginEmail => _ = member.insert("loginEmail".into(), text()),
                Column::LoginEmailVerified => {
                    let verified = match cell.to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(MembersError::invalid_field(
                                "member.loginEmailVerified",
                                "FORMAT",
                                format!("{cell:?} is not true or false"),
                            ))
                        }
                    };
                    member.insert("loginEmailVerified".into(), Value::Bool(verified));
                }
                Column::Status => _ = member.insert("status".into(), text()),
                Column::PrivacyStatus => _ = member.insert("privacyStatus".into(), text()),
                Column::ActivityStatus => _ = member.insert("activityStatus".into(), text()),
                Column::ContactId => _ = member.insert("contactId".into(), text()),
                Column::FirstName => _ = contact.insert("firstName".into(), raw_text()),
                Column::LastName => _ = contact.insert("lastName".into(), raw_text()),
                Column::Company => _ = contact.insert("company".into(), raw_text()),
                Column::JobTitle => _ = contact.insert("jobTitle".into(), raw_text()),
                Column::Birthdate => _ = contact.insert("birthdate".into(), text()),
                Column::Phones => _ = contact.insert("phones".into(), list(cell)),
                Column::Emails => _ = contact.insert("emails".into(), list(cell)),
                Column::Addresses => {
                    contact.insert("addresses".into(), json_cell(cell, "contact.addresses")?);
                }
                Column::Nickname => _ = profile.insert("nickname".into(), raw_text()),
                Column::Title => _ = profile.insert("title".into(), raw_text()),
                Column::Slug => _ = profile.insert("slug".into(), text()),
                Column::Photo => {
                    _ = profile.insert("photo".into(), json_cell(cell, "profile.photo")?)
                }
                Column::Cover => {
                    _ = profile.insert("cover".into(), json_cell(cell, "profile.cover")?)
                }
                Column::CreatedDate => _ = member.insert("_createdDate".into(), text()),
                Column::UpdatedDate => _ = member.insert("_updatedDate".into(), text()),
                Column::LastLoginDate => _ = member.insert("lastLoginDate".into(), text()),
                Column::CustomFieldNames => match json_cell(cell, "customFieldNames")? {
                    Value::Object(map) => names = Some(map),
                    _ => {
                        return Err(MembersError::invalid_field(
                            "member.customFieldNames",
                            "FORMAT",
                            "must be a JSON object of key → name",
                        ))
                    }
                },
                Column::CustomField(key) => {
                    custom.insert(key.clone(), json!({ "value": custom_value(raw) }));
                }
                Column::Ignored => {}
            }
        }
        for (key, name) in names.unwrap_or_default() {
            if let Some(Value::Object(field)) = custom.get_mut(&key) {
                field.insert("name".into(), name);
            }
        }
        if !custom.is_empty() {
            contact.insert("customFields".into(), Value::Object(custom));
        }
        if !contact.is_empty() {
            member.insert("contact".into(), Value::Object(contact));
        }
        if !profile.is_empty() {
            member.insert("profile".into(), Value::Object(profile));
        }
        Ok(Value::Object(member))
    }
}

/// `a; b;c` → `["a", "b", "c"]`.
fn list(cell: &str) -> Value {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect()
}

fn json_cell(cell: &str, field: &str) -> MembersResult<Value> {
    serde_json::from_str(cell).map_err(|e| {
        MembersError::invalid_field(
            &format!("member.{field}"),
            "FORMAT",
            format!("is not valid JSON: {e}"),
        )
    })
}

/// What a spreadsheet reads as the start of a formula (OWASP CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when `cell` is some quotes (maybe none) and then a formula start.
fn starts_like_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell as export writes it: `'` before one a spreadsheet would run as a
/// formula (see the module's cell encodings).
pub fn neutralised_cell(cell: String) -> String {
    if starts_like_formula(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as import reads it: [`neutralised_cell`] undone, and any other cell as
/// it is (so a Ghost or Wix file's `'Tis` keeps its quote).
pub fn unneutralised_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) => rest,
        _ => cell,
    }
}

/// A cell of an import report (the rejected row as it was read, plus `error`):
/// `'` before one that starts like a formula. Unlike [`neutralised_cell`] a cell
/// that already starts with a quote is left alone, since it is a cell and not a
/// value: importing the fixed report reads what importing the file read.
pub fn report_cell(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A custom field cell: JSON when it reads as JSON, else the text itself.
pub fn custom_value(cell: &str) -> Value {
    serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_string()))
}

/// A custom field value as a cell; `custom_value` reads it back unchanged.
pub fn custom_cell(value: &Value) -> String {
    match value {
        Value::String(s)
            if !s.trim().is_empty()
                && s.trim() == s
                && serde_json::from_str::<Value>(s).is_err() =>
        {
            s.clone()
        }
        other => other.to_string(),
    }
}

/// The header export writes: the canonical columns, then `customFields.<key>` for
/// each key, sorted.
pub fn export_header(custom_keys: &BTreeSet<String>) -> Vec<String> {
    CANONICAL
        .iter()
        .map(Column::name)
        .chain(
            custom_keys
                .iter()
                .map(|key| format!("{CUSTOM_FIELD_PREFIX}{key}")),
        )
        .collect()
}

/// A member as one row under `header` (an export header). A custom field without
/// a column is an error, so nothing is dropped silently.
pub fn row_of_member(member: &Member, header: &[Column]) -> MembersResult<Vec<String>> {
    for key in member.contact.custom_fields.keys() {
        if !header.contains(&Column::CustomField(key.clone())) {
            return Err(MembersError::invalid_field(
                "header",
                "MISSING_COLUMN",
                format!(
                    "member {} has the custom field {key:?}, which has no column",
                    member.id
                ),
            ));
        }
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let json_of = |v: Value| v.to_string();
    let c = &member.contact;
    let p = &member.profile;
    let enum_text = |v: Value| v.as_str().unwrap_or_default().to_string();
    Ok(header
        .iter()
        .map(|column| match column {
            Column::Id => member.id.to_string(),
            Column::LoginEmail => member.login_email.clone(),
            Column::LoginEmailVerified => member.login_email_verified.to_string(),
            Column::Status => enum_text(json!(member.status)),
            Column::PrivacyStatus => enum_text(json!(member.privacy_status)),
            Column::ActivityStatus => enum_text(json!(member.activity_status)),
            Column::ContactId => member.contact_id.to_string(),
            Column::FirstName => opt(&c.first_name),
            Column::LastName => opt(&c.last_name),
            Column::Nickname => opt(&p.nickname),
            Column::Title => opt(&p.title),
            Column::Slug => p.slug.clone(),
            Column::Phones => c.phones.join(";"),
            Column::Emails => c.emails.join(";"),
            Column::Company => opt(&c.company),
            Column::JobTitle => opt(&c.job_title),
            Column::Birthdate => opt(&c.birthdate),
            Column::Addresses if c.addresses.is_empty() => String::new(),
            Column::Addresses => json_of(json!(c.addresses)),
            Column::Photo => p
                .photo
                .as_ref()
                .map_or_else(String::new, |i| json_of(json!(i))),
            Column::Cover => p
                .cover
                .as_ref()
                .map_or_else(String::new, |i| json_of(json!(i))),
            Column::CreatedDate => member.created_date.to_string(),
            Column::UpdatedDate => member.updated_date.to_string(),
            Column::LastLoginDate => member
                .last_login_date
                .map_or_else(String::new, |d| d.to_string()),
            Column::CustomFieldNames => names_cell(&c.custom_fields),
            Column::CustomField(key) => c
                .custom_fields
                .get(key)
                .map_or_else(String::new, |f| custom_cell(&f.value)),
            Column::Ignored => String::new(),
        })
        .map(neutralised_cell)
        .collect())
}

fn names_cell(fields: &BTreeMap<String, CustomField>) -> String {
    let names: Map<String, Value> = fields
        .iter()
        .filter_map(|(k, f)| f.name.clone().map(|n| (k.clone(), Value::String(n))))
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        Value::Object(names).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_ignoring_case_spaces_underscores_and_dashes() {
        for (header, name) in [
            ("Email 1", "loginEmail"),
            ("E-mail", "loginEmail"),
            ("created_at", "createdDate"),
            ("Job Title", "jobTitle"),
            ("position", "jobTitle"),
            ("name", "nickname"),
            ("customFields.Hobby", "customFields.Hobby"),
            ("custom_fields.x.y", "customFields.x.y"),
            ("note", "customFields.note"),
        ] {
            assert_eq!(
                column_of(header).map(|c| c.name()).as_deref(),
                Some(name),
                "{header}"
            );
        }
        assert_eq!(column_of("favourite colour"), None);
        assert_eq!(column_of("customFields."), None);
    }

    #[test]
    fn an_id_from_another_system_is_refused_with_the_way_to_keep_it() {
        let header = ["id", "email"].map(String::from);
        let check = check_header(&header).unwrap();
        let ghost = ["5f2a1c3b9d8e7f6a5b4c3d2e", "ann@example.com"].map(String::from);
        let error = check.member_of_row(&ghost).unwrap_err();
        assert_eq!(error.violations[0].field, "member._id");
        assert!(
            error.message.contains("customFields.sourceId"),
            "{}",
            error.message
        );
        let uuid = ["0b7f4c5e-1d2a-4e3b-9c8d-7a6f5e4d3c2b", "ann@example.com"].map(String::from);
        assert!(check.member_of_row(&uuid).is_ok());
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        for (value, written) in [
            (
                "=HYPERLINK(\"http://x.test\")",
                "'=HYPERLINK(\"http://x.test\")",
            ),
            ("+1 555 0100", "'+1 555 0100"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=x", "''=x"),
            ("''+x", "'''+x"),
            ("plain", "plain"),
            ("'Tis", "'Tis"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralised_cell(value.to_string()), written, "{value:?}");
            assert_eq!(unneutralised_cell(written), value, "{written:?}");
        }
    }

    #[test]
    fn a_report_cell_reads_back_as_the_cell_it_reports() {
        for cell in ["=1+1", "'=1+1", "+1 555", "plain", "'Tis", "@x", "\tx"] {
            let written = report_cell(cell.to_string());
            assert!(!written.starts_with(FORMULA_STARTS), "{written:?}");
            assert_eq!(
                unneutralised_cell(&written),
                unneutralised_cell(cell),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn an_exported_row_neutralises_formulas_and_imports_back_unchanged() {
        let mut member: Member = serde_json::from_value(json!({
            "_id": "0b7f4c5e-1d2a-4e3b-9c8d-7a6f5e4d3c2b",
            "loginEmail": "ann@example.com",
            "status": "APPROVED",
            "contactId": "1b7f4c5e-1d2a-4e3b-9c8d-7a6f5e4d3c2b",
            "privacyStatus": "PUBLIC",
            "activityStatus": "ACTIVE",
            "_createdDate": "2024-01-01T00:00:00Z",
            "_updatedDate": "2024-01-01T00:00:00Z",
            "contact": { "firstName": "=1+1", "phones": ["+1 555 0100"] },
            "profile": { "nickname": "@admin", "title": "'=quoted", "slug": "ann" },
        }))
        .unwrap();
        member.contact.custom_fields.insert(
            "n".into(),
            CustomField {
                name: None,
                value: json!(-5),
            },
        );
        let keys: BTreeSet<String> = ["n".to_string()].into();
        let header = export_header(&keys);
        let check = check_header(&header).unwrap();
        let columns: Vec<Column> = header.iter().filter_map(|h| column_of(h)).collect();
        let row = row_of_member(&member, &columns).unwrap();
        let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].clone();
        assert_eq!(cell("firstName"), "'=1+1");
        assert_eq!(cell("phones"), "'+1 555 0100");
        assert_eq!(cell("nickname"), "'@admin");
        assert_eq!(cell("title"), "''=quoted");
        assert_eq!(cell("customFields.n"), "'-5");
        assert!(
            row.iter().all(|c| !c.starts_with(FORMULA_STARTS)),
            "{row:?}"
        );
        let back = check.member_of_row(&row).unwrap();
        assert_eq!(back["contact"]["firstName"], "=1+1");
        assert_eq!(back["contact"]["phones"], json!(["+1 555 0100"]));
        assert_eq!(back["profile"]["nickname"], "@admin");
        assert_eq!(back["profile"]["title"], "'=quoted");
        assert_eq!(back["contact"]["customFields"]["n"]["value"], json!(-5));
    }

    #[test]
    fn custom_values_round_trip_through_cells() {
        for value in [
            json!("plain"),
            json!(""),
            json!("42"),
            json!("true"),
            json!("\"quoted\""),
            json!(42),
            json!(1.5),
            json!(false),
            json!(null),
            json!(["a", 1]),
            json!({ "a": [1] }),
            json!("with, comma\nand newline"),
            json!(" spaced "),
            json!("   "),
        ] {
            assert_eq!(custom_value(&custom_cell(&value)), value, "{value}");
        }
    }
}
