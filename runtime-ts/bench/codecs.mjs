// The generated codecs' cost against their floor: for values of tests/vectors/vectors.ipc of a
// few shapes, `JSON.parse` + the codec's decode, then the codec's encode + `JSON.stringify`
// (a value in, its text out, the text back in), next to `JSON.parse` + `JSON.stringify` of the
// same text alone.
//
//   npm run bench:codecs                          # builds, then measures build-test/
//   node bench/codecs.mjs [--json] [BUILD...]     # given builds of the runtime, compared
//
// Times are CPU time of this process (on a shared machine wall time mostly measures the
// neighbours). Codec and floor rounds alternate, so that a change of load hits both alike; the
// ratio is the median of the per-round ratios. With several builds, every build's rounds
// alternate too. `--json` prints one JSON object per case instead of a table.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const json = args.includes("--json");
const dirs = args.filter((a) => a !== "--json");
if (dirs.length === 0) dirs.push(new URL("../build-test", import.meta.url).pathname);
const ROUNDS = Number(process.env.ROUNDS ?? 15);

const builds = [];
for (const dir of dirs) {
  const load = (path) => import(pathToFileURL(resolve(dir, path)).href);
  const rt = await load("src/common/index.js");
  const gen = await load("test/generated/vectors.js");
  builds.push({ dir, rt, gen });
}

const person = { id: "42", name: "Ann", age: 31, tags: ["a", "b", "c"], avatar: "AAEC/w==" };
function tree(depth, width) {
  if (depth === 0) return { kind: "leaf", value: String(width) };
  const children = [];
  for (let i = 0; i < width; i++) children.push(tree(depth - 1, width));
  return { kind: "node", children, shape: { kind: "rect", w: 1, h: 2 } };
}
const shapes = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? { kind: "circle", radius: i } : i % 3 === 1 ? { kind: "rect", w: i, h: 1 } : { kind: "empty" }));
const people = Array.from({ length: 1_000 }, (_, i) => ({ id: String(i * 7919), name: `Person ${i}`, age: i % 90, tags: ["x", `t${i % 10}`], avatar: "AAEC/w==" }));
const strings = Array.from({ length: 10_000 }, (_, i) => `item number ${i}`);
const numbers = Array.from({ length: 100_000 }, (_, i) => i * 0.5);

/** Each case: a name, the codec (per build), the value's wire text, and runs per round. */
const cases = [
  ["Person", (b) => b.gen.personCodec, JSON.stringify(person), 20_000],
  ["Person[] of 1,000", (b) => b.rt.c.array(b.gen.personCodec), JSON.stringify(people), 20],
  ["Tree, 7 levels of 3 (3,280 nodes)", (b) => b.gen.treeCodec, JSON.stringify(tree(7, 3)), 20],
  ["Shape[] of 10,000", (b) => b.rt.c.array(b.gen.shapeCodec), JSON.stringify(shapes), 10],
  ["string[] of 10,000", (b) => b.rt.c.array(b.rt.c.string), JSON.stringify(strings), 20],
  ["f64[] of 100,000", (b) => b.rt.c.array(b.rt.c.f64), JSON.stringify(numbers), 5],
];

/** CPU nanoseconds since `start` (a `process.cpuUsage()`). */
function cpuSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

let sink = 0;

/** The codec's round: decode the text's value, encode it back to text. CPU ns per run. */
function codecRound(b, codec, text, runs) {
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const value = b.rt.decodeValue(codec, JSON.parse(text), "value");
    sink += JSON.stringify(b.rt.encodeValue(codec, value, "value")).length;
  }
  return cpuSince(start) / runs;
}

/** The floor's round: the same text parsed and serialized again. */
function floorRound(text, runs) {
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i++) sink += JSON.stringify(JSON.parse(text)).length;
  return cpuSince(start) / runs;
}

const results = [];
for (const [name, codecOf, text, runs] of cases) {
  const codecs = builds.map((b) => codecOf(b));
  // Both directions must give back the text: the bench measures correct work.
  for (const [i, b] of builds.entries()) {
    const back = JSON.stringify(b.rt.encodeValue(codecs[i], b.rt.decodeValue(codecs[i], JSON.parse(text), "value"), "value"));
    if (back !== text) throw new Error(`${name}: the codec of ${b.dir} does not give back the text`);
  }
  for (let warm = 0; warm < 3; warm++) {
    floorRound(text, runs);
    builds.forEach((b, i) => codecRound(b, codecs[i], text, runs));
  }
  const floor = [];
  const codec = builds.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order too, so that neither always runs right after the other.
    const order = r % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    if (r % 2 === 0) floor.push(floorRound(text, runs));
    for (const i of order) codec[i].push(codecRound(builds[i], codecs[i], text, runs));
    if (r % 2 === 1) floor.push(floorRound(text, runs));
  }
  const ratios = codec.map((t) => median(t.map((x, r) => x / floor[r])));
  results.push({ name, bytes: text.length, floorNs: median(floor), codecNs: codec.map(median), ratios });
}

if (json) {
  for (const r of results) console.log(JSON.stringify(r));
} else {
  const head = builds.length > 1 ? `  (${dirs.join("  |  ")})` : "";
  console.log(`${"case".padEnd(36)} ${"JSON only".padStart(10)}  codec: time (× JSON)${head}`);
  for (const r of results) {
    const cells = r.codecNs.map((ns, i) => `${show(ns).padStart(10)} (×${r.ratios[i].toFixed(2)})`);
    console.log(`${r.name.padEnd(36)} ${show(r.floorNs).padStart(10)}  ${cells.join("  ")}`);
  }
}
if (sink === 0) console.log("");
