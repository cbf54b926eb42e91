#!/usr/bin/env node
// Builds the page the app embeds: runtime-ts (the `ipcc-runtime` package the page links to),
// the TypeScript generated from common/tauri-app.ipc, a strict type check, and the esbuild
// bundle, into dist/ (index.html, style.css, app.js), the app's `frontendDist`: tauri-build
// embeds it when the app compiles, so this runs before `cargo build`.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { buildPage } from "../../../scripts/node/build-steps.mjs";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
await buildPage(esbuild, { appDir, ipc: "tauri-app.ipc", distDir: join(appDir, "dist") });
