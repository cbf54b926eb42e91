//! The stdio child-process transport against a real child (test/fixtures/echo-stdio-backend): calls, crash mid-call, stderr.

import { test } from "node:test";
import assert from "node:assert/strict";
import { callMethod, createClient, IpcConnection, isIpcErrorCode, addNotificationListener } from "../src/common/index.js";
import { spawnStdioBackend } from "../src/node/index.js";
import { echoDescriptor, echoEventsDescriptor } from "./fixtures/echo.js";
import { echoStdioBackend } from "./paths.js";

test("calls, notifications and a 1 MiB payload over a child's stdin/stdout; its console output stays on stderr", async () => {
  const stderr: string[] = [];
  const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend], { onStderr: (l) => stderr.push(l) });
  const conn = new IpcConnection(socket, { channels: [echoDescriptor, echoEventsDescriptor] });
  const client = createClient(echoDescriptor, conn);
  assert.equal(await client.echoString("über 😀"), "über 😀");
  const big = new Uint8Array(1024 * 1024).map((_, i) => i & 255);
  assert.deepEqual(await client.echoBytes(big), big);
  const ticks: number[] = [];
  addNotificationListener(echoEventsDescriptor, { tick: (n) => ticks.push(n) }, conn);
  await client.notifyMe(5);
  assert.deepEqual(ticks, [1, 2, 3, 4, 5]);
  // The fixture logs with console.log at startup; it must have gone to stderr, not into the protocol.
  assert.ok(stderr.includes("echo backend: ready"), `stderr was ${JSON.stringify(stderr)}`);
  conn.close();
  const exit = await socket.exited;
  assert.equal(exit.code, 0, "the child exits when its stdin closes");
});

test("the child crashing mid-call rejects pending calls with disconnected at once, naming the exit and its last stderr line", async () => {
  const stderr: string[] = [];
  const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend, "--crash-on-wait"], { onStderr: (l) => stderr.push(l) });
  const conn = new IpcConnection(socket);
  const client = createClient(echoDescriptor, conn);
  assert.equal(await client.add(1, 2), 3);
  const started = Date.now();
  const pending = [client.wait(), client.wait()];
  const outcomes = await Promise.allSettled(pending);
  for (const o of outcomes) {
    assert.equal(o.status, "rejected");
    const e = (o as PromiseRejectedResult).reason;
    assert.ok(isIpcErrorCode(e, "disconnected"), String(e));
    assert.match(e.message, /exited with code 3|closed its stdout/);
  }
  assert.ok(Date.now() - started < 3000, "rejected promptly, not by a timeout");
  assert.deepEqual(await socket.exited, { code: 3, signal: null });
  assert.ok(stderr.includes("echo backend: crashing on purpose"));
  assert.equal(conn.isValid, false);
  await assert.rejects(callMethod(echoDescriptor, "add", [1, 1], undefined, conn), (e: unknown) => isIpcErrorCode(e, "disconnected"));
});

test("a command that cannot start rejects with disconnected", async () => {
  await assert.rejects(spawnStdioBackend("/nonexistent/backend-binary"), (e: unknown) => isIpcErrorCode(e, "disconnected"));
});
