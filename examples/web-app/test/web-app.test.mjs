// The web app in a real browser: starts the Rust backend (built by `npm test`), drives Debian's
// headless Chromium with playwright-core through the bundled page, and checks that
//  - with the token from the backend's URL, the page calls sayHello and the Items methods and
//    shows the pushed notifications live; a job's progress streams into a progress bar up to
//    100 %, a job cancelled from the page ends on the backend, and a file goes up as a stream of
//    chunks (screenshot: test-output/web-app.png);
//  - without the token (or with a wrong one) nothing can be called: `unauthorized`;
//  - the same page served from another origin cannot even open the WebSocket (403), so nothing
//    can be called either; and the backend's list shows none of the refused pages' items.
// The backend serves with WsServer, or with WEB_APP_SERVER=axum on an axum Router (`--axum`: the
// ipcc route at /ipc, the page from tower-http's ServeDir); `npm test` runs this file with each.
// Everything started here is stopped in `after`, also when a test fails.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

// playwright-core never downloads a browser; this makes sure nothing it loads tries to.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";
const { chromium } = await import("playwright-core");

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(appDir, "../..");
const distDir = join(appDir, "frontend", "dist");
const outputDir = join(appDir, "test-output");
const CHROMIUM = "/usr/bin/chromium";
/** Bound on every wait for the page or the backend. */
const WAIT_MS = 15_000;
/** Which server the backend runs: `ws-server` (WsServer) or `axum` (the axum route). */
const SERVER = process.env.WEB_APP_SERVER ?? "ws-server";
if (SERVER !== "ws-server" && SERVER !== "axum") throw new Error(`WEB_APP_SERVER=${SERVER}: expected ws-server or axum`);
const SERVER_ARGS = SERVER === "axum" ? ["--axum"] : [];
/** Screenshot file names: `web-app.png` on WsServer, `web-app-axum.png` on the axum route. */
const shot = (name) => join(outputDir, SERVER === "axum" ? name.replace(/\.png$/, "-axum.png") : name);

let backend; // the child process
let backendUrl; // http://127.0.0.1:PORT/?token=...
let token;
let backendPort;
let foreignServer; // serves the same bundle from another origin
let foreignPort;
let context; // the browser
let userDataDir;
let mainPage; // the authorized page, kept open across tests
const pageErrors = [];

/** The backend binary, in cargo's target directory (CARGO_TARGET_DIR respected). */
function backendBinary() {
  const metadata = JSON.parse(
    execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
      cwd: repoDir,
      encoding: "utf8",
      maxBuffer: 64 << 20,
      timeout: 60_000,
    }),
  );
  const binary = join(metadata.target_directory, "debug", process.platform === "win32" ? "web-app-backend.exe" : "web-app-backend");
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`cargo build -p web-app-backend\` (npm test does)`);
  return binary;
}

/** Starts the backend and resolves to the URL on its first stdout line. */
function startBackend(binary) {
  return new Promise((resolvePromise, reject) => {
    backend = spawn(binary, ["--port", "0", ...SERVER_ARGS], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`the backend printed no URL in ${WAIT_MS} ms; stderr: ${stderr}`)), WAIT_MS);
    backend.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    backend.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      const match = /^open (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{32}))$/.exec(stdout.slice(0, newline));
      if (match) resolvePromise({ url: match[1], port: Number(match[2]), token: match[3] });
      else reject(new Error(`unexpected first line from the backend: ${JSON.stringify(stdout.slice(0, newline))}`));
    });
    backend.on("error", (error) => reject(error));
    backend.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the backend exited (${code ?? signal}) before printing its URL; stderr: ${stderr}`));
    });
  });
}

const CONTENT_TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

/** A tiny static server for frontend/dist on another loopback port: a page of a foreign origin. */
function startForeignServer() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((req, res) => {
      const name = new URL(req.url ?? "/", "http://x").pathname.slice(1) || "index.html";
      if (!/^[\w.-]+$/.test(name) || !existsSync(join(distDir, name))) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": CONTENT_TYPES[extname(name)] ?? "application/octet-stream" });
      res.end(readFileSync(join(distDir, name)));
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolvePromise(server));
  });
}

/** The HTTP status of a WebSocket upgrade request to the backend at `path`, sent with `origin`. */
function upgradeStatus(origin, path = "/ipc") {
  return new Promise((resolvePromise, reject) => {
    const req = request({
      host: "127.0.0.1",
      port: backendPort,
      path,
      timeout: WAIT_MS,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        Origin: origin,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolvePromise(res.statusCode);
    });
    req.on("response", (res) => {
      res.resume();
      resolvePromise(res.statusCode);
    });
    req.on("timeout", () => req.destroy(new Error("upgrade request timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Waits until the text of `selector` matches `pattern`; returns the text. */
async function waitForText(page, selector, pattern) {
  try {
    await page.waitForFunction(
      ([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ""),
      [selector, pattern.source, pattern.flags],
      { timeout: WAIT_MS },
    );
  } catch (error) {
    const text = await page.textContent(selector).catch(() => "(unreadable)");
    throw new Error(`${selector} never matched ${pattern}; it shows ${JSON.stringify(text)} (${error.message.split("\n")[0]})`);
  }
  return page.textContent(selector);
}

/** Opens a page and records its uncaught exceptions. */
async function openPage(url) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on("pageerror", (error) => pageErrors.push(`${url}: ${error.message}`));
  await page.goto(url, { timeout: WAIT_MS });
  return page;
}

/** Clicks `button` and waits for the call it starts to settle in `output`; returns the text shown. */
async function clickAndWait(page, button, output) {
  // Clear the old outcome first, so a stale one cannot satisfy the wait.
  await page.evaluate((sel) => {
    const out = document.querySelector(sel);
    if (out) {
      out.textContent = "";
      delete out.dataset.state;
    }
  }, output);
  await page.click(button);
  try {
    await page.waitForSelector(`${output}[data-state=ok], ${output}[data-state=error]`, { timeout: WAIT_MS });
  } catch (error) {
    const text = await page.textContent(output).catch(() => "(unreadable)");
    throw new Error(`the call of ${button} did not settle; ${output} shows ${JSON.stringify(text)} (${error.message.split("\n")[0]})`);
  }
  return page.textContent(output);
}

async function notificationTexts(page) {
  return page.$$eval("#notifications li", (items) => items.map((li) => li.textContent ?? ""));
}

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh (as root)`);
  if (!existsSync(join(distDir, "app.js"))) throw new Error(`${distDir} is not built: run \`npm run build\` (npm test does)`);
  mkdirSync(outputDir, { recursive: true });
  ({ url: backendUrl, port: backendPort, token } = await startBackend(backendBinary()));
  foreignServer = await startForeignServer();
  foreignPort = foreignServer.address().port;
  userDataDir = mkdtempSync(join(tmpdir(), "web-app-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: WAIT_MS * 2,
    viewport: { width: 900, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await context?.close().catch(() => {});
  if (backend && backend.exitCode === null && backend.signalCode === null) {
    const exited = new Promise((resolvePromise) => backend.once("exit", resolvePromise));
    backend.kill("SIGTERM");
    const killTimer = setTimeout(() => backend.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(killTimer);
  }
  await new Promise((resolvePromise) => (foreignServer ? foreignServer.close(() => resolvePromise()) : resolvePromise()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

// Should the test process die without running `after`, the backend must not outlive it.
process.on("exit", () => {
  if (backend && backend.exitCode === null) backend.kill("SIGKILL");
});

test(`with the token, the page calls the backend and shows pushed notifications live (${SERVER})`, async () => {
  const page = await openPage(backendUrl);
  mainPage = page;
  assert.equal(await waitForText(page, "#status", /^connected$/), "connected");

  // The reference article's call, with the page's own inputs.
  assert.equal(await clickAndWait(page, "#say-hello", "#hello-result"), "hello: abc 10 true");
  await page.fill("#arg1", "ipcc");
  await page.fill("#arg2", "-0");
  await page.uncheck("#arg3");
  assert.equal(await clickAndWait(page, "#say-hello", "#hello-result"), "hello: ipcc 0 false");
  await page.fill("#arg2", "2.5");
  await page.check("#arg3");
  assert.equal(await clickAndWait(page, "#say-hello", "#hello-result"), "hello: ipcc 2.5 true");

  // Ticks pushed to this page only, every 200 ms.
  await page.fill("#tick-interval", "200");
  assert.equal(await clickAndWait(page, "#subscribe-ticks", "#tick-result"), "subscribed");
  await waitForText(page, "#notifications", /tick 3 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);

  // Items: a struct and an enum back from the call, and an itemAdded notification to every page.
  await page.fill("#item-text", "buy milk");
  await page.selectOption("#item-priority", "high");
  assert.match(await clickAndWait(page, "#add-item", "#item-result"), /^added #1 "buy milk" \(high, \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  await waitForText(page, "#notifications", /itemAdded #1 "buy milk" \(high/);

  const other = await openPage(backendUrl);
  await waitForText(other, "#status", /^connected$/);
  await other.fill("#item-text", "  call the plumber  ");
  await other.selectOption("#item-priority", "low");
  assert.match(await clickAndWait(other, "#add-item", "#item-result"), /^added #2 "call the plumber" \(low,/);
  await waitForText(page, "#notifications", /itemAdded #2 "call the plumber" \(low/);
  assert.ok(
    (await notificationTexts(other)).every((text) => !text.startsWith("tick")),
    "ticks go only to the page that subscribed",
  );
  await other.close();

  // A declared error arrives typed.
  await page.fill("#item-text", "   ");
  assert.equal(await clickAndWait(page, "#add-item", "#item-result"), "error declared AddItemError: the text is empty");
  await page.fill("#item-text", "x".repeat(201));
  assert.equal(
    await clickAndWait(page, "#add-item", "#item-result"),
    "error declared AddItemError: the text is longer than 200 characters",
  );

  assert.equal(await clickAndWait(page, "#list-items", "#item-result"), "2 items");
  assert.equal(await page.locator("#items li").count(), 2);

  // Streams. A job refused with its declared error, thrown from the iteration.
  await page.fill("#job-steps", "0");
  assert.equal(await clickAndWait(page, "#run-job", "#job-result"), "error declared JobError: a job has 1 to 10000 steps");

  // A long job cancelled from the page once the bar moved: the backend drops the job's stream and
  // says so (jobEnded, which the job sends as it is dropped).
  await page.fill("#job-steps", "1000");
  await page.click("#run-job");
  await page.waitForFunction(() => document.querySelector("#job-progress").value > 0, null, { timeout: WAIT_MS });
  assert.match(await clickAndWait(page, "#cancel-job", "#job-result"), /^error cancelled: /);
  const cancelled = await waitForText(page, "#notifications", /jobEnded #1 cancelled after \d+ of 1000 steps/);
  const done = Number(/jobEnded #1 cancelled after (\d+)/.exec(cancelled)[1]);
  assert.ok(done >= 5 && done < 1000, `cancelled after ${done} steps`);

  // A job run to the end: every value the bar took, recorded as the page sets it.
  await page.evaluate(() => {
    window.barValues = [];
    new MutationObserver((records) => window.barValues.push(...records.map((r) => r.oldValue))).observe(
      document.querySelector("#job-progress"),
      { attributeFilter: ["value"], attributeOldValue: true },
    );
  });
  await page.fill("#job-steps", "20");
  assert.equal(await clickAndWait(page, "#run-job", "#job-result"), "job #2: 20 of 20 steps, done");
  // Each record holds the value before a change: the first is the bar before the run (reset to 0).
  const barValues = await page.evaluate(() =>
    [...window.barValues.slice(1), document.querySelector("#job-progress").getAttribute("value")].map(Number),
  );
  assert.ok(barValues.every((value, i) => i === 0 || value > barValues[i - 1]), `the bar only moved forward: ${barValues}`);
  assert.equal(barValues.at(-1), 100);
  assert.deepEqual(barValues, Array.from({ length: 21 }, (_, i) => i * 5));
  assert.equal(await page.textContent("#job-percent"), "job #2: 20 of 20 steps (100 %)");
  await waitForText(page, "#notifications", /jobEnded #2 completed after 20 of 20 steps/);

  // An upload of several chunks (64 KiB each); the checksum is computed here independently.
  const file = Buffer.alloc(3 * 65_536 + 4_123);
  for (let i = 0; i < file.length; i++) file[i] = (i * 7_919 + (i >> 11)) & 0xff;
  await page.setInputFiles("#upload-file", { name: "data.bin", mimeType: "application/octet-stream", buffer: file });
  assert.equal(
    await clickAndWait(page, "#upload", "#upload-result"),
    `data.bin: ${file.length} bytes in 4 chunks, sha256 ${createHash("sha256").update(file).digest("hex")}`,
  );

  await waitForText(page, "#notifications", /tick 6 at/);
  await page.fill("#item-text", "buy milk");
  await page.screenshot({ path: shot("web-app.png"), fullPage: true });

  // After the unsubscribe call returns, no tick follows (they travel on the same connection, in
  // order): the backend says its ticker is gone, and no tick arrived before that answer either.
  assert.equal(await clickAndWait(page, "#unsubscribe-ticks", "#tick-result"), "unsubscribed");
  const ticks = (await notificationTexts(page)).filter((text) => text.startsWith("tick")).length;
  assert.equal(await clickAndWait(page, "#unsubscribe-ticks", "#tick-result"), "no ticks were running");
  assert.equal((await notificationTexts(page)).filter((text) => text.startsWith("tick")).length, ticks);

  assert.deepEqual(pageErrors, []);
});

test(`without the token, or with a wrong one, the page cannot call anything (${SERVER})`, async () => {
  for (const url of [`http://127.0.0.1:${backendPort}/`, `http://127.0.0.1:${backendPort}/?token=not-the-token`]) {
    const page = await openPage(url);
    assert.match(await waitForText(page, "#status", /^error: /), /^error: unauthorized: /);
    assert.match(await clickAndWait(page, "#say-hello", "#hello-result"), /^error unauthorized: /);
    await page.fill("#item-text", "intruder");
    assert.match(await clickAndWait(page, "#add-item", "#item-result"), /^error unauthorized: /);
    assert.match(await clickAndWait(page, "#subscribe-ticks", "#tick-result"), /^error unauthorized: /);
    assert.match(await clickAndWait(page, "#run-job", "#job-result"), /^error unauthorized: /);
    if (!url.includes("token")) await page.screenshot({ path: shot("web-app-no-token.png"), fullPage: true });
    await page.close();
  }
});

test(`a page from an origin that is not allowed cannot call anything (${SERVER})`, async () => {
  // The backend refuses the upgrade itself (its own origin passes, the other port does not).
  assert.equal(await upgradeStatus(`http://127.0.0.1:${foreignPort}`), 403);
  assert.equal(await upgradeStatus(`http://127.0.0.1:${backendPort}`), 101);
  // Which server answered: WsServer upgrades on every path, the axum Router only on its route
  // (elsewhere ServeDir sends the page).
  assert.equal(await upgradeStatus(`http://127.0.0.1:${backendPort}`, "/"), SERVER === "axum" ? 200 : 101);

  // The same bundle, served by another server, pointed at the backend with the right token.
  const page = await openPage(`http://127.0.0.1:${foreignPort}/?token=${token}&backend=ws://127.0.0.1:${backendPort}/ipc`);
  const refused = /cannot open ws:\/\/127\.0\.0\.1:\d+\/ipc: websocket closed/;
  assert.match(await waitForText(page, "#status", /^error: /), new RegExp(`^error: disconnected: .*${refused.source}`));
  assert.match(await clickAndWait(page, "#say-hello", "#hello-result"), new RegExp(`^error disconnected: .*${refused.source}`));
  await page.fill("#item-text", "intruder");
  assert.match(await clickAndWait(page, "#add-item", "#item-result"), /^error disconnected: /);
  assert.match(await clickAndWait(page, "#subscribe-ticks", "#tick-result"), /^error disconnected: /);
  await page.screenshot({ path: shot("web-app-foreign-origin.png"), fullPage: true });
  await page.close();
});

test(`the refused pages added nothing: the backend's list is unchanged (${SERVER})`, async () => {
  assert.ok(mainPage, "the authorized page is open");
  assert.equal(await waitForText(mainPage, "#status", /./), "connected");
  assert.equal(await clickAndWait(mainPage, "#list-items", "#item-result"), "2 items");
  const items = await mainPage.$$eval("#items li", (lis) => lis.map((li) => li.textContent ?? ""));
  assert.ok(items.every((text) => !text.includes("intruder")), `no refused item arrived: ${items.join(" | ")}`);
});
