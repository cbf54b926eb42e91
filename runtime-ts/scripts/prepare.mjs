// Builds dist/ where npm runs `prepare`: `npm pack`, and installing this package from a folder
// or a git checkout. npm runs it there without the package's devDependencies, so they are
// installed first (from the lock file) when TypeScript is missing. A dist/ newer than every
// source file is kept, so the packages of this repository that depend on the folder do not
// rebuild it on each install.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (args) =>
  execFileSync(npm, args, { cwd: here, stdio: ["ignore", "inherit", "inherit"], shell: process.platform === "win32" });

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

const built = join(here, "dist", "node", "index.js");
const sources = [join(here, "src"), join(here, "package.json"), join(here, "tsconfig.json"), join(here, "tsconfig.node.json")];
const sourceTime = Math.max(...sources.map((path) => (statSync(path).isDirectory() ? newest(path) : statSync(path).mtimeMs)));
if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
  if (!existsSync(join(here, "node_modules", "typescript", "bin", "tsc"))) {
    run(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
  }
  run(["run", "build"]);
}
