//! Tokenizes `.ipc` text with the extension's grammar through `vscode-textmate` and
//! `vscode-oniguruma`, the engine VS Code itself uses, and renders the tokens as the text of a
//! scope snapshot.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

/** `editors/vscode` (this file runs as `out/test/tokenize.js`). */
export const extensionDir = path.resolve(__dirname, "..", "..");
/** The repository's root. */
export const repoDir = path.resolve(extensionDir, "..", "..");
export const grammarPath = path.join(extensionDir, "syntaxes", "ipc.tmLanguage.json");
export const snapshotDir = path.join(extensionDir, "test", "snapshots");
/** Setting this variable to `1` makes the snapshot test write the snapshots instead of comparing. */
export const UPDATE_VARIABLE = "IPCC_UPDATE_GRAMMAR_SNAPSHOTS";
/** The folders (relative to the repository) whose `.ipc` files are all snapshotted. */
export const corpusDirs = ["idl-examples", "compiler/tests/ui/pass"];

const ROOT_SCOPE = "source.ipc";

let onigLib: Promise<textmate.IOnigLib> | undefined;

/** The Oniguruma WebAssembly build, loaded once per process. */
export function loadOnigLib(): Promise<textmate.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLib;
}

/** The grammar as JSON text: the extension's own file unless another text is given (tests that break a rule). */
export function readGrammarText(): string {
  return readFileSync(grammarPath, "utf8");
}

/** Loads `source.ipc` from `grammarText` (by default the extension's grammar file). */
export async function loadGrammar(grammarText: string = readGrammarText()): Promise<textmate.IGrammar> {
  const registry = new textmate.Registry({
    onigLib: loadOnigLib(),
    loadGrammar: async (scopeName) =>
      scopeName === ROOT_SCOPE ? textmate.parseRawGrammar(grammarText, grammarPath) : null,
  });
  const grammar = await registry.loadGrammar(ROOT_SCOPE);
  if (grammar === null) throw new Error(`${grammarPath} does not define ${ROOT_SCOPE}`);
  return grammar;
}

/** One token: its text and its scopes, outermost first, without the root `source.ipc`. */
export interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

/** Bounds the time spent on one line, as VS Code does, so that a runaway regex fails a test instead of hanging it. */
const LINE_TIME_LIMIT_MS = 1000;

/**
 * Tokenizes `text` line by line (LF or CRLF), carrying the grammar's state from one line to the
 * next as an editor does. Adjacent tokens with the same scopes are merged.
 */
export function tokenizeLines(grammar: textmate.IGrammar, text: string): Token[][] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let state = textmate.INITIAL;
  const result: Token[][] = [];
  for (const line of lines) {
    const tokenized = grammar.tokenizeLine(line, state, LINE_TIME_LIMIT_MS);
    if (tokenized.stoppedEarly) throw new Error(`tokenizing took longer than ${LINE_TIME_LIMIT_MS} ms: ${line}`);
    state = tokenized.ruleStack;
    const tokens: Token[] = [];
    for (const token of tokenized.tokens) {
      const tokenText = line.slice(token.startIndex, Math.min(token.endIndex, line.length));
      if (tokenText === "") continue;
      const scopes = token.scopes.filter((s, i) => !(i === 0 && s === ROOT_SCOPE));
      const previous = tokens[tokens.length - 1];
      if (previous !== undefined && sameScopes(previous.scopes, scopes)) {
        tokens[tokens.length - 1] = { text: previous.text + tokenText, scopes };
      } else {
        tokens.push({ text: tokenText, scopes });
      }
    }
    result.push(tokens);
  }
  return result;
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The column where a token's scopes start in a snapshot. */
const SCOPE_COLUMN = 20;

/**
 * The snapshot of `file` (a path relative to the repository, with `/`): a short header, then
 * every source line after `> `, each followed by its tokens, one per line, with their scopes.
 * Whitespace-only tokens are left out; the `.ipc` suffix every scope has is dropped (a test
 * checks that every scope has it).
 */
export function renderSnapshot(file: string, lines: readonly (readonly Token[])[], sourceLines: readonly string[]): string {
  const out = [
    `# Scopes of ${file} (syntaxes/ipc.tmLanguage.json).`,
    `# Each source line after "> ", then its tokens with their scopes, outermost first, without`,
    `# source.ipc and the .ipc suffix. Regenerate with \`npm run snapshots:update\` and review the diff.`,
  ];
  lines.forEach((tokens, i) => {
    out.push(`> ${sourceLines[i] ?? ""}`.trimEnd());
    for (const token of tokens) {
      const text = token.text.trim();
      if (text === "") continue;
      const scopes = token.scopes.map((s) => s.replace(/\.ipc$/, "")).join(" ");
      out.push(`  ${text.padEnd(SCOPE_COLUMN - 2)}${text.length >= SCOPE_COLUMN - 2 ? "  " : ""}${scopes}`);
    }
  });
  return out.join("\n") + "\n";
}

/** The source lines of `text` as `tokenizeLines` splits them. */
export function sourceLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Every `.ipc` file of the corpus, relative to the repository, with `/`, sorted. */
export function corpusFiles(): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(repoDir, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith(".ipc")) files.push(child);
    }
  };
  for (const dir of corpusDirs) walk(dir);
  return files.sort();
}

/** Where the snapshot of a corpus file is kept. */
export function snapshotPath(file: string): string {
  return path.join(snapshotDir, ...`${file}.txt`.split("/"));
}

/** Tokenizes a file's text and renders its snapshot. */
export function snapshotOf(grammar: textmate.IGrammar, file: string, text: string): string {
  return renderSnapshot(file, tokenizeLines(grammar, text), sourceLines(text));
}
