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

import { rmSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildRuntimeTs, cargoBinary, cargoBinDir, cargoBuild, compileAndRunTests, generateTs,
  installIfMissing, npm, repoDir, run, step,
} from "../../../scripts/node/build-steps.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

step("build ipcc, sidecar-worker and my-interface-backend");
cargoBuild(["ipcc", "sidecar-worker", "my-interface-backend"]);
const pathWithIpcc = { ...process.env, PATH: `${cargoBinDir()}${delimiter}${process.env.PATH ?? ""}` };

step("generate TypeScript (npm run generate, then npm run check-generated)");
const generatedDir = join(packageDir, "src", "generated");
rmSync(generatedDir, { recursive: true, force: true });
run(npm, ["run", "--silent", "generate"], { cwd: packageDir, env: pathWithIpcc });
run(npm, ["run", "--silent", "check-generated"], { cwd: packageDir, env: pathWithIpcc });
generateTs(join(generatedDir, "my-interface"), join(repoDir, "idl-examples", "my-interface.ipc"));

step("build runtime-ts");
buildRuntimeTs();
installIfMissing(packageDir);

compileAndRunTests(packageDir, join(packageDir, "build", "test"), {
  serial: true,
  env: {
    SIDECAR_WORKER: cargoBinary("sidecar-worker"),
    IPCC_MY_INTERFACE_BACKEND: cargoBinary("my-interface-backend"),
  },
});
