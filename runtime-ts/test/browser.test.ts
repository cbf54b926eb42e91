//! The browser entry points: no Node-only globals or imports in common/ and browser/, and the browser WebSocket transport against a real server.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { WebSocket as NodeWs } from "ws";
import { connectBrowserWebSocket } from "../src/browser/index.js";
import { callMethod, IpcConnection, IpcHost, isIpcErrorCode } from "../src/common/index.js";
import { WebSocketBackend } from "../src/node/index.js";
import { echoDescriptor, echoImpl } from "./fixtures/echo.js";
import { packageDir } from "./paths.js";
import { within } from "./probe.js";

/** Identifiers a browser does not have. */
const nodeOnly = new Set(["Buffer", "process", "require", "module", "__dirname", "__filename", "global", "setImmediate"]);

test("dist/common and dist/browser use no Node-only globals and import nothing outside the package", () => {
  for (const part of ["common", "browser"]) {
    const dir = join(packageDir, "dist", part);
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(dir, name), "utf8");
      const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, text);
      for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
        if (t === ts.SyntaxKind.Identifier) assert.ok(!nodeOnly.has(scanner.getTokenText()), `${part}/${name} uses ${scanner.getTokenText()}`);
      }
      for (const m of text.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        assert.ok(m[1]!.startsWith("./") || m[1]!.startsWith("../common/"), `${part}/${name} imports ${m[1]}`);
      }
    }
  }
});

test("connectBrowserWebSocket talks to a host through a WHATWG-style WebSocket", async () => {
  const host = new IpcHost({ token: "t" });
  let waiting!: () => void;
  const running = new Promise<void>((resolve) => (waiting = resolve));
  host.register(echoDescriptor, echoImpl(host, { aborted: [] }, () => waiting()));
  const backend = await WebSocketBackend.listen({ allowedOrigins: ["*"] });
  host.serve(backend);
  try {
    // ws's client implements the browser API used here (addEventListener, readyState, send, close).
    const socket = await connectBrowserWebSocket(backend.url, { WebSocket: NodeWs as unknown as typeof WebSocket });
    const conn = new IpcConnection(socket, { token: "t", channels: [echoDescriptor] });
    assert.deepEqual(await callMethod(echoDescriptor, "echoBytes", [new Uint8Array([1, 2, 3])], undefined, conn), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await callMethod(echoDescriptor, "echoI64", [-5n], undefined, conn), -5n);
    const pending = callMethod(echoDescriptor, "wait", [], undefined, conn);
    // The host shuts down with the call's handler running.
    await within(running, "the handler of `wait` running");
    await host.shutdown();
    await assert.rejects(pending, (e: unknown) => isIpcErrorCode(e, "disconnected"));
  } finally {
    await host.shutdown();
  }
  await assert.rejects(
    connectBrowserWebSocket(backend.url, { WebSocket: NodeWs as unknown as typeof WebSocket }),
    (e: unknown) => isIpcErrorCode(e, "disconnected"),
  );
});
