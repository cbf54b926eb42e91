//! Generates the Rust of `schema/bench.proto` (written there by bench/build-cost/run) into `OUT_DIR`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // prost-build 0.14 prints no `rerun-if-changed`, so without this line cargo would rerun
    // the script on a change to any file of the package; ipcc::Builder prints its own.
    println!("cargo:rerun-if-changed=schema/bench.proto");
    // Servers and clients, tonic-prost-build's default, as ipcc's side generates both halves.
    tonic_prost_build::compile_protos("schema/bench.proto")?;
    Ok(())
}
