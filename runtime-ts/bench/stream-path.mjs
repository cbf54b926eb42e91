// The frontend's own CPU per stream item, without a backend: the generated client's `count(n)`
// (a stream of u32) consumed with `for await`, over a socket that sends item frames as the Rust
// backend would, within the credit the frontend grants, a window's worth per macrotask; next to
// its floor, `JSON.parse` of the same frames delivered the same way (what bench/node's push floor
// does with pre-serialised frames).
//
//   npm run bench:calls                       # with bench/call-path.mjs; builds, then measures build-test/
//   node bench/stream-path.mjs [BUILD...]     # given builds of the runtime, compared
//
// CPU time of this process; ipcc and floor rounds alternate; medians.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push(new URL("../build-test", import.meta.url).pathname);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const ITEMS = Number(process.env.ITEMS ?? 100_000);

/** A socket whose peer streams `ITEMS` items for each `call`, within the credit, then the result. */
function streamingSocket() {
  let listener;
  let call;
  const pump = () => {
    const frames = [];
    while (call.credit > 0 && call.seq < ITEMS) {
      call.credit--;
      frames.push(`{"type":"item","id":${call.id},"seq":${call.seq},"value":${call.seq++}}`);
    }
    if (call.seq === ITEMS && !call.done) {
      call.done = true;
      frames.push(`{"type":"result","id":${call.id},"value":null}`);
    }
    setImmediate(() => frames.forEach((f) => listener(f)));
  };
  return {
    description: "bench",
    send(message) {
      const m = JSON.parse(message);
      if (m.type === "hello") {
        const welcome = { type: "welcome", protocol: 2, channels: {}, maxMessageBytes: 67108864, maxInFlight: 1024, features: ["streams"], maxStreams: 256, maxCredit: 1024 };
        setImmediate(() => listener(JSON.stringify(welcome)));
      } else if (m.type === "call") {
        call = { id: m.id, credit: m.credit, seq: 0, done: false };
        pump();
      } else if (m.type === "credit") {
        call.credit += m.n;
        pump();
      }
    },
    onMessage(l) {
      listener = l;
    },
    onClose() {},
    close() {},
  };
}

const builds = [];
for (const dir of dirs) {
  const load = (path) => import(pathToFileURL(resolve(dir, path)).href);
  const rt = await load("src/common/index.js");
  const gen = await load("test/generated/streams.js");
  const conn = new rt.IpcConnection(streamingSocket(), { channels: [gen.streamsTestDescriptor] });
  await conn.ready;
  builds.push({ dir, client: gen.streamsTestClient(conn) });
}

/** The floor: the same frames, a window (64) per macrotask, each parsed. */
async function floorRound() {
  let sink = 0;
  for (let seq = 0; seq < ITEMS; ) {
    const frames = [];
    for (let k = 0; k < 64 && seq < ITEMS; k++, seq++) frames.push(`{"type":"item","id":1,"seq":${seq},"value":${seq}}`);
    await new Promise((resolve) =>
      setImmediate(() => {
        for (const f of frames) sink += JSON.parse(f).seq;
        resolve();
      }),
    );
  }
  return sink;
}

function cpuSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(f) {
  const start = process.cpuUsage();
  await f();
  return cpuSince(start) / ITEMS;
}

const floor = [];
const runs = builds.map(() => []);
for (let r = -2; r < ROUNDS; r++) {
  const f = await timed(floorRound);
  const b = [];
  for (const build of r % 2 ? [...builds].reverse() : builds) {
    b.push([build, await timed(async () => {
      let n = 0;
      for await (const _ of build.client.count(ITEMS)) n++;
      if (n !== ITEMS) throw new Error(`got ${n} items`);
    })]);
  }
  if (r < 0) continue;
  floor.push(f);
  for (const [build, t] of b) runs[builds.indexOf(build)].push(t);
}
const load = (await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" / ");
console.log(`CPU per stream item, medians of ${ROUNDS} rounds of ${ITEMS} (load average ${load})`);
console.log(`floor (JSON.parse)                        ${median(floor).toFixed(0)} ns`);
runs.forEach((t, i) => {
  const ratio = i === 0 ? "" : `  (×${median(t.map((x, r) => x / runs[0][r])).toFixed(3)} of the first build)`;
  console.log(`${builds[i].dir.slice(-40).padEnd(40)}  ${median(t).toFixed(0)} ns, floor/ipcc ${median(t.map((x, r) => floor[r] / x)).toFixed(2)}${ratio}`);
});
