//! Replays the fuzz corpus and every past crash on stable, as ordinary tests:
//! each file of fuzz/seeds/<target>/ (hand-written), fuzz/corpus/<target>/
//! (minimised finds) and fuzz/regressions/<target>/ (past crashes) goes
//! through the very check the fuzz target runs (fuzz/src/, compiled in here),
//! so what the fuzzer once found stays fixed. Then one named test per crash
//! asserts the behaviour its fix chose.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use serde_json::json;
use std::path::{Path, PathBuf};
use universal_members::api::rest::{decode_request, encode_request};
use universal_members::query::Filter;

/// The files of `fuzz/<kind>/<target>/`, sorted; none when it does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every corpus and regression input of `target`, and reports
/// each failing file by name.
fn replay(target: &str, check: fn(&[u8])) {
    let seeds = inputs("seeds", target);
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ holds no seeds");
    let mut failed = Vec::new();
    let all = [
        seeds,
        inputs("corpus", target),
        inputs("regressions", target),
    ];
    for path in all.iter().flatten() {
        let data = std::fs::read(path).expect("a readable input");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target} fails on {failed:#?}");
}

#[test]
fn the_filter_corpus_passes_the_filter_check() {
    replay("filter", checks::filter::check);
}

#[test]
fn the_member_input_corpus_passes_the_member_input_check() {
    replay("member_input", checks::member_input::check);
}

#[test]
fn the_rest_request_corpus_passes_the_rest_request_check() {
    replay("rest_request", checks::rest_request::check);
}

#[test]
fn the_csv_row_corpus_passes_the_csv_row_check() {
    replay("csv_row", checks::csv_row::check);
}

// One test per crash the fuzzer found (fuzz/regressions/), on the fixed behaviour.

#[test]
fn an_empty_field_name_in_a_filter_is_refused_naming_the_filter() {
    let error = Filter::parse(&json!({ "": { "$gte": "2024-01-01T00:00:00Z" } })).unwrap_err();
    assert_eq!(error.violations[0].field, "filter");
    assert!(error.message.contains("\"\""), "{}", error.message);
}

#[test]
fn a_job_items_limit_that_is_not_a_number_reaches_the_server_as_sent() {
    for limit in [json!("abc"), json!(1.5), json!(["1", "2"])] {
        let operation = universal_members::api::operation::Operation::ListAsyncJobItems {
            id: "job-1".into(),
            options: json!({ "statusFilter": null, "paging": { "limit": limit, "cursor": null } }),
        };
        let decoded = decode_request(&encode_request(&operation))
            .unwrap()
            .unwrap();
        assert_eq!(decoded, operation, "{limit}");
    }
}

#[test]
fn webhook_delivery_options_that_are_not_text_reach_the_server_as_sent() {
    for limit in [json!("5"), json!(5), json!(["1", "2"])] {
        let operation = universal_members::api::operation::Operation::ListWebhookDeliveries {
            id: "hook-1".into(),
            options: json!({ "status": "FAILED", "limit": limit }),
        };
        let decoded = decode_request(&encode_request(&operation))
            .unwrap()
            .unwrap();
        assert_eq!(decoded, operation, "{limit}");
    }
}

#[test]
fn a_get_parameter_nested_too_deep_is_refused_naming_it() {
    let deep = vec!["a"; universal_members::api::rest::MAX_PARAM_DEPTH + 1].join(".");
    let error = universal_members::api::rest::query_params(&format!("{deep}=1")).unwrap_err();
    assert_eq!(error.violations[0].violated_rule, "DEPTH");
    assert!(deep.starts_with(&error.violations[0].field));
    let fits = vec!["a"; universal_members::api::rest::MAX_PARAM_DEPTH].join(".");
    assert!(universal_members::api::rest::query_params(&format!("{fits}=1")).is_ok());
}

#[test]
fn a_long_integer_in_a_custom_field_cell_exports_and_imports_unchanged() {
    use universal_members::model::csv_columns::{custom_cell, custom_value};
    let cell = "8".repeat(78);
    let value = custom_value(&cell);
    assert_eq!(custom_value(&custom_cell(&value)), value);
    assert_eq!(value.as_f64(), Some(8.888888888888889e77));
}

#[test]
fn a_date_is_accepted_only_when_it_is_written_back_as_it_was_read() {
    use universal_members::model::Timestamp;
    for refused in [
        "0000-01-01T00:00:00+01:00",
        "9999-12-31T23:59:60Z",
        "9999-12-31T23:00:00-01:00",
        "2024-01-01T00:00:00+-1:00",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+01:60",
    ] {
        assert_eq!(Timestamp::parse(refused), None, "{refused}");
    }
    for kept in [
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "2024-02-29T12:00:00.5+05:30",
    ] {
        let instant = Timestamp::parse(kept).unwrap();
        assert_eq!(
            Timestamp::parse(&instant.to_string()),
            Some(instant),
            "{kept}"
        );
    }
}
