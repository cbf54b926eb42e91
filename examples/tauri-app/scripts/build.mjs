#!/usr/bin/env node
// Builds the page the app embeds: runtime-ts (the `ipcc-runtime` package the page links to),
// the TypeScript generated from common/tauri-app.ipc, a strict type check, and the esbuild
// bundle, into dist/ (index.html, style.css, app.js), the app's `frontendDist`: tauri-build
// embeds it when the app compiles, so this runs before `cargo build`.

import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { buildRuntimeTs, bundleForBrowser, cargoBuild, compileTs, generateTs, step } from "../../../scripts/node/build-steps.mjs";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const frontendDir = join(appDir, "frontend");
const generatedDir = join(frontendDir, "src", "generated");
const distDir = join(appDir, "dist");

step("build runtime-ts");
buildRuntimeTs();

step("generate the TypeScript client from common/tauri-app.ipc");
cargoBuild(["ipcc"], { quiet: true });
generateTs(generatedDir, join(appDir, "common", "tauri-app.ipc"));

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
