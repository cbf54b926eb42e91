//! The page of every window: connects to the app's ipcc host through Tauri's IPC
//! (`connectTauri`), greets, and serves `tests`, the checks the end-to-end test runs through
//! WebDriver (test/e2e.test.mjs) and the benchmark's loops (bench/tauri), over the DOM (below).
//! Each check shows its outcome on the page, which the test's screenshot records.

import { connectTauri, DEFAULT_STREAM_WINDOW, IpcApp, isIpcError } from "ipcc-runtime/tauri";
import { callMyInterface, myInterfaceDescriptor } from "./generated/my-interface.js";
import { addAppEventsListener, appEventsDescriptor, isCounterError, isJobError, tauriAppClient, tauriAppDescriptor } from "./generated/tauri-app.js";

interface TauriMetadata {
  __TAURI_INTERNALS__?: {
    metadata?: { currentWebview?: { label?: string } };
    invoke(cmd: string, args?: unknown, options?: { headers?: Record<string, string> }): Promise<unknown>;
  };
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const tauri = (globalThis as TauriMetadata).__TAURI_INTERNALS__;
const label = tauri?.metadata?.currentWebview?.label ?? "?";
element("window-label").textContent = `— window “${label}”`;

function describe(error: unknown): string {
  if (isIpcError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function setStatus(state: "connecting" | "connected" | "error", text: string): void {
  const status = element("status");
  status.dataset.state = state;
  status.textContent = text;
}

/** Shows one check on the page; returns its outcome for the test. */
function show(name: string, ok: boolean, detail: string): { name: string; ok: boolean; detail: string } {
  const li = document.createElement("li");
  li.dataset.ok = String(ok);
  li.textContent = `${ok ? "✓" : "✗"} ${name}: ${detail}`;
  element("checks").append(li);
  return { name, ok, detail };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds of its value, at most `tries` times. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, tries = 200): Promise<T> {
  let value = await read();
  for (let i = 0; i < tries && !done(value); i++) {
    await sleep(10);
    value = await read();
  }
  return value;
}

let connectError: string | undefined;
const ticksSeen: number[] = [];
const ready = (async () => {
  try {
    await IpcApp.startup(await connectTauri(), { channels: [myInterfaceDescriptor, tauriAppDescriptor, appEventsDescriptor] });
    // Listeners go on the default connection, which exists from here on.
    addAppEventsListener({ tick: (n) => ticksSeen.push(n) });
    setStatus("connected", "connected through Tauri's IPC");
    element("hello").textContent = await callMyInterface("sayHello", "abc", 10, true);
  } catch (error) {
    connectError = describe(error);
    setStatus("error", `not connected: ${connectError}`);
  }
})();

const app = () => tauriAppClient();

const tests = {
  label,
  /** `{ connected, error }` once the connection attempt ended. */
  async status() {
    await ready;
    return { connected: connectError === undefined, error: connectError ?? null };
  },

  /** The single-window checks: each answers `{ name, ok, detail }`. */
  async run() {
    await ready;
    const results = [];

    const hello = await callMyInterface("sayHello", "abc", 10, true);
    results.push(show("sayHello", hello === "hello: abc 10 true", hello));

    const a = 2n ** 60n + 1n;
    const b = 2n ** 60n + 3n;
    const sum = await app().add(a, b);
    results.push(show("u64 above 2^53", sum === 2n ** 61n + 4n && typeof sum === "bigint", `${a} + ${b} = ${sum}`));

    try {
      await app().add(2n ** 64n - 1n, 1n);
      results.push(show("declared error", false, "no error"));
    } catch (error) {
      const ok = isCounterError(error) && error.data.kind === "overflow" && error.data.a === 2n ** 64n - 1n && error.data.b === 1n;
      results.push(show("declared error", ok, `isCounterError: ${isCounterError(error)}, ${describe(error)}`));
    }

    const before = await app().cancelledWaits();
    const abort = new AbortController();
    const waiting = tauriAppClient(undefined, { signal: abort.signal }).wait(60_000);
    await sleep(50);
    abort.abort();
    let cancelledCode = "none";
    try {
      await waiting;
    } catch (error) {
      cancelledCode = isIpcError(error) ? error.code : describe(error);
    }
    const after = await until(() => app().cancelledWaits(), (n) => n > before);
    results.push(show("cancellation (AbortSignal)", cancelledCode === "cancelled" && after === before + 1, `call ended with ${cancelledCode}; backend cancelled waits ${before} → ${after}`));

    ticksSeen.length = 0;
    await app().ticks(500);
    const inOrder = ticksSeen.length === 500 && ticksSeen.every((n, i) => n === i + 1);
    results.push(show("notifications in order", inOrder, `${ticksSeen.length} ticks, first ${ticksSeen[0]}, last ${ticksSeen[ticksSeen.length - 1]}`));

    const steps = 400;
    const progress = element<HTMLProgressElement>("job");
    let expected = 1;
    let ordered = true;
    let producedWhileSlow = -1;
    for await (const p of app().runJob(steps)) {
      ordered &&= p.done === expected++;
      progress.max = p.steps;
      progress.value = p.done;
      element("job-text").textContent = `${p.done} / ${p.steps}`;
      if (p.done <= 5) await sleep(40); // a slow consumer at first
      if (p.done === 5) producedWhileSlow = await app().jobProduced();
    }
    // The host makes a step only within the credit the page granted (one window, `DEFAULT_STREAM_WINDOW` items).
    results.push(show("stream with a slow consumer", ordered && expected === steps + 1 && producedWhileSlow >= 5 && producedWhileSlow <= 5 + DEFAULT_STREAM_WINDOW,
      `${expected - 1} items in order; after taking 5 slowly the job had made ${producedWhileSlow} of ${steps}`));

    try {
      for await (const _ of app().runJob(0)) break;
      results.push(show("declared stream error", false, "no error"));
    } catch (error) {
      results.push(show("declared stream error", isJobError(error) && error.data.max === 10_000, describe(error)));
    }

    const bytes = new Uint8Array(4 << 20).map((_, i) => (i * 31) & 0xff);
    const echoed = await app().echoBytes(bytes);
    const same = echoed.length === bytes.length && echoed.every((v, i) => v === bytes[i]);
    results.push(show("4 MiB bytes round trip", same && (await app().byteLength(bytes)) === BigInt(bytes.length), `${echoed.length} bytes back`));

    return results;
  },

  /** Starts a long `wait` on this window's connection and leaves it pending (the test closes the window). */
  async startWait() {
    await ready;
    void app().wait(600_000).catch(() => {});
    return true;
  },

  /** This window's own calls and notifications: a greeting with its label and `count` ticks. */
  async windowCheck(count: number) {
    await ready;
    ticksSeen.length = 0;
    const hello = await callMyInterface("sayHello", label, 1, true);
    await app().ticks(count);
    return { hello, ticks: ticksSeen.length, inOrder: ticksSeen.every((n, i) => n === i + 1) };
  },

  /** Closes the window `other` through Tauri's window API (the main window's capability allows it). */
  async closeWindow(other: string) {
    await tauri!.invoke("plugin:window|close", { label: other });
    return true;
  },

  /** Ticks this window received since its last `windowCheck` (or `resetTicks`). */
  ticksSeen: () => ticksSeen.length,
  resetTicks: () => {
    ticksSeen.length = 0;
  },
  cancelledWaits: async () => Number(await app().cancelledWaits()),

  /** The benchmark: `rounds` alternations of `n` ipcc calls and `n` bare invokes of the same work; per-round totals in ms. */
  async bench(kind: "small" | "bytes", n: number, rounds: number) {
    await ready;
    const internals = tauri!;
    const payload = new Uint8Array(16 << 20).map((_, i) => i & 0xff);
    const ipcc = async () => {
      if (kind === "small") await callMyInterface("sayHello", "abc", 10, true);
      else await app().byteLength(payload);
    };
    const bare = async () => {
      if (kind === "small") await internals.invoke("bare_say_hello", { arg1: "abc", arg2: 10, arg3: true });
      else await internals.invoke("bare_byte_length", payload);
    };
    for (let i = 0; i < Math.min(n, 20); i++) {
      await ipcc();
      await bare();
    }
    const ipccMs: number[] = [];
    const bareMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      for (let i = 0; i < n; i++) await ipcc();
      ipccMs.push(performance.now() - t);
      t = performance.now();
      for (let i = 0; i < n; i++) await bare();
      bareMs.push(performance.now() - t);
    }
    return { ipccMs, bareMs };
  },
};

// WebDriver's scripts run in another JavaScript world than the page's (WebKitWebDriver), so they
// reach `tests` through the DOM both share: the request in `data-ipcc-request`, an `ipcc-test`
// event, and the answer (JSON, bigints as decimal strings) in `data-ipcc-result-<id>`.
const root = document.documentElement;
document.addEventListener("ipcc-test", () => {
  const request = JSON.parse(root.dataset.ipccRequest ?? "{}") as { id: string; method: keyof typeof tests; args: unknown[] };
  const member = tests[request.method] as unknown;
  Promise.resolve()
    .then(() => (typeof member === "function" ? (member as (...a: unknown[]) => unknown)(...request.args) : member))
    .then((value) => ({ value }), (error: unknown) => ({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) }))
    .then((answer) => root.setAttribute(`data-ipcc-result-${request.id}`, JSON.stringify(answer, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))));
});
root.dataset.ipccLabel = label;
