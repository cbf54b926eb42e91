// The steps the repository's Node build and test drivers share: cargo builds, runtime-ts, `ipcc gen --ts`, tsc, `node --test`, an example page.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (this file is scripts/node/build-steps.mjs). */
export const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const runtimeTsDir = join(repoDir, "runtime-ts");
export const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const exe = process.platform === "win32" ? ".exe" : "";

/** Prints a step's heading, so a failure's output shows which step it belongs to. */
export function step(title) {
  console.log(`\n== ${title}`);
}

/**
 * Runs a command (from the repository's root unless `options.cwd` says otherwise), streaming its
 * output; exits this process on failure: 2 if the command cannot be started, else its status.
 */
export function run(command, args, options = {}) {
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

/** `cargo build -p <each package>` (`--bins` and `--quiet` on request); CARGO_TARGET_DIR is cargo's own. */
export function cargoBuild(packages, { bins = false, quiet = false } = {}) {
  const args = ["build", ...(quiet ? ["--quiet"] : []), ...packages.flatMap((p) => ["-p", p])];
  run("cargo", bins ? [...args, "--bins"] : args);
}

let targetDir;
/**
 * Cargo's target directory as cargo itself resolves it (CARGO_TARGET_DIR, config files), read once
 * from `cargo metadata` rather than assumed to be ./target.
 */
export function cargoTargetDir() {
  targetDir ??= JSON.parse(
    execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: repoDir, encoding: "utf8", maxBuffer: 64 << 20 }),
  ).target_directory;
  return targetDir;
}

/** The directory of the debug binaries `cargoBuild` produced. */
export function cargoBinDir() {
  return join(cargoTargetDir(), "debug");
}

/** The path of a debug binary `cargoBuild` produced. */
export function cargoBinary(name) {
  return join(cargoBinDir(), `${name}${exe}`);
}

/**
 * `ipcc gen --ts <outDir> <inputs...>` with the debug `ipcc` binary (build it first): `outDir` is
 * emptied beforehand so no file of an earlier run survives; `inputs` is one path or a list.
 */
export function generateTs(outDir, inputs) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  run(cargoBinary("ipcc"), ["gen", "--ts", outDir, ...[inputs].flat()]);
}

/** `npm ci` in `dir` when `dir/<probe>` is missing (a fresh checkout has no node_modules). */
export function installIfMissing(dir, probe = "node_modules") {
  if (!existsSync(join(dir, probe))) run(npm, ["ci", "--no-audit", "--no-fund"], { cwd: dir });
}

/** Builds runtime-ts from its current sources (installing its dependencies first if missing). */
export function buildRuntimeTs() {
  installIfMissing(runtimeTsDir);
  run(npm, ["run", "build"], { cwd: runtimeTsDir });
}

/** Builds runtime-ts only when it has never been built (its dist/ is missing). */
export function ensureRuntimeTs() {
  if (existsSync(join(runtimeTsDir, "dist", "node", "index.js"))) return;
  run(npm, ["ci", "--no-audit", "--no-fund"], { cwd: runtimeTsDir });
  run(npm, ["run", "build"], { cwd: runtimeTsDir });
}

/**
 * Runs the package's own `tsc -p <project>` from `packageDir`; `cleanBuild` first removes
 * `packageDir/build` so that no output of a deleted source is left to be tested.
 */
export function compileTs(packageDir, { project = "tsconfig.json", cleanBuild = true } = {}) {
  if (cleanBuild) rmSync(join(packageDir, "build"), { recursive: true, force: true });
  run(process.execPath, [join(packageDir, "node_modules", "typescript", "bin", "tsc"), "-p", project], { cwd: packageDir });
}

/**
 * `node --test` over `testDir/*.test.js` in name order, from `packageDir`, with `env` added to
 * this process's environment; `serial` runs one file at a time (for tests sharing ports/processes).
 */
export function runNodeTests(packageDir, testDir, { env = {}, serial = false } = {}) {
  const testFiles = readdirSync(testDir)
    .filter((f) => f.endsWith(".test.js"))
    .sort()
    .map((f) => join(testDir, f));
  run(process.execPath, ["--test", ...(serial ? ["--test-concurrency=1"] : []), ...testFiles], {
    cwd: packageDir,
    env: { ...process.env, ...env },
  });
}

/** The usual last two steps of a package's test run: `compileTs`, then `runNodeTests` over `testDir`. */
export function compileAndRunTests(packageDir, testDir, { tscTitle = "tsc", env = {}, serial = false } = {}) {
  step(tscTitle);
  compileTs(packageDir);
  step("node --test");
  runNodeTests(packageDir, testDir, { env, serial });
}

/**
 * Bundles a page's code for headless Chromium with the caller's own `esbuild` module (each
 * package pins its esbuild): ES modules for the browsers the tests run, with source maps.
 */
export async function bundleForBrowser(esbuild, options) {
  await esbuild.build({
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    logLevel: "info",
    ...options,
  });
}

/**
 * Builds an example's page into `distDir` (emptied first): runtime-ts from its current sources,
 * the TypeScript generated from `appDir/common/<ipc>` into `appDir/frontend/src/generated`, a
 * strict type check of `appDir/frontend`, then the esbuild bundle of `frontend/src/main.ts` as
 * `app.js`, beside the files of `frontend/static/`.
 */
export async function buildPage(esbuild, { appDir, ipc, distDir }) {
  const frontendDir = join(appDir, "frontend");
  // Always rebuilt (a few seconds): the bundle must match the runtime's current sources.
  step("build runtime-ts");
  buildRuntimeTs();

  step(`generate the TypeScript client from common/${ipc}`);
  cargoBuild(["ipcc"], { quiet: true });
  generateTs(join(frontendDir, "src", "generated"), join(appDir, "common", ipc));

  step("tsc (frontend type check)");
  compileTs(appDir, { project: join(frontendDir, "tsconfig.json"), cleanBuild: false });

  step("esbuild bundle");
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  await bundleForBrowser(esbuild, {
    entryPoints: [join(frontendDir, "src", "main.ts")],
    outfile: join(distDir, "app.js"),
  });
  for (const file of readdirSync(join(frontendDir, "static"))) {
    copyFileSync(join(frontendDir, "static", file), join(distDir, file));
  }
  console.log(`built ${distDir}`);
}
