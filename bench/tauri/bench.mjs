// Runs the page's benchmark loops (`ipccTests.bench` in examples/tauri-app/frontend/src/main.ts)
// in the app's main window over WebDriver and prints the markdown fragment of docs/benchmarks.md.

import { readFileSync } from "node:fs";
import { callPage, pageLabel, startDriver, WebDriverSession } from "../../examples/tauri-app/test/webdriver.mjs";

const quick = process.env.BENCH_QUICK === "1";
const log = (text) => process.stderr.write(`${text}\n`);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const driver = await startDriver();
let session;
try {
  session = await WebDriverSession.start(driver.url, process.env.TAURI_APP_BINARY);
  await session.setScriptTimeout(900_000);
  let main;
  for (let i = 0; i < 100 && !main; i++) {
    for (const handle of await session.windowHandles()) {
      await session.switchTo(handle);
      if ((await pageLabel(session)) === "main") main = handle;
    }
    if (!main) await new Promise((r) => setTimeout(r, 100));
  }
  if (!main) throw new Error("the app's main window did not load");
  await session.switchTo(main);
  const bench = async (kind, n, rounds) => {
    const { value, error } = await callPage(session, "bench", kind, n, rounds);
    if (error) throw new Error(error);
    return value;
  };
  const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const cases = [
    { kind: "small", title: "small call (`sayHello(\"abc\", 10, true)`)", peer: "bare `invoke` of a command with the same JSON arguments", n: quick ? 50 : 500, rounds: quick ? 3 : 9, limit: 1.3 },
    { kind: "bytes", title: "16 MiB `bytes` up (`byteLength(data)`)", peer: "bare `invoke` with the 16 MiB as a raw body", n: quick ? 1 : 4, rounds: quick ? 3 : 9, limit: 1.5 },
  ];
  const rows = [];
  // BENCH_CASE=small|bytes: one case only (for profiling one of them).
  for (const c of cases.filter((c) => !process.env.BENCH_CASE || c.kind === process.env.BENCH_CASE)) {
    log(`tauri: ${c.kind}: ${c.rounds} rounds of ${c.n} ipcc calls and ${c.n} bare invokes`);
    const result = await bench(c.kind, c.n, c.rounds);
    const ipcc = median(result.ipccMs) / c.n;
    const bare = median(result.bareMs) / c.n;
    const ratios = result.ipccMs.map((t, i) => t / result.bareMs[i]);
    rows.push({ ...c, ipcc, bare, ratio: median(ratios) });
    log(`tauri: ${c.kind}: ipcc ${ipcc.toFixed(3)} ms, bare ${bare.toFixed(3)} ms, ratio ${median(ratios).toFixed(2)}`);
  }
  const loadAfter = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`);
  const out = [];
  out.push(`Measured by \`bench/tauri/run\`${quick ? " (BENCH_QUICK=1: few rounds, not a measurement)" : ""}: the example app (release build) under Xvfb,`);
  out.push("driven over WebDriver; the page alternates a round of ipcc calls and a round of bare `invoke`s");
  out.push("of the same work, and each figure is the median over the rounds (per call). The ratio is the");
  out.push(`median of the per-round ratios. Load average before and after: ${loadBefore} / ${loadAfter} (2 cores).`);
  out.push("");
  out.push("| case | ipcc over Tauri | bare Tauri `invoke` (peer) | ratio | target |");
  out.push("| --- | --- | --- | --- | --- |");
  for (const r of rows) {
    out.push(`| ${r.title} vs ${r.peer} | ${fmt(r.ipcc)} | ${fmt(r.bare)} | ${r.ratio.toFixed(2)}× | ≤ ${r.limit}× ${r.ratio <= r.limit ? "(met)" : "(**not met**)"} |`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
} finally {
  await session?.end();
  await driver.stop();
}
