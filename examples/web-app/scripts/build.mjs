#!/usr/bin/env node
// Builds the page: runtime-ts (the `ipcc-runtime` package the page links to), the TypeScript
// client generated from common/web-app.ipc, a strict type check, and the esbuild bundle, into
// frontend/dist/ (index.html, style.css, app.js) — the folder the backend serves.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { buildPage } from "../../../scripts/node/build-steps.mjs";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
await buildPage(esbuild, { appDir, ipc: "web-app.ipc", distDir: join(appDir, "frontend", "dist") });
