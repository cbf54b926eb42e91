// The frontend's own CPU per call, without a backend: the generated client's `echoString` of a
// 40-character string (generated client → session → protocol encode → socket send, then the
// answer's receive → parse → decode → promise resolve) over a socket that answers each call at
// once with the bytes the Rust backend would send, next to its floor, a raw client that sends
// the same text and resolves a promise with the answer's text (what bench/node's raw echo
// clients do). The difference is what the runtime spends per call in this process.
//
//   npm run bench:calls                            # builds, then measures build-test/
//   node bench/call-path.mjs [BUILD...]            # given builds of the runtime, compared
//
// The answer comes in a macrotask (`setImmediate`), as a socket's does. Times are CPU time of
// this process; ipcc and floor rounds alternate (and builds, given several); figures are medians.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push(new URL("../build-test", import.meta.url).pathname);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const CALLS = Number(process.env.CALLS ?? 20_000);
const HELLO = "hello from the frontend, forty chars abc";

/**
 * A socket whose peer answers each message in the next macrotask: `welcome` to the hello, and a
 * result for each call (ids count up from 1, as the connection's do), built as the backend would.
 */
function answeringSocket(answerOf) {
  let listener;
  let hello = true;
  return {
    description: "bench",
    send(message) {
      let reply;
      if (hello) {
        hello = false;
        reply = JSON.stringify({ type: "welcome", protocol: 2, channels: {}, maxMessageBytes: 67108864, maxInFlight: 1024, features: ["streams"] });
      } else reply = answerOf(message);
      setImmediate(() => listener(reply));
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
  const gen = await load("test/generated/vectors.js");
  let id = 0;
  const socket = answeringSocket(() => `{"type":"result","id":${++id},"value":${JSON.stringify(HELLO)}}`);
  const conn = new rt.IpcConnection(socket, { channels: [gen.echoDescriptor] });
  await conn.ready;
  const echo = gen.echoClient(conn);
  builds.push({ dir, echo });
}

// The floor: a raw client's request (send, then a waiter resolved with the answer's text).
const callText = `{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"echoString","args":[${JSON.stringify(HELLO)}]}`;
const answerText = `{"type":"result","id":1,"value":${JSON.stringify(HELLO)}}`;
const waiters = [];
let rawListener;
const rawSocket = {
  send() {
    setImmediate(() => rawListener(answerText));
  },
};
rawListener = (message) => waiters.shift()?.(message);
const rawRequest = (text) =>
  new Promise((resolve) => {
    waiters.push(resolve);
    rawSocket.send(text);
  });

function cpuSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function round(call) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await call();
  return cpuSince(start) / CALLS;
}

const floor = [];
const runs = builds.map(() => []);
for (let r = -3; r < ROUNDS; r++) {
  const f = await round(() => rawRequest(callText));
  const b = [];
  for (const build of r % 2 ? [...builds].reverse() : builds) b.push([build, await round(() => build.echo.echoString(HELLO))]);
  if (r < 0) continue; // warm-up
  floor.push(f);
  for (const [build, t] of b) runs[builds.indexOf(build)].push(t);
}
const load = (await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" / ");
console.log(`CPU per call, medians of ${ROUNDS} rounds of ${CALLS} (load average ${load})`);
console.log(`raw floor                                 ${(median(floor) / 1000).toFixed(2)} µs`);
runs.forEach((t, i) => {
  const extra = median(t.map((x, r) => x - floor[r]));
  const ratio = i === 0 ? "" : `  (×${median(t.map((x, r) => x / runs[0][r])).toFixed(3)} of the first build)`;
  console.log(`${builds[i].dir.slice(-40).padEnd(40)}  ${(median(t) / 1000).toFixed(2)} µs, +${(extra / 1000).toFixed(2)} µs over the floor${ratio}`);
});
