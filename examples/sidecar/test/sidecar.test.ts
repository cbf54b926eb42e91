//! The sidecar app against its real Rust worker (a child process over stdio): calls, declared
//! errors, notifications in order, cancellation and timeouts, the worker crashing mid-call,
//! a clean exit on shutdown, and no process left behind.
//!
//! The worker binary comes from `SIDECAR_WORKER` (set by `scripts/run-tests.mjs`).

// Each snippet's imports on lines of their own, so that the guide shows them with it.
// guide:start sidecar-cancel
import { isIpcErrorCode, withOptions } from "ipcc-runtime";
import { addSidecarEventsListener, sidecarClient } from "../src/generated/sidecar.js";
// guide:start sidecar-declared-error
import { strict as assert } from "node:assert";
// guide:end sidecar-cancel
import { callSidecar, isFileError } from "../src/generated/sidecar.js";
// guide:end sidecar-declared-error
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { IpcApp, isIpcError, type IpcError } from "ipcc-runtime";
import type { StdioChildSocket } from "ipcc-runtime/node";
import { startWorker, stopWorker } from "../src/sidecar-app.js";

const worker = process.env["SIDECAR_WORKER"] ?? "";
const appScript = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "sidecar-app.js");
/** A test that waits longer than this has hung (the slow calls below take 10 to 20 s, so a
 * call that settles within the guard settled "at once", before its work could end). */
const GUARD_MS = 10_000;

const scratch = mkdtempSync(join(tmpdir(), "ipcc-sidecar-"));
const started: StdioChildSocket[] = [];

/** The lines a worker wrote on stderr, and a way to wait for one without polling. */
class StderrLines {
  readonly lines: string[] = [];
  private waiters: { fragment: string; resolve: () => void }[] = [];

  push(line: string): void {
    this.lines.push(line);
    const [met, waiting] = [this.waiters.filter((w) => line.includes(w.fragment)), this.waiters.filter((w) => !line.includes(w.fragment))];
    this.waiters = waiting;
    for (const waiter of met) waiter.resolve();
  }

  /** Resolves once a line containing `fragment` has been written (at once if it was). */
  waitFor(fragment: string, what: string): Promise<void> {
    if (this.lines.some((line) => line.includes(fragment))) return Promise.resolve();
    return guard(new Promise<void>((resolve) => this.waiters.push({ fragment, resolve })), what);
  }
}

async function start(stderr = new StderrLines()): Promise<StdioChildSocket> {
  const socket = await startWorker(worker, (line) => stderr.push(line));
  started.push(socket);
  return socket;
}

/** Rejects after `ms`, so a hanging promise fails the test instead of stalling the run. */
function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether a process with this pid still exists (a zombie counts as gone: it has exited). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of live processes whose parent is this process. */
function childrenOfThisProcess(): number[] {
  if (!existsSync("/proc")) return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && fields[0] !== "Z") children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

afterEach(async () => {
  IpcApp.shutdown();
  for (const socket of started.splice(0)) await guard(socket.exited, "worker exit after the test");
});

after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  // Every worker's exit was awaited after its test, and the app's in its own.
  assert.deepEqual(childrenOfThisProcess(), [], "no child process left");
});

test("the worker binary exists", () => {
  assert.ok(worker, "SIDECAR_WORKER is not set (run the tests through scripts/run-tests.mjs)");
  assert.ok(existsSync(worker), `${worker} does not exist`);
});

test("calls: hashFile and compute return typed results", async () => {
  await start();
  const file = join(scratch, "data.bin");
  const contents = Buffer.from("the quick brown fox\n".repeat(5000));
  writeFileSync(file, contents);
  const digest = await guard(callSidecar("hashFile", file), "hashFile");
  assert.equal(digest.path, file);
  assert.equal(digest.size, BigInt(contents.length));
  assert.equal(digest.sha256, createHash("sha256").update(contents).digest("hex"));

  const sum = await guard(callSidecar("compute", 10), "compute");
  assert.equal(sum, 385n);
  // The largest n allowed: the u64 result is past 2^53, exact as a bigint.
  assert.equal(await guard(callSidecar("compute", 1_000_000), "compute(1e6)"), 333_333_833_333_500_000n);
  // Past the limit: the handler's error arrives as `internal`, with its message.
  await assert.rejects(callSidecar("compute", 1_000_001), (e: unknown) => isIpcErrorCode(e, "internal") && /at most 1000000/.test((e as IpcError).message));
});

test("declared errors: a missing file is a typed FileError", async () => {
  await start();
  const missing = join(scratch, "no-such-file");
  // guide:start sidecar-declared-error
  try {
    await callSidecar("hashFile", missing);
    assert.fail("hashFile of a missing file must fail");
  } catch (error) {
    assert.ok(isFileError(error)); // narrows: error.data is a FileError
    assert.deepEqual(error.data, { kind: "notFound", path: missing });
  }
  // guide:end sidecar-declared-error
  await assert.rejects(callSidecar("hashFile", scratch), (e: unknown) => isFileError(e) && e.data.kind === "unreadable");
});

test("notifications arrive in order, before the result of the call that sent them", async () => {
  await start();
  const seen: string[] = [];
  const remove = addSidecarEventsListener({ progress: (task, done, total) => seen.push(`${task} ${done}/${total}`) });
  const sum = await guard(callSidecar("compute", 30, 2), "compute");
  assert.equal(sum, 9455n);
  assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => `compute ${i + 1}/30`));
  // Many steps: at most 100 reports, still in order, the last one complete.
  seen.length = 0;
  await guard(callSidecar("compute", 5000), "compute(5000)");
  assert.equal(seen.length, 100);
  assert.deepEqual(seen, [...seen].sort((a, b) => Number(a.split(/[ /]/)[1]) - Number(b.split(/[ /]/)[1])));
  assert.equal(seen.at(-1), "compute 5000/5000");
  remove();
  await guard(callSidecar("compute", 3), "compute after remove");
  assert.equal(seen.length, 100, "a removed listener gets nothing");
});

test("cancellation and timeouts end a slow call at once; the worker keeps serving", async () => {
  await start();
  // guide:start sidecar-cancel
  const controller = new AbortController();
  // Cancelled once the worker reports progress (as a Cancel button would, some time in).
  const removeListener = addSidecarEventsListener({ progress: () => controller.abort() });
  const slow = withOptions(sidecarClient(), { signal: controller.signal }).compute(1000, 10); // ~10 s
  await assert.rejects(slow, (e: unknown) => isIpcErrorCode(e, "cancelled"));
  removeListener();

  const impatient = withOptions(sidecarClient(), { timeout: 100 }); // milliseconds, per call
  await assert.rejects(impatient.compute(1000, 10), (e: unknown) => isIpcErrorCode(e, "timeout"));
  // guide:end sidecar-cancel
  assert.equal(await guard(callSidecar("compute", 4), "compute after cancel"), 30n);
});

test("the worker crashing mid-call rejects every pending call with disconnected at once", async () => {
  const stderr = new StderrLines();
  const socket = await start(stderr);
  const pid = socket.child.pid!;
  // Slow calls that would take 20 s each, in flight when the worker dies: they go out before
  // the crash on the one connection, so the worker reads them first.
  const pending = Array.from({ length: 5 }, () => callSidecar("compute", 1000, 20));
  const outcomes = pending.map((call) => call.then(() => "resolved", (e: unknown) => e));
  const crash = callSidecar("crash");
  // Within the guard, far below the 20 s the calls would take: they rejected at the crash.
  const results = await guard(Promise.all([...outcomes, crash.then(() => "resolved", (e: unknown) => e)]), "pending calls after the crash");
  for (const result of results) {
    assert.ok(isIpcError(result), `expected an IpcError, got ${String(result)}`);
    assert.equal(result.code, "disconnected", result.message);
  }
  // The child's stderr is surfaced: through onStderr, and in the socket's tail.
  await stderr.waitFor("crashing on request", "the worker's stderr line");
  assert.ok(socket.stderrTail.some((line) => line.includes("crashing on request")));
  const exit = await guard(socket.exited, "worker exit");
  assert.deepEqual(exit, { code: 3, signal: null });
  assert.ok(!isRunning(pid), "the worker is gone");
  // New calls on the dead connection fail at once too.
  await assert.rejects(guard(callSidecar("compute", 1), "call after the crash"), (e: unknown) => isIpcErrorCode(e, "disconnected"));
  assert.equal(IpcApp.isValid, false);
});

test("shutdown: the worker sees end of file on stdin and exits with code 0", async () => {
  const stderr = new StderrLines();
  const socket = await start(stderr);
  const pid = socket.child.pid!;
  assert.equal(await callSidecar("compute", 2), 5n);
  const exit = await guard(stopWorker(socket), "worker exit on shutdown");
  // Code 0, no signal: the worker left on its own, before the runtime would have killed it.
  assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${stderr.lines.join("\n")}`);
  await stderr.waitFor("closed stdin", "the worker's goodbye on stderr");
  assert.ok(!isRunning(pid));
});

test("shutdown with a call in flight: the call rejects with disconnected, the worker still exits 0", async () => {
  const socket = await start();
  const slow = callSidecar("compute", 1000, 10);
  // The call was written to the worker's stdin before the end of file that stops it.
  const exited = stopWorker(socket);
  await assert.rejects(guard(slow, "slow call on shutdown"), (e: unknown) => isIpcErrorCode(e, "disconnected"));
  assert.deepEqual(await guard(exited, "worker exit"), { code: 0, signal: null });
});

test("the app as a program: hashes, computes, shuts the worker down, leaves no process", async () => {
  const file = join(scratch, "hello.txt");
  writeFileSync(file, "hello\n");
  const app = spawn(process.execPath, [appScript, worker, file], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  app.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  app.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await guard(new Promise<number | null>((resolve) => app.on("close", resolve)), "the app");
  assert.equal(code, 0, `stdout: ${stdout}\nstderr: ${stderr}`);
  assert.match(stdout, new RegExp(`6 bytes, sha256 ${createHash("sha256").update("hello\n").digest("hex")}`));
  assert.match(stdout, /sum of squares 1\.\.=20: 2870/);
  assert.match(stderr, /compute: 20\/20/);
  const pid = Number(/worker pid (\d+) exited with code 0/.exec(stdout)?.[1]);
  assert.ok(pid > 0, stdout);
  assert.ok(!isRunning(pid), "the worker outlived the app");
});
