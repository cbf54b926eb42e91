//! A TypeScript frontend generated from the older `v1/app.ipc` against the Rust backend built
//! from `v2/app.ipc`, over stdio (a child process) and WebSocket: calls on the changed channel
//! (`skew-orders`) reject at once with `versionMismatch` naming the channel and both schema
//! hashes, and nothing is sent for them; the unchanged channel (`skew-clock-v1`) keeps working.
//! A raw call that skips the local check is refused by the backend with the same error.
//!
//! The backend binary comes from `VERSION_SKEW_BACKEND` (set by `scripts/run-tests.mjs`).

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { after, afterEach, test } from "node:test";
import { IpcApp, IpcConnection, isIpcError, type IpcError, type IpcSocketFrontend } from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend } from "ipcc-runtime/node";
import * as v1 from "../generated/v1/app.js";
import * as v2 from "../generated/v2/app.js";

const backend = process.env["VERSION_SKEW_BACKEND"] ?? "";
const channels = [v1.ordersDescriptor, v1.clockDescriptor];
/** "At once": far below the guard that catches a hang. */
const PROMPT_MS = 2_000;
const GUARD_MS = 10_000;
const children: ChildProcess[] = [];

afterEach(() => IpcApp.shutdown());
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

/** Passes everything through to `socket`, keeping each sent message. */
function tap(socket: IpcSocketFrontend, sent: string[]): IpcSocketFrontend {
  const tapped: IpcSocketFrontend = {
    send: (text) => {
      sent.push(text);
      socket.send(text);
    },
    onMessage: (listener) => socket.onMessage(listener),
    onClose: (listener) => socket.onClose(listener),
    close: () => socket.close(),
  };
  if (socket.limitMessageBytes) tapped.limitMessageBytes = (limit, onTooLarge) => socket.limitMessageBytes!(limit, onTooLarge);
  return tapped;
}

/** The `call` messages among `sent` on `channel`. */
function callsOn(sent: string[], channel: string): number {
  return sent.map((text) => JSON.parse(text) as { type: string; channel?: string }).filter((m) => m.type === "call" && m.channel === channel).length;
}

function guard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${GUARD_MS} ms`)), GUARD_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A `versionMismatch` naming the orders channel, v1's hash (frontend) and v2's (backend). */
function isOrdersMismatch(error: unknown): error is IpcError {
  assert.ok(isIpcError(error), String(error));
  assert.equal(error.code, "versionMismatch", error.message);
  assert.notEqual(v1.ordersSchemaHash, v2.ordersSchemaHash, "the change must alter the hash");
  assert.equal(
    error.message,
    `channel "${v1.ordersChannel}" has schema hash ${v1.ordersSchemaHash} in the frontend but ${v2.ordersSchemaHash} in the backend`,
  );
  assert.deepEqual(error.data, { channel: v1.ordersChannel, frontendHash: v1.ordersSchemaHash, backendHash: v2.ordersSchemaHash });
  return true;
}

/** What both transports must show; `sent` is every message the frontend sent. */
async function checkSkew(sent: string[]): Promise<void> {
  const began = Date.now();
  await assert.rejects(guard(v1.callOrders("getOrder", 7), "getOrder"), isOrdersMismatch);
  assert.ok(Date.now() - began < PROMPT_MS, `took ${Date.now() - began} ms`);
  // The client object fails the same way; so does a second call after the first.
  await assert.rejects(v1.ordersClient().getOrder(8), isOrdersMismatch);

  assert.equal(await guard(v1.callClock("echo", "still here"), "echo"), "still here");
  assert.equal(await guard(v1.clockClient().add(2, 3), "add"), 5);
  assert.equal(callsOn(sent, v1.ordersChannel), 0, `a mismatched call went out: ${sent.join("\n")}`);
  assert.equal(callsOn(sent, v1.clockChannel), 2, "the tap sees the working calls");
  const hello = JSON.parse(sent[0] ?? "{}") as { type?: string; channels?: Record<string, string> };
  assert.equal(hello.type, "hello");
  assert.equal(hello.channels?.[v1.ordersChannel], v1.ordersSchemaHash);

  // A raw call skips the local check (no schema hash given): the backend refuses it, knowing
  // from the hello that this frontend has the old hash.
  await assert.rejects(guard(IpcApp.connection.callRaw(v1.ordersChannel, "getOrder", [7]), "raw getOrder"), isOrdersMismatch);
  assert.equal(callsOn(sent, v1.ordersChannel), 1, "the raw call was sent");
}

test("the backend binary exists", () => {
  assert.ok(backend, "VERSION_SKEW_BACKEND is not set (run the tests through scripts/run-tests.mjs)");
});

test("over stdio: the changed channel fails fast with versionMismatch, the other works", async () => {
  const socket = await spawnStdioBackend(backend, ["--stdio"]);
  children.push(socket.child);
  const sent: string[] = [];
  await IpcApp.startup(tap(socket, sent), { channels });
  await checkSkew(sent);
  IpcApp.shutdown();
  assert.deepEqual(await guard(socket.exited, "backend exit"), { code: 0, signal: null });
});

test("over WebSocket: the changed channel fails fast with versionMismatch, the other works", async () => {
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
  const sent: string[] = [];
  await IpcApp.startup(tap(await connectWebSocket(url), sent), { channels });
  await checkSkew(sent);
  IpcApp.shutdown();
  child.kill();
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
