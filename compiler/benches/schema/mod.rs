//! The benchmark schema generator shared by the `front_end` and `codegen` benches, so both measure the same input.

use std::fmt::Write;

/// A schema with `1,000 × scale` interfaces of 10 methods each and `5,000 × scale` structs.
///
/// A realistic mix: docs on every declaration, structs of 5-6 fields (primitives, optionals,
/// arrays, references to other types), an enum and a union every 50 structs, methods with 1-2
/// parameters of every kind (maps included), `throws` on some, a notifications block every 10
/// interfaces.
pub fn schema(scale: usize) -> String {
    let structs = 5_000 * scale;
    let interfaces = 1_000 * scale;
    let mut out = String::with_capacity(1_400_000 * scale);
    out.push_str("// Generated benchmark schema.\n\nconst version = \"v1\";\n\n");
    for i in 0..structs {
        if i % 50 == 0 {
            let _ = writeln!(
                out,
                "/// Status of group {i}.\nenum Status{i} {{ active, paused, stopped, unknown }}\n"
            );
            let _ = writeln!(
                out,
                "/// Failure of group {i}.\nunion Failure{i} {{\n  notFound {{ id: i64; }}\n  denied {{ reason: string; }}\n  busy\n}}\n"
            );
        }
        let group = i / 50 * 50;
        let _ = writeln!(out, "/// Record {i}.");
        let _ = writeln!(out, "struct Record{i} {{");
        out.push_str("  id: i64;\n  name: string;\n  tags: string[];\n");
        let _ = writeln!(out, "  status: Status{group};");
        if i > 0 {
            let _ = writeln!(out, "  previous?: Record{};", i - 1);
        }
        out.push_str("}\n\n");
    }
    for i in 0..interfaces {
        let _ = writeln!(out, "/// Service number {i}.");
        let _ = writeln!(out, "@channel(\"service-{i}-v1\")");
        let _ = writeln!(out, "interface Service{i} {{");
        for m in 0..10 {
            let record = (i * 5 + m) % structs;
            let group = record / 50 * 50;
            match m % 4 {
                0 => {
                    let _ = writeln!(
                        out,
                        "  get{m}(id: i64): Promise<Record{record}?> throws Failure{group};"
                    );
                }
                1 => {
                    let _ = writeln!(
                        out,
                        "  list{m}(offset: u32, limit?: u32): Promise<Record{record}[]>;"
                    );
                }
                2 => {
                    let _ = writeln!(
                        out,
                        "  put{m}(value: Record{record}, overwrite: bool): Promise<void>;"
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "  count{m}(filter: map<string, string>): Promise<u64>;"
                    );
                }
            }
        }
        out.push_str("}\n\n");
        if i % 10 == 0 {
            let record = (i * 5) % structs;
            let _ = writeln!(
                out,
                "@channel(\"events-{i}-v1\")\nnotifications Events{i} {{\n  changed(id: i64, value: Record{record});\n  progress(percent: f64);\n}}\n"
            );
        }
    }
    out
}
