// `npm test`: compiles the client and its tests with tsc (strict), then runs every test with
// node --test: the grammar (scope snapshots of every example, targeted rules), the language
// configuration, the manifest, the client against stand-ins for VS Code, and the packaging of
// the .vsix (which bundles the client again, as `npm run package` does).
//
// `npm run snapshots:update` (this script with --update-snapshots) rewrites the grammar's scope
// snapshots in test/snapshots/ instead of comparing them; review the diff before committing.

import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const extensionDir = dirname(dirname(fileURLToPath(import.meta.url)));
const updating = process.argv.includes("--update-snapshots");

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: extensionDir, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.error) {
    console.error(`cannot run ${command}: ${result.error.message}`);
    process.exit(2);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// A fresh out/: no compiled test of a deleted source is run.
rmSync(join(extensionDir, "out"), { recursive: true, force: true });
run(process.execPath, [join(extensionDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);

const testDir = join(extensionDir, "out", "test");
const tests = updating
  ? [join(testDir, "grammar-snapshots.test.js")]
  : readdirSync(testDir)
      .filter((f) => f.endsWith(".test.js"))
      .sort()
      .map((f) => join(testDir, f));
// One file at a time: the packaging test rebuilds out/bundle while it runs.
run(process.execPath, ["--test", "--test-concurrency=1", ...tests], updating ? { IPCC_UPDATE_GRAMMAR_SNAPSHOTS: "1" } : {});
