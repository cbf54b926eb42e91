// Prints the rust-runtime fragment from criterion's results and idle_memory's line.
// Usage: table.mjs OUT LOAD_BEFORE
import { readFileSync } from "node:fs";
import { estimate, load, ratio, readEstimates, time } from "../lib/criterion.mjs";

const [out, loadBefore] = process.argv.slice(2);
const trip = readEstimates(`${out}/roundtrip`);
const bytes = readEstimates(`${out}/bytes`);
const get = (found, id) => estimate(found, id).median;

console.log(`Last run: ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.split(" ").join(" / ")} before, ${load()} after; criterion medians, release build.`);
console.log("");
console.log("| transport | raw echo | call | ratio | 64 raw pipelined | 64 calls in flight | ratio |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const [id, label] of [["in-memory", "in-memory"], ["websocket", "WebSocket"], ["stdio", "stdio (child process)"]]) {
  const raw = get(trip, `${id}/raw echo`);
  const call = get(trip, `${id}/call`);
  const rawMany = get(trip, `${id}/raw echo x64 pipelined`);
  const many = get(trip, `${id}/call x64 in flight`);
  console.log(`| ${label} | ${time(raw)} | ${time(call)} | ${ratio(call, raw)} | ${time(rawMany)} | ${time(many)} | ${ratio(many, rawMany)} |`);
}
console.log("");
console.log("| 16 MiB `bytes` | raw echo | binary | ratio | base64 | ratio |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [id, label] of [["websocket", "WebSocket"], ["stdio", "stdio"]]) {
  const raw = get(bytes, `${id}/16 MiB raw echo`);
  const binary = get(bytes, `${id}/16 MiB echoBytes, binary`);
  const base64 = get(bytes, `${id}/16 MiB echoBytes, base64`);
  console.log(`| ${label} | ${time(raw)} | ${time(binary)} | ${ratio(binary, raw)} | ${time(base64)} | ${ratio(base64, raw)} |`);
}
console.log("");
console.log("| transport | 10,000 stream items | 10,000 calls, one at a time | 10,000 calls, 64 in flight |");
console.log("| --- | --- | --- | --- |");
for (const [id, label] of [["websocket", "WebSocket"], ["stdio", "stdio"]]) {
  const items = get(bytes, `${id}/10000 stream items`);
  const single = get(bytes, `${id}/10000 unary calls, one at a time`);
  const many = get(bytes, `${id}/10000 unary calls, 64 in flight`);
  console.log(`| ${label} | ${time(items)} (${time(items / 10000)} per item) | ${time(single)} (${ratio(single, items)} the stream) | ${time(many)} (${ratio(many, items)}) |`);
}
console.log("");
const idle = readFileSync(`${out}/idle_memory.txt`, "utf8").match(/(\d+), backend RSS (\d+) KiB → (\d+) KiB, ([\d.]+) KiB per connection/);
if (!idle) {
  console.error("bench: idle_memory printed no figures");
  process.exit(1);
}
console.log(`Idle connections (\`--bench idle_memory\`): ${Number(idle[1]).toLocaleString("en")} WebSocket connections to \`ipcc-echo-backend --ws\`, **${idle[4]} KiB per idle connection** (${(idle[2] / 1024).toFixed(1)} MiB → ${(idle[3] / 1024).toFixed(1)} MiB).`);
