//! Generates the Rust of `schema/bench.proto` (written there by bench/build-cost/run) into `OUT_DIR`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Servers and clients, tonic-prost-build's default, as ipcc's side generates both halves.
    tonic_prost_build::compile_protos("schema/bench.proto")?;
    Ok(())
}
