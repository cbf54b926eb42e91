// Prints the fixed-cost fragment from the Rust runs' criterion results and the TS codecs' JSON.
// Usage: table.mjs OUT RUNS LOAD_BEFORE
import { readFileSync } from "node:fs";
import { estimate, load, median, readEstimates, time } from "../lib/criterion.mjs";

const [out, runs, loadBefore] = process.argv.slice(2);
const results = Array.from({ length: Number(runs) }, (_, i) => readEstimates(`${out}/criterion-${i + 1}`));

console.log(`Last run: ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.split(" ").join(" / ")} before, ${load()} after.`);
console.log("");
console.log(`Rust (\`cargo bench -p ipcc-runtime --bench fixed_cost\`, ${runs} run${runs === "1" ? "" : "s"}; medians, the ratio is the median of the runs' ratios):`);
console.log("");
console.log("| call | serde_json floor | ipcc host | ratio (each run) | ratio |");
console.log("| --- | --- | --- | --- | --- |");
for (const call of ["add", "echoPerson"]) {
  const floor = results.map((r) => estimate(r, `fixed_cost/${call}/serde_json`).median);
  const ipcc = results.map((r) => estimate(r, `fixed_cost/${call}/ipcc`).median);
  const ratios = ipcc.map((x, i) => x / floor[i]);
  console.log(`| \`${call}\` | ${time(median(floor))} | ${time(median(ipcc))} | ${ratios.map((r) => r.toFixed(2)).join(", ")} | **${median(ratios).toFixed(2)}×** |`);
}
console.log("");
console.log("TypeScript (runtime-ts `bench/codecs.mjs`: decode + encode against `JSON.parse` + `JSON.stringify` of the same text; CPU time, medians of alternating rounds):");
console.log("");
console.log("| value | JSON size | JSON only | codecs | ratio |");
console.log("| --- | --- | --- | --- | --- |");
for (const line of readFileSync(`${out}/codecs.jsonl`, "utf8").trim().split("\n")) {
  const r = JSON.parse(line);
  const size = r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(1)} MB` : r.bytes >= 1e3 ? `${(r.bytes / 1e3).toFixed(0)} kB` : `${r.bytes} B`;
  console.log(`| ${r.name} | ${size} | ${time(r.floorNs)} | ${time(r.codecNs[0])} | **${r.ratios[0].toFixed(2)}×** |`);
}
