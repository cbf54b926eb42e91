// `npm run bundle`: the client and vscode-languageclient in one CommonJS file,
// out/bundle/extension.js (package.json's `main`), so the .vsix holds a handful of files instead
// of a node_modules tree and VS Code loads one module. `vscode` is provided by VS Code itself.
// Type checking is tsc's job (`npm run compile`); esbuild only strips the types.

import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const extensionDir = dirname(dirname(fileURLToPath(import.meta.url)));

await build({
  entryPoints: [join(extensionDir, "src", "extension.ts")],
  outfile: join(extensionDir, "out", "bundle", "extension.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  // VS Code 1.91 (the oldest that package.json's `engines` admits) runs extensions on Node 20.
  target: "node20",
  external: ["vscode"],
  // Not minified: a stack trace from a user's machine should be readable.
  minify: false,
  sourcemap: false,
  logLevel: "warning",
});
