#!/usr/bin/env node
// The TypeScript side's tests of generated code, in one command (`npm test` in tests/ts):
//  1. build the `ipcc` compiler and the reference Rust backend (`my-interface-backend`);
//  2. generate TypeScript for every example of idl-examples/ into tests/generated/ts/<example>/
//     with `ipcc gen --ts` (a top-level .ipc file is one example; a directory is one example),
//     and for this package's own fixtures (idl/*.ipc) into tests/generated/ts/fixtures/<name>/,
//     the Rust generator's (tests/idl) into rust-fixtures/<name>/, and the generated-code corpus
//     (tests/random-schemas) into random/<schema>/;
//  3. build runtime-ts (the `ipcc-runtime` package this package links to);
//  4. `tsc` over the generated code and the tests (strict, plus the extra checks in tsconfig.json);
//  5. `node --test`: negative type tests (tsc must reject src/negative/*), the in-memory
//     TS ⇄ TS round trips, and the reference call against the Rust backend over WebSocket and stdio.
// The cargo target directory is cargo's own (CARGO_TARGET_DIR respected), read from `cargo metadata`.

import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildRuntimeTs, cargoBinary, cargoBuild, compileAndRunTests, generateTs, repoDir, run, step,
} from "../../../scripts/node/build-steps.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const generatedDir = join(repoDir, "tests", "generated", "ts");
const examplesDir = join(repoDir, "idl-examples");

step("build ipcc and my-interface-backend");
cargoBuild(["ipcc", "my-interface-backend"]);

step(`generate TypeScript for idl-examples into ${generatedDir}`);
rmSync(generatedDir, { recursive: true, force: true });
mkdirSync(generatedDir, { recursive: true });
for (const entry of readdirSync(examplesDir).sort()) {
  const path = join(examplesDir, entry);
  const isDir = statSync(path).isDirectory();
  if (!isDir && !entry.endsWith(".ipc")) continue;
  const name = isDir ? entry : entry.slice(0, -".ipc".length);
  generateTs(join(generatedDir, name), path);
}
// Fixtures of this package (names that collide with what the TS generator writes), each its own
// example under fixtures/.
const fixturesDir = join(packageDir, "idl");
for (const entry of readdirSync(fixturesDir).filter((f) => f.endsWith(".ipc")).sort()) {
  generateTs(join(generatedDir, "fixtures", entry.slice(0, -".ipc".length)), join(fixturesDir, entry));
}
// The Rust generator's corner cases (tests/idl: large shapes, edge-case names, streams) are
// type-checked in TypeScript too, each its own example under rust-fixtures/.
const rustFixturesDir = join(repoDir, "tests", "idl");
for (const entry of readdirSync(rustFixturesDir).filter((f) => f.endsWith(".ipc")).sort()) {
  generateTs(join(generatedDir, "rust-fixtures", entry.slice(0, -".ipc".length)), join(rustFixturesDir, entry));
}
// The generated-code corpus (tests/random-schemas): seeded random valid schemas, written by that
// crate's `write-random-schemas` binary (the very schemas its build compiles to Rust), each its
// own example under random/.
const randomSchemasDir = join(repoDir, "tests", "generated", "random-schemas");
rmSync(randomSchemasDir, { recursive: true, force: true });
run("cargo", ["run", "--quiet", "-p", "ipcc-random-schemas", "--bin", "write-random-schemas", "--", randomSchemasDir]);
for (const entry of readdirSync(randomSchemasDir).sort()) {
  generateTs(join(generatedDir, "random", entry), join(randomSchemasDir, entry, "main.ipc"));
}
// The generated modules are ES modules wherever they are compiled from.
writeFileSync(join(generatedDir, "package.json"), '{ "type": "module" }\n');

step("build runtime-ts");
buildRuntimeTs();

compileAndRunTests(packageDir, join(packageDir, "build", "ts", "src", "tests"), {
  tscTitle: "tsc: generated code and tests (strict)",
  env: { IPCC_MY_INTERFACE_BACKEND: cargoBinary("my-interface-backend") },
});
