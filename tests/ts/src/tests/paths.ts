//! Where things are, from a compiled test file (`build/ts/src/tests/*.js`) or its source.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** `tests/ts`: the directory holding this package's package.json. */
export const packageDir: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "tsconfig.negative.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("tests/ts not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
})();

/** The repository root. */
export const repoDir: string = resolve(packageDir, "../..");
