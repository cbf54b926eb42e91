// The end-to-end test: the real app under Xvfb, driven over WebDriver (tauri-driver in front of
// WebKitGTK's WebKitWebDriver), every check run by the page itself through ipcc over Tauri's
// IPC: u64 above 2^53, a declared error and its guard, cancellation with an AbortSignal,
// notifications in order, a stream with a slow consumer, binary bytes; then two windows at
// once, a window without the capability, a screenshot of the real window in test-output/, and
// closing a window from another (its pending call is cancelled).
//
// Expects the app built (scripts/test.mjs builds it) and runs it under an X display: it starts
// `tauri-driver`, which starts the app for the WebDriver session.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appBinary, callPage, outputDir, pageLabel, startDriver, WebDriverSession, xvfbScreenshot } from "./webdriver.mjs";

let driver;
let session;
/** Window handles by the app's window label. */
const windows = new Map();

before(async () => {
  driver = await startDriver();
  session = await WebDriverSession.start(driver.url, appBinary);
  // The page's checks take seconds in a debug build on a loaded machine; WebDriver's default is 30 s.
  await session.setScriptTimeout(300_000);
  // The app opens three windows; each page says which one it is.
  for (let i = 0; i < 100 && windows.size < 3; i++) {
    for (const handle of await session.windowHandles()) {
      if ([...windows.values()].includes(handle)) continue;
      await session.switchTo(handle);
      const label = await pageLabel(session);
      if (label) windows.set(label, handle);
    }
    if (windows.size < 3) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([...windows.keys()].sort(), ["main", "second", "untrusted"], "the app's three windows");
});

after(async () => {
  await session?.end();
  await driver?.stop();
});

/** Runs `ipccTests.<method>(...args)` in the window `label` and answers `{ value }` or `{ error }`. */
async function inWindow(label, method, ...args) {
  await session.switchTo(windows.get(label));
  return callPage(session, method, ...args);
}

async function call(label, method, ...args) {
  const { value, error } = await inWindow(label, method, ...args);
  assert.equal(error, undefined, `${label}: ipccTests.${method} threw`);
  return value;
}

test("the page's checks pass in the main window: u64, declared errors, cancellation, notifications, a slow stream, bytes", async () => {
  const status = await call("main", "status");
  assert.deepEqual(status, { connected: true, error: null });
  const results = await call("main", "run");
  for (const { name, ok, detail } of results) assert.ok(ok, `${name}: ${detail}`);
  assert.deepEqual(results.map((r) => r.name), [
    "sayHello",
    "u64 above 2^53",
    "declared error",
    "cancellation (AbortSignal)",
    "notifications in order",
    "stream with a slow consumer",
    "declared stream error",
    "4 MiB bytes round trip",
  ]);
});

test("a window without the capability gets no connection: unauthorized, with Tauri's ACL message", async () => {
  const status = await call("untrusted", "status");
  assert.equal(status.connected, false);
  assert.match(status.error, /^unauthorized: /);
  assert.match(status.error, /not allowed/i);
});

test("a screenshot of the real window", async () => {
  const fbdir = process.env.IPCC_XVFB_FBDIR;
  assert.ok(fbdir, "IPCC_XVFB_FBDIR: the Xvfb -fbdir the test runs under (scripts/test.mjs sets it)");
  const png = xvfbScreenshot(fbdir);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  mkdirSync(outputDir, { recursive: true });
  const path = join(outputDir, "tauri-app.png");
  writeFileSync(path, png);
  console.log(`screenshot: ${path}`);
});

test("two windows at once: each gets its own calls and notifications; closing one cancels its pending call", async () => {
  await call("main", "resetTicks");
  const before = await call("main", "cancelledWaits");
  assert.equal(await call("second", "startWait"), true);
  // Both windows connected and calling while the second's call is pending.
  const second = await call("second", "windowCheck", 200);
  assert.deepEqual(second, { hello: "hello: second 1 true", ticks: 200, inOrder: true });
  const main = await call("main", "windowCheck", 50);
  assert.deepEqual(main, { hello: "hello: main 1 true", ticks: 50, inOrder: true });
  assert.equal(await call("second", "ticksSeen"), 200, "the main window's ticks did not reach the second");

  assert.equal(await call("main", "closeWindow", "second"), true);
  let after = before;
  for (let i = 0; i < 200 && after === before; i++) {
    after = await call("main", "cancelledWaits");
    if (after === before) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(after, before + 1, "the closed window's pending wait was cancelled");
});
