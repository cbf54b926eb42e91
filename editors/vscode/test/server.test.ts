//! Finding the server binary and the messages about it (`src/server.ts`), on real files in a
//! scratch folder under `out/`.

import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import {
  DEFAULT_SERVER_ARGS,
  PATH_SETTING,
  readServerSettings,
  resolveServerCommand,
  serverCommandLine,
  serverNotFoundMessage,
  serverStartFailedMessage,
} from "../src/server";
import { extensionDir } from "./tokenize";

const scratch = path.join(extensionDir, "out", "scratch", "server-test");
const binDir = path.join(scratch, "bin");
const workspace = path.join(scratch, "workspace");
const posix = process.platform !== "win32";

before(() => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  mkdirSync(path.join(workspace, "target", "debug"), { recursive: true });
  for (const file of [path.join(binDir, "ipcc"), path.join(workspace, "target", "debug", "ipcc")]) {
    writeFileSync(file, "#!/bin/sh\nexit 0\n");
    chmodSync(file, 0o755);
  }
  writeFileSync(path.join(binDir, "not-executable"), "");
  chmodSync(path.join(binDir, "not-executable"), 0o644);
  mkdirSync(path.join(binDir, "a-folder"));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test("settings: the defaults, and a value of the wrong type falls back to them", () => {
  assert.deepEqual(readServerSettings(() => undefined), { path: "ipcc", args: ["lsp"] });
  assert.deepEqual(readServerSettings((k) => (k === "server.path" ? "  " : 42)), { path: "ipcc", args: [...DEFAULT_SERVER_ARGS] });
  assert.deepEqual(readServerSettings((k) => (k === "server.args" ? ["lsp", 3] : undefined)).args, ["lsp"]);
  assert.deepEqual(readServerSettings((k) => (k === "server.path" ? " /opt/ipcc " : ["lsp", "--log", "debug"])), {
    path: "/opt/ipcc",
    args: ["lsp", "--log", "debug"],
  });
  assert.deepEqual(readServerSettings((k) => (k === "server.args" ? [] : undefined)).args, []);
});

test("a bare name is looked up on PATH, in order", () => {
  const env = { PATH: [path.join(scratch, "missing"), binDir].join(path.delimiter) };
  assert.deepEqual(resolveServerCommand("ipcc", { env }), { found: true, command: path.join(binDir, "ipcc") });
  assert.deepEqual(resolveServerCommand("ipcc-nope", { env }), { found: false, expanded: "ipcc-nope", searchedPath: true });
  assert.deepEqual(resolveServerCommand("ipcc", { env: {} }), { found: false, expanded: "ipcc", searchedPath: true });
});

test("a path: absolute, relative to the workspace folder, with ${workspaceFolder} or ~", { skip: !posix }, () => {
  const built = path.join(workspace, "target", "debug", "ipcc");
  assert.deepEqual(resolveServerCommand(built, { env: {} }), { found: true, command: built });
  assert.deepEqual(resolveServerCommand("target/debug/ipcc", { workspaceFolder: workspace, env: {} }), { found: true, command: built });
  assert.deepEqual(resolveServerCommand("./target/debug/ipcc", { workspaceFolder: workspace, env: {} }), { found: true, command: built });
  assert.deepEqual(resolveServerCommand("${workspaceFolder}/target/debug/ipcc", { workspaceFolder: workspace, env: {} }), {
    found: true,
    command: built,
  });
  assert.deepEqual(resolveServerCommand("~/target/debug/ipcc", { homeDir: workspace, env: {} }), { found: true, command: built });
  // A path is never looked up on PATH.
  assert.equal(resolveServerCommand("bin/ipcc", { workspaceFolder: workspace, env: { PATH: binDir } }).found, false);
});

test("a path that is a folder or not executable is reported with the reason", { skip: !posix }, () => {
  const folder = path.join(binDir, "a-folder");
  assert.deepEqual(resolveServerCommand(folder, { env: {} }), { found: false, expanded: folder, searchedPath: false, reason: "it is not a file" });
  const plain = path.join(binDir, "not-executable");
  // (Even for root: access(X_OK) fails on a file without any execute bit.)
  assert.deepEqual(resolveServerCommand(plain, { env: {} }), { found: false, expanded: plain, searchedPath: false, reason: "it is not executable" });
  // On PATH, such files are skipped like missing ones.
  assert.equal(resolveServerCommand("not-executable", { env: { PATH: binDir } }).found, false);
});

test("the not-found message names the setting and says what still works", () => {
  const onPath = serverNotFoundMessage({ path: "ipcc", args: ["lsp"] }, { found: false, expanded: "ipcc", searchedPath: true });
  assert.match(onPath, /`ipcc` was not found on PATH/);
  assert.ok(onPath.includes(`\`${PATH_SETTING}\``), onPath);
  assert.match(onPath, /Highlighting works without it/);

  const configured = serverNotFoundMessage(
    { path: "~/bin/ipcc", args: ["lsp"] },
    { found: false, expanded: "/home/me/bin/ipcc", searchedPath: false },
  );
  assert.match(configured, /`\/home\/me\/bin\/ipcc` does not exist \(from `ipcc.server.path`: `~\/bin\/ipcc`\)/);

  const notExecutable = serverNotFoundMessage(
    { path: "/x/ipcc", args: ["lsp"] },
    { found: false, expanded: "/x/ipcc", searchedPath: false, reason: "it is not executable" },
  );
  assert.match(notExecutable, /`\/x\/ipcc` cannot be started: it is not executable/);
});

test("the start-failed message shows the command line and both settings", () => {
  const message = serverStartFailedMessage("/usr/bin/ipcc", ["lsp"], new Error("Connection closed"));
  assert.match(message, /`\/usr\/bin\/ipcc lsp` failed to start: Connection closed/);
  assert.match(message, /`ipcc.server.path` and `ipcc.server.args`/);
});

test("the command line is exactly the configured one: no --stdio is added", () => {
  const env = { PATH: binDir };
  assert.deepEqual(serverCommandLine({ path: "ipcc", args: ["lsp"] }, { env }), { command: path.join(binDir, "ipcc"), args: ["lsp"] });
  assert.equal(serverCommandLine({ path: "nope", args: ["lsp"] }, { env }), undefined);
});
