//! A TypeScript frontend generated from the older `v1/app.ipc` against a backend built from
//! `v2/app.ipc`: the Rust backend over stdio (a child process) and WebSocket, and a TS host built
//! from the generated v2 code in memory. The frontend sends its wire schemas; the backend judges
//! `skew-orders` method by method: `getOrder` does not work (its argument became a string), so
//! calling it rejects at once with `versionMismatch` naming the method and why, and nothing is
//! sent; the unchanged channel (`skew-clock-v1`) keeps working. A frontend that sends no schemas
//! gets the whole-channel mismatch from the backend.
//!
//! The backend binary comes from `VERSION_SKEW_BACKEND` (set by `scripts/run-tests.mjs`).

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { after, afterEach, test } from "node:test";
import {
  createMemorySocketPair,
  describeFinding,
  IpcApp,
  IpcConnection,
  IpcHost,
  isIpcError,
  channelToJson,
  embeddedSchema,
  judge,
  TooComplex,
  type ChannelSchema,
  type IpcError,
  type IpcSocketFrontend,
} from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend } from "ipcc-runtime/node";
import * as v1 from "../generated/v1/app.js";
import * as v2 from "../generated/v2/app.js";

const backend = process.env["VERSION_SKEW_BACKEND"] ?? "";
const channels = [v1.ordersDescriptor, v1.clockDescriptor];
const GUARD_MS = 10_000;
const children: ChildProcess[] = [];

/** Why v1's `getOrder` does not work with v2: its first breaking difference. */
const GET_ORDER_REASON = "the frontend sends argument #1 `id` of `getOrder` as `i32`; the backend expects `string`";

afterEach(() => IpcApp.shutdown());
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

interface Tap {
  /** Every message the frontend sent, and received, parsed. */
  readonly sent: any[];
  readonly received: any[];
}

/**
 * Passes everything through to `socket`, keeping each message. The tap does not declare
 * `binary`, so the runtime sends it text only and binary `bytes` are not negotiated over it.
 */
function tap(socket: IpcSocketFrontend, t: Tap): IpcSocketFrontend {
  const tapped: IpcSocketFrontend = {
    send: (text) => {
      t.sent.push(JSON.parse(text as string));
      socket.send(text);
    },
    onMessage: (listener) =>
      socket.onMessage((text) => {
        t.received.push(JSON.parse(text as string));
        listener(text);
      }),
    onClose: (listener) => socket.onClose(listener),
    close: () => socket.close(),
  };
  if (socket.limitMessageBytes) tapped.limitMessageBytes = (limit, onTooLarge) => socket.limitMessageBytes!(limit, onTooLarge);
  return tapped;
}

/** The `call` messages among `sent` on `channel`. */
function callsOn(t: Tap, channel: string): number {
  return t.sent.filter((m) => m.type === "call" && m.channel === channel).length;
}

function guard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${GUARD_MS} ms`)), GUARD_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A `versionMismatch` naming `getOrder` of the orders channel, why, v1's hash (frontend) and v2's (backend). */
function isGetOrderMismatch(error: unknown): error is IpcError {
  assert.ok(isIpcError(error), String(error));
  assert.equal(error.code, "versionMismatch", error.message);
  assert.notEqual(v1.ordersSchemaHash, v2.ordersSchemaHash, "the change must alter the hash");
  assert.equal(error.message, `method "getOrder" of channel "${v1.ordersChannel}" does not work with this backend: ${GET_ORDER_REASON}`);
  assert.deepEqual(error.data, {
    channel: v1.ordersChannel,
    method: "getOrder",
    frontendHash: v1.ordersSchemaHash,
    backendHash: v2.ordersSchemaHash,
    reason: GET_ORDER_REASON,
  });
  return true;
}

/** The whole-channel `versionMismatch`: what a backend says to a frontend that sent no schema. */
function isOrdersChannelMismatch(error: unknown): error is IpcError {
  assert.ok(isIpcError(error), String(error));
  assert.equal(error.code, "versionMismatch", error.message);
  assert.equal(
    error.message,
    `channel "${v1.ordersChannel}" has schema hash ${v1.ordersSchemaHash} in the frontend but ${v2.ordersSchemaHash} in the backend`,
  );
  assert.deepEqual(error.data, { channel: v1.ordersChannel, frontendHash: v1.ordersSchemaHash, backendHash: v2.ordersSchemaHash });
  return true;
}

/** The schema of `descriptor`'s channel, read out of the set its module embeds. */
function schemaOf(descriptor: { readonly channel: string; readonly wireSchema?: string }): ChannelSchema {
  const read = embeddedSchema(descriptor.wireSchema ?? "", descriptor.channel);
  assert.ok("schema" in read, JSON.stringify(read));
  return read.schema;
}

/** What a frontend sends for `descriptor`'s channel in its hello: that channel's schema alone. */
function helloSchemaOf(descriptor: { readonly channel: string; readonly wireSchema?: string }): unknown {
  return JSON.parse(channelToJson(schemaOf(descriptor)));
}

test("what the v1 → v2 change breaks, and what it does not", () => {
  // Every difference on `skew-orders`, in words: only `getOrder`'s argument and `Order.id` break;
  // `Order`'s new required `quantity` alone would not (an old frontend ignores a field it does
  // not know). `getOrder` is the channel's only method, so nothing on it stays usable.
  const [old, neu] = [schemaOf(v1.ordersDescriptor), schemaOf(v2.ordersDescriptor)];
  const judgement = judge(old, neu);
  assert.notEqual(judgement, TooComplex);
  if (judgement === TooComplex) return;
  assert.deepEqual(
    judgement.findings.map((f) => [describeFinding(f, old, neu), f.breaking]),
    [
      [GET_ORDER_REASON, true],
      ["the backend sends field `id` of `Order` as `string`; the frontend expects `i32`", true],
      ["the frontend ignores field `quantity` of `Order`, which the backend sends", false],
    ],
  );
  assert.deepEqual([...judgement.members], [["getOrder", { unusable: GET_ORDER_REASON }]]);
  assert.deepEqual(judgement.backendOnly, []);
  // `Clock` did not change: same hash, nothing to judge.
  assert.equal(v1.clockSchemaHash, v2.clockSchemaHash);
  assert.deepEqual(helloSchemaOf(v1.clockDescriptor), helloSchemaOf(v2.clockDescriptor));
});

/** What every backend built from v2 must show a v1 frontend; `t` is every message on the transport. */
async function checkSkew(t: Tap, connection: IpcConnection): Promise<void> {
  const hello = t.sent[0];
  assert.equal(hello.type, "hello");
  assert.equal(hello.channels[v1.ordersChannel], v1.ordersSchemaHash);
  assert.deepEqual(hello.schemas, {
    [v1.ordersChannel]: helloSchemaOf(v1.ordersDescriptor),
    [v1.clockChannel]: helloSchemaOf(v1.clockDescriptor),
  });
  // The verdict, exactly: `skew-orders` judged, its one method unusable; `skew-clock-v1` not judged (same hash).
  const welcome = t.received[0];
  assert.equal(welcome.type, "welcome");
  assert.deepEqual(welcome.compat, { [v1.ordersChannel]: { unusable: { getOrder: GET_ORDER_REASON } } });

  // Refused locally: nothing goes out for it (checked below), so it cannot wait on the backend.
  await assert.rejects(guard(v1.callOrders("getOrder", 7), "getOrder"), isGetOrderMismatch);
  // The client object fails the same way; so does a second call after the first.
  await assert.rejects(v1.ordersClient(connection).getOrder(8), isGetOrderMismatch);

  assert.equal(await guard(v1.callClock("echo", "still here"), "echo"), "still here");
  assert.equal(await guard(v1.clockClient(connection).add(2, 3), "add"), 5);
  assert.equal(callsOn(t, v1.ordersChannel), 0, `a refused call went out: ${JSON.stringify(t.sent)}`);
  assert.equal(callsOn(t, v1.clockChannel), 2, "the tap sees the working calls");

  // A raw call skips the local check (no schema hash given): the backend refuses it with the
  // same verdict, knowing from the hello which version this frontend has.
  await assert.rejects(guard(connection.callRaw(v1.ordersChannel, "getOrder", [7]), "raw getOrder"), isGetOrderMismatch);
  assert.equal(callsOn(t, v1.ordersChannel), 1, "the raw call was sent");
}

test("the backend binary exists", () => {
  assert.ok(backend, "VERSION_SKEW_BACKEND is not set (run the tests through scripts/run-tests.mjs)");
});

test("Rust backend over stdio: getOrder fails fast, naming the method; the other channel works", async () => {
  const socket = await spawnStdioBackend(backend, ["--stdio"]);
  children.push(socket.child);
  const t: Tap = { sent: [], received: [] };
  await IpcApp.startup(tap(socket, t), { channels });
  await checkSkew(t, IpcApp.connection);
  IpcApp.shutdown();
  assert.deepEqual(await guard(socket.exited, "backend exit"), { code: 0, signal: null });
});

test("Rust backend over WebSocket: getOrder fails fast, naming the method; the other channel works", async () => {
  const child = spawn(backend, ["--ws", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const url = await guard(
    new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const url = /ws:\/\/\S+/.exec(output)?.[0];
        if (url) resolve(url);
      });
      child.once("exit", (code) => reject(new Error(`backend exited (${code}): ${output}`)));
    }),
    "the backend's address",
  );
  const t: Tap = { sent: [], received: [] };
  await IpcApp.startup(tap(await connectWebSocket(url), t), { channels });
  await checkSkew(t, IpcApp.connection);
  IpcApp.shutdown();
  child.kill();
});

test("a TS host built from v2 gives the same verdict (in memory)", async () => {
  const host = new IpcHost();
  v2.registerOrders(host, { getOrder: async (id) => ({ id, item: `item of order ${id}`, quantity: 1 }) });
  v2.registerClock(host, { echo: async (text) => text, add: async (a, b) => a + b });
  const [frontend, served] = createMemorySocketPair();
  host.accept(served);
  const t: Tap = { sent: [], received: [] };
  await IpcApp.startup(tap(frontend, t), { channels });
  await checkSkew(t, IpcApp.connection);
  IpcApp.shutdown();
  await host.shutdown();
});

test("a frontend that sends no schemas (an older runtime): the backend refuses the whole channel", async () => {
  const socket = await spawnStdioBackend(backend, ["--stdio"]);
  children.push(socket.child);
  const t: Tap = { sent: [], received: [] };
  // v1's hashes without its wire schemas: what a frontend of an older runtime announces.
  const withoutSchemas = channels.map(({ channel, schemaHash }) => ({ channel, schemaHash }));
  const connection = new IpcConnection(tap(socket, t), { channels: withoutSchemas });
  await connection.ready;
  assert.equal("schemas" in t.sent[0], false);
  assert.equal("compat" in t.received[0], false, "nothing was judged");
  // The generated client fails at once (its channel is mismatched, not judged); a raw call is refused by the backend.
  await assert.rejects(v1.ordersClient(connection).getOrder(7), isOrdersChannelMismatch);
  assert.equal(callsOn(t, v1.ordersChannel), 0);
  await assert.rejects(guard(connection.callRaw(v1.ordersChannel, "getOrder", [7]), "raw getOrder"), isOrdersChannelMismatch);
  assert.equal(callsOn(t, v1.ordersChannel), 1, "the raw call was sent");
  assert.equal(await v1.clockClient(connection).echo("fine"), "fine");
  connection.close();
  assert.deepEqual(await guard(socket.exited, "backend exit"), { code: 0, signal: null });
});

test("a frontend generated from v2 works on both channels", async () => {
  const socket = await spawnStdioBackend(backend, ["--stdio"]);
  children.push(socket.child);
  const connection = new IpcConnection(socket, { channels: [v2.ordersDescriptor, v2.clockDescriptor] });
  await connection.ready;
  assert.deepEqual(await v2.ordersClient(connection).getOrder("A-7"), { id: "A-7", item: "item of order A-7", quantity: 1 });
  assert.equal(await v2.clockClient(connection).add(-1, 1), 0);
  connection.close();
  assert.deepEqual(await guard(socket.exited, "backend exit"), { code: 0, signal: null });
});
