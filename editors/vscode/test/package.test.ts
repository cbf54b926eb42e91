//! `npm run package` builds a .vsix with @vscode/vsce, offline; the archive holds the manifest,
//! the grammar, the language configuration and the bundled client, and nothing else of ours.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { before, test } from "node:test";
import { extensionDir } from "./tokenize";
import { readZip, type ZipEntry } from "./zip";

const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
  name: string;
  version: string;
  main: string;
};
const vsixPath = path.join(extensionDir, "dist", `${manifest.name}-${manifest.version}.vsix`);
let entries: Map<string, ZipEntry>;

before(() => {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "--silent", "package"], { cwd: extensionDir, encoding: "utf8", shell: process.platform === "win32" });
  assert.equal(result.status, 0, `npm run package failed:\n${result.stdout}\n${result.stderr}`);
  entries = new Map(readZip(readFileSync(vsixPath)).map((e) => [e.name, e]));
});

const text = (name: string): string => {
  const entry = entries.get(name);
  assert.ok(entry !== undefined, `${name} is not in the .vsix: ${[...entries.keys()].join(", ")}`);
  return entry.read().toString("utf8");
};

test("the .vsix holds the manifest, the grammar, the language configuration and the bundled client", () => {
  const main = `extension/${path.posix.normalize(manifest.main)}`;
  assert.deepEqual([...entries.keys()].filter((n) => n.startsWith("extension/")).sort(), [
    "extension/LICENSE.txt",
    "extension/changelog.md",
    "extension/language-configuration.json",
    main,
    "extension/package.json",
    "extension/readme.md",
    "extension/syntaxes/ipc.markdown.tmLanguage.json",
    "extension/syntaxes/ipc.tmLanguage.json",
  ].sort());
  assert.ok(entries.has("extension.vsixmanifest"));
});

test("its files are the sources' own", () => {
  assert.deepEqual(JSON.parse(text("extension/package.json")), JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")));
  for (const file of ["syntaxes/ipc.tmLanguage.json", "syntaxes/ipc.markdown.tmLanguage.json", "language-configuration.json"]) {
    assert.equal(text(`extension/${file}`), readFileSync(path.join(extensionDir, file), "utf8"), file);
  }
});

test("the bundled client needs nothing but VS Code and Node's own modules", () => {
  const bundle = text(`extension/${path.posix.normalize(manifest.main)}`);
  const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
  const builtins = new Set(builtinModules);
  const foreign = [...required].filter((m) => m !== "vscode" && !builtins.has(m.replace(/^node:/, "")));
  assert.deepEqual(foreign, []);
  assert.ok(required.has("vscode"));
  // The client itself and vscode-languageclient are inside.
  assert.match(bundle, /ipcc\.restartServer/);
  assert.match(bundle, /node_modules\/vscode-languageclient\/lib\/node\/main.js/);
});

test("the manifest inside names the language, the grammar and the settings", () => {
  const packed = text("extension.vsixmanifest");
  assert.match(packed, /Id="ipcc-vscode"/);
  assert.match(packed, /Publisher="ipcc"/);
});

test("the bundled client loads, and exports activate and deactivate", () => {
  // Loaded from the archive, with a stand-in for `vscode` whose every export is a class
  // (vscode-languageclient subclasses some of them when it loads): this catches a bundle that
  // cannot even be loaded, which no type check would.
  const bundlePath = path.join(extensionDir, "out", "scratch", "vsix", "extension.js");
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, text(`extension/${path.posix.normalize(manifest.main)}`));

  const handler: ProxyHandler<Record<string | symbol, unknown>> = {
    get(target, property) {
      if (property === "__esModule") return false;
      if (property === "version") return "1.91.0";
      if (!(property in target)) target[property] = new Proxy(class {}, handler as ProxyHandler<object>);
      return target[property];
    },
  };
  const fakeVscode = new Proxy<Record<string | symbol, unknown>>({}, handler);
  // `import * as vscode` copies the module's own names: give the stand-in every name VS Code exports.
  const typings = readFileSync(require.resolve("@types/vscode/index.d.ts"), "utf8");
  const names = [...typings.matchAll(/^\texport (?:class|namespace|enum|const|let|function) (\w+)/gm)].map((m) => m[1]!);
  assert.ok(names.length > 100 && names.includes("CompletionItem"), `${names.length} names`);
  for (const name of names) void fakeVscode[name];

  const moduleApi = require("node:module") as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = moduleApi._load;
  moduleApi._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? fakeVscode : load.call(this, request, ...rest);
  };
  try {
    const loaded = require(bundlePath) as Record<string, unknown>;
    assert.equal(typeof loaded.activate, "function");
    assert.equal(typeof loaded.deactivate, "function");
  } finally {
    moduleApi._load = load;
  }
});
