#!/usr/bin/env node
// The Tauri example's tests (the last step of scripts/test-all.sh): builds the page and the app
// in this folder's own workspace, runs the windowless tests (`tauri::test` and ipcc-tauri's
// unit tests), then the end-to-end test under Xvfb with tauri-driver and WebKitWebDriver.
// scripts/install-tauri.sh installs what this needs.

import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run, step } from "../../../scripts/node/build-steps.mjs";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const started = Date.now();

step("build the page (dist/)");
run(process.execPath, [join(appDir, "scripts", "build.mjs")]);

// `cargo test` also builds the app's binary (for the end-to-end test), with the same features as
// the tests (tauri's `test`), so Tauri is compiled once.
step("cargo test (windowless: tauri::test and ipcc-tauri; builds the app too)");
run("cargo", ["test", "--locked", "-p", "tauri-app", "-p", "ipcc-tauri"], { cwd: appDir });

step("end-to-end: the real app under Xvfb, driven by tauri-driver + WebKitWebDriver");
// Xvfb keeps its screen in test-output/ (-fbdir), where the test's screenshot is taken from.
const fbdir = join(appDir, "test-output");
mkdirSync(fbdir, { recursive: true });
run("xvfb-run", ["-a", "-s", `-screen 0 1280x1024x24 -fbdir ${fbdir}`, process.execPath, "--test", "--test-reporter=spec", "--test-timeout=600000", join(appDir, "test", "e2e.test.mjs")], {
  cwd: appDir,
  env: {
    ...process.env,
    // WebKitGTK under Xvfb without a GPU: no DMA-BUF renderer, no compositing.
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    IPCC_XVFB_FBDIR: fbdir,
  },
});
console.log(`tauri-app: all tests passed in ${((Date.now() - started) / 60000).toFixed(1)} min`);
