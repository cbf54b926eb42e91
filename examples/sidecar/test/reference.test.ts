//! The reference article's example as the guide shows it (`src/reference/`): the frontend's
//! `callMyInterface("sayHello", "abc", 10, true)` against the Rust backend of
//! `examples/my-interface-backend` over stdio and over WebSocket, and against the TypeScript
//! backend (`MyInterfaceHandler` subclass, `register()`) run as a child process.
//!
//! The Rust backend comes from `IPCC_MY_INTERFACE_BACKEND` (set by `scripts/run-tests.mjs`).

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { after, afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { IpcApp } from "ipcc-runtime";
import { greet, startupOverStdio, startupOverWebSocket } from "../src/reference/frontend.js";

const rustBackend = process.env["IPCC_MY_INTERFACE_BACKEND"] ?? "";
const tsBackend = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "reference", "ts-backend.js");
const STARTUP_MS = 30_000;
const children: ChildProcess[] = [];

afterEach(() => IpcApp.shutdown());
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

test("Rust backend over stdio: hello: abc 10 true, then a clean exit", async () => {
  assert.ok(rustBackend, "IPCC_MY_INTERFACE_BACKEND is not set (run the tests through scripts/run-tests.mjs)");
  const socket = await startupOverStdio(rustBackend, ["--stdio"]);
  assert.equal(await greet(), "hello: abc 10 true");
  IpcApp.shutdown();
  assert.deepEqual(await socket.exited, { code: 0, signal: null });
});

test("TypeScript backend (MyInterfaceHandler.register) over stdio: hello: abc 10 true", async () => {
  const socket = await startupOverStdio(process.execPath, [tsBackend]);
  assert.equal(await greet(), "hello: abc 10 true");
  IpcApp.shutdown();
  assert.deepEqual(await socket.exited, { code: 0, signal: null });
});

test("Rust backend over WebSocket with a token: hello: abc 10 true", async () => {
  const token = `t-${process.pid}-${Date.now()}`;
  const child = spawn(rustBackend, ["--ws", "127.0.0.1:0", "--token", token], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no address within ${STARTUP_MS} ms: ${output}`)), STARTUP_MS);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /ws:\/\/\S+/.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once("exit", (code) => reject(new Error(`backend exited (${code}): ${output}`)));
  });
  await startupOverWebSocket(url, token);
  assert.equal(await greet(), "hello: abc 10 true");
  IpcApp.shutdown();
  child.kill();
});
