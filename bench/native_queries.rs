//! The foundation benchmark, native side: loads .build/bench-members.json through
//! the engine (as the wasm side does) and times each query of bench/queries.json.
//! Prints JSON (median, min, max) for bench/queries.mjs, which sets them beside
//! the wasm, hand-written JS and mingo timings in bench/RESULTS.md.

use serde_json::{json, Value};
use std::time::Instant;
use universal_members::api::{dispatch, Operation};
use universal_members::model::Timestamp;
use universal_members::service::{Caller, Engine, Moderation, SitePolicy};
use universal_members::store::MemoryStore;

fn now() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(since.as_millis() as i64)
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(root.join(".build/bench-members.json"))
        .expect("run `node bench/dataset.mjs` first (make bench does)");
    let inputs: Vec<Value> = serde_json::from_str(&data).expect("dataset is JSON");
    let queries: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(root.join("bench/queries.json")).expect("queries"),
    )
    .expect("queries are JSON");
    let engine = Engine::new(MemoryStore::new(), SitePolicy::default(), Box::new(now));
    let admin = Caller::admin();
    let load = Instant::now();
    for input in &inputs {
        let mut member = input.clone();
        let block = member.as_object_mut().and_then(|m| m.remove("block")) == Some(json!(true));
        let created = pollster::block_on(engine.create_member(&admin, member)).expect("create");
        if block {
            let id = created.id().to_string();
            pollster::block_on(engine.moderate(&admin, &id, Moderation::Block)).expect("block");
        }
    }
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let mut results = Vec::new();
    for query in &queries {
        let run = || {
            let operation = Operation::QueryMembers {
                query: query["query"].clone(),
                search: query["search"].clone(),
                fieldsets: Vec::new(),
            };
            pollster::block_on(dispatch(&engine, &admin, operation)).expect("query runs")
        };
        let (median, min, max) = time_ms(run);
        results.push(json!({
            "name": query["name"],
            "median_ms": median,
            "min_ms": min,
            "max_ms": max,
        }));
    }
    println!(
        "{}",
        json!({ "load_ms": load_ms, "members": inputs.len(), "queries": results })
    );
}

/// Median, min and max wall time of one call in ms: warm up, then run until 1 s
/// or 500 runs.
fn time_ms<T>(mut run: impl FnMut() -> T) -> (f64, f64, f64) {
    for _ in 0..10 {
        std::hint::black_box(run());
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 500 && (times.len() < 15 || start.elapsed().as_secs_f64() < 1.0) {
        let t = Instant::now();
        std::hint::black_box(run());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0], times[times.len() - 1])
}
