// Turns the ts-frontend suite's raw results into its markdown fragment (stdout) and the
// round-trip-time-against-payload plot (an SVG drawn here: a log-log line chart needs no library).
// Each figure is the median over rounds; each ratio is the median of the rounds' own ratios
// (ipcc and its floor measured back to back in that round).
//
// usage: node report.mjs NODE.json BROWSER.json OUT.svg
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const [nodeFile, browserFile, svgFile] = process.argv.slice(2);
const node = JSON.parse(readFileSync(nodeFile, "utf8"));
const browser = JSON.parse(readFileSync(browserFile, "utf8"));

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const us = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + " µs";
const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + " ms";
const x = (v) => v.toFixed(2) + "×";
const rate = (v) => (v >= 1e5 ? (v / 1e3).toFixed(0) : (v / 1e3).toFixed(1)) + "k/s";
const mark = (ok) => (ok ? "" : " ✗");
const cases = node.cases;
const lines = [];
const out = (s = "") => lines.push(s);

const loads = [...node.loadavg, ...(browser.loadavg ?? [])];
out(
  `Run ${node.started.slice(0, 16).replace("T", " ")} UTC${node.quick ? " (BENCH_QUICK: few samples, not figures to quote)" : ""}; ` +
    `load average (1 min) during the rounds ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}. ` +
    `Ratios are medians of per-round ratios; ✗ marks a missed target.`,
);
out();

// Small call latency.
out("| small call (`echoString`, 40 characters) | floor p50 | ipcc p50 | ratio | floor p99 | ipcc p99 | ratio |");
out("| --- | --- | --- | --- | --- | --- | --- |");
const latencyRow = (label, rows, floorKey, p50Target, p99Target) => {
  const f50 = median(rows.map((r) => r[floorKey].p50));
  const i50 = median(rows.map((r) => r.ipcc.p50));
  const r50 = median(rows.map((r) => r.ipcc.p50 / r[floorKey].p50));
  const f99 = median(rows.map((r) => r[floorKey].p99));
  const i99 = median(rows.map((r) => r.ipcc.p99));
  const r99 = median(rows.map((r) => r.ipcc.p99 / r[floorKey].p99));
  const t50 = p50Target === undefined ? "" : mark(r50 <= p50Target);
  const t99 = p99Target === undefined ? "" : mark(r99 <= p99Target);
  out(`| ${label} | ${us(f50)} | ${us(i50)} | **${x(r50)}**${t50} | ${us(f99)} | ${us(i99)} | **${x(r99)}**${t99} |`);
};
if (cases["ws-small"]) latencyRow("WebSocket, Node: raw `ws` → tokio-tungstenite echo", cases["ws-small"], "raw", 1.1, 1.3);
if (cases["stdio-small"]) {
  latencyRow("stdio, Node: raw Node → Rust stdio echo", cases["stdio-small"], "raw", 1.2, 1.3);
  latencyRow("stdio, Node: peer vscode-jsonrpc, Node → Node", cases["stdio-small"], "peer");
}
if (browser.rounds?.length) {
  latencyRow(
    `WebSocket, headless Chromium: raw browser WebSocket echo${browser.crossOriginIsolated ? "" : " (coarse clock)"}`,
    browser.rounds.map((r) => ({ ipcc: r.ipcc, raw: r.raw })),
    "raw",
    1.1,
    1.3,
  );
}
out();

// 64 in flight.
out("| 64 calls in flight | raw pipelined echo | ipcc | ratio | peer vscode-jsonrpc | ipcc / peer |");
out("| --- | --- | --- | --- | --- | --- |");
const flightRow = (label, rows) => {
  const raw = median(rows.map((r) => r.raw));
  const ipcc = median(rows.map((r) => r.ipcc));
  const ratio = median(rows.map((r) => r.ipcc / r.raw));
  const peer = rows[0].peer === undefined ? undefined : median(rows.map((r) => r.peer));
  const vsPeer = peer === undefined ? "" : x(median(rows.map((r) => r.ipcc / r.peer)));
  out(`| ${label} | ${rate(raw)} | ${rate(ipcc)} | **${x(ratio)}**${mark(ratio >= 0.7)} | ${peer === undefined ? "" : rate(peer)} | ${vsPeer} |`);
};
if (cases["ws-64"]) flightRow("WebSocket, Node", cases["ws-64"]);
if (cases["stdio-64"]) flightRow("stdio, Node", cases["stdio-64"]);
if (browser.rounds?.length) flightRow("WebSocket, headless Chromium", browser.rounds.map((r) => ({ ipcc: r.ipcc64, raw: r.raw64 })));
out();

// 16 MiB bytes.
if (cases["ws-bytes"] || cases["stdio-bytes"]) {
  out("| 16 MiB `echoBytes` round trip | raw binary echo | binary | ratio | base64 | ratio |");
  out("| --- | --- | --- | --- | --- | --- |");
  for (const [label, key] of [["WebSocket", "ws-bytes"], ["stdio", "stdio-bytes"]]) {
    const rows = cases[key];
    if (!rows) continue;
    const rb = median(rows.map((r) => r.binary / r.raw));
    out(
      `| ${label} | ${ms(median(rows.map((r) => r.raw)))} | ${ms(median(rows.map((r) => r.binary)))} | **${x(rb)}**${mark(rb <= 1.5)} | ` +
        `${ms(median(rows.map((r) => r.base64)))} | ${x(median(rows.map((r) => r.base64 / r.raw)))} |`,
    );
  }
  out();
}

// Pushes.
if (cases["ws-push"] || cases["stdio-push"]) {
  const count = (cases["ws-push"] ?? cases["stdio-push"])[0].count;
  out(
    `| ${count.toLocaleString("en")} pushed to one frontend | pre-serialised frames | ipcc | rate ratio | frontend heap peak | frontend RSS peak |`,
  );
  out("| --- | --- | --- | --- | --- | --- |");
  for (const [label, key] of [["WebSocket", "ws-push"], ["stdio", "stdio-push"]]) {
    const rows = cases[key];
    if (!rows) continue;
    for (const [what, ipccKey, rawKey] of [["notifications", "notifications", "rawNotifications"], ["stream items", "items", "rawItems"]]) {
      const ratio = median(rows.map((r) => r[rawKey] / r[ipccKey].ms));
      out(
        `| ${label}, ${what} | ${ms(median(rows.map((r) => r[rawKey])))} | ${ms(median(rows.map((r) => r[ipccKey].ms)))} | ` +
          `**${x(ratio)}**${mark(ratio >= 0.5)} | +${Math.max(...rows.map((r) => r[ipccKey].heapPeakMiB)).toFixed(1)} MiB | ` +
          `${Math.max(...rows.map((r) => r[ipccKey].rssPeakMiB)).toFixed(0)} MiB |`,
      );
    }
  }
  out();
}

// The sweep and its plot.
const sweep = cases.sweep;
if (sweep) {
  const series = [
    { key: "rawWs", label: "raw WebSocket echo", color: "#999999", dash: "4 3" },
    { key: "ipccWs", label: "ipcc, WebSocket", color: "#1f77b4" },
    { key: "rawStdio", label: "raw stdio echo", color: "#555555", dash: "4 3" },
    { key: "ipccStdio", label: "ipcc, stdio", color: "#d62728" },
    { key: "peerStdio", label: "vscode-jsonrpc, stdio (base64)", color: "#2ca02c" },
  ];
  mkdirSync(dirname(svgFile), { recursive: true });
  writeFileSync(svgFile, plot(sweep, series));
  out(`![Round-trip time against payload size](img/rtt-vs-payload.svg)`);
  out();
  out("| payload | " + series.map((s) => s.label).join(" | ") + " |");
  out("| --- |" + series.map(() => " --- |").join(""));
  for (const row of sweep) out(`| ${size(row.round)} | ` + series.map((s) => ms(row[s.key])).join(" | ") + " |");
}

process.stdout.write(lines.join("\n") + "\n");

function size(bytes) {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 1e6) return `${bytes / 1e6} MB`;
  if (bytes >= 1e3) return `${bytes / 1e3} kB`;
  return `${bytes} B`;
}

/** A log-log line chart of each series' round-trip time (ms) against payload size (bytes). */
function plot(rows, series) {
  const W = 720, H = 440, L = 70, R = 230, T = 30, B = 50;
  const xs = rows.map((r) => r.round);
  const ys = rows.flatMap((r) => series.map((s) => r[s.key])).filter((v) => v > 0);
  const x0 = Math.log10(Math.min(...xs)), x1 = Math.log10(Math.max(...xs));
  const y0 = Math.floor(Math.log10(Math.min(...ys))), y1 = Math.ceil(Math.log10(Math.max(...ys)));
  const px = (v) => L + ((Math.log10(v) - x0) / (x1 - x0)) * (W - L - R);
  const py = (v) => H - B - ((Math.log10(v) - y0) / (y1 - y0)) * (H - T - B);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="14">Round-trip time against payload size (Node frontend → Rust backend, log-log)</text>`,
  ];
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)} ms</text>`);
  }
  for (const v of xs) {
    const xv = px(v);
    parts.push(`<line x1="${xv}" x2="${xv}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    parts.push(`<text x="${xv}" y="${H - B + 16}" text-anchor="middle">${size(v)}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">payload (bytes echoed each way)</text>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  series.forEach((s, i) => {
    const points = rows.filter((r) => r[s.key] > 0).map((r) => `${px(r.round).toFixed(1)},${py(r[s.key]).toFixed(1)}`);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.join(" ")}"/>`);
    for (const p of points) {
      const [cx, cy] = p.split(",");
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = T + 16 + i * 20;
    parts.push(`<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${W - R + 42}" y="${ly}">${s.label}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
