// Prints the codegen suite's markdown fragment from hyperfine's JSON results.
// Usage: table.mjs OUT LOAD_START LOAD_END ROUNDS RUNS (OUT holds schemas/ and runs/).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const [out, loadStart, loadEnd, rounds, runs] = process.argv.slice(2);
const schemas = ["large", "extra-large"];
const commands = ["ipcc-gen", "protoc", "ipcc-check"];

/** Every run's wall time of `command` on `schema`, over all rounds, and the mean CPU time
 * (user + system; hyperfine keeps only each round's mean) over the rounds. */
function times(schema, command) {
  const all = [];
  const cpu = [];
  for (const file of readdirSync(join(out, "runs"))) {
    if (!file.startsWith(`${schema}-`) || !/^\d+\.json$/.test(file.slice(schema.length + 1))) continue;
    const json = JSON.parse(readFileSync(join(out, "runs", file), "utf8"));
    const result = json.results.find((r) => r.command === command);
    all.push(...result.times);
    cpu.push(result.user + result.system);
  }
  if (all.length === 0) throw new Error(`no runs of ${command} on ${schema}`);
  all.sort((a, b) => a - b);
  all.cpu = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  return all;
}
const median = (xs) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
const secs = (s) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`);
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const ratio = (x) => `${x.toFixed(2)}×`;
const verdict = (ok) => (ok ? "met" : "**not met**");

const m = {};
for (const s of schemas) {
  m[s] = {};
  for (const c of commands) {
    const t = times(s, c);
    m[s][c] = { median: median(t), min: t[0], max: t[t.length - 1], n: t.length, cpu: t.cpu };
  }
}
const cell = (x) => `${secs(x.median)} (${secs(x.min)}–${secs(x.max)})`;

const lines = [];
lines.push("| schema | `.ipc` / `.proto` | `ipcc gen --rust --ts` | `protoc --descriptor_set_out` | gen / protoc (target ≤ 0.5×) | `ipcc check` | check / protoc |");
lines.push("| --- | --- | --- | --- | --- | --- | --- |");
for (const s of schemas) {
  const size = (ext) => mb(statSync(join(out, "schemas", `${s}.${ext}`)).size);
  const gen = m[s]["ipcc-gen"].median / m[s].protoc.median;
  lines.push(
    `| ${s} | ${size("ipc")} / ${size("proto")} | ${cell(m[s]["ipcc-gen"])} | ${cell(m[s].protoc)} | ` +
      `**${ratio(gen)}** (${verdict(gen <= 0.5)}) | ${cell(m[s]["ipcc-check"])} | ${ratio(m[s]["ipcc-check"].median / m[s].protoc.median)} |`,
  );
}
const growth = (c) => m["extra-large"][c].median / m.large[c].median;
lines.push(
  `| extra-large / large (target ≤ 2.3) | | **${ratio(growth("ipcc-gen"))}** (${verdict(growth("ipcc-gen") <= 2.3)}) | ` +
    `${ratio(growth("protoc"))} | | ${ratio(growth("ipcc-check"))} | |`,
);
lines.push("");
lines.push("CPU time (user + system, mean), which the load of other processes inflates less than wall time:");
lines.push("");
lines.push("| schema | `ipcc gen --rust --ts` | `protoc` | gen / protoc | `ipcc check` | check / protoc |");
lines.push("| --- | --- | --- | --- | --- | --- |");
for (const s of schemas) {
  const x = m[s];
  lines.push(
    `| ${s} | ${secs(x["ipcc-gen"].cpu)} | ${secs(x.protoc.cpu)} | ${ratio(x["ipcc-gen"].cpu / x.protoc.cpu)} | ` +
      `${secs(x["ipcc-check"].cpu)} | ${ratio(x["ipcc-check"].cpu / x.protoc.cpu)} |`,
  );
}
const cpuGrowth = (c) => m["extra-large"][c].cpu / m.large[c].cpu;
lines.push(`| extra-large / large | ${ratio(cpuGrowth("ipcc-gen"))} | ${ratio(cpuGrowth("protoc"))} | | ${ratio(cpuGrowth("ipcc-check"))} | |`);
lines.push("");
lines.push(
  `Wall times: medians (min–max) of ${m.large.protoc.n} runs per command and schema (${rounds} rounds of ${runs}, ` +
    `the three commands alternating; hyperfine, release \`ipcc\` with mimalloc, protoc ` +
    `${readFileSync(join(out, "protoc-version.txt"), "utf8").trim()}); load average ${loadStart} at the start, ${loadEnd} at the end.`,
);
console.log(lines.join("\n"));
