//! Targeted checks of the grammar: the cases a snapshot would let slip by unnoticed, each on a
//! small text written for it, plus every regex of the grammar compiled by Oniguruma.

import * as assert from "node:assert/strict";
import { test } from "node:test";
import * as oniguruma from "vscode-oniguruma";
import type { IGrammar } from "vscode-textmate";
import { loadGrammar, loadOnigLib, readGrammarText, tokenizeLines, type Token } from "./tokenize";

let grammar: Promise<IGrammar> | undefined;
const ipcGrammar = (): Promise<IGrammar> => (grammar ??= loadGrammar());

/** The tokens of `text`, line by line. */
async function tokens(text: string): Promise<Token[][]> {
  return tokenizeLines(await ipcGrammar(), text);
}

/**
 * The scopes of the `occurrence`-th token (0-based, over the whole text) whose text is exactly
 * `tokenText`; fails when there is none.
 */
async function scopesOf(text: string, tokenText: string, occurrence = 0): Promise<readonly string[]> {
  const all = (await tokens(text)).flat().filter((t) => t.text.trim() === tokenText);
  const token = all[occurrence];
  assert.ok(token !== undefined, `no token ${JSON.stringify(tokenText)} #${occurrence} in:\n${text}\ntokens: ${JSON.stringify((await tokens(text)).flat())}`);
  return token.scopes;
}

/** Asserts that `scopes` contain `expected` and none of `unexpected` (prefix matches, as themes match). */
function assertScopes(scopes: readonly string[], expected: readonly string[], unexpected: readonly string[] = []): void {
  for (const scope of expected) {
    assert.ok(scopes.some((s) => s === scope || s.startsWith(`${scope}.`)), `expected ${scope} in [${scopes.join(", ")}]`);
  }
  for (const scope of unexpected) {
    assert.ok(!scopes.some((s) => s === scope || s.startsWith(`${scope}.`)), `did not expect ${scope} in [${scopes.join(", ")}]`);
  }
}

test("a doc comment is not a line comment, and four slashes are a line comment again", async () => {
  const text = "/// Documents `Account`.\n//// ------\n// plain\nstruct Account {}\n";
  const lines = await tokens(text);
  assertScopes(lines[0]![0]!.scopes, ["comment.line.documentation.ipc", "punctuation.definition.comment.ipc"], ["comment.line.double-slash"]);
  assertScopes(await scopesOf(text, "`Account`"), ["comment.line.documentation.ipc", "markup.inline.raw.string.ipc"]);
  for (const line of [lines[1]!, lines[2]!]) {
    for (const token of line) assertScopes(token.scopes, ["comment.line.double-slash.ipc"], ["comment.line.documentation"]);
  }
  assertScopes(await scopesOf(text, "struct"), ["storage.type.struct.ipc"], ["comment"]);
});

test("`/**` starts a plain block comment, not documentation", async () => {
  assertScopes(await scopesOf("/** not docs */ struct A {}", "* not docs"), ["comment.block.ipc"], ["comment.block.documentation", "comment.line.documentation"]);
});

test("a block comment spans lines and ends at the first `*/`", async () => {
  const text = "/* one\nstruct Hidden { a: i32; }\n/* no nesting */ struct Shown {}\n";
  assertScopes(await scopesOf(text, "struct Hidden { a: i32; }"), ["comment.block.ipc"]);
  assertScopes(await scopesOf(text, "struct"), ["storage.type.struct.ipc"], ["comment"]);
  assertScopes(await scopesOf(text, "Shown"), ["entity.name.type.struct.ipc"], ["comment"]);
});

test("`map` is a type keyword only before `<`", async () => {
  const text = "struct S {\n  map: map<string, map>;\n  other: map;\n  spaced: map <u32, bool>;\n}\n";
  assertScopes(await scopesOf(text, "map", 0), ["variable.other.property.ipc"], ["support.type"]);
  assertScopes(await scopesOf(text, "map", 1), ["support.type.builtin.map.ipc"]);
  assertScopes(await scopesOf(text, "map", 2), ["entity.name.type.ipc", "meta.type.parameters.ipc"], ["support.type"]);
  assertScopes(await scopesOf(text, "map", 3), ["entity.name.type.ipc"], ["support.type"]);
  assertScopes(await scopesOf(text, "map", 4), ["support.type.builtin.map.ipc"]);
});

test("keywords used as member names are members", async () => {
  const text = [
    "struct Token {",
    "  type: string;",
    "  interface?: string;",
    "}",
    "enum Kind { struct, const }",
    "union U { type { enum: i32; } throws }",
    '@channel("k-v1")',
    "interface I {",
    "  type(package: string, import?: u8): Promise<void>;",
    "}",
    "type Alias = Token;",
  ].join("\n");
  assertScopes(await scopesOf(text, "type", 0), ["variable.other.property.ipc"], ["storage", "keyword"]);
  assertScopes(await scopesOf(text, "interface", 0), ["variable.other.property.ipc"], ["storage", "keyword"]);
  assertScopes(await scopesOf(text, "?", 0), ["keyword.operator.optional.ipc"]);
  assertScopes(await scopesOf(text, "struct", 1), ["variable.other.enummember.ipc"], ["storage"]);
  assertScopes(await scopesOf(text, "const", 0), ["variable.other.enummember.ipc"], ["storage"]);
  assertScopes(await scopesOf(text, "type", 1), ["variable.other.enummember.ipc"], ["storage"]);
  assertScopes(await scopesOf(text, "enum", 1), ["variable.other.property.ipc"], ["storage"]);
  assertScopes(await scopesOf(text, "throws", 0), ["variable.other.enummember.ipc"], ["keyword"]);
  assertScopes(await scopesOf(text, "type", 2), ["entity.name.function.method.ipc"], ["storage"]);
  assertScopes(await scopesOf(text, "package", 0), ["variable.parameter.ipc"], ["keyword"]);
  assertScopes(await scopesOf(text, "import", 0), ["variable.parameter.ipc"], ["keyword"]);
  // ...while at the top level the same word is the keyword.
  assertScopes(await scopesOf(text, "type", 3), ["storage.type.type.ipc"]);
  assertScopes(await scopesOf(text, "Alias"), ["entity.name.type.alias.ipc"]);
});

test('a string with `\\"` inside ends at the unescaped quote', async () => {
  const text = 'const s = "a \\"quoted\\" \\u{1F600} \\q word"; const t = 1;';
  assertScopes(await scopesOf(text, '\\"', 0), ["string.quoted.double.ipc", "constant.character.escape.ipc"]);
  assertScopes(await scopesOf(text, '\\"', 1), ["string.quoted.double.ipc", "constant.character.escape.ipc"]);
  assertScopes(await scopesOf(text, "\\u{1F600}"), ["constant.character.escape.ipc"]);
  assertScopes(await scopesOf(text, "\\q"), ["invalid.illegal.escape.ipc"]);
  assertScopes(await scopesOf(text, ";", 0), ["punctuation.terminator.statement.ipc"], ["string"]);
  assertScopes(await scopesOf(text, "t"), ["variable.other.constant.ipc"], ["string"]);
});

test("an unterminated string ends with its line", async () => {
  const text = 'const s = "open\nstruct After {}\n';
  assertScopes(await scopesOf(text, "struct"), ["storage.type.struct.ipc"], ["string"]);
});

test("an attribute with a qualified const argument", async () => {
  const text = "@channel(acme.people.defaultChannel)\n@deprecated\n@since(\"1.2\")\ninterface I {}\n";
  for (const name of ["channel", "deprecated", "since"]) {
    assertScopes(await scopesOf(text, name), ["meta.attribute.ipc", "entity.name.tag.attribute.ipc"]);
  }
  assertScopes(await scopesOf(text, "@"), ["entity.name.tag.attribute.ipc", "punctuation.definition.attribute.ipc"]);
  assertScopes(await scopesOf(text, "acme"), ["meta.attribute.ipc", "entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "people"), ["meta.attribute.ipc", "entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, ".", 1), ["punctuation.accessor.ipc"]);
  assertScopes(await scopesOf(text, "defaultChannel"), ["meta.attribute.ipc", "variable.other.constant.ipc"]);
  assertScopes(await scopesOf(text, "1.2"), ["meta.attribute.ipc", "string.quoted.double.ipc"]);
  assertScopes(await scopesOf(text, "interface"), ["storage.type.interface.ipc"], ["meta.attribute"]);
});

test("`AsyncIterable<T>` as a result and as a parameter", async () => {
  const text = '@channel("x")\ninterface I {\n  m(chunks: AsyncIterable<bytes>): AsyncIterable<Line>;\n}\n';
  assertScopes(await scopesOf(text, "AsyncIterable", 0), ["meta.method.ipc", "support.type.builtin.stream.ipc"]);
  assertScopes(await scopesOf(text, "AsyncIterable", 1), ["meta.method.ipc", "support.type.builtin.stream.ipc"]);
  assertScopes(await scopesOf(text, "bytes"), ["meta.type.parameters.ipc", "support.type.primitive.ipc"]);
  assertScopes(await scopesOf(text, "Line"), ["meta.type.parameters.ipc", "entity.name.type.ipc"]);
});

test("`Promise<void>`, `throws` and qualified types in a method", async () => {
  const text = '@channel("x")\ninterface I {\n  m(a: acme.people.Person[]?): Promise<void> throws people.LookupError;\n}\n';
  assertScopes(await scopesOf(text, "Promise"), ["meta.method.ipc", "support.type.builtin.promise.ipc"]);
  assertScopes(await scopesOf(text, "<"), ["punctuation.definition.typeparameters.begin.ipc"]);
  assertScopes(await scopesOf(text, "void"), ["meta.type.parameters.ipc", "support.type.primitive.ipc"]);
  assertScopes(await scopesOf(text, ">"), ["punctuation.definition.typeparameters.end.ipc"]);
  assertScopes(await scopesOf(text, "throws"), ["keyword.control.throws.ipc"]);
  assertScopes(await scopesOf(text, "m"), ["entity.name.function.method.ipc"]);
  assertScopes(await scopesOf(text, "a"), ["variable.parameter.ipc"]);
  assertScopes(await scopesOf(text, "acme"), ["entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "people", 0), ["entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "Person"), ["entity.name.type.ipc"], ["entity.name.namespace"]);
  assertScopes(await scopesOf(text, "[]"), ["meta.brace.square.ipc"]);
  assertScopes(await scopesOf(text, "?"), ["keyword.operator.optional.ipc"]);
  assertScopes(await scopesOf(text, "people", 1), ["entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "LookupError"), ["entity.name.type.ipc"]);
});

test("events of a notifications block", async () => {
  const text = '@channel("e")\nnotifications E {\n  progress(percent: f64, note?: string);\n}\n';
  assertScopes(await scopesOf(text, "notifications"), ["storage.type.notifications.ipc"]);
  assertScopes(await scopesOf(text, "E"), ["entity.name.type.notifications.ipc"]);
  assertScopes(await scopesOf(text, "progress"), ["meta.event.ipc", "entity.name.function.event.ipc"]);
  assertScopes(await scopesOf(text, "note"), ["variable.parameter.ipc"]);
});

test("package names, dotted ones included, and imports", async () => {
  const text = 'package acme.people;\nimport "./other.ipc";\n';
  assertScopes(await scopesOf(text, "package"), ["keyword.other.package.ipc"]);
  assertScopes(await scopesOf(text, "acme"), ["meta.package.ipc", "entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "people"), ["entity.name.namespace.ipc"]);
  assertScopes(await scopesOf(text, "."), ["punctuation.accessor.ipc"]);
  assertScopes(await scopesOf(text, "import"), ["keyword.control.import.ipc"]);
  assertScopes(await scopesOf(text, "./other.ipc"), ["meta.import.ipc", "string.quoted.double.ipc"]);
});

test("numbers and booleans in consts; malformed numbers are marked invalid", async () => {
  const text = "const a = -7; const b = 0.5; const c = 1e-3; const d = 6.02E23; const e = 01; const f = 0x1F; const g = 1_000; const h = false;";
  assertScopes(await scopesOf(text, "-7"), ["constant.numeric.integer.ipc"]);
  assertScopes(await scopesOf(text, "0.5"), ["constant.numeric.float.ipc"]);
  assertScopes(await scopesOf(text, "1e-3"), ["constant.numeric.float.ipc"]);
  assertScopes(await scopesOf(text, "6.02E23"), ["constant.numeric.float.ipc"]);
  for (const bad of ["01", "0x1F", "1_000"]) assertScopes(await scopesOf(text, bad), ["invalid.illegal.numeric.ipc"], ["constant"]);
  assertScopes(await scopesOf(text, "false"), ["constant.language.boolean.ipc"]);
});

test("declaration names", async () => {
  const text = "const c = 1;\nstruct S {}\nenum E { a }\nunion U { a }\ntype T = S;\n";
  assertScopes(await scopesOf(text, "c"), ["variable.other.constant.ipc"]);
  assertScopes(await scopesOf(text, "S", 0), ["entity.name.type.struct.ipc"]);
  assertScopes(await scopesOf(text, "E"), ["entity.name.type.enum.ipc"]);
  assertScopes(await scopesOf(text, "U"), ["entity.name.type.union.ipc"]);
  assertScopes(await scopesOf(text, "T"), ["entity.name.type.alias.ipc"]);
  assertScopes(await scopesOf(text, "S", 1), ["entity.name.type.ipc"], ["entity.name.type.struct"]);
});

test("while typing, a member without its `;` does not swallow the next one", async () => {
  const text = "struct S {\n  first: string\n  second: u32;\n}\n@channel(\"c\")\ninterface I {\n  one(): Promise<void>\n  two(): Promise<void>;\n}\n";
  assertScopes(await scopesOf(text, "second"), ["variable.other.property.ipc"], ["entity.name.type"]);
  assertScopes(await scopesOf(text, "two"), ["entity.name.function.method.ipc"], ["entity.name.type"]);
});

test("a declaration without its body ends at the next declaration", async () => {
  const text = "struct Unfinished\nenum E { a }\n";
  assertScopes(await scopesOf(text, "enum"), ["storage.type.enum.ipc"], ["meta.struct"]);
});

test("CRLF line endings tokenize as LF does", async () => {
  const text = '/// Doc.\n@channel("c")\ninterface I {\n  m(a: map<string, u8>): Promise<void>;\n}\n';
  assert.deepEqual(await tokens(text.replace(/\n/g, "\r\n")), await tokens(text));
});

test("every regex of the grammar compiles with Oniguruma", async () => {
  await loadOnigLib();
  const regexes: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if ((key === "match" || key === "begin" || key === "end" || key === "while") && typeof value === "string") regexes.push(value);
        else visit(value);
      }
    }
  };
  visit(JSON.parse(readGrammarText()));
  assert.ok(regexes.length > 40, `only ${regexes.length} regexes found`);
  for (const regex of regexes) {
    assert.doesNotThrow(() => new oniguruma.OnigScanner([regex]).dispose(), `does not compile: ${regex}`);
  }
});

test("every `include` names a rule of the repository", () => {
  const raw = JSON.parse(readGrammarText()) as { repository: Record<string, unknown> };
  const missing: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "include" && typeof value === "string") {
          if (!(value.startsWith("#") && value.slice(1) in raw.repository) && value !== "$self") missing.push(value);
        } else visit(value);
      }
    }
  };
  visit(raw);
  assert.deepEqual(missing, []);
});
