// `npm run package`: builds the extension's .vsix into dist/ with @vscode/vsce (from npm,
// pinned). Packaging needs no marketplace and no network: nothing is published. vsce compiles
// the client first (the `vscode:prepublish` script) and takes the files .vscodeignore keeps.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const extensionDir = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = JSON.parse(readFileSync(join(extensionDir, "package.json"), "utf8"));
const vsix = join(extensionDir, "dist", `${manifest.name}-${manifest.version}.vsix`);

mkdirSync(dirname(vsix), { recursive: true });
rmSync(vsix, { force: true });
const vsce = join(extensionDir, "node_modules", "@vscode", "vsce", "vsce");
const result = spawnSync(process.execPath, [vsce, "package", "--no-dependencies", "--out", vsix], {
  cwd: extensionDir,
  stdio: ["ignore", "inherit", "inherit"],
});
if (result.error) {
  console.error(`cannot run vsce: ${result.error.message}`);
  process.exit(2);
}
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`packaged ${relative(process.cwd(), vsix) || vsix}`);
