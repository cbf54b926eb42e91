#!/usr/bin/env node
// Builds the page: runtime-ts (the `ipcc-runtime` package the page links to), the TypeScript
// client generated from common/web-app.ipc, a strict type check, and the esbuild bundle, into
// frontend/dist/ (index.html, style.css, app.js) — the folder the backend serves.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(appDir, "../..");
const runtimeDir = join(repoDir, "runtime-ts");
const frontendDir = join(appDir, "frontend");
const generatedDir = join(frontendDir, "src", "generated");
const distDir = join(frontendDir, "dist");

/** Runs a command, streaming its output; exits this script with its status on failure. */
function run(command, args, cwd) {
  console.log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", cwd });
  if (result.error) {
    console.error(`cannot run ${command}: ${result.error.message}`);
    process.exit(2);
  }
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(" ")}\` failed (${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

// Always rebuilt (a few seconds): the bundle must match the runtime's current sources.
if (!existsSync(join(runtimeDir, "node_modules"))) run("npm", ["ci", "--no-audit", "--no-fund"], runtimeDir);
run("npm", ["run", "build"], runtimeDir);

rmSync(generatedDir, { recursive: true, force: true });
run("cargo", ["run", "--quiet", "-p", "ipcc", "--", "gen", "--ts", generatedDir, join(appDir, "common", "web-app.ipc")], repoDir);

run(process.execPath, [join(appDir, "node_modules", "typescript", "bin", "tsc"), "-p", join(frontendDir, "tsconfig.json")], appDir);

rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });
await esbuild.build({
  entryPoints: [join(frontendDir, "src", "main.ts")],
  outfile: join(distDir, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  logLevel: "info",
});
for (const file of readdirSync(join(frontendDir, "static"))) {
  copyFileSync(join(frontendDir, "static", file), join(distDir, file));
}
console.log(`built ${distDir}`);
