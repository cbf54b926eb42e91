//! The language configuration: it parses, its regexes compile (VS Code compiles them as
//! JavaScript regexes), and each one does what it is there for on sample lines.

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { extensionDir } from "./tokenize";

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  previousLineText?: string;
  action: { indent: string; appendText?: string; removeText?: number };
}

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  colorizedBracketPairs: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  autoCloseBefore: string;
  surroundingPairs: [string, string][];
  folding: { markers: { start: string; end: string } };
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: OnEnterRule[];
}

const config = JSON.parse(readFileSync(path.join(extensionDir, "language-configuration.json"), "utf8")) as LanguageConfiguration;

test("comments, brackets and pairs", () => {
  assert.deepEqual(config.comments, { lineComment: "//", blockComment: ["/*", "*/"] });
  const brackets = config.brackets.map((b) => b.join(""));
  assert.deepEqual(brackets, ["{}", "[]", "()", "<>"]);
  assert.deepEqual(config.colorizedBracketPairs, config.brackets);
  const autoClosing = config.autoClosingPairs.map((p) => p.open + p.close);
  for (const pair of ["{}", "[]", "()", '""']) assert.ok(autoClosing.includes(pair), pair);
  // `<` is not closed automatically: it is typed far less than it would get in the way.
  assert.ok(!autoClosing.includes("<>"));
  assert.deepEqual(config.autoClosingPairs.find((p) => p.open === '"')?.notIn, ["string", "comment"]);
  const surrounding = config.surroundingPairs.map((p) => p.join(""));
  for (const pair of ["{}", "[]", "()", "<>", '""', "``"]) assert.ok(surrounding.includes(pair), pair);
});

test("every regex compiles", () => {
  const regexes = [
    config.folding.markers.start,
    config.folding.markers.end,
    config.wordPattern,
    config.indentationRules.increaseIndentPattern,
    config.indentationRules.decreaseIndentPattern,
    ...config.onEnterRules.flatMap((r) => [r.beforeText, r.afterText, r.previousLineText]),
  ].filter((r): r is string => r !== undefined);
  assert.equal(regexes.length, 5 + 5 + 1 + 1);
  for (const regex of regexes) assert.doesNotThrow(() => new RegExp(regex), regex);
});

test("folding: braces by indentation and `// #region` markers", () => {
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.ok(start.test("// #region Types"));
  assert.ok(start.test("  //region"));
  assert.ok(end.test("// #endregion"));
  assert.ok(!start.test("// #endregion"));
  assert.ok(!start.test("// regions of the world"));
  assert.ok(!start.test("struct Region {}"));
});

test("the word pattern: identifiers and numbers, not qualified names", () => {
  const words = (text: string): string[] => [...text.matchAll(new RegExp(config.wordPattern, "g"))].map((m) => m[0]);
  assert.deepEqual(words("findPerson(id: people.PersonId): Promise<u64>;"), ["findPerson", "id", "people", "PersonId", "Promise", "u64"]);
  assert.deepEqual(words("const ratio = -1.5e3;"), ["const", "ratio", "-1.5e3"]);
  assert.deepEqual(words("_internal2"), ["_internal2"]);
});

test("indentation after an opening brace, parenthesis or bracket, and before a closing one", () => {
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test("struct Person {"));
  assert.ok(increase.test("  echoMany("));
  assert.ok(!increase.test("struct Unit {}"));
  assert.ok(!increase.test("// a comment {"));
  assert.ok(decrease.test("}"));
  assert.ok(decrease.test("  ): Promise<void>;"));
  assert.ok(!decrease.test("  name: string;"));
});

/** The first on-enter rule that applies, as VS Code picks it. */
function onEnter(beforeText: string, afterText = "", previousLineText = ""): OnEnterRule | undefined {
  return config.onEnterRules.find(
    (rule) =>
      new RegExp(rule.beforeText).test(beforeText) &&
      (rule.afterText === undefined || new RegExp(rule.afterText).test(afterText)) &&
      (rule.previousLineText === undefined || new RegExp(rule.previousLineText).test(previousLineText)),
  );
}

test("Enter continues a `///` doc comment, not a `//` or `////` comment", () => {
  assert.equal(onEnter("/// Says hello.")?.action.appendText, "/// ");
  assert.equal(onEnter("  /// Says hello.")?.action.indent, "none");
  assert.equal(onEnter("  ///")?.action.appendText, "/// ");
  assert.equal(onEnter("// a comment"), undefined);
  assert.equal(onEnter("//// -----"), undefined);
  assert.equal(onEnter("  name: string; /// not at the start"), undefined);
});

test("Enter continues a block comment with ` * `", () => {
  assert.deepEqual(onEnter("/* Block", " */")?.action, { indent: "indentOutdent", appendText: " * " });
  assert.deepEqual(onEnter("/* Block")?.action, { indent: "none", appendText: " * " });
  assert.deepEqual(onEnter(" * more", "", "/* Block")?.action, { indent: "none", appendText: "* " });
  assert.deepEqual(onEnter(" */")?.action, { indent: "none", removeText: 1 });
  assert.equal(onEnter("/* closed */"), undefined);
});
