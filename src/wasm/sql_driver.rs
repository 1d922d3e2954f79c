//! `JsSqlDriver`: a JS driver object (pkg/drivers/*.mjs) seen by the SQL store as
//! a `SqlDriver`. Converts parameters and rows, and the drivers' error objects.

use crate::query::sql::{Dialect, Sql, SqlValue};
use crate::store::sql::{DriverError, SqlDriver, Statement};
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// A driver from pkg/drivers: `{ dialect, query(sql, params), batch(list), close() }`.
    pub type JsSqlDriver;

    #[wasm_bindgen(method, getter)]
    fn dialect(this: &JsSqlDriver) -> String;

    /// Rows, or a Promise of rows (synchronous drivers answer at once).
    #[wasm_bindgen(method, catch)]
    fn query(this: &JsSqlDriver, sql: &JsValue, params: &Array) -> Result<JsValue, JsValue>;

    /// Row counts, or a Promise of them.
    #[wasm_bindgen(method, catch)]
    fn batch(this: &JsSqlDriver, statements: &Array) -> Result<JsValue, JsValue>;
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

fn to_js(value: &SqlValue) -> JsValue {
    match value {
        SqlValue::Null => JsValue::NULL,
        // Past 2⁵³ a number would lose digits (and SQLite would take it as
        // REAL: "datatype mismatch" for an OFFSET): those go as a BigInt,
        // which better-sqlite3 and pg bind as integers.
        SqlValue::Int(n) if (*n as f64).abs() > MAX_SAFE => JsValue::from(*n),
        SqlValue::Int(n) => JsValue::from_f64(*n as f64),
        SqlValue::Real(n) => JsValue::from_f64(*n),
        SqlValue::Text(t) => JsValue::from_str(t),
    }
}

fn from_js(value: &JsValue) -> SqlValue {
    if let Some(n) = value.as_f64() {
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
            SqlValue::Int(n as i64)
        } else {
            SqlValue::Real(n)
        }
    } else if let Some(text) = value.as_string() {
        SqlValue::Text(text)
    } else if let Some(b) = value.as_bool() {
        SqlValue::Int(i64::from(b))
    } else {
        SqlValue::Null
    }
}

fn params(sql: &Sql) -> Array {
    sql.params.iter().map(to_js).collect()
}

fn driver_error(error: JsValue) -> DriverError {
    let field = |name: &str| {
        Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let message = match field("message") {
        m if m.is_empty() => format!("{error:?}"),
        m => m,
    };
    match field("kind").as_str() {
        "unique" => DriverError::Unique {
            index: field("index"),
        },
        "busy" => DriverError::Busy(message),
        "unavailable" => DriverError::Unavailable(message),
        "conflict" => DriverError::Conflict {
            index: Reflect::get(&error, &JsValue::from_str("index"))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as usize,
        },
        _ => DriverError::Other(message),
    }
}

async fn settle(answer: Result<JsValue, JsValue>) -> Result<JsValue, DriverError> {
    let answer = answer.map_err(driver_error)?;
    match answer.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await.map_err(driver_error),
        Err(value) => Ok(value),
    }
}

/// A JS driver with its dialect read once: the store asks for the dialect on
/// every statement it builds, and each ask was a crossing into JS (3% of a
/// getMember over HTTP).
pub struct HostSqlDriver {
    js: JsSqlDriver,
    dialect: Dialect,
    /// Statement texts already made JS strings: the store sends a few dozen
    /// texts over and over, and each crossing decoded it anew.
    texts: RefCell<HashMap<String, JsValue>>,
}

/// Texts kept at most (as the drivers keep prepared statements): past it the
/// map starts again, since a text with many parameters may come only once.
const KEPT_TEXTS: usize = 1000;

impl HostSqlDriver {
    /// Wraps a driver from pkg/drivers.
    pub fn new(js: JsSqlDriver) -> Self {
        let dialect = match js.dialect().as_str() {
            "postgres" => Dialect::Postgres,
            _ => Dialect::Sqlite,
        };
        HostSqlDriver {
            js,
            dialect,
            texts: RefCell::new(HashMap::new()),
        }
    }

    /// `text` as a JS string, made once.
    fn text(&self, text: &str) -> JsValue {
        let mut texts = self.texts.borrow_mut();
        if let Some(kept) = texts.get(text) {
            return kept.clone();
        }
        if texts.len() >= KEPT_TEXTS {
            texts.clear();
        }
        let made = JsValue::from_str(text);
        texts.insert(text.to_owned(), made.clone());
        made
    }
}

impl SqlDriver for HostSqlDriver {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn query(&self, sql: &Sql) -> Result<Vec<Vec<SqlValue>>, DriverError> {
        let rows = settle(self.js.query(&self.text(&sql.text), &params(sql))).await?;
        Ok(Array::from(&rows)
            .iter()
            .map(|row| Array::from(&row).iter().map(|v| from_js(&v)).collect())
            .collect())
    }

    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DriverError> {
        let list: Array = statements
            .iter()
            .map(|statement| {
                let item = Object::new();
                let _ = Reflect::set(&item, &"sql".into(), &self.text(&statement.sql.text));
                let _ = Reflect::set(&item, &"params".into(), &params(&statement.sql));
                if let Some(rows) = statement.expect {
                    let _ = Reflect::set(&item, &"expect".into(), &JsValue::from_f64(rows as f64));
                }
                JsValue::from(item)
            })
            .collect();
        let counts = settle(self.js.batch(&list)).await?;
        Ok(Array::from(&counts)
            .iter()
            .map(|v| v.as_f64().unwrap_or(0.0) as u64)
            .collect())
    }
}
