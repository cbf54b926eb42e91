//! The injection grammar that highlights ```ipc fenced code blocks in Markdown, on a stand-in for
//! VS Code's Markdown grammar (only its scope name matters to an injection), and on every
//! Markdown file of docs/.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as textmate from "vscode-textmate";
import { extensionDir, grammarPath, loadOnigLib, repoDir } from "./tokenize";

const MARKDOWN = "text.html.markdown";
const INJECTION = "markdown.ipc.codeblock";
const injectionPath = path.join(extensionDir, "syntaxes", "ipc.markdown.tmLanguage.json");

async function markdownGrammar(): Promise<textmate.IGrammar> {
  const sources: Record<string, { file: string; text: string }> = {
    [MARKDOWN]: { file: "markdown.json", text: JSON.stringify({ scopeName: MARKDOWN, patterns: [] }) },
    "source.ipc": { file: grammarPath, text: readFileSync(grammarPath, "utf8") },
    [INJECTION]: { file: injectionPath, text: readFileSync(injectionPath, "utf8") },
  };
  const registry = new textmate.Registry({
    onigLib: loadOnigLib(),
    loadGrammar: async (scopeName) => {
      const source = sources[scopeName];
      return source === undefined ? null : textmate.parseRawGrammar(source.text, source.file);
    },
    getInjections: (scopeName) => (scopeName === MARKDOWN ? [INJECTION] : undefined),
  });
  const grammar = await registry.loadGrammar(MARKDOWN);
  assert.ok(grammar !== null);
  return grammar;
}

/** Every token of `text`, with the line it is on. */
function tokenize(grammar: textmate.IGrammar, text: string): { line: number; text: string; scopes: string[] }[] {
  let state = textmate.INITIAL;
  const out: { line: number; text: string; scopes: string[] }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state, 1000);
    assert.ok(!result.stoppedEarly, `tokenizing took too long: ${line}`);
    state = result.ruleStack;
    for (const token of result.tokens) out.push({ line: index, text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
  });
  return out;
}

test("package.json injects the grammar into Markdown and maps its embedded scope to the language", () => {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
    contributes: { grammars: { scopeName: string; path: string; injectTo?: string[]; embeddedLanguages?: Record<string, string> }[] };
  };
  const entry = manifest.contributes.grammars.find((g) => g.scopeName === INJECTION);
  assert.ok(entry !== undefined);
  assert.equal(path.resolve(extensionDir, entry.path), injectionPath);
  assert.deepEqual(entry.injectTo, [MARKDOWN]);
  assert.deepEqual(entry.embeddedLanguages, { "meta.embedded.block.ipc": "ipc" });
});

test("an ```ipc block is highlighted as .ipc, and the text around it is not", async () => {
  const text = "# Title\n\nstruct outside\n\n```ipc\nstruct Token { type: string; }\n```\n\nstruct after\n";
  const tokens = tokenize(await markdownGrammar(), text);
  const inside = tokens.filter((t) => t.line === 5);
  const struct = inside.find((t) => t.text === "struct");
  assert.ok(struct !== undefined && struct.scopes.includes("meta.embedded.block.ipc"), JSON.stringify(inside));
  assert.ok(struct.scopes.includes("storage.type.struct.ipc"));
  assert.ok(inside.find((t) => t.text === "type")?.scopes.includes("variable.other.property.ipc"));
  for (const line of [2, 8]) {
    for (const token of tokens.filter((t) => t.line === line)) assert.ok(!token.scopes.some((s) => s.endsWith(".ipc")), JSON.stringify(token));
  }
  assert.ok(tokens.find((t) => t.line === 4 && t.text === "ipc")?.scopes.includes("fenced_code.block.language.markdown"));
});

test("every ```ipc block of docs/ is highlighted, and the block ends at its fence", async () => {
  const grammar = await markdownGrammar();
  const docs = readdirSync(path.join(repoDir, "docs")).filter((f) => f.endsWith(".md"));
  let blocks = 0;
  for (const doc of docs) {
    const text = readFileSync(path.join(repoDir, "docs", doc), "utf8");
    const lines = text.split(/\r?\n/);
    const byLine = new Map<number, { text: string; scopes: string[] }[]>();
    for (const token of tokenize(grammar, text)) byLine.set(token.line, [...(byLine.get(token.line) ?? []), token]);
    let inBlock = false;
    lines.forEach((line, index) => {
      const fence = /^\s*```/.test(line);
      if (!inBlock && /^\s*```ipc\s*$/.test(line)) {
        inBlock = true;
        blocks++;
        return;
      }
      if (inBlock && fence) {
        inBlock = false;
        return;
      }
      const lineTokens = (byLine.get(index) ?? []).filter((t) => t.text.trim() !== "");
      const embedded = lineTokens.every((t) => t.scopes.includes("meta.embedded.block.ipc"));
      const plain = lineTokens.every((t) => !t.scopes.some((s) => s.endsWith(".ipc")));
      assert.ok(inBlock ? embedded : plain, `${doc}:${index + 1}: ${line}`);
    });
  }
  assert.ok(blocks > 20, `only ${blocks} blocks found`);
});
