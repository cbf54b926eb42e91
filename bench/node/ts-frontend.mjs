// The TypeScript frontend against the Rust backend, side by side with its floors and its peer:
// a Node client through the real runtime-ts and ipcc-generated code (tests/vectors) calling
// `ipcc-echo-backend` (release), next to the same bytes echoed raw (`--raw-stdio-echo`,
// `--raw-ws-echo`: no protocol at all) and, over stdio, next to vscode-jsonrpc (Node → Node).
// Every case runs ipcc and its floor/peer alternately, round by round, and keeps each round's
// figures, so a load spike hits both alike; bench/ts-frontend/report.mjs takes the medians.
//
// usage: node ts-frontend.mjs BACKEND GENERATED_JS_DIR OUT.json   (BENCH_QUICK=1: few samples)

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { IpcConnection } from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend, spawnWebSocketBackend } from "ipcc-runtime/node";
import * as rpc from "vscode-jsonrpc/node.js";
import { WebSocket } from "ws";

const [backend, genDir, outFile] = process.argv.slice(2);
if (!backend || !genDir || !outFile) {
  console.error("usage: node ts-frontend.mjs BACKEND GENERATED_JS_DIR OUT.json");
  process.exit(2);
}
const quick = process.env.BENCH_QUICK === "1";
const only = process.env.TS_FRONTEND_CASES?.split(",");
const vectors = await import(pathToFileURL(join(genDir, "vectors.js")).href);
const streams = await import(pathToFileURL(join(genDir, "streams.js")).href);
const channels = [vectors.echoDescriptor, vectors.echoEventsDescriptor, streams.streamsTestDescriptor];

/** The small call's argument: 40 characters, as `sayHello("…")` would carry. */
const HELLO = "hello from the frontend, forty chars abc";
if (HELLO.length !== 40) throw new Error("HELLO must be 40 characters");

const log = (...args) => console.error("[ts-frontend]", ...args);
const nowUs = () => Number(process.hrtime.bigint()) / 1000;
const quiet = { onStderr: () => {}, onOutput: () => {} };

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Sequential latencies (µs) of `n` calls of `call`, after `warm` unmeasured ones. */
async function latencies(call, n, warm) {
  for (let i = 0; i < warm; i++) await call();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = nowUs();
    await call();
    out[i] = nowUs() - t;
  }
  return { p50: quantile(out, 0.5), p99: quantile(out, 0.99) };
}

/** Calls per second with `depth` calls in flight, `batches` times (after a few warm batches). */
async function pipelined(call, depth, batches) {
  const batch = () => Promise.all(Array.from({ length: depth }, call));
  for (let i = 0; i < Math.max(2, batches / 10); i++) await batch();
  const t = nowUs();
  for (let i = 0; i < batches; i++) await batch();
  return (depth * batches) / ((nowUs() - t) / 1e6);
}

/** Milliseconds of one awaited run of `f`. */
async function timed(f) {
  const t = nowUs();
  await f();
  return (nowUs() - t) / 1000;
}

/** Samples this process's memory while `f` runs; resolves to its time and the peaks. */
async function withMemory(f) {
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  };
  const timer = setInterval(sample, 5);
  const ms = await timed(f);
  clearInterval(timer);
  sample();
  return { ms, heapPeakMiB: (heap - base.heapUsed) / 2 ** 20, rssPeakMiB: rss / 2 ** 20 };
}

// ---------------------------------------------------------------- raw floors

/**
 * A raw echo client: sends a message, and the replies resolve the waiting requests in order.
 * `expect(n, request)` sends `request` and waits for `n` messages, each parsed as JSON (the push
 * floor).
 */
class RawClient {
  waiters = [];
  counting = undefined;
  received(message) {
    if (this.counting) {
      // A pushed frame is parsed, as any frontend must: the floor of receiving a JSON message.
      if (typeof message !== "string") message = message.toString();
      JSON.parse(message);
      if (--this.counting.left === 0) {
        const done = this.counting.resolve;
        this.counting = undefined;
        done();
      }
      return;
    }
    this.waiters.shift()?.(message);
  }
  request(message) {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.send(message);
    });
  }
  expect(n, thenSend) {
    return new Promise((resolve) => {
      this.counting = { left: n, resolve };
      this.send(thenSend);
    });
  }
}

/** Node → `ipcc-echo-backend --raw-stdio-echo`: lines, and `0x00` + u32 length binary frames. */
class RawStdio extends RawClient {
  static async start() {
    const raw = new RawStdio();
    raw.child = spawn(backend, ["--raw-stdio-echo"], { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise((resolve, reject) => {
      raw.child.once("spawn", resolve);
      raw.child.once("error", reject);
    });
    let pending = []; // chunks of an unfinished line
    let frame; // { length, body, read, header: [] } of an unfinished binary frame
    raw.child.stdout.on("data", (chunk) => {
      let at = 0;
      while (at < chunk.length) {
        if (frame) {
          while (frame.header.length < 5 && at < chunk.length) frame.header.push(chunk[at++]);
          if (frame.header.length < 5) return;
          if (!frame.body) {
            frame.length = Buffer.from(frame.header).readUInt32BE(1);
            frame.body = Buffer.allocUnsafe(frame.length);
          }
          const n = Math.min(frame.length - frame.read, chunk.length - at);
          chunk.copy(frame.body, frame.read, at, at + n);
          frame.read += n;
          at += n;
          if (frame.read === frame.length) {
            const body = frame.body;
            frame = undefined;
            raw.received(body);
          }
          continue;
        }
        if (pending.length === 0 && chunk[at] === 0) {
          frame = { length: 0, body: undefined, read: 0, header: [] };
          continue;
        }
        const nl = chunk.indexOf(10, at);
        if (nl < 0) {
          pending.push(chunk.subarray(at));
          return;
        }
        const piece = chunk.subarray(at, nl);
        const line = pending.length ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        raw.received(line.toString());
        at = nl + 1;
      }
    });
    return raw;
  }
  send(message) {
    if (typeof message === "string") {
      this.child.stdin.write(Buffer.from(message + "\n"));
    } else {
      const header = Buffer.allocUnsafe(5);
      header[0] = 0;
      header.writeUInt32BE(message.length, 1);
      this.child.stdin.cork();
      this.child.stdin.write(header);
      this.child.stdin.write(message);
      this.child.stdin.uncork();
    }
  }
  close() {
    this.child.stdin.end();
  }
}

/** `ws` → `ipcc-echo-backend --raw-ws-echo` (tokio-tungstenite). */
class RawWs extends RawClient {
  static async start(url) {
    const raw = new RawWs();
    raw.ws = new WebSocket(url, { maxPayload: 256 * 2 ** 20 });
    await new Promise((resolve, reject) => {
      raw.ws.once("open", resolve);
      raw.ws.once("error", reject);
    });
    raw.ws.on("message", (data, isBinary) => raw.received(isBinary ? data : data.toString()));
    return raw;
  }
  send(message) {
    this.ws.send(message);
  }
  close() {
    this.ws.close();
  }
}

// ---------------------------------------------------------------- ipcc

/** Records what the runtime sends and receives, to give the floors the very same bytes. */
function tap(socket) {
  // `first`: the first message received of each kind (its opening bytes), e.g. a notification.
  const seen = { sent: [], received: [], first: new Map() };
  const send = socket.send.bind(socket);
  socket.send = (message) => {
    if (seen.sent.length < 64 && typeof message === "string") seen.sent.push(message);
    send(message);
  };
  const onMessage = socket.onMessage.bind(socket);
  socket.onMessage = (listener) =>
    onMessage((message) => {
      if (typeof message === "string") {
        if (seen.received.length < 64) seen.received.push(message);
        const kind = message.slice(0, 16);
        if (!seen.first.has(kind)) seen.first.set(kind, message);
      }
      listener(message);
    });
  return { socket, seen };
}

async function ipccStdio(binary = true) {
  const { socket, seen } = tap(await spawnStdioBackend(backend, ["--stdio", "--streams"], quiet));
  const conn = new IpcConnection(socket, { channels, binary });
  await conn.ready;
  return { conn, seen, close: () => conn.close() };
}

let wsBackend;
async function ipccWs(binary = true) {
  wsBackend ??= await spawnWebSocketBackend(backend, ["--ws", "127.0.0.1:0", "--streams"], quiet);
  const { socket, seen } = tap(await connectWebSocket(wsBackend.url));
  const conn = new IpcConnection(socket, { channels, binary });
  await conn.ready;
  return { conn, seen, close: () => conn.close() };
}

let rawWsBackend;
async function rawWs() {
  rawWsBackend ??= await spawnWebSocketBackend(backend, ["--raw-ws-echo", "127.0.0.1:0"], quiet);
  return RawWs.start(rawWsBackend.url);
}

/** The text of the call message `call` sends on `ipcc` (a fresh id each time; the floor echoes one). */
async function messageOf(ipcc, call) {
  const before = ipcc.seen.sent.length;
  await call();
  const text = ipcc.seen.sent[before];
  if (!text) throw new Error("the call sent no text message");
  return text;
}

// ---------------------------------------------------------------- the peer

/** vscode-jsonrpc over stdio to a Node child (jsonrpc-server.mjs) that answers `echo`. */
async function peerStdio() {
  const child = spawn(process.execPath, [new URL("./jsonrpc-server.mjs", import.meta.url).pathname], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  conn.listen();
  await conn.sendRequest("echo", "ready");
  return {
    conn,
    close: () => {
      conn.dispose();
      child.stdin.end();
    },
  };
}

// ---------------------------------------------------------------- the cases

const results = { quick, started: new Date().toISOString(), loadavg: [], cases: {} };
/** The 1-minute load average, noted at each round (Linux; 0 elsewhere). */
const loadNow = () => {
  let text = "0";
  try {
    text = readFileSync("/proc/loadavg", "utf8");
  } catch {}
  results.loadavg.push(Number(text.split(" ")[0]));
};
const record = (name, round, values) => {
  (results.cases[name] ??= []).push({ round, ...values });
};
const want = (name) => !only || only.some((o) => name.startsWith(o) || o.startsWith(name));

// Many short rounds rather than a few long ones: on a shared machine the load changes within
// seconds, and a ratio taken within one short round sees the same load on both sides.
const ROUNDS = quick ? 2 : 9;
const CALLS = quick ? 500 : 2000;
const BATCHES = Number(process.env.TS_FRONTEND_BATCHES ?? (quick ? 30 : 150));

async function smallCalls() {
  // WebSocket: ipcc vs the raw ws → tokio-tungstenite echo of the same bytes.
  if (want("ws")) {
    const ipcc = await ipccWs();
    const echo = vectors.echoClient(ipcc.conn);
    const raw = await rawWs();
    const text = await messageOf(ipcc, () => echo.echoString(HELLO));
    const answer = ipcc.seen.received.at(-1);
    log(`ws: call ${text.length} B, answer ${answer.length} B`);
    for (let round = 0; round < ROUNDS; round++) {
      loadNow();
      if (want("ws-small")) {
        const a = await latencies(() => echo.echoString(HELLO), CALLS, CALLS / 10);
        const b = await latencies(() => raw.request(text), CALLS, CALLS / 10);
        record("ws-small", round, { ipcc: a, raw: b });
        log(`ws round ${round}: p50 ${a.p50.toFixed(1)} / ${b.p50.toFixed(1)} µs, p99 ${a.p99.toFixed(1)} / ${b.p99.toFixed(1)} µs`);
      }
      if (want("ws-64")) {
        const c = await pipelined(() => echo.echoString(HELLO), 64, BATCHES);
        const d = await pipelined(() => raw.request(text), 64, BATCHES);
        record("ws-64", round, { ipcc: c, raw: d });
        log(`ws round ${round}: 64 in flight ${(c / d).toFixed(2)}×`);
      }
    }
    ipcc.close();
    raw.close();
  }
  // stdio: ipcc vs a raw Node → Rust stdio echo, and vs vscode-jsonrpc (Node → Node).
  if (want("stdio")) {
    const ipcc = await ipccStdio();
    const echo = vectors.echoClient(ipcc.conn);
    const raw = await RawStdio.start();
    const peer = await peerStdio();
    const text = await messageOf(ipcc, () => echo.echoString(HELLO));
    for (let round = 0; round < ROUNDS; round++) {
      loadNow();
      if (want("stdio-small")) {
        const a = await latencies(() => echo.echoString(HELLO), CALLS, CALLS / 10);
        const b = await latencies(() => raw.request(text), CALLS, CALLS / 10);
        const p = await latencies(() => peer.conn.sendRequest("echo", HELLO), CALLS, CALLS / 10);
        record("stdio-small", round, { ipcc: a, raw: b, peer: p });
        log(`stdio round ${round}: p50 ${a.p50.toFixed(1)} / ${b.p50.toFixed(1)} / peer ${p.p50.toFixed(1)} µs, p99 ${a.p99.toFixed(1)} / ${b.p99.toFixed(1)} µs`);
      }
      if (want("stdio-64")) {
        const c = await pipelined(() => echo.echoString(HELLO), 64, BATCHES);
        const d = await pipelined(() => raw.request(text), 64, BATCHES);
        const q = await pipelined(() => peer.conn.sendRequest("echo", HELLO), 64, BATCHES);
        record("stdio-64", round, { ipcc: c, raw: d, peer: q });
        log(`stdio round ${round}: 64 in flight ${(c / d).toFixed(2)}× raw, ${(c / q).toFixed(2)}× peer`);
      }
    }
    ipcc.close();
    raw.close();
    peer.close();
  }
}

/** A payload of `size` bytes that is not all one value. */
function payload(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919) & 0xff;
  return bytes;
}

async function bigBytes() {
  if (!want("bytes")) return;
  const size = 16 * 2 ** 20;
  const value = payload(size);
  const rounds = quick ? 1 : 5;
  for (const transport of ["ws", "stdio"]) {
    const bin = transport === "ws" ? await ipccWs(true) : await ipccStdio(true);
    const b64 = transport === "ws" ? await ipccWs(false) : await ipccStdio(false);
    const raw = transport === "ws" ? await rawWs() : await RawStdio.start();
    const echoBin = vectors.echoClient(bin.conn);
    const echoB64 = vectors.echoClient(b64.conn);
    const check = await echoBin.echoBytes(value.subarray(0, 1024));
    if (check.length !== 1024) throw new Error("echoBytes returned the wrong length");
    for (let round = 0; round < rounds; round++) {
      loadNow();
      const a = await timed(() => echoBin.echoBytes(value));
      const b = await timed(() => raw.request(value));
      const c = await timed(() => echoB64.echoBytes(value));
      record(`${transport}-bytes`, round, { binary: a, raw: b, base64: c });
      log(`${transport} 16 MiB round ${round}: binary ${a.toFixed(1)} ms, raw ${b.toFixed(1)} ms, base64 ${c.toFixed(1)} ms`);
    }
    bin.close();
    b64.close();
    raw.close();
  }
}

async function pushes() {
  if (!want("push")) return;
  const count = quick ? 20_000 : 100_000;
  const rounds = quick ? 1 : 3;
  for (const transport of ["ws", "stdio"]) {
    const ipcc = transport === "ws" ? await ipccWs() : await ipccStdio();
    const echo = vectors.echoClient(ipcc.conn);
    const counter = streams.streamsTestClient(ipcc.conn);
    const raw = transport === "ws" ? await rawWs() : await RawStdio.start();
    let ticks = 0;
    let onTicks;
    vectors.addEchoEventsListener({ tick: () => { if (++ticks === count) onTicks?.(); } }, ipcc.conn);
    const notifications = () =>
      new Promise((resolve, reject) => {
        ticks = 0;
        onTicks = resolve;
        echo.notifyMe(count).catch(reject);
      });
    const items = async () => {
      let n = 0;
      for await (const _ of counter.count(count)) n++;
      if (n !== count) throw new Error(`count(${count}) yielded ${n}`);
    };
    // The frames as the backend sends them, for the floor to push pre-serialised.
    await notifications();
    const tick = [...ipcc.seen.first.values()].find((m) => m.includes('"tick"'));
    await items();
    const item = [...ipcc.seen.first.values()].find((m) => m.startsWith('{"type":"item"'));
    if (!tick || !item) throw new Error("no notification or stream item frame seen");
    log(`${transport}: tick frame ${tick}, item frame ${item}`);
    for (let round = 0; round < rounds; round++) {
      loadNow();
      const a = await withMemory(notifications);
      const b = await timed(() => raw.expect(count, `!push ${count} ${tick}`));
      const c = await withMemory(items);
      const d = await timed(() => raw.expect(count, `!push ${count} ${item}`));
      record(`${transport}-push`, round, { count, notifications: a, rawNotifications: b, items: c, rawItems: d });
      log(`${transport} push round ${round}: notifications ${a.ms.toFixed(0)} / raw ${b.toFixed(0)} ms, items ${c.ms.toFixed(0)} / raw ${d.toFixed(0)} ms, heap +${a.heapPeakMiB.toFixed(1)} / +${c.heapPeakMiB.toFixed(1)} MiB`);
    }
    ipcc.close();
    raw.close();
  }
}

/** Round-trip time against payload size: ipcc `echoBytes` (binary) and the raw echo, both transports; the peer over stdio. */
async function sweep() {
  if (!want("sweep")) return;
  const sizes = [100, 1000, 10_000, 100_000, 1_000_000, 4_000_000, 16 * 2 ** 20];
  const ws = await ipccWs();
  const stdio = await ipccStdio();
  const rws = await rawWs();
  const rstdio = await RawStdio.start();
  const peer = await peerStdio();
  const echoWs = vectors.echoClient(ws.conn);
  const echoStdio = vectors.echoClient(stdio.conn);
  for (const size of sizes) {
    const value = payload(size);
    // The peer carries bytes the way JSON-RPC does: as a base64 string.
    const b64 = Buffer.from(value).toString("base64");
    const reps = Math.max(quick ? 3 : 5, Math.min(quick ? 50 : 400, Math.floor(2e7 / size)));
    const series = { ipccWs: [], rawWs: [], ipccStdio: [], rawStdio: [], peerStdio: [] };
    for (let r = 0; r < reps; r++) {
      series.ipccWs.push(await timed(() => echoWs.echoBytes(value)));
      series.rawWs.push(await timed(() => rws.request(value)));
      series.ipccStdio.push(await timed(() => echoStdio.echoBytes(value)));
      series.rawStdio.push(await timed(() => rstdio.request(value)));
      series.peerStdio.push(await timed(() => peer.conn.sendRequest("echo", b64)));
    }
    loadNow();
    const medians = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, quantile(v.slice(Math.min(2, v.length - 1)), 0.5)]));
    record("sweep", size, medians);
    log(`sweep ${size} B: ${JSON.stringify(medians)}`);
  }
  ws.close();
  stdio.close();
  rws.close();
  rstdio.close();
  peer.close();
}

await smallCalls();
await bigBytes();
await pushes();
await sweep();
loadNow();
results.finished = new Date().toISOString();
writeFileSync(outFile, JSON.stringify(results, null, 1));
await wsBackend?.stop();
await rawWsBackend?.stop();
process.exit(0);
