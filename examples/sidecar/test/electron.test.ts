//! The Electron wiring of docs/guide.md ("Electron and other MessagePorts") run in Node: the renderer's code
//! (`src/electron/renderer.ts`) in a `worker_threads` worker, the main process's (`src/electron/main.ts`) in this thread,
//! with `worker_threads` ports in place of Electron's (the same `MessagePortLike` interface, not Electron itself), and the
//! real Rust sidecar (`SIDECAR_WORKER`) behind the relay over stdio: calls, notifications, the renderer closing its
//! connection, the sidecar crashing, and the renderer going away.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { MessagePortLike } from "ipcc-runtime";
import { spawnStdioBackend, type StdioChildSocket } from "ipcc-runtime/node";
import { relayRendererPorts, type IpcMainLike } from "../src/electron/main.js";

const sidecarPath = process.env["SIDECAR_WORKER"] ?? "";
if (!sidecarPath) throw new Error("SIDECAR_WORKER is not set: run the tests through `npm test`");
const rendererScript = join(dirname(fileURLToPath(import.meta.url)), "electron-renderer-worker.js");
const scratch = mkdtempSync(join(tmpdir(), "ipcc-electron-"));
const file = join(scratch, "hello.txt");
writeFileSync(file, "hello\n");
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Renderer {
  worker: Worker;
  /** The first message the renderer posts about its task. */
  report: Promise<Record<string, unknown>>;
  exited: Promise<number>;
  /** The sidecar the main process started for this renderer. */
  sidecar: Promise<StdioChildSocket>;
}

/** Starts a renderer stand-in and the main process's relay for it. */
function startRenderer(task: "use" | "crash" | "idle"): Renderer {
  const worker = new Worker(rendererScript, { workerData: { task, file } });
  // Electron's ipcMain.on, fed by the worker's messages: `{ channel, port }` carries the renderer's port.
  const ipcMain: IpcMainLike = {
    on(channel, listener) {
      worker.on("message", (m: { channel?: string; port?: MessagePortLike }) => {
        if (m.channel === channel && m.port) listener({ ports: [m.port] });
      });
    },
  };
  let started: (socket: StdioChildSocket) => void = () => {};
  const sidecar = new Promise<StdioChildSocket>((resolve) => (started = resolve));
  relayRendererPorts(ipcMain, async () => {
    const socket = await spawnStdioBackend(sidecarPath, [], { onStderr: () => {} });
    started(socket);
    return socket;
  });
  const report = new Promise<Record<string, unknown>>((resolve) =>
    worker.on("message", (m: Record<string, unknown>) => {
      if (m["channel"] === undefined) resolve(m);
    }),
  );
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  return { worker, report, exited, sidecar };
}

test("the renderer calls the Rust sidecar through the main process and gets its notifications; closing ends the sidecar", async () => {
  const renderer = startRenderer("use");
  const report = await renderer.report;
  assert.equal((report["digest"] as { size: bigint }).size, 6n);
  assert.equal(report["sum"], "55");
  assert.deepEqual(report["progress"], [1, 2, 3, 4, 5]);
  const sidecar = await renderer.sidecar;
  assert.equal((await sidecar.exited).code, 0, "the sidecar saw its stdin close and exited");
  assert.equal(await renderer.exited, 0, "nothing keeps the renderer alive once its connection closed");
});

test("the sidecar crashing fails the renderer's pending call with disconnected", async () => {
  const renderer = startRenderer("crash");
  const report = await renderer.report;
  assert.match(String(report["error"]), /^disconnected: /);
  assert.equal((await (await renderer.sidecar).exited).code, 3);
  assert.equal(await renderer.exited, 0);
});

test("the renderer going away ends its sidecar", async () => {
  const renderer = startRenderer("idle");
  await renderer.report;
  await renderer.worker.terminate();
  assert.equal((await (await renderer.sidecar).exited).code, 0);
});
