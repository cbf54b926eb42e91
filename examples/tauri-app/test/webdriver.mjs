// A small WebDriver client (the W3C protocol over fetch) and the tauri-driver process, shared
// by the end-to-end test and the benchmark (bench/tauri/run).

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The debug build of the app (scripts/test.mjs builds it). */
export const appBinary = process.env.TAURI_APP_BINARY ?? join(appDir, "target", "debug", "tauri-app");
/** Screenshots and logs (ignored). */
export const outputDir = join(appDir, "test-output");

/** A free loopback port. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** `tauri-driver` from PATH or cargo's bin folder. */
function tauriDriverPath() {
  const cargoBin = join(process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo"), "bin", "tauri-driver");
  return existsSync(cargoBin) ? cargoBin : "tauri-driver";
}

/** Starts tauri-driver on free ports; resolves once it accepts requests. */
export async function startDriver() {
  if (!existsSync(appBinary)) throw new Error(`${appBinary} is missing: build the app first (npm test builds it)`);
  const port = await freePort();
  const nativePort = await freePort();
  const child = spawn(tauriDriverPath(), ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited (${child.exitCode})`);
    try {
      await fetch(`${url}/status`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** One WebDriver session: the app's process, started by tauri-driver. */
export class WebDriverSession {
  constructor(base) {
    this.base = base;
  }

  static async start(driverUrl, application) {
    const response = await request("POST", `${driverUrl}/session`, {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    return new WebDriverSession(`${driverUrl}/session/${response.sessionId}`);
  }

  windowHandles() {
    return request("GET", `${this.base}/window/handles`);
  }
  switchTo(handle) {
    return request("POST", `${this.base}/window`, { handle });
  }
  closeWindow() {
    return request("DELETE", `${this.base}/window`);
  }
  execute(script, args = []) {
    return request("POST", `${this.base}/execute/sync`, { script, args });
  }
  executeAsync(script, args = []) {
    return request("POST", `${this.base}/execute/async`, { script, args });
  }
  async screenshot() {
    return Buffer.from(await request("GET", `${this.base}/screenshot`), "base64");
  }
  async setScriptTimeout(ms) {
    return request("POST", `${this.base}/timeouts`, { script: ms });
  }
  async end() {
    try {
      await request("DELETE", this.base);
    } catch {
      // The app may already have gone.
    }
  }
}

/**
 * Runs `ipccTests[method](...args)` in the current window's page and answers `{ value }` or
 * `{ error }`. WebDriver's scripts run in a JavaScript world of their own, so the call goes
 * through the DOM the page shares (frontend/src/main.ts).
 */
export function callPage(session, method, ...args) {
  return session.executeAsync(
    `const done = arguments[arguments.length - 1];
     const root = document.documentElement;
     const id = String(Math.random()).slice(2);
     root.dataset.ipccRequest = JSON.stringify({ id, method: ${JSON.stringify(method)}, args: ${JSON.stringify(args)} });
     document.dispatchEvent(new Event("ipcc-test"));
     const poll = () => {
       const answer = root.getAttribute("data-ipcc-result-" + id);
       if (answer === null) return setTimeout(poll, 10);
       root.removeAttribute("data-ipcc-result-" + id);
       done(JSON.parse(answer));
     };
     poll();`,
  );
}

/** The label of the current window's page once its script is ready, else null. */
export function pageLabel(session) {
  return session.execute("return document.documentElement.dataset.ipccLabel || null");
}

async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  }
  if (!response.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json.value).slice(0, 500)}`);
  }
  return "value" in json ? json.value : json;
}

/**
 * The X screen Xvfb keeps in `dir` (its `-fbdir`: the framebuffer as an XWD file) as a PNG.
 * WebKitWebDriver's own screenshot does not answer under Xvfb without compositing, so the test
 * photographs the display the real windows are drawn on.
 */
export function xvfbScreenshot(dir) {
  const xwd = readFileSync(join(dir, "Xvfb_screen0"));
  const u32 = (i) => xwd.readUInt32BE(i * 4);
  const [headerSize, width, height, byteOrder, bitsPerPixel, bytesPerLine, ncolors] = [u32(0), u32(4), u32(5), u32(7), u32(11), u32(12), u32(19)];
  if (bitsPerPixel !== 32) throw new Error(`Xvfb framebuffer: ${bitsPerPixel} bits per pixel, expected 32`);
  const pixels = headerSize + ncolors * 12;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const p = pixels + y * bytesPerLine + x * 4;
      const v = byteOrder === 0 ? xwd.readUInt32LE(p) : xwd.readUInt32BE(p);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = (v >> 16) & 0xff;
      raw[o + 1] = (v >> 8) & 0xff;
      raw[o + 2] = v & 0xff;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
