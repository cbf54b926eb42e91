#!/usr/bin/env node
// The compat agreement tests (`npm test` in tests/compat-agreement):
//  1. build `ipcc` with cargo (CARGO_TARGET_DIR respected);
//  2. for every pair of `ipcc compat`'s change corpus (compiler/tests/compat/NN-name/, each
//     `old.ipc` and `new.ipc`, or folders `old/` and `new/`): generate TypeScript for both
//     versions into generated/NN-name/{old,new}/ and keep `ipcc compat --format json OLD NEW`
//     as generated/NN-name/compat.json; list the pairs in generated/manifest.json;
//  3. build runtime-ts (this package links to it as `file:../../runtime-ts`);
//  4. `tsc` over generated/, src/ and test/ into build/ (every generated module under the strict
//     flags of tests/ts);
//  5. `node --test` over build/test/*.test.js.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildRuntimeTs, cargoBinary, cargoBuild, compileAndRunTests, generateTs, installIfMissing, repoDir, step,
} from "../../../scripts/node/build-steps.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const corpusDir = join(repoDir, "compiler", "tests", "compat");

step("build ipcc");
cargoBuild(["ipcc"]);

step("generate TypeScript for both versions of every corpus pair, and ask ipcc compat");
const generatedDir = join(packageDir, "generated");
rmSync(generatedDir, { recursive: true, force: true });
mkdirSync(generatedDir, { recursive: true });
const pairs = [];
for (const name of readdirSync(corpusDir).sort()) {
  const dir = join(corpusDir, name);
  const version = (v) => (existsSync(join(dir, `${v}.ipc`)) ? join(dir, `${v}.ipc`) : join(dir, v));
  const [oldInput, newInput] = [version("old"), version("new")];
  if (!existsSync(oldInput) || !existsSync(newInput)) continue;
  generateTs(join(generatedDir, name, "old"), oldInput);
  generateTs(join(generatedDir, name, "new"), newInput);
  // Exit 1 means "a wire-breaking change on a channel that kept its name": expected here.
  const compat = spawnSync(cargoBinary("ipcc"), ["compat", "--format", "json", "-q", oldInput, newInput], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 });
  if (compat.status !== 0 && compat.status !== 1) {
    console.error(`ipcc compat failed on ${name} (${compat.status ?? compat.signal}):\n${compat.stderr}`);
    process.exit(1);
  }
  writeFileSync(join(generatedDir, name, "compat.json"), compat.stdout);
  pairs.push(name);
}
writeFileSync(join(generatedDir, "manifest.json"), JSON.stringify({ pairs }, null, 1));
console.log(`${pairs.length} pairs`);

step("build runtime-ts");
buildRuntimeTs();
installIfMissing(packageDir);

compileAndRunTests(packageDir, join(packageDir, "build", "test"));
