// The page of the browser benchmark (bundled by browser.mjs with esbuild): the small call
// through runtime-ts's browser WebSocket transport and generated code, and a raw browser
// WebSocket echo of the same text, exposed to the driver as `window.bench`.
import { IpcConnection } from "ipcc-runtime";
import { connectBrowserWebSocket } from "ipcc-runtime/browser";
import { echoClient, echoDescriptor, echoEventsDescriptor } from "GENERATED/vectors.js";

const HELLO = "hello from the frontend, forty chars abc";

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function latencies(call, n, warm) {
  for (let i = 0; i < warm; i++) await call();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    out[i] = (performance.now() - t) * 1000;
  }
  return { p50: quantile(out, 0.5), p99: quantile(out, 0.99) };
}

async function pipelined(call, depth, batches) {
  const batch = () => Promise.all(Array.from({ length: depth }, call));
  for (let i = 0; i < Math.max(2, batches / 10); i++) await batch();
  const t = performance.now();
  for (let i = 0; i < batches; i++) await batch();
  return (depth * batches) / ((performance.now() - t) / 1000);
}

let echo;
let raw;
let text;

window.bench = {
  crossOriginIsolated: () => globalThis.crossOriginIsolated === true,
  async setup(ipccUrl, rawUrl) {
    const socket = await connectBrowserWebSocket(ipccUrl);
    const sent = [];
    const send = socket.send;
    socket.send = (message) => {
      if (sent.length < 16 && typeof message === "string") sent.push(message);
      send(message);
    };
    const conn = new IpcConnection(socket, { channels: [echoDescriptor, echoEventsDescriptor] });
    await conn.ready;
    echo = echoClient(conn);
    const before = sent.length;
    await echo.echoString(HELLO);
    text = sent[before];
    const ws = new WebSocket(rawUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const waiters = [];
    ws.onmessage = () => waiters.shift()?.();
    raw = (message) =>
      new Promise((resolve) => {
        waiters.push(resolve);
        ws.send(message);
      });
    return text;
  },
  async round(calls, batches) {
    const ipcc = await latencies(() => echo.echoString(HELLO), calls, calls / 10);
    const rawEcho = await latencies(() => raw(text), calls, calls / 10);
    const ipcc64 = await pipelined(() => echo.echoString(HELLO), 64, batches);
    const raw64 = await pipelined(() => raw(text), 64, batches);
    return { ipcc, raw: rawEcho, ipcc64, raw64 };
  },
};
