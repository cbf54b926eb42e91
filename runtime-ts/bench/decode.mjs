// The frontend's cost per received message: `parseMessage` and the generated codec's decode of
// the result, for values of tests/vectors/vectors.ipc of a few shapes; then whole `echoPerson`
// calls over the in-memory transport (TS client and TS host: both directions decode).
//
//   npm run bench                                  # builds, then measures build-test/
//   node bench/decode.mjs OLD/build-test build-test  # two builds of the runtime, compared
//
// Times are CPU time of this process (on a machine shared with builds, wall time mostly
// measures the neighbours), the median of the rounds. With several builds, their rounds
// alternate, so that a change of load hits each alike, and the last column is each build's
// median ratio to the first one's, round by round.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push(new URL("../build-test", import.meta.url).pathname);
const ROUNDS = Number(process.env.ROUNDS ?? 15);

const builds = [];
for (const dir of dirs) {
  const load = (path) => import(pathToFileURL(resolve(dir, path)).href);
  const rt = await load("src/common/index.js");
  const gen = await load("test/generated/vectors.js");
  const echo = await load("test/fixtures/echo.js");
  builds.push({ dir, rt, gen, echo });
}

const person = { id: "42", name: "Ann", age: 31, tags: ["a", "b", "c"], avatar: "AAEC/w==" };
const personWithUnknown = { ...person, since: "2020", prefs: { theme: "dark", langs: ["en", "fr"] } };
function tree(depth, width) {
  if (depth === 0) return { kind: "leaf", value: String(width) };
  const children = [];
  for (let i = 0; i < width; i++) children.push(tree(depth - 1, width));
  return { kind: "node", children, shape: { kind: "rect", w: 1, h: 2 } };
}
const shapes = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? { kind: "circle", radius: i } : i % 3 === 1 ? { kind: "rect", w: i, h: 1 } : { kind: "empty" }));
const numbers = Array.from({ length: 100_000 }, (_, i) => i * 0.5);
const result = (value) => JSON.stringify({ type: "result", id: 7, value });

/** Each case: a name, the codec (per build), the message's text, and runs per round. */
const cases = [
  ["Person", (b) => b.gen.personCodec, result(person), 30_000],
  ["Person with unknown fields", (b) => b.gen.personCodec, result(personWithUnknown), 30_000],
  ["Tree, 7 levels of 3 (3,280 nodes)", (b) => b.gen.treeCodec, result(tree(7, 3)), 30],
  ["Shape[] of 10,000", (b) => b.rt.c.array(b.gen.shapeCodec), result(shapes), 15],
  ["f64[] of 100,000", (b) => b.rt.c.array(b.rt.c.f64), result(numbers), 8],
];

/** CPU nanoseconds since `start` (a `process.cpuUsage()`). */
function cpuSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

/** Runs `round(build)` (CPU ns per unit) alternately on every build; prints medians and ratios. */
async function compare(name, round) {
  for (let warm = 0; warm < 3; warm++) for (const b of builds) await round(b);
  const times = builds.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order too, so that neither build always runs right after the other.
    const order = r % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    for (const i of order) times[i].push(await round(builds[i]));
  }
  const cells = times.map((t, i) => {
    const ratio = i === 0 ? "" : ` (×${median(t.map((x, r) => x / times[0][r])).toFixed(3)})`;
    return `${show(median(t)).padStart(10)}${ratio}`;
  });
  console.log(`${name.padEnd(44)} ${cells.join("  ")}`);
}

if (builds.length > 1) console.log(`${"".padEnd(44)} ${dirs.join("  |  ")}`);
for (const [name, codecOf, text, runs] of cases) {
  const codecs = new Map(builds.map((b) => [b, codecOf(b)]));
  await compare(`parse + decode: ${name}`, (b) => {
    const codec = codecs.get(b);
    const start = process.cpuUsage();
    for (let i = 0; i < runs; i++) b.rt.decodeValue(codec, b.rt.parseMessage(text).value, "result");
    return cpuSince(start) / runs;
  });
}

// Whole calls, one at a time: client encode, host decode and encode, client decode.
for (const b of builds) {
  const host = b.echo.startEchoHost();
  const [front, back] = b.rt.createMemorySocketPair();
  host.accept(back);
  b.host = host;
  b.conn = new b.rt.IpcConnection(front, { channels: [b.gen.echoDescriptor, b.gen.echoEventsDescriptor] });
  b.client = b.gen.echoClient(b.conn);
  b.person = b.rt.decodeValue(b.gen.personCodec, person, "person");
}
await compare("echoPerson round trip (in-memory)", async (b) => {
  const n = 2000;
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await b.client.echoPerson(b.person);
  return cpuSince(start) / n;
});
for (const b of builds) {
  b.conn.close();
  await b.host.shutdown();
}
