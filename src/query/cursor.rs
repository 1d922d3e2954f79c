//! Cursor paging (SPEC §7, **Beyond Wix**): an opaque, signed cursor holding the
//! last row's sort key and `_id`, turned into a keyset filter ("after this row"),
//! so page 1,000 costs what page 1 costs and concurrent inserts never repeat or
//! skip a member.
//!
//! A cursor is `base64url(payload).base64url(mac)`: the MAC (HMAC-SHA256 with the
//! database's secret) refuses tampered cursors; the payload names the query it
//! belongs to, so it can not be replayed on another filter or order.

use super::field::{Field, FieldValue, Scalar};
use super::filter::{Condition, Filter};
use super::sort::{Order, Sort};
use crate::model::{Member, MembersError, MembersResult, Timestamp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of MAC kept in a cursor.
const MAC_BYTES: usize = 16;

fn invalid(why: &str) -> MembersError {
    MembersError::invalid_filter("paging.cursor", why)
}

/// What a query is, for binding cursors to it: its filter and its order.
pub fn fingerprint(filter: &Filter, sort: &Sort) -> String {
    let digest = Sha256::digest(format!("{filter:?}|{sort:?}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn sign(secret: &[u8], payload: &[u8]) -> MembersResult<Vec<u8>> {
    let mut mac = HmacSha256::new_from_slice(secret)
        .map_err(|_| MembersError::internal("the cursor secret has an invalid length"))?;
    mac.update(payload);
    Ok(mac.finalize().into_bytes()[..MAC_BYTES].to_vec())
}

fn key_value(value: &FieldValue) -> Value {
    match value {
        FieldValue::One(Scalar::Text(t)) => json!({ "s": t }),
        FieldValue::One(Scalar::Date(d)) => json!({ "d": d.millis() }),
        FieldValue::One(Scalar::Number(n)) => json!({ "n": n }),
        FieldValue::One(Scalar::Bool(b)) => json!({ "b": b }),
        _ => Value::Null,
    }
}

fn scalar_of(value: &Value) -> MembersResult<Option<Scalar<'static>>> {
    Ok(match value {
        Value::Null => None,
        Value::Object(map) => match map.iter().next() {
            Some((k, Value::String(s))) if k == "s" => Some(Scalar::text(s)),
            Some((k, v)) if k == "d" => Some(Scalar::Date(Timestamp(
                v.as_i64().ok_or_else(|| invalid("is damaged"))?,
            ))),
            Some((k, v)) if k == "n" => Some(Scalar::Number(
                v.as_f64().ok_or_else(|| invalid("is damaged"))?,
            )),
            Some((k, Value::Bool(b))) if k == "b" => Some(Scalar::Bool(*b)),
            _ => return Err(invalid("is damaged")),
        },
        _ => return Err(invalid("is damaged")),
    })
}

/// Refuses orders cursors can not follow (custom fields mix types and arrays).
pub fn check_sort(sort: &Sort) -> MembersResult<()> {
    match sort
        .keys
        .iter()
        .find(|k| matches!(k.field, Field::CustomField(_)))
    {
        Some(key) => Err(MembersError::invalid_filter(
            &key.field.name(),
            "cursor paging can not sort by a custom field; use offset paging",
        )),
        None => Ok(()),
    }
}

/// The cursor that continues after `last` in this query.
pub fn encode(
    secret: &[u8],
    query_fingerprint: &str,
    sort: &Sort,
    last: &Member,
) -> MembersResult<String> {
    let keys: Vec<Value> = sort
        .keys
        .iter()
        .map(|k| key_value(&k.field.value_of(last)))
        .collect();
    let payload = json!({ "q": query_fingerprint, "k": keys, "id": last.id });
    let bytes = serde_json::to_vec(&payload).map_err(|e| MembersError::internal(e.to_string()))?;
    let mac = sign(secret, &bytes)?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&bytes),
        URL_SAFE_NO_PAD.encode(mac)
    ))
}

/// Checks a cursor and returns the keyset filter "after its row" for this query.
pub fn decode(
    secret: &[u8],
    query_fingerprint: &str,
    sort: &Sort,
    cursor: &str,
) -> MembersResult<Filter> {
    let (payload, mac) = cursor
        .split_once('.')
        .ok_or_else(|| invalid("is not a cursor from this server"))?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid("is not a cursor from this server"))?;
    let mac = URL_SAFE_NO_PAD
        .decode(mac)
        .map_err(|_| invalid("is not a cursor from this server"))?;
    let mut check = HmacSha256::new_from_slice(secret)
        .map_err(|_| MembersError::internal("the cursor secret has an invalid length"))?;
    check.update(&payload);
    // Constant-time comparison of the (truncated) tag.
    check
        .verify_truncated_left(&mac)
        .map_err(|_| invalid("was altered or comes from another server"))?;
    if mac.len() != MAC_BYTES {
        return Err(invalid("was altered or comes from another server"));
    }
    let payload: Value = serde_json::from_slice(&payload).map_err(|_| invalid("is damaged"))?;
    if payload["q"].as_str() != Some(query_fingerprint) {
        return Err(invalid("belongs to a query with another filter or order"));
    }
    let keys = payload["k"]
        .as_array()
        .ok_or_else(|| invalid("is damaged"))?;
    if keys.len() != sort.keys.len() {
        return Err(invalid("is damaged"));
    }
    let id = payload["id"]
        .as_str()
        .ok_or_else(|| invalid("is damaged"))?;
    let values = keys
        .iter()
        .map(scalar_of)
        .collect::<MembersResult<Vec<_>>>()?;
    Ok(after(sort, &values, id))
}

/// Rows strictly after (values…, id) in the order: missing first ascending, last
/// descending, then `_id` ascending. The same filter serves memory and SQL.
///
/// It also bounds the first key by its value (`≥` ascending; `≤` descending when
/// no member lacks the field, as missing values sort last there): the rows after
/// lie within it, and that top-level range is what lets a database seek its
/// index to the cursor instead of reading every row before it.
fn after(sort: &Sort, values: &[Option<Scalar<'static>>], id: &str) -> Filter {
    let equal = |field: &Field, value: &Option<Scalar<'static>>| match value {
        None => Filter::Match(field.clone(), Condition::Exists(false)),
        Some(v) => Filter::Match(field.clone(), Condition::Eq(Some(v.clone()))),
    };
    let mut branches = Vec::new();
    let mut prefix: Vec<Filter> = Vec::new();
    for (key, value) in sort.keys.iter().zip(values) {
        let field = &key.field;
        let beyond = match (key.order, value) {
            (Order::Asc, None) => Some(Filter::Match(field.clone(), Condition::Exists(true))),
            (Order::Asc, Some(v)) => Some(Filter::Match(field.clone(), Condition::Gt(v.clone()))),
            (Order::Desc, None) => None,
            (Order::Desc, Some(v)) if field.always_set() => {
                Some(Filter::Match(field.clone(), Condition::Lt(v.clone())))
            }
            (Order::Desc, Some(v)) => Some(Filter::Or(vec![
                Filter::Match(field.clone(), Condition::Lt(v.clone())),
                Filter::Match(field.clone(), Condition::Exists(false)),
            ])),
        };
        if let Some(beyond) = beyond {
            let mut branch = prefix.clone();
            branch.push(beyond);
            branches.push(Filter::And(branch));
        }
        prefix.push(equal(field, value));
    }
    prefix.push(Filter::Match(Field::Id, Condition::Gt(Scalar::text(id))));
    branches.push(Filter::And(prefix));
    let rows_after = Filter::Or(branches);
    let bound = match (sort.keys.first(), values.first()) {
        (Some(key), Some(Some(v))) if key.order == Order::Asc => {
            Some(Filter::Match(key.field.clone(), Condition::Ge(v.clone())))
        }
        (Some(key), Some(Some(v))) if key.field.always_set() => {
            Some(Filter::Match(key.field.clone(), Condition::Le(v.clone())))
        }
        _ => None,
    };
    match bound {
        Some(bound) => Filter::And(vec![bound, rows_after]),
        None => rows_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_cursor_is_refused() {
        let sort = Sort::default();
        let filter = Filter::All;
        let q = fingerprint(&filter, &sort);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"q":"x","k":[null],"id":"a"}"#);
        let forged = format!("{payload}.{}", URL_SAFE_NO_PAD.encode([0u8; MAC_BYTES]));
        assert!(decode(b"secret", &q, &sort, &forged).is_err());
        assert!(decode(b"secret", &q, &sort, "garbage").is_err());
    }
}
