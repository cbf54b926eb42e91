// Prints the front-end fragment. Usage: table.mjs OUT RUNS LOAD_BEFORE
import { estimate, load, readEstimates, time } from "../lib/criterion.mjs";

const [out, runs, loadBefore] = process.argv.slice(2);
const n = Number(runs);
const columns = [];
for (const [kind, label] of [["mimalloc", "`ipcc` (mimalloc)"], ["system", "system allocator"]]) {
  for (let run = 1; run <= n; run++) columns.push({ label: run === 1 ? `${label}, run 1` : `run ${run}`, found: readEstimates(`${out}/${kind}-${run}`) });
}
const cell = (e) => `${time(e.median)} (${time(e.low).replace(/ .*/, "")}–${time(e.high)})`;

console.log(`Last run: ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.split(" ").join(" / ")} before, ${load()} after; criterion medians with their 95 % intervals.`);
console.log("");
console.log(`| schema | ${columns.map((c) => c.label).join(" | ")} |`);
console.log(`| --- | ${columns.map(() => "---").join(" | ")} |`);
const rows = [["large", "large (1.33 MB)"], ["extra_large", "extra-large (2.68 MB)"]];
for (const [id, label] of rows) console.log(`| ${label} | ${columns.map((c) => cell(estimate(c.found, `front_end/${id}`))).join(" | ")} |`);
console.log(`| ratio | ${columns.map((c) => `${(estimate(c.found, "front_end/extra_large").median / estimate(c.found, "front_end/large").median).toFixed(2)}×`).join(" | ")} |`);
