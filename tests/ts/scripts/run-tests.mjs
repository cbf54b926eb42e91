#!/usr/bin/env node
// The TypeScript side's tests of generated code, in one command (`npm test` in tests/ts):
//  1. build the `ipcc` compiler and the reference Rust backend (`my-interface-backend`);
//  2. generate TypeScript for every example of idl-examples/ into tests/generated/ts/<example>/
//     with `ipcc gen --ts` (a top-level .ipc file is one example; a directory is one example),
//     and for this package's own fixtures (idl/*.ipc) into tests/generated/ts/fixtures/<name>/;
//  3. build runtime-ts (the `ipcc-runtime` package this package links to);
//  4. `tsc` over the generated code and the tests (strict, plus the extra checks in tsconfig.json);
//  5. `node --test`: negative type tests (tsc must reject src/negative/*), the in-memory
//     TS ⇄ TS round trips, and the reference call against the Rust backend over WebSocket and stdio.
// The cargo target directory is cargo's own (CARGO_TARGET_DIR respected), read from `cargo metadata`.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(packageDir, "../..");
const generatedDir = join(repoDir, "tests", "generated", "ts");
const examplesDir = join(repoDir, "idl-examples");
const runtimeDir = join(repoDir, "runtime-ts");
const exe = process.platform === "win32" ? ".exe" : "";

function step(title) {
  console.log(`\n== ${title}`);
}

/** Runs a command, streaming its output; exits this script with its status on failure. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: repoDir, ...options });
  if (result.error) {
    console.error(`cannot run ${command}: ${result.error.message}`);
    process.exit(2);
  }
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(" ")}\` failed (${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

step("build ipcc and my-interface-backend");
run("cargo", ["build", "-p", "ipcc", "-p", "my-interface-backend"]);
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 }),
);
const binDir = join(metadata.target_directory, "debug");
const ipcc = join(binDir, `ipcc${exe}`);
const backend = join(binDir, `my-interface-backend${exe}`);

step(`generate TypeScript for idl-examples into ${generatedDir}`);
rmSync(generatedDir, { recursive: true, force: true });
mkdirSync(generatedDir, { recursive: true });
for (const entry of readdirSync(examplesDir).sort()) {
  const path = join(examplesDir, entry);
  const isDir = statSync(path).isDirectory();
  if (!isDir && !entry.endsWith(".ipc")) continue;
  const name = isDir ? entry : entry.slice(0, -".ipc".length);
  run(ipcc, ["gen", "--ts", join(generatedDir, name), path]);
}
// Fixtures of this package (names that collide with what the TS generator writes), each its own
// example under fixtures/.
const fixturesDir = join(packageDir, "idl");
for (const entry of readdirSync(fixturesDir).filter((f) => f.endsWith(".ipc")).sort()) {
  run(ipcc, ["gen", "--ts", join(generatedDir, "fixtures", entry.slice(0, -".ipc".length)), join(fixturesDir, entry)]);
}
// The generated modules are ES modules wherever they are compiled from.
writeFileSync(join(generatedDir, "package.json"), '{ "type": "module" }\n');

step("build runtime-ts");
if (!existsSync(join(runtimeDir, "node_modules"))) run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: runtimeDir });
run("npm", ["run", "build"], { cwd: runtimeDir });

step("tsc: generated code and tests (strict)");
rmSync(join(packageDir, "build"), { recursive: true, force: true });
const tsc = join(packageDir, "node_modules", "typescript", "bin", "tsc");
run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: packageDir });

step("node --test");
const testDir = join(packageDir, "build", "ts", "src", "tests");
const testFiles = readdirSync(testDir)
  .filter((f) => f.endsWith(".test.js"))
  .sort()
  .map((f) => join(testDir, f));
run(process.execPath, ["--test", ...testFiles], {
  cwd: packageDir,
  env: { ...process.env, IPCC_MY_INTERFACE_BACKEND: backend },
});
