//! `spawnWebSocketBackend`: a child that listens on WebSocket, found by the URL it prints.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, IpcConnection, isIpcErrorCode } from "../src/common/index.js";
import { connectWebSocket, spawnWebSocketBackend } from "../src/node/index.js";
import { echoDescriptor } from "./fixtures/echo.js";
import { echoWsBackend } from "./paths.js";

for (const stream of ["stderr", "stdout"] as const) {
  test(`the URL printed on ${stream} is found, frontends connect to it, and stop ends the child`, async () => {
    const output: string[] = [];
    const args = stream === "stdout" ? [echoWsBackend, "--url-on-stdout"] : [echoWsBackend];
    const backend = await spawnWebSocketBackend(process.execPath, args, { onOutput: (line, from) => output.push(`${from}: ${line}`) });
    assert.match(backend.url, /^ws:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    assert.ok(output.includes(`${stream}: listening on ${backend.url}`), output.join("\n"));
    // A WebSocket backend serves many frontends: two connections to the one URL.
    for (const n of [1, 2]) {
      const conn = new IpcConnection(await connectWebSocket(backend.url), { channels: [echoDescriptor] });
      assert.equal(await createClient(echoDescriptor, conn).add(n, 40), n + 40);
      conn.close();
    }
    const exit = await backend.stop();
    assert.equal(exit.signal, "SIGTERM");
    assert.equal(backend.child.exitCode, null);
  });
}

test("a child that exits before printing a URL rejects with its exit status and last line", async () => {
  await assert.rejects(
    spawnWebSocketBackend(process.execPath, [echoWsBackend, "--exit-before-url"], { onOutput: () => {} }),
    (e: unknown) => isIpcErrorCode(e, "disconnected") && /exited with code 4 before listening; last output: cannot bind/.test((e as Error).message),
  );
});

test("a child that prints no URL is stopped after startupTimeout", async () => {
  const output: string[] = [];
  await assert.rejects(
    spawnWebSocketBackend(process.execPath, [echoWsBackend, "--silent"], {
      onOutput: (line) => output.push(line),
      startupTimeout: 3000,
    }),
    (e: unknown) => isIpcErrorCode(e, "disconnected") && /printed no ws:\/\/ URL within 3000 ms/.test((e as Error).message),
  );
  // It printed its lines (the port-0 one was not taken for the URL) and was then stopped.
  assert.deepEqual(output, ["binding ws://127.0.0.1:0/", "started, and saying nothing more"]);
});

test("a command that cannot start rejects with disconnected", async () => {
  await assert.rejects(spawnWebSocketBackend("/nonexistent/ipcc-backend"), (e: unknown) => isIpcErrorCode(e, "disconnected") && /cannot start/.test((e as Error).message));
});
