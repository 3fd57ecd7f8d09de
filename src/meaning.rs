//! Comparing AST nodes by meaning: everything except where they were
//! written (spans) and the comments and blank lines around them (trivia).
//!
//! [`key`] writes a node through serde into a compact byte string that
//! leaves out the fields named in [`IGNORED`]; two nodes mean the same
//! when their keys are equal. The key is exact for nodes of one type:
//! every value that is kept goes in, with its kind and length, every
//! compound is closed, and variants and fields are told apart by their
//! positions (index of the variant, order of the fields, a mark for a field
//! serde skipped), so equal keys are never a coincidence of hashing. The
//! formatter's safety net and the lints use it; it allocates one buffer
//! per node and no tree.

use serde::ser::{self, Serialize};

/// Fields that say where a node is or what surrounds it, not what it means.
pub const IGNORED: &[&str] = &[
    "span",
    "leading",
    "trailing_comment",
    "inner_comments",
    "trailing",
    "ports_span",
];

/// The meaning key of a node (see the module documentation). Writing
/// into memory cannot fail; an error comes from a node's own `Serialize`
/// (serde refuses some shapes, e.g. a sequence in an internally tagged
/// variant), and then there is no key: a partial key could make two
/// different nodes look the same.
pub fn key<T: Serialize + ?Sized>(node: &T) -> Result<Vec<u8>, KeyError> {
    let mut buf = Vec::new();
    key_into(node, &mut buf)?;
    Ok(buf)
}

/// Appends the meaning key of `node` to `buf` (for keys kept side by
/// side in one buffer). On error `buf` is left as it was.
pub fn key_into<T: Serialize + ?Sized>(node: &T, buf: &mut Vec<u8>) -> Result<(), KeyError> {
    let len = buf.len();
    let mut w = KeyWriter {
        out: Sink::Bytes(std::mem::take(buf)),
    };
    let r = node.serialize(&mut w);
    if let Sink::Bytes(b) = w.out {
        *buf = b;
    }
    if r.is_err() {
        buf.truncate(len);
    }
    r
}

/// A 64-bit hash of the meaning key, computed without building the key:
/// nodes with the same meaning have the same hash. Equal hashes are only a
/// hint (confirm with [`same`]); lints use it to find candidates fast.
pub fn hash<T: Serialize + ?Sized>(node: &T) -> Result<u64, KeyError> {
    Ok(match write(node, Sink::Hash(0xcbf2_9ce4_8422_2325))? {
        Sink::Hash(h) => h,
        // (A hash sink stays a hash sink.)
        Sink::Bytes(_) => 0,
    })
}

/// Writes a node into a sink and gives the sink back.
fn write<T: Serialize + ?Sized>(node: &T, sink: Sink) -> Result<Sink, KeyError> {
    let mut w = KeyWriter { out: sink };
    node.serialize(&mut w)?;
    Ok(w.out)
}

/// One step of the hash: mixes a word into `h`.
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Where a key goes: into bytes, or straight into a hash.
enum Sink {
    Bytes(Vec<u8>),
    Hash(u64),
}

/// True when two nodes have the same meaning (false when either has no
/// key).
pub fn same<T: Serialize + ?Sized>(a: &T, b: &T) -> bool {
    matches!((key(a), key(b)), (Ok(x), Ok(y)) if x == y)
}

struct KeyWriter {
    out: Sink,
}

/// The only error: a `Serialize` implementation that reports its own.
#[derive(Debug)]
pub struct KeyError(String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

impl ser::Error for KeyError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        KeyError(msg.to_string())
    }
}

impl KeyWriter {
    /// Appends raw bytes to the key (or mixes them into the hash, eight
    /// at a time).
    fn put(&mut self, b: &[u8]) {
        match &mut self.out {
            Sink::Bytes(v) => v.extend_from_slice(b),
            Sink::Hash(h) => {
                let mut chunks = b.chunks_exact(8);
                for c in &mut chunks {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(c);
                    *h = mix(*h, u64::from_le_bytes(w));
                }
                for &x in chunks.remainder() {
                    *h = mix(*h, u64::from(x));
                }
            }
        }
    }
    fn tag(&mut self, t: u8) {
        self.put(&[t]);
    }
    /// A number: seven bits a byte (most numbers here are small), or one
    /// hash step.
    fn num(&mut self, mut n: u64) {
        match &mut self.out {
            Sink::Bytes(v) => loop {
                if n < 0x80 {
                    v.push(n as u8);
                    break;
                }
                v.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            },
            Sink::Hash(h) => *h = mix(*h, n),
        }
    }
    /// Length-prefixed bytes.
    fn bytes(&mut self, b: &[u8]) {
        self.num(b.len() as u64);
        self.put(b);
    }
}

type R = Result<(), KeyError>;

impl ser::Serializer for &mut KeyWriter {
    type Ok = ();
    type Error = KeyError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> R {
        self.tag(1);
        self.put(&[v as u8]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> R {
        self.tag(2);
        // Zigzag: small negative numbers stay short too.
        self.num(((v << 1) ^ (v >> 63)) as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> R {
        self.tag(3);
        self.num(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> R {
        self.tag(4);
        self.num(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> R {
        self.tag(5);
        self.bytes(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        self.tag(6);
        self.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> R {
        self.tag(7);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        self.tag(8);
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.tag(9);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> R {
        self.tag(10);
        self.bytes(name.as_bytes());
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> R {
        self.tag(11);
        self.num(index.into());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> R {
        self.tag(12);
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> R {
        self.tag(13);
        self.num(index.into());
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, KeyError> {
        self.tag(14);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, KeyError> {
        self.tag(15);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, KeyError> {
        self.tag(16);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, KeyError> {
        self.tag(17);
        self.num(index.into());
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, KeyError> {
        self.tag(18);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, KeyError> {
        self.tag(19);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, KeyError> {
        self.tag(20);
        self.num(index.into());
        Ok(self)
    }
}

/// Sequences, tuples and maps end with an end marker, so that `[a, b] + c`
/// and `[a] + b, c` give different keys. (Every value starts with its
/// kind's tag, never 0, so elements need no marker of their own.) A
/// struct needs none: its type fixes its fields.
const END: u8 = 0;
/// A struct field left out by `skip_serializing_if`.
const SKIPPED: u8 = 22;

impl KeyWriter {
    /// One element of a sequence, tuple or tuple struct/variant.
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        value.serialize(self)
    }
    /// The end of a sequence, tuple or map.
    fn end(&mut self) -> R {
        self.tag(END);
        Ok(())
    }
}

/// The positional compounds all write `value ... END`.
macro_rules! positional {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut KeyWriter {
            type Ok = ();
            type Error = KeyError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
                self.item(value)
            }
            fn end(self) -> R {
                KeyWriter::end(self)
            }
        }
    )*};
}

positional!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut KeyWriter {
    type Ok = ();
    type Error = KeyError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        KeyWriter::end(self)
    }
}

/// True for the fields in [`IGNORED`].
fn ignored(name: &str) -> bool {
    // (A `match` on the names: this runs for every field of every node.)
    matches!(
        name,
        "span" | "leading" | "trailing_comment" | "inner_comments" | "trailing" | "ports_span"
    )
}

/// Struct fields: the ones in [`IGNORED`] are left out. Names are not
/// written: values of one type list their fields in one order, and a
/// field that serde skips is marked, so the position says which field a
/// value is (keys compare values of one type).
fn field<T: Serialize + ?Sized>(w: &mut KeyWriter, name: &'static str, value: &T) -> R {
    if ignored(name) {
        return Ok(());
    }
    value.serialize(w)
}

/// A field serde skips (`skip_serializing_if`).
fn skipped(w: &mut KeyWriter, name: &'static str) -> R {
    if !ignored(name) {
        w.tag(SKIPPED);
    }
    Ok(())
}

/// Structs and struct variants both write their fields by position and
/// need no end marker (their type fixes their fields).
macro_rules! by_field {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut KeyWriter {
            type Ok = ();
            type Error = KeyError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> R {
                field(self, name, value)
            }
            fn skip_field(&mut self, name: &'static str) -> R {
                skipped(self, name)
            }
            fn end(self) -> R {
                Ok(())
            }
        }
    )*};
}

by_field!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::StatementKind;

    fn first(text: &str) -> StatementKind {
        let (_, rs, d) = crate::parse_str("t.conf", text);
        assert!(d.is_empty(), "{d:?}");
        rs.statements.into_iter().next().unwrap().kind
    }

    #[test]
    fn spans_and_spelling_do_not_count_values_do() {
        let a = first("pass in on em0 proto tcp to port { 22 80 }");
        let b = first("\n\n   pass   in on em0 proto tcp \\\n to port {22,80}");
        assert_ne!(a, b, "spans differ");
        assert!(same(&a, &b));
        for other in [
            "pass in on em0 proto tcp to port { 22 81 }",
            "pass in on em0 proto tcp to port { 80 22 }",
            "pass out on em0 proto tcp to port { 22 80 }",
            "pass in on em0 proto udp to port { 22 80 }",
            "pass in quick on em0 proto tcp to port { 22 80 }",
            "pass in on em0 proto tcp to port 22",
            "block in on em0 proto tcp to port { 22 80 }",
        ] {
            assert!(!same(&a, &first(other)), "{other}");
        }
    }

    #[test]
    fn the_ignored_list_is_the_one_the_writer_skips() {
        // `field` matches the names inline; IGNORED documents them.
        for name in IGNORED {
            let mut w = KeyWriter {
                out: Sink::Bytes(Vec::new()),
            };
            field(&mut w, name, &1u8).unwrap();
            assert!(
                matches!(w.out, Sink::Bytes(ref b) if b.is_empty()),
                "{name}"
            );
        }
        let mut w = KeyWriter {
            out: Sink::Bytes(Vec::new()),
        };
        field(&mut w, "node", &1u8).unwrap();
        assert!(matches!(w.out, Sink::Bytes(ref b) if !b.is_empty()));
    }

    #[test]
    fn keys_tell_fields_apart_by_position() {
        // Names are not written: a field serde skips is marked, so the
        // value of `a` never passes for the value of `b`.
        #[derive(serde::Serialize)]
        struct Two {
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<u8>,
            #[serde(skip_serializing_if = "Option::is_none")]
            b: Option<u8>,
        }
        let a = Two {
            a: Some(1),
            b: None,
        };
        let b = Two {
            a: None,
            b: Some(1),
        };
        assert!(!same(&a, &b));
        assert_ne!(hash(&a).unwrap(), hash(&b).unwrap());
        // A struct whose every field is ignored still counts in a list.
        #[derive(serde::Serialize)]
        struct Where {
            span: u8,
        }
        assert!(!same(
            &vec![Where { span: 1 }, Where { span: 2 }],
            &vec![Where { span: 3 }]
        ));
        assert!(same(&vec![Where { span: 1 }], &vec![Where { span: 3 }]));
        // Numbers of any size, and strings, are written in full.
        assert!(!same(&(300u64, "ab"), &(44u64, "ab")));
        assert!(!same(&(u64::MAX, "a"), &(u64::MAX - 1, "a")));
        assert!(!same(&-1i64, &1i64));
        assert!(!same(&("ab", "c"), &("a", "bc")));
    }

    #[test]
    fn equal_keys_give_equal_hashes() {
        let a = first("pass in on em0 proto tcp to port { 22 80 }");
        let b = first("pass   in on em0 proto tcp to port {22,80}");
        let c = first("pass in on em0 proto tcp to port { 22 81 }");
        assert_eq!(hash(&a).unwrap(), hash(&b).unwrap());
        assert_ne!(hash(&a).unwrap(), hash(&c).unwrap());
    }

    #[test]
    fn nested_host_lists_have_keys() {
        // serde cannot put a bare sequence in an internally tagged variant:
        // HostKind::List serializes as a struct, so nested lists have keys
        // and differ when their items differ.
        let a = first("pass from { { 192.0.2.1 }, 192.0.2.2 } to 192.0.2.3");
        let b = first("pass from { { 192.0.2.9 }, 10.0.0.1 } to 198.51.100.7 port 22");
        assert!(key(&a).is_ok());
        assert!(!same(&a, &b));
        assert!(same(
            &a,
            &first("pass from {{192.0.2.1} 192.0.2.2} to 192.0.2.3")
        ));
        assert!(serde_json::to_value(&a).is_ok());
    }

    #[test]
    fn keys_agree_with_the_json_form_without_spans() {
        // The serde_json form with the ignored keys removed is the
        // reference: equal keys exactly when equal stripped JSON.
        let texts = [
            "pass in on em0 proto tcp to port { 22 80 }",
            "pass in on em0 proto tcp to port 22",
            "pass in quick log (all) on ! em0 inet proto { tcp udp } from <t> to (em1:network) port 1:2 keep state (max 10)",
            "match out on egress from 10.0.0.0/8 to any nat-to (egress) round-robin",
            "table <t> persist { 10.0.0.1, ! 10.0.0.2 }",
            "set skip on { lo0 em2 }",
            "x = \"a b\"",
            "anchor \"a\" in on em0",
            "pass from { { 192.0.2.1 }, 192.0.2.2 } to 192.0.2.3",
            "pass from { { 192.0.2.9 }, 10.0.0.1 } to 198.51.100.7 port 22",
        ];
        fn strip(v: serde_json::Value) -> serde_json::Value {
            use serde_json::Value as J;
            match v {
                J::Object(m) => J::Object(
                    m.into_iter()
                        .filter(|(k, _)| !IGNORED.contains(&k.as_str()))
                        .map(|(k, v)| (k, strip(v)))
                        .collect(),
                ),
                J::Array(a) => J::Array(a.into_iter().map(strip).collect()),
                o => o,
            }
        }
        for a in texts {
            for b in texts {
                let (x, y) = (first(a), first(b));
                let json = strip(serde_json::to_value(&x).unwrap())
                    == strip(serde_json::to_value(&y).unwrap());
                assert_eq!(same(&x, &y), json, "{a} / {b}");
            }
        }
    }
}
