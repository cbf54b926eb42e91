//! The runtime's layers (ARCHITECTURE.md, "Runtime layers"): imports run one way, transport → protocol → session → binding → the entry points.
//!
//! Every file of `src/` is `<platform>/index.ts` (an entry point: `ipcc-runtime`, `./node`, `./browser`, `./tauri`) or lies in
//! `<platform>/<layer>/`, and its layer is its folder's: a new file needs no change here. Each relative import and
//! re-export is resolved to the file it names; one into a higher layer, into an entry point, or into another platform
//! (common imports only common; node, browser and tauri import common and themselves) fails with the file, line and import.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { packageDir } from "./paths.js";

const LAYERS = ["transport", "protocol", "session", "binding"] as const;
const PLATFORMS = ["common", "node", "browser", "tauri"] as const;
/** The entry points rank above every layer. */
const ENTRY = LAYERS.length;

interface Place {
  platform: string;
  /** Index into `LAYERS`, or `ENTRY`. */
  rank: number;
}

/** Where a file below `src/` (a posix path) belongs, or an error saying why it belongs nowhere. */
export function placeOf(file: string): Place | string {
  const parts = file.split("/");
  const platform = parts[0]!;
  if (!(PLATFORMS as readonly string[]).includes(platform)) return `src/${file}: not under ${PLATFORMS.join(", ")}`;
  if (parts.length === 2 && parts[1] === "index.ts") return { platform, rank: ENTRY };
  const rank = (LAYERS as readonly string[]).indexOf(parts[1]!);
  if (parts.length < 3 || rank < 0) return `src/${file}: in no layer; put it under src/${platform}/{${LAYERS.join(",")}}/`;
  return { platform, rank };
}

function describe(place: Place): string {
  return `${place.platform}/${place.rank === ENTRY ? "index.ts" : LAYERS[place.rank]}`;
}

/** `source` with comments blanked (newlines kept, so offsets still give lines); strings are left as they are. */
function withoutComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") { out += " "; i++; }
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every import against the grain in `source`, the file `file` (relative to `src/`, posix). */
export function checkImports(file: string, source: string): string[] {
  const from = placeOf(file);
  if (typeof from === "string") return [from];
  const problems: string[] = [];
  const code = withoutComments(source);
  const specifiers = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of code.matchAll(specifiers)) {
    const specifier = match[1] ?? match[2]!;
    if (!specifier.startsWith(".")) continue;
    const line = code.slice(0, match.index).split("\n").length;
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
    const to = placeOf(target);
    const at = `src/${file}:${line}: import "${specifier}"`;
    if (typeof to === "string") {
      problems.push(`${at} names a file outside the layers (${target})`);
    } else if (to.platform !== from.platform && to.platform !== "common") {
      problems.push(`${at} reaches ${describe(to)} from ${describe(from)}: ${from.platform} may import only common and itself`);
    } else if (to.rank > from.rank) {
      problems.push(`${at} reaches ${describe(to)} from ${describe(from)}, a lower layer`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("imports in src/ run one way: transport → protocol → session → binding → entry points", () => {
  const src = join(packageDir, "src");
  const files = sourceFiles(src);
  assert.ok(files.length > 20, `only ${files.length} files under ${src}`);
  const problems = files.flatMap((path) => checkImports(relative(src, path).split(sep).join("/"), readFileSync(path, "utf8")));
  assert.deepEqual(problems, [], `imports against the layers (ARCHITECTURE.md, "Runtime layers"):\n${problems.join("\n")}`);
});

test("an import against the grain is named with its file and line", () => {
  const source = [
    "//! A transport.",
    'import { IpcError } from "../protocol/errors.js"; // protocol is above transport',
    '// import { IpcHost } from "../session/host.js";',
    'const url = "ws://x"; import type { IpcHost } from "../session/host.js";',
    "export { IpcApp } from '../binding/app.js';",
    'const m = await import("../../node/binding/stdio.js");',
  ].join("\n");
  assert.deepEqual(checkImports("common/transport/message-port.ts", source), [
    'src/common/transport/message-port.ts:2: import "../protocol/errors.js" reaches common/protocol from common/transport, a lower layer',
    'src/common/transport/message-port.ts:4: import "../session/host.js" reaches common/session from common/transport, a lower layer',
    "src/common/transport/message-port.ts:5: import \"../binding/app.js\" reaches common/binding from common/transport, a lower layer",
    'src/common/transport/message-port.ts:6: import "../../node/binding/stdio.js" reaches node/binding from common/transport: common may import only common and itself',
  ]);
});

test("the grain is allowed; entry points and stray files are not", () => {
  assert.deepEqual(checkImports("node/binding/stdio.ts", 'import { IpcError } from "../../common/protocol/errors.js";\nimport { LineFraming } from "../transport/line-framing.js";'), []);
  assert.deepEqual(checkImports("common/session/host.ts", 'import { IpcApp } from "../index.js";'), [
    'src/common/session/host.ts:1: import "../index.js" reaches common/index.ts from common/session, a lower layer',
  ]);
  assert.deepEqual(checkImports("browser/binding/x.ts", 'import { x } from "../../node/binding/websocket.js";'), [
    'src/browser/binding/x.ts:1: import "../../node/binding/websocket.js" reaches node/binding from browser/binding: browser may import only common and itself',
  ]);
  assert.deepEqual(
    checkImports("tauri/binding/connect.ts", 'import { TauriSocket } from "../transport/tauri-socket.js";\nimport { IpcError } from "../../common/protocol/errors.js";'),
    [],
  );
  assert.deepEqual(checkImports("tauri/transport/tauri-socket.ts", 'import { x } from "../../browser/binding/websocket.js";\nimport { connectTauri } from "../binding/connect.js";'), [
    'src/tauri/transport/tauri-socket.ts:1: import "../../browser/binding/websocket.js" reaches browser/binding from tauri/transport: tauri may import only common and itself',
    'src/tauri/transport/tauri-socket.ts:2: import "../binding/connect.js" reaches tauri/binding from tauri/transport, a lower layer',
  ]);
  assert.deepEqual(checkImports("common/binding/app.ts", 'import { connectTauri } from "../../tauri/index.js";'), [
    'src/common/binding/app.ts:1: import "../../tauri/index.js" reaches tauri/index.ts from common/binding: common may import only common and itself',
  ]);
  assert.equal(placeOf("common/util.ts"), "src/common/util.ts: in no layer; put it under src/common/{transport,protocol,session,binding}/");
  assert.deepEqual(placeOf("common/transport/message-port.ts"), { platform: "common", rank: 0 });
});
