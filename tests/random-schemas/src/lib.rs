//! The generated-code corpus: [`random_schema`] generates a family of valid schemas from fixed
//! seeds; the build script compiles each to Rust through `ipcc::Builder`, and this crate
//! includes them all (so `cargo test` and `cargo clippy -D warnings` compile them), with one
//! sample value per generated type for the round trips in `tests/corpus.rs`. tests/ts compiles
//! the same schemas to TypeScript (`write-random-schemas`).

pub mod random_schema;

/// One generated module per schema, `schema_00` ... (see `build.rs`).
#[allow(deprecated)] // samples name deprecated types
pub mod corpus {
    use super::round_trip;
    use super::Sample;
    include!(concat!(env!("OUT_DIR"), "/corpus.rs"));
}

/// A sample value of one generated type, as the wire carries it.
pub struct Sample {
    pub schema: &'static str,
    pub idl_name: &'static str,
    pub json: &'static str,
    /// Decodes `json` through the generated type and encodes it again.
    pub round_trip: fn(&str) -> Result<serde_json::Value, String>,
}

/// Decodes `json` as a `T` and encodes the result.
fn round_trip<T>(json: &str) -> Result<serde_json::Value, String>
where
    T: ipcc_runtime::codegen::Serialize + for<'de> ipcc_runtime::codegen::Deserialize<'de>,
{
    let value: T = serde_json::from_str(json).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))
}
