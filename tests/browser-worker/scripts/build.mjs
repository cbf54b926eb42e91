#!/usr/bin/env node
// Bundles the page (src/page.ts) and the worker (src/worker.ts) with esbuild into dist/, beside
// static/index.html. Both are built from runtime-ts's sources (its browser entry point, and the
// generated code and fixture hosts of its own tests), so they run the code under test.

import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { bundleForBrowser } from "../../../scripts/node/build-steps.mjs";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(dir, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await bundleForBrowser(esbuild, {
  entryPoints: [join(dir, "src", "page.ts"), join(dir, "src", "worker.ts")],
  outdir: dist,
});
copyFileSync(join(dir, "static", "index.html"), join(dist, "index.html"));
