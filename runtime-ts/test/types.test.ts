//! Type-level tests: code that must compile does, and misuse of a generated-shape client fails to compile with the expected error.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { packageDir } from "./paths.js";

const generated = join(packageDir, "test", "generated", "my-interface.ts");

/** Type-checks `body` (with the generated-shape module imported as `g`) under --strict; returns the error messages. */
function typeErrors(body: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ipcc-types-"));
  try {
    const file = join(dir, "case.ts");
    writeFileSync(file, `import * as g from ${JSON.stringify(generated.replace(/\.ts$/, ".js"))};\nexport async function f() {\n${body}\n}\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
      skipLibCheck: true,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("correct uses type-check, with the result typed", () => {
  assert.deepEqual(
    typeErrors(`
      const s: string = await g.callMyInterface("sayHello", "abc", 10, true);
      const p: g.Person | undefined = await g.callMyInterface("findPerson", 1n);
      await g.callMyInterface("rename", 1n);
      const client: g.MyInterface = g.myInterfaceClient();
      const n: string = await client.sayHello("a", 1, false);
      void s; void p; void n;`),
    [],
  );
});

const negative: [string, string, RegExp][] = [
  ["wrong argument type", `await g.callMyInterface("sayHello", "abc", "10", true);`, /not assignable to parameter of type 'number'/],
  ["missing argument", `await g.callMyInterface("sayHello", "abc", 10);`, /Expected 4 arguments, but got 3|Expected \d+ arguments/],
  ["unknown method name", `await g.callMyInterface("sayGoodbye", "abc");`, /"sayGoodbye"' is not assignable/],
  ["result used as the wrong type", `const n: number = await g.callMyInterface("sayHello", "abc", 10, true); void n;`, /Type 'string' is not assignable to type 'number'/],
  ["i64 as number", `await g.callMyInterface("findPerson", 1);`, /not assignable to parameter of type 'bigint'/],
  ["no then on the client", `const c = g.myInterfaceClient(); c.then;`, /Property 'then' does not exist/],
];

for (const [name, body, expected] of negative) {
  test(`does not compile: ${name}`, () => {
    const errors = typeErrors(body);
    assert.ok(errors.some((e) => expected.test(e)), `expected an error matching ${expected}, got ${JSON.stringify(errors)}`);
  });
}
