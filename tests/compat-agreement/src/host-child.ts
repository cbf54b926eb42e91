//! A child-process host for the stdio samples: serves the generated version in the folder given as its argument over stdin/stdout (calls made go to stderr, one per line).

import { StdioBackend } from "ipcc-runtime/node";
import { loadVersion, serveVersion } from "./corpus.js";

// First: from here on console output goes to stderr, stdout is protocol only.
const backend = new StdioBackend();
const dir = process.argv[2];
if (dir === undefined) {
  console.error("usage: host-child.js VERSION_DIR");
  process.exit(2);
}
const version = await loadVersion(dir);
const calls: string[] = [];
calls.push = (...items: string[]) => {
  for (const item of items) process.stderr.write(`call ${item}\n`);
  return Array.prototype.push.apply(calls, items);
};
serveVersion(version, calls).serve(backend);
