// Where a small call's CPU goes: the Node frontend's and the Rust backend's CPU time per call,
// for ipcc (runtime-ts + generated client → `ipcc-echo-backend`) and for the raw echo of the
// same bytes (no protocol on either side), over stdio and WebSocket. CPU time does not count the
// waits for a core that dominate latency on a loaded machine, so it separates what each side
// spends from what the scheduler adds.
//
// usage (after bench/ts-frontend/run, or its build steps, made GENERATED_JS_DIR):
//   node bench/ts-frontend/cpu-split.mjs BACKEND GENERATED_JS_DIR [CALLS]
// Runs ipcc and raw alternately, 5 rounds each; prints medians, µs per call.

import { spawnRawStdioEcho } from "./raw-stdio-echo.mjs";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../../", import.meta.url).pathname;
const [backend, genDir, callsArg] = process.argv.slice(2);
if (!backend || !genDir) {
  console.error("usage: node cpu-split.mjs BACKEND GENERATED_JS_DIR [CALLS]");
  process.exit(2);
}
const CALLS = Number(callsArg ?? 20_000);
const rt = await import(pathToFileURL(join(root, "runtime-ts/dist/common/index.js")).href);
const node = await import(pathToFileURL(join(root, "runtime-ts/dist/node/index.js")).href);
const { WebSocket } = await import(pathToFileURL(join(root, "runtime-ts/node_modules/ws/wrapper.mjs")).href);
const vectors = await import(pathToFileURL(join(genDir, "vectors.js")).href);
const HELLO = "hello from the frontend, forty chars abc";

/** CPU seconds of process `pid` so far (user + system), from /proc (clock ticks of 10 ms). */
const procCpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** µs of frontend and backend CPU per call over `CALLS` sequential calls. */
async function measure(call, pid) {
  for (let i = 0; i < 500; i++) await call();
  const f = selfCpu(), b = procCpu(pid);
  for (let i = 0; i < CALLS; i++) await call();
  return { front: ((selfCpu() - f) / CALLS) * 1e6, back: ((procCpu(pid) - b) / CALLS) * 1e6 };
}

function rawClient(sendRaw) {
  const waiters = [];
  return {
    received: (m) => waiters.shift()?.(m),
    request: (text) =>
      new Promise((resolve) => {
        waiters.push(resolve);
        sendRaw(text);
      }),
  };
}

const pidOf = (description) => Number(/pid (\d+)/.exec(description)?.[1]);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const quiet = { onStderr: () => {}, onOutput: () => {} };

async function stdio() {
  const socket = await node.spawnStdioBackend(backend, ["--stdio", "--streams"], quiet);
  const pid = pidOf(socket.description);
  const conn = new rt.IpcConnection(socket, { channels: [vectors.echoDescriptor] });
  await conn.ready;
  const echo = vectors.echoClient(conn);
  let raw = null;
  const child = await spawnRawStdioEcho(backend, (line) => raw.received(line));
  raw = rawClient((text) => child.stdin.write(Buffer.from(text + "\n")));
  const text = `{"type":"call","id":1,"channel":"${vectors.echoDescriptor.channel}","method":"echoString","args":["${HELLO}"]}`;
  const out = await rounds(() => echo.echoString(HELLO), pid, () => raw.request(text), child.pid);
  conn.close();
  child.stdin.end();
  return out;
}

async function websocket() {
  const ipccBackend = await node.spawnWebSocketBackend(backend, ["--ws", "127.0.0.1:0", "--streams"], quiet);
  const rawBackend = await node.spawnWebSocketBackend(backend, ["--raw-ws-echo", "127.0.0.1:0"], quiet);
  const conn = new rt.IpcConnection(await node.connectWebSocket(ipccBackend.url), { channels: [vectors.echoDescriptor] });
  await conn.ready;
  const echo = vectors.echoClient(conn);
  const ws = new WebSocket(rawBackend.url);
  await new Promise((resolve) => ws.once("open", resolve));
  const raw = rawClient((text) => ws.send(text));
  ws.on("message", (data) => raw.received(data.toString()));
  const text = `{"type":"call","id":1,"channel":"${vectors.echoDescriptor.channel}","method":"echoString","args":["${HELLO}"]}`;
  const out = await rounds(() => echo.echoString(HELLO), ipccBackend.child.pid, () => raw.request(text), rawBackend.child.pid);
  conn.close();
  ws.close();
  await ipccBackend.stop();
  await rawBackend.stop();
  return out;
}

async function rounds(ipccCall, ipccPid, rawCall, rawPid) {
  const a = [], b = [];
  for (let r = 0; r < 5; r++) {
    a.push(await measure(ipccCall, ipccPid));
    b.push(await measure(rawCall, rawPid));
  }
  const m = (list, side) => median(list.map((x) => x[side])).toFixed(1);
  return { ipccFront: m(a, "front"), ipccBack: m(a, "back"), rawFront: m(b, "front"), rawBack: m(b, "back") };
}

const before = loadavg()[0].toFixed(2);
const results = { stdio: await stdio(), websocket: await websocket() };
console.log(`CPU µs per small call, medians of 5 rounds of ${CALLS} (load average ${before} before, ${loadavg()[0].toFixed(2)} after)`);
console.log("| transport | ipcc frontend | raw frontend | ipcc backend | raw echo |");
console.log("| --- | --- | --- | --- | --- |");
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.ipccFront} | ${r.rawFront} | ${r.ipccBack} | ${r.rawBack} |`);
process.exit(0);
