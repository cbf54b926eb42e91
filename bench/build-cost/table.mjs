// Prints the build-cost suite's markdown fragment from run's measurements.
// Usage: table.mjs OUT LOAD_START LOAD_END RUNS (OUT holds runs.tsv, schemas/ and *-generated.rs).
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const [out, loadStart, loadEnd, runs] = process.argv.slice(2);
// One line per build (see run): side kind cargo_wall cargo_user cargo_sys rustc_wall
// rustc_max_rss_kib rustc_user rustc_sys.
const rows = readFileSync(join(out, "runs.tsv"), "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [side, kind, ...n] = line.split(/\s+/);
    const [wall, user, sys, rustc, rss, rustcUser, rustcSys] = n.map(Number);
    return { side, kind, wall, cpu: user + sys, rustc, rss: rss * 1024, rustcCpu: rustcUser + rustcSys };
  });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median, minimum and maximum of `field` over the builds of `side` (and `kind`, if given). */
function stat(side, field, kind) {
  const xs = rows.filter((r) => r.side === side && (!kind || r.kind === kind)).map((r) => r[field]);
  if (xs.length === 0) throw new Error(`no ${kind ?? ""} builds of ${side}`);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}
const secs = (x) => `${x.median.toFixed(2)} s (${x.min.toFixed(2)}–${x.max.toFixed(2)})`;
const gb = (x) => `${(x.median / 1e9).toFixed(2)} GB (${(x.min / 1e9).toFixed(2)}–${(x.max / 1e9).toFixed(2)})`;
const ratio = (a, b, target) => {
  const r = a.median / b.median;
  const text = `**${r.toFixed(2)}×**`;
  return target === undefined ? text : `${text} (target ≤ ${target.toFixed(1)}×: ${r <= target ? "met" : "**not met**"})`;
};

const rowsOut = [
  ["`cargo build` after touching the schema: wall", "touched", "wall", secs, 0.8],
  ["`cargo build` after touching the schema: CPU (user + system)", "touched", "cpu", secs, 0.8],
  ["`cargo build` of the crate after `cargo clean -p`: wall", "clean", "wall", secs, 0.8],
  ["`cargo build` of the crate after `cargo clean -p`: CPU", "clean", "cpu", secs, 0.8],
  ["rustc of the crate alone, schema touched: CPU", "touched", "rustcCpu", secs, undefined],
  ["rustc of the crate alone, clean: CPU", "clean", "rustcCpu", secs, undefined],
  ["rustc of the crate, schema touched: peak memory (max RSS)", "touched", "rss", gb, 1.0],
  ["rustc of the crate, clean: peak memory (max RSS)", "clean", "rss", gb, 1.0],
];
const lines = [
  "| | ipcc | tonic + prost | ipcc / tonic |",
  "| --- | --- | --- | --- |",
];
for (const [label, kind, field, fmt, target] of rowsOut) {
  const a = stat("ipcc", field, kind);
  const b = stat("tonic", field, kind);
  lines.push(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${ratio(a, b, target)} |`);
}
const text = (file) => readFileSync(join(out, file), "utf8");
const size = (file) => {
  const t = text(file);
  return { bytes: Buffer.byteLength(t), lines: t.split("\n").length - 1 };
};
const gen = { ipcc: size("ipcc-generated.rs"), tonic: size("tonic-generated.rs") };
const schema = {
  ipcc: statSync(join(out, "schemas", "build-cost.ipc")).size,
  tonic: statSync(join(out, "schemas", "build-cost.proto")).size,
};
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
lines.push(
  `| generated Rust | ${mb(gen.ipcc.bytes)} (${gen.ipcc.lines.toLocaleString("en")} lines) | ` +
    `${mb(gen.tonic.bytes)} (${gen.tonic.lines.toLocaleString("en")} lines) | ${(gen.ipcc.bytes / gen.tonic.bytes).toFixed(2)}× |`,
);
lines.push(
  `| schema | ${mb(schema.ipcc)} of \`.ipc\` (generated: ${(gen.ipcc.bytes / schema.ipcc).toFixed(1)}×) | ` +
    `${mb(schema.tonic)} of \`.proto\` (generated: ${(gen.tonic.bytes / schema.tonic).toFixed(1)}×) | |`,
);
lines.push("");
const n = stat("ipcc", "wall", "clean").n;
lines.push(
  `Medians (min–max) of ${n} builds of each kind per side (${runs} runs, each a clean build of both sides and ` +
    `then a touched-schema build of both, the side that goes first alternating); cargo's default dev profile; ` +
    `load average ${loadStart} at the start, ${loadEnd} at the end.`,
);
console.log(lines.join("\n"));
