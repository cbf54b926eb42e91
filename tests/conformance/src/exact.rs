//! Exact comparison of sent and received values. Floats are compared by their bits
//! (`to_bits`), so `-0.0` differs from `0.0` and NaN equals NaN. Structured values are compared
//! by their wire encoding, which is injective: every distinct value has a distinct encoding
//! (`"-0"`, `"NaN"` and shortest round-trip numbers for floats, decimal strings for 64-bit
//! integers, sorted map keys), so equal encodings mean equal values, bit for bit.

use ipcc_runtime::codegen::Serialize;

/// Whether two `f64` have the same bits.
pub fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

/// Whether two `f32` have the same bits.
pub fn same_f32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits()
}

/// The wire encoding of a generated type (whose serde attributes are the wire mapping).
pub fn wire<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| serde_json::Value::String(format!("<cannot encode: {e}>")))
}

/// Panics with both encodings unless `sent` and `received` are the same value.
#[track_caller]
pub fn assert_same<T: Serialize>(what: &str, sent: &T, received: &T) {
    let (sent, received) = (wire(sent), wire(received));
    if sent != received {
        panic!(
            "{what}: sent and received values differ\n  sent:     {sent}\n  received: {received}"
        );
    }
}

/// Panics unless the float lists have the same bits element by element.
#[track_caller]
pub fn assert_same_f64s(what: &str, sent: &[f64], received: &[f64]) {
    assert_eq!(sent.len(), received.len(), "{what}: lengths differ");
    for (i, (a, b)) in sent.iter().zip(received).enumerate() {
        assert!(
            same_f64(*a, *b),
            "{what}[{i}]: sent {a:?} ({:#x}), received {b:?} ({:#x})",
            a.to_bits(),
            b.to_bits()
        );
    }
}

/// Panics unless the float lists have the same bits element by element.
#[track_caller]
pub fn assert_same_f32s(what: &str, sent: &[f32], received: &[f32]) {
    assert_eq!(sent.len(), received.len(), "{what}: lengths differ");
    for (i, (a, b)) in sent.iter().zip(received).enumerate() {
        assert!(
            same_f32(*a, *b),
            "{what}[{i}]: sent {a:?} ({:#x}), received {b:?} ({:#x})",
            a.to_bits(),
            b.to_bits()
        );
    }
}
