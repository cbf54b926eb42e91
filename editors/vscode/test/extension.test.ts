//! The client (`src/extension.ts`) run under Node against stand-ins for the `vscode` API and for
//! `vscode-languageclient`'s `LanguageClient`, which only exist inside VS Code: what it starts,
//! when it restarts, and what it tells the user. The stand-ins record what the extension asked
//! for; the binary it resolves is a real file in a scratch folder under `out/`.

import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { extensionDir } from "./tokenize";

const scratch = path.join(extensionDir, "out", "scratch", "extension-test");
const binDir = path.join(scratch, "bin");
const workspace = path.join(scratch, "workspace");
const fakeServer = path.join(binDir, "ipcc");

interface Listener<T> {
  (event: T): unknown;
}

/** Wakes `until` whenever a stand-in records something. */
let wakeWaiters: (() => void)[] = [];
function recorded(): void {
  const waiters = wakeWaiters;
  wakeWaiters = [];
  for (const wake of waiters) wake();
}

/** What the stand-ins recorded, and how they behave. */
const host = {
  config: {} as Record<string, unknown>,
  errors: [] as { message: string; items: string[] }[],
  errorChoice: undefined as string | undefined,
  executed: [] as unknown[][],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  configListeners: [] as Listener<{ affectsConfiguration(section: string): boolean }>[],
  clients: [] as FakeLanguageClient[],
  startError: undefined as Error | undefined,
  outputShown: 0,
};

class FakeLanguageClient {
  started = false;
  disposed = false;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: Record<string, unknown>,
    readonly clientOptions: Record<string, unknown>,
  ) {
    host.clients.push(this);
    recorded();
  }
  async start(): Promise<void> {
    await Promise.resolve();
    if (host.startError !== undefined) throw host.startError;
    this.started = true;
    recorded();
  }
  async dispose(): Promise<void> {
    await Promise.resolve();
    this.disposed = true;
    recorded();
  }
}

const disposable = { dispose(): void {} };
const fakeVscode = {
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show: () => {
        host.outputShown++;
        recorded();
      }, dispose() {} }),
    showErrorMessage: async (message: string, ...items: string[]) => {
      host.errors.push({ message, items });
      recorded();
      return host.errorChoice;
    },
  },
  workspace: {
    workspaceFolders: [{ uri: { scheme: "file", fsPath: workspace } }],
    getConfiguration: (section: string) => {
      assert.equal(section, "ipcc");
      return { get: (key: string) => host.config[key] };
    },
    onDidChangeConfiguration: (listener: Listener<{ affectsConfiguration(section: string): boolean }>) => {
      host.configListeners.push(listener);
      return disposable;
    },
    createFileSystemWatcher: () => disposable,
  },
  commands: {
    registerCommand: (id: string, run: (...args: unknown[]) => unknown) => {
      host.commands.set(id, run);
      return disposable;
    },
    executeCommand: async (...args: unknown[]) => {
      host.executed.push(args);
      recorded();
    },
  },
};

interface ExtensionModule {
  activate(context: { subscriptions: { dispose(): unknown }[] }): void;
  deactivate(): Promise<void>;
}

let extension: ExtensionModule;
const context = { subscriptions: [] as { dispose(): unknown }[] };
const savedPath = process.env.PATH;

before(() => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(fakeServer, "#!/bin/sh\nexit 0\n");
  chmodSync(fakeServer, 0o755);
  process.env.PATH = binDir;

  // Serve the stand-ins to the extension's `require("vscode")` and `require("vscode-languageclient/node")`.
  const moduleApi = require("node:module") as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = moduleApi._load;
  moduleApi._load = function (request: string, ...rest: unknown[]) {
    if (request === "vscode") return fakeVscode;
    if (request === "vscode-languageclient/node") return { LanguageClient: FakeLanguageClient };
    return load.call(this, request, ...rest);
  };
  extension = require("../src/extension") as ExtensionModule;
});

after(async () => {
  await extension.deactivate();
  process.env.PATH = savedPath;
  rmSync(scratch, { recursive: true, force: true });
});

/** Waits until `condition` holds, checked whenever a stand-in records something (the extension
 * starts the server without blocking activation); fails after 10 s (a hang guard). */
async function until(condition: () => boolean, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for: ${what}`)), 10_000);
  });
  try {
    while (!condition()) await Promise.race([new Promise<void>((resolve) => wakeWaiters.push(resolve)), hang]);
  } finally {
    clearTimeout(timer);
  }
}

const running = (): FakeLanguageClient[] => host.clients.filter((c) => c.started && !c.disposed);

/** Fires a configuration change of the settings `changed` (full names). */
async function changeSettings(...changed: string[]): Promise<void> {
  const event = { affectsConfiguration: (section: string) => changed.some((c) => c === section || c.startsWith(`${section}.`)) };
  await Promise.all(host.configListeners.map((l) => l(event)));
}

test("activation starts `ipcc lsp` from PATH over stdio for .ipc documents", async () => {
  extension.activate(context);
  await until(() => running().length === 1, "a started client");
  const client = host.clients[0]!;
  assert.equal(client.id, "ipcc");
  assert.deepEqual(client.serverOptions, { command: fakeServer, args: ["lsp"], options: { cwd: workspace } });
  assert.ok(!("transport" in client.serverOptions), "a transport would make the client append --stdio");
  assert.deepEqual(client.clientOptions.documentSelector, [
    { language: "ipc", scheme: "file" },
    { language: "ipc", scheme: "untitled" },
  ]);
  assert.equal(host.errors.length, 0);
});

test("the commands registered are the ones package.json declares", () => {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
    contributes: { commands: { command: string }[] };
  };
  assert.deepEqual([...host.commands.keys()].sort(), manifest.contributes.commands.map((c) => c.command).sort());
});

test("a change of ipcc.server.args restarts the server with the new arguments; other changes do not", async () => {
  host.config["server.args"] = ["lsp", "--log", "debug"];
  await changeSettings("ipcc.server.args");
  await until(() => host.clients.length === 2 && running().length === 1 && running()[0] === host.clients[1], "a restarted client");
  assert.ok(host.clients[0]!.disposed);
  assert.deepEqual(host.clients[1]!.serverOptions.args, ["lsp", "--log", "debug"]);

  await changeSettings("editor.fontSize", "ipcc.trace.server");
  // Then a change that does restart, with arguments of its own: restarts run one after another,
  // so had the first change restarted too, its client would come before this one.
  host.config["server.args"] = ["lsp", "--log", "info"];
  await changeSettings("ipcc.server.args");
  await until(() => running().length === 1 && JSON.stringify(running()[0]!.serverOptions.args) === JSON.stringify(["lsp", "--log", "info"]), "the restarted client");
  assert.equal(host.clients.length, 3, "an unrelated setting restarted the server");
});

test("several changes in a row leave exactly one server running", async () => {
  const before = host.clients.length;
  void changeSettings("ipcc.server.path");
  void changeSettings("ipcc.server.args");
  void changeSettings("ipcc.server.path");
  await until(() => host.clients.length === before + 3, "three restarts");
  await until(() => running().length === 1, "one running client");
  assert.equal(running()[0], host.clients[host.clients.length - 1]);
});

test("a binary that is not found: the old server stops, a message names the setting, Open Settings opens it", async () => {
  host.config["server.path"] = "ipcc-not-installed";
  host.errorChoice = "Open Settings";
  const before = host.clients.length;
  await host.commands.get("ipcc.restartServer")!();
  assert.equal(host.clients.length, before, "nothing is started");
  assert.equal(running().length, 0);
  const error = host.errors.at(-1)!;
  assert.match(error.message, /`ipcc-not-installed` was not found on PATH/);
  assert.match(error.message, /`ipcc.server.path`/);
  assert.deepEqual(error.items, ["Open Settings", "Show Output"]);
  await until(() => host.executed.length > 0, "the settings command");
  assert.deepEqual(host.executed.at(-1), ["workbench.action.openSettings", "ipcc.server.path"]);
});

test("a path relative to the workspace folder", async () => {
  const local = path.join(workspace, "target", "debug", "ipcc");
  mkdirSync(path.dirname(local), { recursive: true });
  writeFileSync(local, "#!/bin/sh\nexit 0\n");
  chmodSync(local, 0o755);
  host.config["server.path"] = "target/debug/ipcc";
  host.config["server.args"] = undefined;
  await changeSettings("ipcc.server.path");
  await until(() => running().length === 1, "a started client");
  assert.deepEqual(running()[0]!.serverOptions.command, local);
  assert.deepEqual(running()[0]!.serverOptions.args, ["lsp"]);
});

test("a server that fails to start is reported with its command line, and Show Output shows the log", async () => {
  host.startError = new Error("the server exited with code 2");
  host.errorChoice = "Show Output";
  const shown = host.outputShown;
  await host.commands.get("ipcc.restartServer")!();
  host.startError = undefined;
  assert.equal(running().length, 0);
  assert.ok(host.clients.at(-1)!.disposed);
  assert.match(host.errors.at(-1)!.message, /target\/debug\/ipcc lsp` failed to start: the server exited with code 2/);
  await until(() => host.outputShown > shown, "the output shown");
});

test("the Restart command starts it again, and deactivation stops it", async () => {
  await host.commands.get("ipcc.restartServer")!();
  assert.equal(running().length, 1);
  await extension.deactivate();
  assert.equal(running().length, 0);
  assert.ok(host.clients.every((c) => c.disposed || !c.started));
});
