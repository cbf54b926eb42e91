// runtime-ts's MessagePort transport in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): a TS host in a Web Worker and the page as its client (src/page.ts,
// src/worker.ts, bundled by scripts/build.mjs). Over the Worker object and the worker's `self`:
// calls, a declared error, notifications, binary bytes, streams both ways; over a transferred
// MessagePort: the page closing (the worker's side is told) and the worker's host shutting down
// mid-call (the pending call fails with `disconnected`, as does the next one).

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

// playwright-core never downloads a browser; this makes sure nothing it loads tries to.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";
const { chromium } = await import("playwright-core");

const dist = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "dist");
const CHROMIUM = "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".map": "application/json" };

let server;
let context;
let userDataDir;
let page;
const pageErrors = [];

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh (as root)`);
  if (!existsSync(join(dist, "page.js"))) throw new Error(`${dist} is not built: run \`npm run build\` (npm test does)`);
  // Workers need an http origin (not file://).
  server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1) || "index.html";
    if (!/^[\w.-]+$/.test(name) || !existsSync(join(dist, name))) return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[extname(name)] ?? "application/octet-stream" });
    res.end(readFileSync(join(dist, name)));
  });
  await new Promise((resolvePromise) => server.listen(0, "127.0.0.1", resolvePromise));
  userDataDir = mkdtempSync(join(tmpdir(), "browser-worker-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => typeof window.overSelf === "function");
});

after(async () => {
  await context?.close().catch(() => {});
  await new Promise((resolvePromise) => (server ? server.close(() => resolvePromise()) : resolvePromise()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test("the page calls a TS host in a Web Worker over the worker's self: calls, errors, notifications, binary bytes, streams", async () => {
  const seen = await page.evaluate(() => window.overSelf());
  assert.deepEqual(seen, {
    hello: "hello from the page",
    add: 42,
    i64: "-9223372036854775808",
    ticks: [1, 2, 3, 4],
    declared: "failed",
    binary: true,
    bytesEqual: true,
    counted: [200, 199],
    echoed: ["x", "y"],
  });
  assert.deepEqual(pageErrors, []);
});

test("the page closing its connection is seen by the worker's side", async () => {
  const seen = await page.evaluate(() => window.pageCloses());
  assert.deepEqual(seen, { sum: 3, report: { portClosed: true } });
  assert.deepEqual(pageErrors, []);
});

test("the worker's host shutting down mid-call fails the pending call and the next one with disconnected", async () => {
  const seen = await page.evaluate(() => window.hostShutsDown());
  assert.deepEqual(seen, { sum: 2, waited: "disconnected", later: "disconnected" });
  assert.deepEqual(pageErrors, []);
});
