//! The reference article's call, `callMyInterface("sayHello", "abc", 10, true)`, against the Rust
//! backend of `examples/my-interface-backend` over a real WebSocket and over stdio.
//!
//! The backend binary comes from `IPCC_MY_INTERFACE_BACKEND` (set by `scripts/run-tests.mjs`,
//! which builds it with `cargo build -p my-interface-backend`).

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { after, afterEach, test } from "node:test";
import { IpcApp, IpcConnection, isIpcErrorCode } from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend } from "ipcc-runtime/node";
import { callMyInterface, myInterfaceClient, myInterfaceDescriptor } from "../../../generated/ts/my-interface/my-interface.js";

const backend = process.env["IPCC_MY_INTERFACE_BACKEND"] ?? "";
const channels = [myInterfaceDescriptor];
/** Upper bound for the backend to start listening; generous for a loaded CI machine. */
const STARTUP_MS = 30_000;

const children: ChildProcess[] = [];

afterEach(() => {
  IpcApp.shutdown();
});

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

test("the backend binary exists", () => {
  assert.ok(backend, "IPCC_MY_INTERFACE_BACKEND is not set (run the tests through scripts/run-tests.mjs)");
  assert.ok(existsSync(backend), `${backend} does not exist`);
});

/** Starts `--ws 127.0.0.1:0` and resolves to the `ws://` URL the backend says it listens on. */
function startWebSocketBackend(token: string): Promise<string> {
  const child = spawn(backend, ["--ws", "127.0.0.1:0", "--token", token], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no listening address within ${STARTUP_MS} ms; output: ${output}`)), STARTUP_MS);
    const scan = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-8192);
      const url = /ws:\/\/[^\s"'<>]+/.exec(output)?.[0] ?? /\b127\.0\.0\.1:(\d+)\b/.exec(output)?.[0];
      if (url && !/:0\b/.test(url)) {
        clearTimeout(timer);
        resolve(url.startsWith("ws://") ? url : `ws://${url}`);
      }
    };
    child.stdout!.on("data", scan);
    child.stderr!.on("data", scan);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code ?? signal}) before listening; output: ${output}`));
    });
  });
}

test("over WebSocket: callMyInterface returns hello: abc 10 true", async () => {
  const token = `t-${process.pid}-${Date.now()}`;
  const url = await startWebSocketBackend(token);
  await IpcApp.startup(await connectWebSocket(url), { token, channels });
  const s = await callMyInterface("sayHello", "abc", 10, true);
  assert.equal(s, "hello: abc 10 true");
  assert.equal(typeof s, "string");
  // The client object over the same connection; numbers keep their JS spelling.
  assert.equal(await myInterfaceClient().sayHello("x", 1.5, false), "hello: x 1.5 false");

  // A wrong token gets nothing done.
  const intruder = new IpcConnection(await connectWebSocket(url), { token: "wrong", channels });
  await assert.rejects(intruder.ready, (error: unknown) => isIpcErrorCode(error, "unauthorized"));
  intruder.close();
});

test("over stdio: callMyInterface returns hello: abc 10 true", async () => {
  const stderr: string[] = [];
  const socket = await spawnStdioBackend(backend, ["--stdio"], { onStderr: (line) => stderr.push(line) });
  children.push(socket.child);
  await IpcApp.startup(socket, { channels });
  const s = await callMyInterface("sayHello", "abc", 10, true);
  assert.equal(s, "hello: abc 10 true");
  IpcApp.shutdown();
  // Closing the connection ends the child cleanly.
  const exit = await socket.exited;
  assert.equal(exit.code, 0, `child exit ${JSON.stringify(exit)}; stderr: ${stderr.join("\n")}`);
});
