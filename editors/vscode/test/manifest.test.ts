//! package.json: the language, the grammar and the settings it declares agree with the files and
//! with the client's defaults, and every dependency is pinned.

import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { DEFAULT_SERVER_ARGS, DEFAULT_SERVER_PATH } from "../src/server";
import { extensionDir, grammarPath } from "./tokenize";

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  license: string;
  main: string;
  repository: { type: string; url: string };
  engines: { vscode: string };
  activationEvents: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    configurationDefaults: Record<string, Record<string, unknown>>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as Manifest;

test("the language: .ipc files, with the language configuration", () => {
  assert.equal(manifest.contributes.languages.length, 1);
  const language = manifest.contributes.languages[0]!;
  assert.equal(language.id, "ipc");
  assert.deepEqual(language.extensions, [".ipc"]);
  assert.ok(existsSync(path.join(extensionDir, language.configuration)), language.configuration);
  assert.ok(manifest.activationEvents.includes("onLanguage:ipc"));
});

test("the grammar: the file exists and defines the declared scope", () => {
  const grammar = manifest.contributes.grammars[0]!;
  assert.equal(grammar.language, "ipc");
  assert.equal(path.resolve(extensionDir, grammar.path), grammarPath);
  assert.equal((JSON.parse(readFileSync(grammarPath, "utf8")) as { scopeName: string }).scopeName, grammar.scopeName);
  assert.equal(grammar.scopeName, "source.ipc");
});

test("the settings' defaults are the client's", () => {
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties["ipcc.server.path"], { ...properties["ipcc.server.path"], type: "string", default: DEFAULT_SERVER_PATH });
  assert.deepEqual(properties["ipcc.server.args"]?.default, [...DEFAULT_SERVER_ARGS]);
  assert.equal(properties["ipcc.server.args"]?.type, "array");
  assert.equal(properties["ipcc.trace.server"]?.default, "off");
});

test("for .ipc files the extension is the formatter", () => {
  assert.equal(manifest.contributes.configurationDefaults["[ipc]"]?.["editor.defaultFormatter"], `${manifest.publisher}.${manifest.name}`);
});

test("what the packager wants: license, repository, engines", () => {
  assert.ok(manifest.license !== "");
  assert.ok(existsSync(path.join(extensionDir, "LICENSE")));
  assert.ok(existsSync(path.join(extensionDir, "CHANGELOG.md")));
  assert.ok(manifest.repository.url !== "");
  // vsce refuses @types/vscode newer than the oldest VS Code the extension admits.
  const engine = manifest.engines.vscode.replace(/^\^/, "");
  assert.equal(manifest.devDependencies["@types/vscode"], engine);
});

test("every dependency is pinned to one version", () => {
  for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version}`);
  }
});

test("an untrusted workspace cannot choose the program the extension starts", () => {
  const capabilities = (manifest as unknown as {
    capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations: string[] } };
  }).capabilities;
  assert.equal(capabilities.untrustedWorkspaces.supported, "limited");
  assert.deepEqual(capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), ["ipcc.server.args", "ipcc.server.path"]);
});
