#!/usr/bin/env node
// The TypeScript half of the version-skew tests (`npm test` in tests/version-skew):
//  1. build `ipcc` and `version-skew-backend` (built from v2/app.ipc) with cargo
//     (CARGO_TARGET_DIR respected: the target directory is read from `cargo metadata`);
//  2. generate TypeScript from v1/app.ipc (the stale frontend) into generated/v1/ and from
//     v2/app.ipc into generated/v2/ (only its schema hashes are used, as the expected values);
//  3. build runtime-ts (this package links to it as `file:../../runtime-ts`);
//  4. `tsc` over generated/ and test/ into build/;
//  5. `node --test` over build/test/*.test.js.
// The Rust half is `cargo test -p version-skew-backend`.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(packageDir, "../..");
const runtimeDir = join(repoDir, "runtime-ts");
const exe = process.platform === "win32" ? ".exe" : "";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

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

step("build ipcc and version-skew-backend");
run("cargo", ["build", "-p", "ipcc", "-p", "version-skew-backend"]);
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 }),
);
const binDir = join(metadata.target_directory, "debug");

step("generate TypeScript from v1/app.ipc and v2/app.ipc");
const generatedDir = join(packageDir, "generated");
rmSync(generatedDir, { recursive: true, force: true });
for (const version of ["v1", "v2"]) {
  run(join(binDir, `ipcc${exe}`), ["gen", "--ts", join(generatedDir, version), join(packageDir, version, "app.ipc")]);
}

step("build runtime-ts");
if (!existsSync(join(runtimeDir, "node_modules"))) run(npm, ["ci", "--no-audit", "--no-fund"], { cwd: runtimeDir });
run(npm, ["run", "build"], { cwd: runtimeDir });
if (!existsSync(join(packageDir, "node_modules"))) run(npm, ["ci", "--no-audit", "--no-fund"], { cwd: packageDir });

step("tsc");
rmSync(join(packageDir, "build"), { recursive: true, force: true });
run(process.execPath, [join(packageDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: packageDir });

step("node --test");
const testDir = join(packageDir, "build", "test");
const testFiles = readdirSync(testDir)
  .filter((f) => f.endsWith(".test.js"))
  .sort()
  .map((f) => join(testDir, f));
run(process.execPath, ["--test", ...testFiles], {
  cwd: packageDir,
  env: { ...process.env, VERSION_SKEW_BACKEND: join(binDir, `version-skew-backend${exe}`) },
});
