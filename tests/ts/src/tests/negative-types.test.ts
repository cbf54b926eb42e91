//! Negative type tests: every file in `src/negative/` must fail to compile with exactly the
//! errors its `// expect-error TSxxxx: message` comments announce, on those lines, and no other.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { packageDir } from "./paths.js";

interface Expected {
  file: string;
  line: number;
  code: string;
  message: string;
}

interface Reported {
  file: string;
  line: number;
  code: string;
  message: string;
}

const negativeDir = join(packageDir, "src", "negative");
const files = readdirSync(negativeDir).filter((f) => f.endsWith(".ts")).sort();

function expectations(file: string): Expected[] {
  const out: Expected[] = [];
  readFileSync(join(negativeDir, file), "utf8")
    .split("\n")
    .forEach((text, index) => {
      const m = /\/\/ expect-error (TS\d+): (.*)$/.exec(text);
      if (m) out.push({ file, line: index + 1, code: m[1]!, message: m[2]!.trim() });
    });
  return out;
}

/** One tsc run over every negative file (they are independent modules); errors by file. */
function compile(): Reported[] {
  const tsc = join(packageDir, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.negative.json", "--pretty", "false"], {
    cwd: packageDir,
    encoding: "utf8",
  });
  assert.notEqual(run.status, 0, "the negative files compiled without errors");
  const reported: Reported[] = [];
  for (const line of run.stdout.split("\n")) {
    const m = /^(.*)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (!m) continue;
    const path = m[1]!.replace(/\\/g, "/");
    assert.ok(path.startsWith("src/negative/"), `an error outside the negative files: ${line}`);
    reported.push({ file: path.slice("src/negative/".length), line: Number(m[2]), code: m[3]!, message: m[4]! });
  }
  return reported;
}

const reported = compile();

test("tsc fails on the negative files, and only there", () => {
  assert.ok(reported.length > 0);
});

for (const file of files) {
  test(`${file} fails to compile with the expected errors`, () => {
    const expected = expectations(file);
    assert.ok(expected.length > 0, `${file} announces no expected error`);
    const actual = reported.filter((r) => r.file === file);
    for (const e of expected) {
      const hit = actual.find((r) => r.line === e.line && r.code === e.code);
      assert.ok(hit, `${file}:${e.line}: expected ${e.code} (${e.message}); tsc said: ${JSON.stringify(actual)}`);
      assert.ok(hit.message.startsWith(e.message), `${file}:${e.line}: expected "${e.message}", tsc said "${hit.message}"`);
    }
    const unexpected = actual.filter((r) => !expected.some((e) => e.line === r.line && e.code === r.code));
    assert.deepEqual(unexpected, [], `${file}: errors nobody announced`);
  });
}
