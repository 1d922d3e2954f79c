//! pkg/openapi.json (hand-written) and the REST codec's `ROUTES` must agree both
//! ways: every route is documented under its call's name, and the document
//! describes no route the server does not have. The few routes the Node host
//! serves itself (the event stream) are marked `x-served-by: <file>` and checked
//! against that file instead. Also: the document is whole (every `$ref` resolves,
//! every schema is used).

use serde_json::Value;
use std::collections::BTreeSet;
use universal_members::api::rest::{
    api_path, body_fields, route, Method, Route, API_ROOT, BASE, JOBS_BASE, JOBS_ROOT, ROUTES,
    WEBHOOKS_BASE,
};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SOME_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg/openapi.json");
    let text = std::fs::read_to_string(path).expect("pkg/openapi.json is readable");
    serde_json::from_str(&text).expect("pkg/openapi.json is JSON")
}

/// The file of the package (relative to the crate) that serves a host route.
fn served_by(operation: &Value) -> Option<&str> {
    operation["x-served-by"].as_str()
}

/// Every (path, method, operation) the REST codec answers: all but `x-served-by` ones.
fn codec_operations(doc: &Value) -> Vec<(String, String, Value)> {
    operations(doc)
        .into_iter()
        .filter(|(_, _, operation)| served_by(operation).is_none())
        .collect()
}

/// Every (path, method, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths is an object");
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (key, operation) in item {
            if METHODS.contains(&key.as_str()) {
                found.push((path.clone(), key.clone(), operation.clone()));
            }
        }
    }
    found
}

/// Where the document has a route: Wix's Async Job API under its own root
/// (`JOBS_ROOT`), its id named `{jobId}` as Wix names it; every other route under
/// `API_ROOT`.
fn documented_path(route: &Route) -> String {
    if route.pattern.starts_with("/async-jobs/") {
        format!("{JOBS_ROOT}{}", route.pattern.replace("{id}", "{jobId}"))
    } else {
        format!("{API_ROOT}{}", route.pattern)
    }
}

/// The route pattern of a documented path, as the server's own `api_path` reads it.
fn codec_pattern(path: &str) -> String {
    let under =
        api_path(path).unwrap_or_else(|| panic!("{path} is under no root the server serves"));
    if path.starts_with(JOBS_BASE) {
        under.replace("{jobId}", "{id}")
    } else {
        under.to_string()
    }
}

fn method_name(method: Method) -> String {
    method.as_str().to_ascii_lowercase()
}

/// Every `$ref` string anywhere under `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

/// The operation's parameters, its path item's included, with `$ref`s followed.
fn parameters(doc: &Value, path: &str, operation: &Value) -> Vec<Value> {
    let shared = doc["paths"][path]["parameters"].as_array().cloned();
    let own = operation["parameters"].as_array().cloned();
    shared
        .into_iter()
        .chain(own)
        .flatten()
        .map(|p| match p["$ref"].as_str() {
            Some(target) => doc
                .pointer(target.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{target} resolves"))
                .clone(),
            None => p,
        })
        .collect()
}

#[test]
fn the_document_is_openapi_3_1() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
}

#[test]
fn every_route_is_documented_under_its_call_name() {
    let doc = document();
    for route in ROUTES {
        let path = documented_path(route);
        let method = method_name(route.method);
        let operation = &doc["paths"][&path][&method];
        assert!(
            operation.is_object(),
            "{} {path} ({}) is missing from pkg/openapi.json",
            route.method.as_str(),
            route.call
        );
        assert_eq!(
            operation["operationId"],
            route.call,
            "{} {path} has the wrong operationId",
            route.method.as_str()
        );
    }
}

#[test]
fn every_documented_operation_is_a_route_of_the_server() {
    let doc = document();
    for (path, method, operation) in codec_operations(&doc) {
        let pattern = codec_pattern(&path);
        let known = ROUTES
            .iter()
            .find(|r| r.pattern == pattern && method_name(r.method) == method)
            .unwrap_or_else(|| panic!("{method} {path} is documented but is no route"));
        assert_eq!(operation["operationId"], known.call, "{method} {path}");
        // And the router itself sends such a request to that call.
        let concrete = pattern.replace("{id}", SOME_ID);
        let parsed = Method::parse(&method.to_ascii_uppercase()).expect("a codec method");
        let (routed, _) = route(parsed, &concrete)
            .unwrap_or_else(|e| panic!("{method} {path} does not route: {e:?}"));
        assert_eq!(routed.call, known.call, "{method} {path}");
    }
    assert_eq!(
        codec_operations(&doc).len(),
        ROUTES.len(),
        "one operation per route"
    );
}

/// The paths of `pkg/host/event-stream.mjs`'s `EVENT_STREAM_PATHS` set.
fn event_stream_paths() -> Vec<String> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg/host/event-stream.mjs");
    let text = std::fs::read_to_string(file).expect("pkg/host/event-stream.mjs is readable");
    let line = text
        .lines()
        .find(|l| l.contains("EVENT_STREAM_PATHS = new Set("))
        .expect("event-stream.mjs defines EVENT_STREAM_PATHS");
    line.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn host_routes_are_served_by_their_file_and_are_no_codec_route() {
    let doc = document();
    for (path, method, operation) in operations(&doc) {
        let Some(file) = served_by(&operation) else {
            continue;
        };
        let source = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{method} {path}: x-served-by {file}: {e}"));
        assert!(
            source.contains(&format!("'{path}'")),
            "{method} {path}: {file} does not name this path"
        );
        // The codec must not answer it too, or the two would disagree.
        let parsed = Method::parse(&method.to_ascii_uppercase());
        let codec = api_path(&path).zip(parsed).map(|(p, m)| route(m, p));
        assert!(
            !matches!(codec, Some(Ok(_))),
            "{method} {path} is a codec route: document it without x-served-by"
        );
    }
    // And every path the event stream serves (but the `/_api` twins) is documented, as a GET.
    let paths = event_stream_paths();
    assert!(!paths.is_empty(), "EVENT_STREAM_PATHS is empty");
    for path in paths.iter().filter(|p| !p.starts_with("/_api/")) {
        let operation = &doc["paths"][path]["get"];
        assert!(
            operation.is_object(),
            "GET {path} (the event stream) is missing from pkg/openapi.json"
        );
        assert_eq!(
            served_by(operation),
            Some("pkg/host/event-stream.mjs"),
            "GET {path} is served by pkg/host/event-stream.mjs"
        );
        assert!(
            operation["responses"]["200"]["content"]["text/event-stream"].is_object(),
            "GET {path} answers text/event-stream"
        );
        let names: BTreeSet<String> = parameters(&doc, path, operation)
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        for wanted in ["Last-Event-ID", "after"] {
            assert!(
                names.contains(wanted),
                "GET {path} does not document {wanted}"
            );
        }
    }
}

#[test]
fn webhook_and_job_routes_and_the_event_stream_are_admin_only() {
    let doc = document();
    let admin_only = |path: &str| path.starts_with(WEBHOOKS_BASE) || path.starts_with(JOBS_BASE);
    let mut checked = 0;
    for (path, method, operation) in operations(&doc) {
        if !(admin_only(&path) || served_by(&operation) == Some("pkg/host/event-stream.mjs")) {
            continue;
        }
        checked += 1;
        assert_eq!(
            operation["security"],
            serde_json::json!([{ "adminKey": [] }]),
            "{method} {path}: admin key only"
        );
        assert!(
            operation["responses"]["403"].is_object(),
            "{method} {path}: documents 403 for everyone else"
        );
    }
    let admin_routes = ROUTES
        .iter()
        .filter(|r| admin_only(&documented_path(r)))
        .count();
    assert!(
        admin_routes > 0 && checked > admin_routes,
        "the webhook and job routes and the event stream are documented"
    );
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut seen = BTreeSet::new();
    for (path, method, operation) in operations(&doc) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            seen.insert(id.clone()),
            "{method} {path}: operationId {id} is used twice"
        );
    }
}

#[test]
fn every_ref_resolves_to_a_definition() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{target} is not a reference inside the document"));
        assert!(
            pointer.starts_with("/components/"),
            "{target} does not point into components"
        );
        let resolved = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{target} resolves to nothing"));
        assert!(resolved.is_object(), "{target} is not a definition");
    }
}

#[test]
fn every_schema_is_used() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    let used: BTreeSet<String> = found.into_iter().collect();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in schemas.keys() {
        let target = format!("#/components/schemas/{name}");
        assert!(used.contains(&target), "schema {name} is never used");
    }
}

#[test]
fn path_parameters_are_declared_and_required() {
    let doc = document();
    for (path, method, operation) in operations(&doc) {
        let declared: Vec<Value> = parameters(&doc, &path, &operation)
            .into_iter()
            .filter(|p| p["in"] == "path")
            .collect();
        let names: BTreeSet<&str> = declared.iter().filter_map(|p| p["name"].as_str()).collect();
        let wanted: BTreeSet<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        assert_eq!(names, wanted, "{method} {path}: path parameters");
        for p in declared {
            assert_eq!(
                p["required"], true,
                "{method} {path}: {} is required",
                p["name"]
            );
        }
    }
}

#[test]
fn reads_document_fieldsets_and_the_packed_request() {
    let doc = document();
    for (path, method, operation) in codec_operations(&doc) {
        if method != "get" {
            continue;
        }
        let names: BTreeSet<String> = parameters(&doc, &path, &operation)
            .iter()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        // Member reads take fieldsets. The packed `.r` (the codec parses it on
        // every GET) is described once, not listed: no schema can say which
        // strings are base64url JSON, so a contract tool could only send bad ones.
        if path.starts_with(BASE) {
            assert!(
                names.contains("fieldsets"),
                "GET {path} does not document fieldsets"
            );
        }
        assert!(!names.contains(".r"), "GET {path} lists .r as a parameter");
    }
    let description = doc["info"]["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("`.r`") && description.contains("base64url JSON"),
        "info.description explains the packed `.r` parameter"
    );
    let list = &doc["paths"][BASE]["get"];
    let names: BTreeSet<String> = parameters(&doc, BASE, list)
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    for wanted in ["paging.limit", "paging.offset"] {
        assert!(
            names.contains(wanted),
            "listMembers does not document {wanted}"
        );
    }
    let deliveries = format!("{WEBHOOKS_BASE}/{{id}}/deliveries");
    let operation = &doc["paths"][&deliveries]["get"];
    let names: BTreeSet<String> = parameters(&doc, &deliveries, operation)
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    for wanted in ["status", "limit"] {
        assert!(
            names.contains(wanted),
            "listWebhookDeliveries does not document {wanted}"
        );
    }
    let items = format!("{JOBS_BASE}/{{jobId}}/items");
    let operation = &doc["paths"][&items]["get"];
    let names: BTreeSet<String> = parameters(&doc, &items, operation)
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    for wanted in ["statusFilter", "paging.limit", "paging.cursor"] {
        assert!(
            names.contains(wanted),
            "listAsyncJobItems does not document {wanted}"
        );
    }
}

#[test]
fn by_filter_bulk_calls_document_dry_run_and_both_answers() {
    let doc = document();
    let schema = |value: &Value| -> Value {
        let target = value["$ref"]
            .as_str()
            .expect("a $ref")
            .trim_start_matches('#');
        doc.pointer(target)
            .unwrap_or_else(|| panic!("{target} resolves"))
            .clone()
    };
    let calls = [
        "bulkDeleteMembersByFilter",
        "bulkApproveMembers",
        "bulkBlockMembers",
    ];
    for call in calls {
        let route = ROUTES.iter().find(|r| r.call == call).expect("a route");
        let path = documented_path(route);
        let operation = &doc["paths"][&path][method_name(route.method)];
        let body = schema(&operation["requestBody"]["content"]["application/json"]["schema"]);
        assert_eq!(
            body["properties"]["dryRun"]["type"], "boolean",
            "{call}: dryRun"
        );
        let answer =
            schema(&operation["responses"]["200"]["content"]["application/json"]["schema"]);
        let shapes: BTreeSet<String> = answer["oneOf"]
            .as_array()
            .unwrap_or_else(|| panic!("{call}: the 200 answer is oneOf its shapes"))
            .iter()
            .map(|shape| {
                let fields = schema(shape)["required"].clone();
                serde_json::to_string(&fields).expect("JSON")
            })
            .collect();
        let wanted: BTreeSet<String> = [r#"["jobId"]"#, r#"["dryRun","count","sampleIds"]"#]
            .into_iter()
            .map(str::to_string)
            .collect();
        assert_eq!(shapes, wanted, "{call}: answers {{ jobId }} or the dry run");
    }
}

#[test]
fn the_admin_key_is_an_authorization_header() {
    let doc = document();
    let scheme = &doc["components"]["securitySchemes"]["adminKey"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "Authorization");
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("schemes");
    for (path, method, operation) in operations(&doc) {
        for requirement in operation["security"].as_array().into_iter().flatten() {
            for name in requirement.as_object().expect("a requirement").keys() {
                assert!(
                    schemes.contains_key(name),
                    "{method} {path}: no scheme {name}"
                );
            }
        }
    }
}

#[test]
fn every_error_status_answers_the_error_shape() {
    let doc = document();
    let error = "#/components/schemas/Error";
    for (path, method, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{method} {path}: no 200");
        for (status, response) in responses {
            if status.starts_with('2') {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(target) => doc
                    .pointer(target.trim_start_matches('#'))
                    .expect("resolves"),
                None => response,
            };
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"], error,
                "{method} {path} {status}"
            );
        }
    }
    for status in [
        "400", "401", "403", "404", "405", "409", "413", "428", "429", "500", "503",
    ] {
        assert!(
            operations(&doc)
                .iter()
                .any(|(_, _, op)| op["responses"][status].is_object()),
            "no operation documents HTTP {status}"
        );
    }
}

/// The host reads every body the same way (pkg/server.mjs `readBody`): bytes
/// that are not UTF-8 are 400 and an oversized body is 413, whatever the route,
/// so each operation that takes a body must say both.
#[test]
fn every_operation_with_a_body_documents_unreadable_bodies() {
    let doc = document();
    for (path, method, operation) in operations(&doc) {
        if operation["requestBody"].is_null() {
            continue;
        }
        for status in ["400", "413"] {
            assert!(
                operation["responses"][status].is_object(),
                "{method} {path} takes a body but does not document {status}"
            );
        }
    }
}

/// `paging.limit` and `paging.offset` read from the query string go through the
/// same parser as a body's `paging`, so both places must document the same
/// bounds (schemathesis sent an offset past the query's undocumented maximum).
#[test]
fn paging_in_the_query_has_the_bounds_of_paging_in_a_body() {
    let doc = document();
    for (parameter, property) in [("PagingLimit", "limit"), ("PagingOffset", "offset")] {
        let query = &doc["components"]["parameters"][parameter]["schema"];
        let body = &doc["components"]["schemas"]["Paging"]["properties"][property];
        for bound in ["type", "minimum", "maximum"] {
            assert_eq!(query[bound], body[bound], "{parameter} {bound}");
        }
    }
}

/// The schema at a `$ref` (or the schema itself), following `allOf` of one `$ref`.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(target) => doc
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{target} resolves")),
        None => schema,
    }
}

#[test]
fn request_bodies_are_closed_and_name_the_fields_the_codec_takes() {
    let doc = document();
    for route in ROUTES {
        let path = documented_path(route);
        let operation = &doc["paths"][&path][method_name(route.method)];
        let wanted: BTreeSet<&str> = body_fields(route.call).iter().copied().collect();
        let body = &operation["requestBody"]["content"]["application/json"]["schema"];
        if body.is_null() {
            assert!(
                wanted.is_empty() || route.method == Method::Get,
                "{} takes {wanted:?} but documents no body",
                route.call
            );
            continue;
        }
        let schema = resolved(&doc, body);
        assert_eq!(
            schema["additionalProperties"], false,
            "{}: the server refuses fields it does not know, so the body schema is closed",
            route.call
        );
        let documented: BTreeSet<&str> = schema["properties"]
            .as_object()
            .map(|props| props.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            documented, wanted,
            "{}: the documented body fields are the codec's body_fields",
            route.call
        );
        assert!(
            operation["responses"]["400"].is_object(),
            "{}: a body can be refused (400)",
            route.call
        );
    }
}

#[test]
fn calls_that_need_credentials_document_401() {
    let doc = document();
    for (path, method, operation) in operations(&doc) {
        let security = operation
            .get("security")
            .unwrap_or(&doc["security"])
            .as_array()
            .cloned()
            .unwrap_or_default();
        let open = security
            .iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
        let credentials = security
            .iter()
            .any(|r| r.get("adminKey").is_some() || r.get("memberSession").is_some());
        if credentials && !open {
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path}: sent without credentials it answers 401"
            );
        }
    }
}
