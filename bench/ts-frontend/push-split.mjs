// Where a push's time goes: N notifications (`notifyMe`) and N stream items (`count(n)`) from the
// release `ipcc-echo-backend` to a Node frontend through runtime-ts and generated code, next to
// the same frames pre-serialised and pushed N times by the raw echo (`!push N FRAME`, each frame
// parsed with `JSON.parse`: the floor bench/node/ts-frontend.mjs uses). Per case: the wall time,
// the frontend's CPU time (this process) and the backend's (its /proc ticks), so that what each
// side spends per message shows apart from the waits between them, which a loaded machine makes
// long. ipcc and the floor run alternately, round by round; medians of the rounds.
//
// usage (after bench/ts-frontend/run, or its build steps, made GENERATED_JS_DIR):
//   node bench/ts-frontend/push-split.mjs BACKEND GENERATED_JS_DIR [N]
// env: ROUNDS (default 7), TRANSPORTS=ws,stdio, KINDS=notifications,items, STREAM_WINDOW (the
// connection's streamWindow), RUNTIME_DIR (a build of runtime-ts other than runtime-ts/dist).

import { spawnRawStdioEcho } from "./raw-stdio-echo.mjs";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../../", import.meta.url).pathname;
const [backend, genDir, countArg] = process.argv.slice(2);
if (!backend || !genDir) {
  console.error("usage: node push-split.mjs BACKEND GENERATED_JS_DIR [N]");
  process.exit(2);
}
const N = Number(countArg ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const TRANSPORTS = (process.env.TRANSPORTS ?? "ws,stdio").split(",");
const KINDS = (process.env.KINDS ?? "notifications,items").split(",");
const WINDOW = process.env.STREAM_WINDOW === undefined ? undefined : Number(process.env.STREAM_WINDOW);
// RUNTIME_DIR: another build of runtime-ts (a `dist/` or a `build-test/src/`), to compare.
const runtimeDir = process.env.RUNTIME_DIR ?? join(root, "runtime-ts/dist");
const rt = await import(pathToFileURL(join(runtimeDir, "common/index.js")).href);
const node = await import(pathToFileURL(join(runtimeDir, "node/index.js")).href);
const { WebSocket } = await import(pathToFileURL(join(root, "runtime-ts/node_modules/ws/wrapper.mjs")).href);
const vectors = await import(pathToFileURL(join(genDir, "vectors.js")).href);
const streams = await import(pathToFileURL(join(genDir, "streams.js")).href);
const channels = [vectors.echoDescriptor, vectors.echoEventsDescriptor, streams.streamsTestDescriptor];

/** CPU seconds of process `pid` so far (user + system), from /proc (clock ticks of 10 ms). */
const procCpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const quiet = { onStderr: () => {}, onOutput: () => {} };

/** Wall ms, and µs of frontend and backend CPU per message, of one run of `f`. */
async function measure(f, pid) {
  const f0 = selfCpu(), b0 = procCpu(pid), t0 = now();
  await f();
  const ms = now() - t0;
  return { ms, front: ((selfCpu() - f0) / N) * 1e6, back: ((procCpu(pid) - b0) / N) * 1e6 };
}

/** Counts `n` pushed messages, each parsed (the floor's work per message). */
function rawCounter(sendRaw) {
  let counting;
  return {
    received(text) {
      JSON.parse(text);
      if (counting && --counting.left === 0) {
        const done = counting.resolve;
        counting = undefined;
        done();
      }
    },
    expect: (n, request) =>
      new Promise((resolve) => {
        counting = { left: n, resolve };
        sendRaw(request);
      }),
  };
}

/** The ipcc side: the connection, its backend's pid, and the notification and item runs. */
function ipccCases(conn) {
  const echo = vectors.echoClient(conn);
  const counter = streams.streamsTestClient(conn);
  let ticks = 0;
  let onTicks;
  vectors.addEchoEventsListener({ tick: () => { if (++ticks === N) onTicks?.(); } }, conn);
  return {
    notifications: () =>
      new Promise((resolve, reject) => {
        ticks = 0;
        onTicks = resolve;
        echo.notifyMe(N).catch(reject);
      }),
    items: async () => {
      let n = 0;
      for await (const _ of counter.count(N)) n++;
      if (n !== N) throw new Error(`count(${N}) yielded ${n}`);
    },
  };
}

const TICK = `{"type":"notify","channel":"${vectors.echoEventsDescriptor.channel}","method":"tick","args":[1]}`;
const ITEM = `{"type":"item","id":2,"seq":0,"value":0}`;

async function rounds(ipcc, ipccPid, raw, rawPid) {
  const cases = { notifications: [], rawNotifications: [], items: [], rawItems: [] };
  await ipcc.notifications();
  await ipcc.items();
  for (let r = 0; r < ROUNDS; r++) {
    if (KINDS.includes("notifications")) {
      cases.notifications.push(await measure(ipcc.notifications, ipccPid));
      cases.rawNotifications.push(await measure(() => raw.expect(N, `!push ${N} ${TICK}`), rawPid));
    }
    if (KINDS.includes("items")) {
      cases.items.push(await measure(ipcc.items, ipccPid));
      cases.rawItems.push(await measure(() => raw.expect(N, `!push ${N} ${ITEM}`), rawPid));
    }
  }
  const out = {};
  for (const [name, list] of Object.entries(cases)) {
    if (list.length === 0) continue;
    out[name] = { ms: median(list.map((x) => x.ms)), front: median(list.map((x) => x.front)), back: median(list.map((x) => x.back)) };
  }
  out.ratio = {
    notifications: median(cases.notifications.map((x, i) => cases.rawNotifications[i].ms / x.ms)),
    items: median(cases.items.map((x, i) => cases.rawItems[i].ms / x.ms)),
  };
  return out;
}

const options = { channels, ...(WINDOW !== undefined ? { streamWindow: WINDOW } : {}) };

async function stdio() {
  const socket = await node.spawnStdioBackend(backend, ["--stdio", "--streams"], quiet);
  const pid = Number(/pid (\d+)/.exec(socket.description)?.[1]);
  const conn = new rt.IpcConnection(socket, options);
  await conn.ready;
  let raw = null;
  const child = await spawnRawStdioEcho(backend, (line) => raw.received(line));
  raw = rawCounter((text) => child.stdin.write(Buffer.from(text + "\n")));
  const out = await rounds(ipccCases(conn), pid, raw, child.pid);
  conn.close();
  child.stdin.end();
  return out;
}

async function websocket() {
  const ipccBackend = await node.spawnWebSocketBackend(backend, ["--ws", "127.0.0.1:0", "--streams"], quiet);
  const rawBackend = await node.spawnWebSocketBackend(backend, ["--raw-ws-echo", "127.0.0.1:0"], quiet);
  const conn = new rt.IpcConnection(await node.connectWebSocket(ipccBackend.url), options);
  await conn.ready;
  const ws = new WebSocket(rawBackend.url);
  await new Promise((resolve) => ws.once("open", resolve));
  const raw = rawCounter((text) => ws.send(text));
  ws.on("message", (data) => raw.received(data.toString()));
  const out = await rounds(ipccCases(conn), ipccBackend.child.pid, raw, rawBackend.child.pid);
  conn.close();
  ws.close();
  await ipccBackend.stop();
  await rawBackend.stop();
  return out;
}

const before = loadavg()[0].toFixed(2);
const results = {};
if (TRANSPORTS.includes("ws")) results.websocket = await websocket();
if (TRANSPORTS.includes("stdio")) results.stdio = await stdio();
console.log(
  `${N} pushes, medians of ${ROUNDS} alternating rounds${WINDOW !== undefined ? `, streamWindow ${WINDOW}` : ""} (load average ${before} before, ${loadavg()[0].toFixed(2)} after); CPU in µs per message`,
);
console.log("| transport, case | ipcc ms | floor ms | rate ratio | ipcc frontend CPU | floor frontend CPU | ipcc backend CPU | floor backend CPU |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
const f = (x) => x.toFixed(2);
for (const [name, r] of Object.entries(results)) {
  for (const [kind, rawKind] of [["notifications", "rawNotifications"], ["items", "rawItems"]]) {
    if (!KINDS.includes(kind)) continue;
    const a = r[kind], b = r[rawKind];
    console.log(`| ${name}, ${kind} | ${a.ms.toFixed(0)} | ${b.ms.toFixed(0)} | **${f(r.ratio[kind])}×** | ${f(a.front)} | ${f(b.front)} | ${f(a.back)} | ${f(b.back)} |`);
  }
}
process.exit(0);
