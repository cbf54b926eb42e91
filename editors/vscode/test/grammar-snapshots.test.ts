//! Every `.ipc` file of idl-examples/ and compiler/tests/ui/pass/ tokenized with the grammar,
//! compared with its committed scope snapshot in test/snapshots/. `npm run snapshots:update`
//! rewrites them (and removes the snapshots of deleted examples); review the diff.

import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import type { IGrammar } from "vscode-textmate";
import {
  UPDATE_VARIABLE,
  corpusFiles,
  loadGrammar,
  readGrammarText,
  repoDir,
  snapshotDir,
  snapshotOf,
  snapshotPath,
  tokenizeLines,
} from "./tokenize";

const updating = process.env[UPDATE_VARIABLE] === "1";
const files = corpusFiles();
let grammar: Promise<IGrammar> | undefined;
const ipcGrammar = (): Promise<IGrammar> => (grammar ??= loadGrammar());

test("the corpus has the examples", () => {
  // A wrong folder would otherwise snapshot nothing and pass.
  assert.ok(files.length >= 15, `only ${files.length} files found: ${files.join(", ")}`);
  assert.ok(files.includes("idl-examples/conformance.ipc"));
  assert.ok(files.includes("compiler/tests/ui/pass/keywords.ipc"));
});

for (const file of files) {
  test(`scopes of ${file}`, async () => {
    const text = readFileSync(path.join(repoDir, file), "utf8");
    const actual = snapshotOf(await ipcGrammar(), file, text);
    const where = snapshotPath(file);
    if (updating) {
      mkdirSync(path.dirname(where), { recursive: true });
      writeFileSync(where, actual);
      return;
    }
    assert.ok(existsSync(where), `no snapshot for ${file}: run \`npm run snapshots:update\` in editors/vscode and review it`);
    const expected = readFileSync(where, "utf8");
    if (actual !== expected) {
      assert.fail(`the scopes of ${file} changed (run \`npm run snapshots:update\` and review the diff):\n${firstDifference(expected, actual)}`);
    }
  });
}

test("no snapshot is left without its example", () => {
  const expected = new Set(files.map(snapshotPath));
  const stale: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (!expected.has(child)) stale.push(child);
    }
  };
  walk(snapshotDir);
  if (updating) {
    for (const file of stale) rmSync(file);
    return;
  }
  assert.deepEqual(stale.map((f) => path.relative(snapshotDir, f)), [], "run `npm run snapshots:update` to remove them");
});

test("every scope of the corpus ends in .ipc (the snapshots leave the suffix out)", async () => {
  const wrong = new Set<string>();
  for (const file of files) {
    for (const line of tokenizeLines(await ipcGrammar(), readFileSync(path.join(repoDir, file), "utf8"))) {
      for (const token of line) for (const scope of token.scopes) if (!scope.endsWith(".ipc")) wrong.add(scope);
    }
  }
  assert.deepEqual([...wrong], []);
});

test("a broken rule fails the snapshots", async () => {
  // The comparison above must be able to fail: the grammar without its doc-comment rule gives
  // other scopes for a file with doc comments.
  const raw = JSON.parse(readGrammarText()) as { repository: Record<string, unknown> };
  raw.repository["doc-comment"] = { match: "(?!)" };
  const broken = await loadGrammar(JSON.stringify(raw));
  const file = "idl-examples/docs-and-deprecation.ipc";
  const text = readFileSync(path.join(repoDir, file), "utf8");
  assert.notEqual(snapshotOf(broken, file, text), snapshotOf(await ipcGrammar(), file, text));
});

/** The first place where two snapshots differ, with a few lines around it, and how many lines differ. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split("\n");
  const got = actual.split("\n");
  let first = 0;
  while (first < want.length && first < got.length && want[first] === got[first]) first++;
  let differing = 0;
  for (let i = 0; i < Math.max(want.length, got.length); i++) if (want[i] !== got[i]) differing++;
  const from = Math.max(0, first - 3);
  const context = (lines: string[]): string => lines.slice(from, first + 4).map((l, i) => `${String(from + i + 1).padStart(6)}  ${l}`).join("\n");
  return `${differing} line(s) differ; first at line ${first + 1}\nexpected (snapshot):\n${context(want)}\nactual:\n${context(got)}`;
}
