#!/usr/bin/env node
// The sidecar example's tests in one command (`npm test` in examples/sidecar):
//  1. build the `ipcc` compiler, the Rust worker (`sidecar-worker`) and the reference Rust
//     backend (`my-interface-backend`) with cargo (CARGO_TARGET_DIR respected: the target
//     directory is read from `cargo metadata`);
//  2. generate the TypeScript with this package's own `npm run generate` (ipcc on the PATH, as a
//     user has it after `cargo install`), then check it with `npm run check-generated`; and the
//     reference example's TypeScript (idl-examples/my-interface.ipc) for src/reference/;
//  3. build runtime-ts (this package links to it as `file:../../runtime-ts`);
//  4. `tsc` over src/ and test/ into build/;
//  5. `node --test` over build/test/*.test.js.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
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

step("build ipcc, sidecar-worker and my-interface-backend");
run("cargo", ["build", "-p", "ipcc", "-p", "sidecar-worker", "-p", "my-interface-backend"]);
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 }),
);
const binDir = join(metadata.target_directory, "debug");
const pathWithIpcc = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` };

step("generate TypeScript (npm run generate, then npm run check-generated)");
const generatedDir = join(packageDir, "src", "generated");
rmSync(generatedDir, { recursive: true, force: true });
run(npm, ["run", "--silent", "generate"], { cwd: packageDir, env: pathWithIpcc });
run(npm, ["run", "--silent", "check-generated"], { cwd: packageDir, env: pathWithIpcc });
run(join(binDir, `ipcc${exe}`), ["gen", "--ts", join(generatedDir, "my-interface"), join(repoDir, "idl-examples", "my-interface.ipc")]);

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
run(process.execPath, ["--test", "--test-concurrency=1", ...testFiles], {
  cwd: packageDir,
  env: {
    ...process.env,
    SIDECAR_WORKER: join(binDir, `sidecar-worker${exe}`),
    IPCC_MY_INTERFACE_BACKEND: join(binDir, `my-interface-backend${exe}`),
  },
});
