// The small call in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// the page (browser-page.mjs, bundled with esbuild) calls `ipcc-echo-backend --ws` through the
// browser runtime, alternating with a raw browser WebSocket echo of the same text
// (`--raw-ws-echo`). The page is served cross-origin isolated, so `performance.now()` has its
// fine resolution (5 µs, not 100 µs).
//
// usage: node browser.mjs BACKEND OUT_DIR OUT.json   (OUT_DIR holds js/, the compiled generated code)
import { readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { spawnWebSocketBackend } from "ipcc-runtime/node";

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";
const { chromium } = await import("playwright-core");

const [backend, outDir, outFile] = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === "1";
const log = (...args) => console.error("[ts-frontend browser]", ...args);
const CHROMIUM = "/usr/bin/chromium";
const only = process.env.TS_FRONTEND_CASES?.split(",");
if ((only && !only.includes("browser")) || !existsSync(CHROMIUM)) {
  if (!existsSync(CHROMIUM)) log(`${CHROMIUM} is missing (scripts/install-browser.sh): skipped`);
  writeFileSync(outFile, JSON.stringify({ skipped: true }));
  process.exit(0);
}

await esbuild.build({
  entryPoints: [new URL("./browser-page.mjs", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  outfile: join(outDir, "page", "page.js"),
  alias: { GENERATED: join(outDir, "js") },
  nodePaths: [new URL("./node_modules", import.meta.url).pathname],
  logLevel: "warning",
});
const page = readFileSync(join(outDir, "page", "page.js"));
const html = '<!doctype html><meta charset="utf-8"><title>ipcc bench</title><script type="module" src="/page.js"></script>';
// Cross-origin isolation (COOP + COEP) gives the page a fine-grained clock.
const http = createServer((req, res) => {
  const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
  if (req.url === "/page.js") res.writeHead(200, { ...headers, "Content-Type": "text/javascript" }).end(page);
  else res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(html);
});
await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${http.address().port}`;

const quiet = { onOutput: () => {} };
const ipccBackend = await spawnWebSocketBackend(backend, ["--ws", "127.0.0.1:0", "--allow-any-origin"], quiet);
const rawBackend = await spawnWebSocketBackend(backend, ["--raw-ws-echo", "127.0.0.1:0"], quiet);
const userDataDir = mkdtempSync(join(tmpdir(), "ipcc-bench-chromium-"));
let context;
const results = { rounds: [], loadavg: [] };
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const tab = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  await tab.goto(origin + "/");
  await tab.waitForFunction(() => window.bench !== undefined, undefined, { timeout: 30_000 });
  results.crossOriginIsolated = await tab.evaluate(() => window.bench.crossOriginIsolated());
  const text = await tab.evaluate(([a, b]) => window.bench.setup(a, b), [ipccBackend.url, rawBackend.url]);
  log(`cross-origin isolated: ${results.crossOriginIsolated}; call ${text.length} B`);
  const rounds = quick ? 2 : 7;
  const calls = quick ? 500 : 1500;
  const batches = quick ? 30 : 150;
  for (let round = 0; round < rounds; round++) {
    results.loadavg.push(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]));
    const r = await tab.evaluate(([n, b]) => window.bench.round(n, b), [calls, batches]);
    results.rounds.push(r);
    log(`round ${round}: p50 ${r.ipcc.p50.toFixed(1)} / ${r.raw.p50.toFixed(1)} µs, p99 ${r.ipcc.p99.toFixed(1)} / ${r.raw.p99.toFixed(1)} µs, 64 in flight ${(r.ipcc64 / r.raw64).toFixed(2)}×`);
  }
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
} finally {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  http.close();
  await ipccBackend.stop();
  await rawBackend.stop();
}
writeFileSync(outFile, JSON.stringify(results, null, 1));
