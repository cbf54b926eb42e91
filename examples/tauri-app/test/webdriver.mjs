// A small WebDriver client (the W3C protocol over fetch) and the tauri-driver process, shared
// by the end-to-end test and the benchmark (bench/tauri/run).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
