#!/usr/bin/env node
// The conformance suite's TypeScript side in one command (`npm test` in tests/conformance/ts):
//  1. build runtime-ts if its dist/ is missing (this package links it as `file:../../../runtime-ts`);
//  2. build `ipcc` and the Rust host `conformance-backend` (cargo; CARGO_TARGET_DIR respected);
//  3. generate TypeScript for idl-examples/conformance.ipc into generated/ (git-ignored);
//  4. tsc (strict) over generated/ and src/ into build/ — build/src/backend.js is the TS host,
//     which the Rust-client tests (`cargo test -p ipcc-conformance`) spawn, so run this first;
//  5. node --test over build/src/tests/*.test.js: TS client → Rust host and TS client → TS host,
//     over WebSocket and stdio, with the property tests.
// Pass `--build-only` to stop after step 4.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(packageDir, "../../..");
const runtimeDir = join(repoDir, "runtime-ts");
const generatedDir = join(packageDir, "generated");
const exe = process.platform === "win32" ? ".exe" : "";
const buildOnly = process.argv.includes("--build-only");

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

step("runtime-ts");
if (!existsSync(join(runtimeDir, "dist", "node", "index.js"))) {
  run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: runtimeDir });
  run("npm", ["run", "build"], { cwd: runtimeDir });
}
if (!existsSync(join(packageDir, "node_modules", "typescript"))) {
  run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: packageDir });
}

step("build ipcc and conformance-backend");
run("cargo", ["build", "-p", "ipcc", "-p", "ipcc-conformance", "--bins"]);
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 }),
);
const binDir = join(metadata.target_directory, "debug");
const rustBackend = join(binDir, `conformance-backend${exe}`);

step(`generate TypeScript into ${generatedDir}`);
rmSync(generatedDir, { recursive: true, force: true });
mkdirSync(generatedDir, { recursive: true });
run(join(binDir, `ipcc${exe}`), ["gen", "--ts", generatedDir, join(repoDir, "idl-examples", "conformance.ipc")]);

step("tsc (strict)");
rmSync(join(packageDir, "build"), { recursive: true, force: true });
run(process.execPath, [join(packageDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: packageDir });
// The compiled files are ES modules (the package says so, but build/ may be copied alone).
writeFileSync(join(packageDir, "build", "package.json"), '{ "type": "module" }\n');
if (buildOnly) process.exit(0);

step("node --test");
const testDir = join(packageDir, "build", "src", "tests");
const testFiles = readdirSync(testDir).filter((f) => f.endsWith(".test.js")).sort().map((f) => join(testDir, f));
run(process.execPath, ["--test", "--test-concurrency=1", ...testFiles], {
  cwd: packageDir,
  env: { ...process.env, CONFORMANCE_RUST_BACKEND: rustBackend },
});
