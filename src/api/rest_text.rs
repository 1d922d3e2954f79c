//! A typed reply written straight to REST JSON text: serde's output with the
//! struct fields that SPEC §1 renames (`_id` → `id`, …) renamed on the way.
//!
//! The general path builds a JSON tree in SDK naming, renames its keys and
//! prints it (`encode_reply`). For the replies of reads (a member, a page of
//! them) that tree was most of the encoding's cost, so these are written as
//! they serialize. Only struct field names are renamed, never map keys: those
//! are data (a member's custom fields are a map of JSON values), which
//! `to_rest_naming` leaves alone too. Fields come in struct order, not sorted:
//! JSON objects are unordered, and the tests compare both paths as values.

use crate::model::naming::rest_field;
use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

/// `value` as JSON text, its struct fields in REST naming.
pub fn to_rest_text<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(512);
    value.serialize(RestKeys(&mut serde_json::Serializer::new(&mut out)))?;
    // serde_json writes only UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// A value whose struct fields are renamed when it is serialized.
struct Renamed<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Renamed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(RestKeys(serializer))
    }
}

/// The serializer that renames: everything goes on to the inner one, with the
/// values inside wrapped again.
struct RestKeys<S>(S);

/// A compound (sequence, map, struct) of the inner serializer, wrapped.
struct Compound<C>(C);

macro_rules! forward {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, value: $type) -> Result<S::Ok, S::Error> {
            self.0.$method(value)
        })*
    };
}

impl<S: Serializer> Serializer for RestKeys<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq>;
    type SerializeTuple = Compound<S::SerializeTuple>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant>;
    type SerializeMap = Compound<S::SerializeMap>;
    type SerializeStruct = Compound<S::SerializeStruct>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Renamed(value))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Renamed(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Renamed(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Compound)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Compound)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Compound)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Compound)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Compound)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Compound)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Compound)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Each compound passes its elements on wrapped: `$method` takes one value.
macro_rules! compound_of_values {
    ($($trait:ident::$method:ident),* $(,)?) => {
        $(impl<C: $trait> $trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.0.$method(&Renamed(value))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        })*
    };
}

compound_of_values!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// Struct fields are where the renaming happens.
macro_rules! compound_of_fields {
    ($($trait:ident),* $(,)?) => {
        $(impl<C: $trait> $trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                self.0.serialize_field(rest_field(key), &Renamed(value))
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        })*
    };
}

compound_of_fields!(SerializeStruct, SerializeStructVariant);

impl<C: SerializeMap> SerializeMap for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    /// Map keys are data: never renamed.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Renamed(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::api::rest::{encode_read_reply, encode_reply};
    use crate::api::Reply;
    use crate::model::{project, Fieldset, Member};
    use crate::service::MembersPage;
    use serde_json::{json, Value};

    /// A member with every renamed field at every depth, and custom fields
    /// whose keys and values look like renamed fields (data: kept as they are).
    fn member(n: u32) -> Member {
        serde_json::from_value(json!({
            "_id": format!("00000000-0000-4000-8000-00000000000{n}"),
            "loginEmail": format!("m{n}@example.com"),
            "loginEmailVerified": true,
            "status": "APPROVED",
            "contactId": format!("00000000-0000-4000-9000-00000000000{n}"),
            "contact": {
                "firstName": "Zoë",
                "phones": ["+1 555 0100"],
                "emails": ["a@example.com"],
                "addresses": [{ "_id": "a1", "city": "Oslo", "country": "NO" }],
                "customFields": {
                    "_id": { "name": "Id", "value": { "_id": 1, "_createdDate": [{ "_updatedDate": "x" }] } },
                    "plain": { "value": "\"_id\": \u{2028}" },
                },
            },
            "profile": {
                "nickname": "Zoë \"Z\"", "slug": format!("z{n}"), "title": "Pilot",
                "photo": { "_id": "p1", "url": "https://example.com/p.png", "height": 10, "width": 20 },
            },
            "privacyStatus": "PUBLIC",
            "activityStatus": "ACTIVE",
            "_createdDate": "2024-01-01T00:12:00.000Z",
            "_updatedDate": "2024-02-01T00:12:00.000Z",
            "lastLoginDate": "2024-03-01T00:12:00.000Z",
            "revision": 3,
        }))
        .unwrap()
    }

    fn replies() -> Vec<Reply> {
        let mut replies = Vec::new();
        for fieldset in [Fieldset::Public, Fieldset::Extended, Fieldset::Full] {
            let view = project(&member(1), fieldset);
            replies.push(Reply::Member(view.clone()));
            replies.push(Reply::Wrapped(Some(view)));
            for next_cursor in [None, Some("abc.def".to_string())] {
                replies.push(Reply::Page(MembersPage {
                    members: (1..4).map(|n| project(&member(n), fieldset)).collect(),
                    total: 42,
                    limit: 3,
                    offset: 6,
                    next_cursor,
                }));
            }
        }
        replies.push(Reply::Page(MembersPage {
            members: Vec::new(),
            total: 0,
            limit: 50,
            offset: 0,
            next_cursor: None,
        }));
        replies
    }

    #[test]
    fn read_replies_written_straight_are_the_same_json_as_through_a_tree() {
        for reply in replies() {
            let text = encode_read_reply(&reply).expect("a read reply");
            let straight: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(straight, encode_reply(&reply).body, "{text}");
        }
        // The renames did happen, and the custom fields were left alone.
        let text = encode_read_reply(&Reply::Member(project(&member(1), Fieldset::Full))).unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["member"]["id"], "00000000-0000-4000-8000-000000000001");
        assert_eq!(body["member"]["profile"]["photo"]["id"], "p1");
        assert_eq!(body["member"]["contact"]["addresses"][0]["id"], "a1");
        assert_eq!(body["member"]["createdDate"], "2024-01-01T00:12:00.000Z");
        let custom = &body["member"]["contact"]["customFields"]["_id"];
        assert_eq!(custom["value"]["_createdDate"][0]["_updatedDate"], "x");
        assert!(!text.contains("\"_createdDate\":\"2024"), "{text}");
    }

    #[test]
    fn other_replies_take_the_tree() {
        for reply in [
            Reply::Wrapped(None),
            Reply::Count(3),
            Reply::Empty,
            Reply::Json(json!({ "_id": 1 })),
        ] {
            assert_eq!(encode_read_reply(&reply), None);
        }
    }
}
