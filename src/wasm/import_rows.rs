//! The import and export calls of `Members` (SPEC §13) that `universal-members
//! import | export` drives: one batch of rows in, a header checked, a page of
//! members out as CSV rows. Host-only (local engine); no rules here.

use super::convert::{to_js, to_json};
use super::error::to_js_error;
use super::members::Members;
use crate::model::csv_columns::{
    check_header, column_of, export_header, report_cell, row_of_member,
};
use crate::model::decode::decode;
use crate::model::{Fieldset, Member, MembersError, MembersResult};
use crate::query::QueryRequest;
use js_sys::Promise;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use wasm_bindgen::prelude::*;

fn strings(value: &JsValue, name: &str) -> MembersResult<Vec<String>> {
    decode(to_json(value, name)?, name)
}

fn answer(result: MembersResult<Value>) -> Result<JsValue, JsValue> {
    result.map(|v| to_js(&v)).map_err(|e| to_js_error(&e))
}

#[wasm_bindgen]
impl Members {
    /// `importRows(rows, { format: 'csv'|'member', header, onConflict:
    /// 'skip'|'update'|'error', dryRun, ignoreUnknown })` → `{ results: [{ outcome:
    /// 'created'|'updated'|'skipped'|'failed', error?, id?, key?, conflict? }] }`:
    /// up to 1,000 CSV rows (arrays of cells under `header`) or whole members, each
    /// checked like `createMember`; the good ones stored in one transaction with
    /// their events. Admins only, where the database is.
    #[wasm_bindgen(js_name = importRows)]
    pub fn import_rows(&self, rows: JsValue, options: JsValue) -> Promise {
        let rows = to_json(&rows, "rows");
        let options = to_json(&options, "options");
        self.host(move |engine, caller| async move {
            engine.import_rows(&caller, rows?, options?).await
        })
    }

    /// `checkImportHeader(header)` → `{ columns, unknown, notices }`: the canonical
    /// column each CSV header fills (`null` when dropped), the headers nothing
    /// answers to, and what to tell once. Throws when two headers fill one column
    /// or there is no login email column.
    #[wasm_bindgen(js_name = checkImportHeader)]
    pub fn check_import_header(&self, header: JsValue) -> Result<JsValue, JsValue> {
        answer(strings(&header, "header").and_then(|header| {
            let check = check_header(&header)?;
            serde_json::to_value(check).map_err(|e| MembersError::internal(e.to_string()))
        }))
    }

    /// `csvExportHeader(customFieldKeys)` → the header export writes: the canonical
    /// columns, then `customFields.<key>` for each key, sorted.
    #[wasm_bindgen(js_name = csvExportHeader)]
    pub fn csv_export_header(&self, keys: JsValue) -> Result<JsValue, JsValue> {
        answer(strings(&keys, "customFieldKeys").map(|keys| {
            let keys: BTreeSet<String> = keys.into_iter().collect();
            Value::from(export_header(&keys))
        }))
    }

    /// `csvRowsOfMembers(members, header)` → one array of cells per member (FULL
    /// members as queries return them) under an export header; `import` reads
    /// them back unchanged. A custom field without a column throws.
    #[wasm_bindgen(js_name = csvRowsOfMembers)]
    pub fn csv_rows_of_members(
        &self,
        members: JsValue,
        header: JsValue,
    ) -> Result<JsValue, JsValue> {
        answer((|| {
            let header = strings(&header, "header")?;
            let columns = header
                .iter()
                .map(|h| {
                    column_of(h).ok_or_else(|| {
                        MembersError::invalid_field(
                            "header",
                            "UNKNOWN_COLUMN",
                            format!("{h:?} is not a column"),
                        )
                    })
                })
                .collect::<MembersResult<Vec<_>>>()?;
            let members: Vec<Member> = decode(to_json(&members, "members")?, "members")?;
            let rows = members
                .iter()
                .map(|m| row_of_member(m, &columns))
                .collect::<MembersResult<Vec<_>>>()?;
            serde_json::to_value(rows).map_err(|e| MembersError::internal(e.to_string()))
        })())
    }

    /// `csvReportRow(cells)` → the cells of an import report row (a rejected row
    /// and its error, or the header), with a `'` before each that a spreadsheet
    /// would run as a formula; importing the report reads what the file read.
    #[wasm_bindgen(js_name = csvReportRow)]
    pub fn csv_report_row(&self, cells: JsValue) -> Result<JsValue, JsValue> {
        answer(
            strings(&cells, "cells")
                .map(|cells| Value::from(cells.into_iter().map(report_cell).collect::<Vec<_>>())),
        )
    }

    /// `exportPage(filter, cursor, limit)` → `{ members, nextCursor }`: one page of
    /// whole (FULL) members matching the Wix `filter`, oldest first; pass
    /// `nextCursor` back for the next page (`null` after the last). Admins see
    /// everyone; others only whom they may see. Where the database is.
    #[wasm_bindgen(js_name = exportPage)]
    pub fn export_page(&self, filter: JsValue, cursor: JsValue, limit: JsValue) -> Promise {
        let request = (|| {
            let query = json!({
                "filter": to_json(&filter, "filter")?,
                "sort": [{ "fieldName": "_createdDate", "order": "ASC" }],
                "paging": { "limit": to_json(&limit, "limit")?, "cursor": to_json(&cursor, "cursor")? },
            });
            QueryRequest::parse(&query, &Value::Null)
        })();
        self.host(move |engine, caller| async move {
            let page = engine
                .query_members(&caller, request?, &[Fieldset::Full])
                .await?;
            Ok(json!({ "members": page.members, "nextCursor": page.next_cursor }))
        })
    }
}
