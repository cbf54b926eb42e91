//! docs/guide.md cannot drift from the code the tests build and run: every region marked
//! `guide:start NAME` … `guide:end NAME` (as a `//` or `#` comment) in the source files below
//! must appear verbatim (less its common indentation) as a fenced code block of the guide, and
//! every `rust`, `ts`, `ipc` and `toml` block of the guide must be one of those regions. The
//! package.json scripts the guide shows must be this package's own, which `npm test` runs.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoDir = join(packageDir, "..", "..");
const guidePath = join(repoDir, "docs", "guide.md");

/** Files with guide regions, relative to the repository root; each is built and run by a test. */
const SOURCES = [
  "idl-examples/my-interface.ipc",
  "examples/my-interface-backend/src/main.rs",
  "examples/sidecar/common/sidecar.ipc",
  "examples/sidecar/worker/Cargo.toml",
  "examples/sidecar/worker/build.rs",
  "examples/sidecar/worker/src/main.rs",
  "examples/sidecar/src/sidecar-app.ts",
  "examples/sidecar/src/electron/main.ts",
  "examples/sidecar/src/electron/renderer.ts",
  "examples/sidecar/src/reference/frontend.ts",
  "examples/sidecar/src/reference/ts-backend.ts",
  "examples/sidecar/test/sidecar.test.ts",
  "examples/web-app/common/web-app.ipc",
  "examples/web-app/backend/Cargo.toml",
  "examples/web-app/backend/src/jobs.rs",
  "examples/web-app/backend/src/main.rs",
  "examples/web-app/frontend/src/main.ts",
  "tests/version-skew/v1/app.ipc",
  "tests/version-skew/v2/app.ipc",
  "tests/version-skew/build.rs",
  "tests/build.rs",
  "tests/src/backends.rs",
  "tests/npm-install/app/main.ts",
];

/** The package.json scripts the guide shows as the npm set-up. */
const SCRIPTS = ["generate", "check-generated"];

/** Languages whose fenced blocks must come from a region (shell and JSON are free). */
const ANCHORED_LANGUAGES = new Set(["rust", "ts", "ipc", "toml"]);

const MARKER = /^\s*(?:\/\/|#)\s*guide:(start|end)\s+(\S+)\s*$/;

interface Region {
  name: string;
  file: string;
  text: string;
}

/**
 * The regions of one file; a malformed marker (unclosed, unopened, opened twice at once) fails
 * the test. A region may be marked in several parts of its file (the `use` or `import` lines
 * at the top, the code further down): its text is the parts in order, each dedented on its
 * own, a blank line between them, as a snippet that shows its imports reads.
 */
function regionsOf(file: string): Region[] {
  const lines = readFileSync(join(repoDir, file), "utf8").split("\n");
  const open = new Map<string, string[]>();
  const parts = new Map<string, string[]>();
  for (const [index, line] of lines.entries()) {
    const marker = MARKER.exec(line);
    if (marker) {
      const [, kind, name] = marker as unknown as [string, "start" | "end", string];
      if (kind === "start") {
        assert.ok(!open.has(name), `${file}:${index + 1}: region ${name} opened twice`);
        open.set(name, []);
      } else {
        const body = open.get(name);
        assert.ok(body, `${file}:${index + 1}: region ${name} ends but never started`);
        open.delete(name);
        parts.set(name, [...(parts.get(name) ?? []), dedent(body)]);
      }
      continue;
    }
    for (const body of open.values()) body.push(line);
  }
  assert.deepEqual([...open.keys()], [], `${file}: regions never closed`);
  return [...parts].map(([name, texts]) => ({ name, file, text: texts.join("\n\n") }));
}

/** Removes the indentation common to all non-blank lines, and surrounding blank lines. */
function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((l) => l.slice(common).trimEnd())
    .join("\n")
    .replace(/^\n+|\n+$/g, "");
}

/** The guide's fenced code blocks: language and text. */
function fencedBlocks(markdown: string): { language: string; text: string }[] {
  const blocks: { language: string; text: string }[] = [];
  const fence = /^```(\S*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    blocks.push({ language: m[1] ?? "", text: (m[2] ?? "").replace(/\n$/, "") });
  }
  return blocks;
}

const guide = readFileSync(guidePath, "utf8");
const blocks = fencedBlocks(guide);
const regions = SOURCES.flatMap(regionsOf);

test("every source file named here has at least one region, and region names are unique", () => {
  for (const file of SOURCES) assert.ok(regions.some((r) => r.file === file), `${file} has no guide region`);
  const names = regions.map((r) => r.name);
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], "duplicate region names");
});

for (const region of regions) {
  test(`docs/guide.md shows region ${region.name} of ${region.file} verbatim`, () => {
    assert.ok(
      blocks.some((block) => block.text === region.text),
      `docs/guide.md has no fenced block equal to region ${region.name} of ${region.file}:\n${region.text}`,
    );
  });
}

test("every rust/ts/ipc/toml block of the guide is a region of tested code", () => {
  const texts = new Set(regions.map((r) => r.text));
  for (const block of blocks) {
    if (!ANCHORED_LANGUAGES.has(block.language)) continue;
    assert.ok(texts.has(block.text), `docs/guide.md has a ${block.language} block that comes from no region:\n${block.text}`);
  }
});

test("the npm scripts the guide shows are this package's own", () => {
  const scripts = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  for (const name of SCRIPTS) {
    const line = `${JSON.stringify(name)}: ${JSON.stringify(scripts[name])}`;
    assert.ok(scripts[name], `package.json has no script ${name}`);
    assert.ok(
      blocks.some((block) => block.language === "json" && block.text.split("\n").some((l) => l.trim().replace(/,$/, "") === line)),
      `docs/guide.md shows no json block with ${line}`,
    );
  }
});
