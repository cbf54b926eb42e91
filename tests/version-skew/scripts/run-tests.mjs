#!/usr/bin/env node
// The TypeScript half of the version-skew tests (`npm test` in tests/version-skew):
//  1. build `ipcc` and `version-skew-backend` (built from v2/app.ipc) with cargo
//     (CARGO_TARGET_DIR respected: the target directory is read from `cargo metadata`);
//  2. generate TypeScript from v1/app.ipc (the stale frontend) into generated/v1/ and from
//     v2/app.ipc into generated/v2/ (its hashes and schemas as expected values, and a TS host);
//  3. build runtime-ts (this package links to it as `file:../../runtime-ts`);
//  4. `tsc` over generated/ and test/ into build/;
//  5. `node --test` over build/test/*.test.js.
// The Rust half is `cargo test -p version-skew-backend`.

import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildRuntimeTs, cargoBinary, cargoBuild, compileAndRunTests, generateTs, installIfMissing, step,
} from "../../../scripts/node/build-steps.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

step("build ipcc and version-skew-backend");
cargoBuild(["ipcc", "version-skew-backend"]);

step("generate TypeScript from v1/app.ipc and v2/app.ipc");
const generatedDir = join(packageDir, "generated");
rmSync(generatedDir, { recursive: true, force: true });
for (const version of ["v1", "v2"]) {
  generateTs(join(generatedDir, version), join(packageDir, version, "app.ipc"));
}

step("build runtime-ts");
buildRuntimeTs();
installIfMissing(packageDir);

compileAndRunTests(packageDir, join(packageDir, "build", "test"), {
  env: { VERSION_SKEW_BACKEND: cargoBinary("version-skew-backend") },
});
