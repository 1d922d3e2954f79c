//! The CSV row mapper (`check_header`, `member_of_row`, src/model/csv_columns.rs,
//! and the draft `importRows` makes of a row, src/service/import_rows.rs).
//!
//! Input format (readable seeds): the first line is the header, the second the
//! row, cells separated by tabs.
//!
//! Properties: a refused header or row is `INVALID_ARGUMENT` naming the field;
//! an accepted row's member, exported as a row under the export header and
//! imported again, is the same member (SPEC §13: export imports back unchanged).

use super::assert_names_a_field;
use serde_json::json;
use std::collections::BTreeSet;
use universal_members::model::csv_columns::{column_of, export_header, row_of_member};
use universal_members::model::{Member, MembersResult, Timestamp};
use universal_members::service::{Engine, SitePolicy};
use universal_members::store::MemoryStore;

/// Checks one fuzz input: a header line and a row line, cells tab-separated.
pub fn check(data: &[u8]) {
    let Some((header, row)) = rows_of(data) else {
        return;
    };
    let member = match draft(&header, &row) {
        Ok(member) => member,
        Err(error) => return assert_names_a_field(&error, None),
    };
    let keys: BTreeSet<String> = member.contact.custom_fields.keys().cloned().collect();
    let export = export_header(&keys);
    let columns: Vec<_> = export
        .iter()
        .map(|name| column_of(name).unwrap_or_else(|| panic!("export column {name:?} unknown")))
        .collect();
    let cells = row_of_member(&member, &columns)
        .unwrap_or_else(|error| panic!("{member:?} does not export: {error:?}"));
    match draft(&export, &cells) {
        Ok(again) => assert_eq!(again, member, "exported as {cells:?}"),
        Err(error) => panic!("{member:?} exported as {cells:?} does not import: {error:?}"),
    }
}

/// Parses the fuzz input's format; `None` when it is not that format.
pub fn rows_of(data: &[u8]) -> Option<(Vec<String>, Vec<String>)> {
    let text = std::str::from_utf8(data).ok()?;
    let (header, row) = text.split_once('\n')?;
    let cells = |line: &str| line.split('\t').map(str::to_string).collect();
    Some((cells(header), cells(row.strip_suffix('\n').unwrap_or(row))))
}

fn draft(header: &[String], row: &[String]) -> MembersResult<Member> {
    thread_local! {
        // A fixed clock, so a re-import drafts the same dates.
        static ENGINE: Engine<MemoryStore> = Engine::new(
            MemoryStore::new(),
            SitePolicy::default(),
            Box::new(|| Timestamp(1_718_000_000_000)),
        );
    }
    ENGINE.with(|engine| engine.draft_csv_row(header, json!(row)))
}
