// Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the repository: every
// `.ipc` file for the compile targets, the message vectors as the bytes a frontend writes to a
// stdio backend for `wire_decode` (and those a backend writes for `frontend_decode`), the
// value vectors for `value_decode`. Also the committed
// regression inputs (fuzz/regressions/<target>/), so a fixed crasher stays in the corpus.
//
// Usage: node fuzz/seed.mjs   (from anywhere; idempotent: files are named by content hash)

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const fuzzDir = dirname(fileURLToPath(import.meta.url));
const repo = join(fuzzDir, "..");
const corpus = join(fuzzDir, "corpus");
const counts = {};

function put(target, bytes) {
  const dir = join(corpus, target);
  mkdirSync(dir, { recursive: true });
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
  const name = createHash("sha1").update(data).digest("hex");
  writeFileSync(join(dir, name), data);
  counts[target] = (counts[target] ?? 0) + 1;
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir).sort()) {
    if (entry === "node_modules" || entry === "target" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

// Compile targets: every .ipc of the examples, the test inputs and the compat corpus.
for (const folder of ["idl-examples", "examples", "tests/idl", "tests/vectors", "tests/conformance", "tests/ts/idl", "compiler/tests"]) {
  for (const path of walk(join(repo, folder))) {
    if (!path.endsWith(".ipc")) continue;
    const text = readFileSync(path);
    put("compile_bytes", text);
    put("compile_grammar", text);
  }
}

// wire_decode: each backend-side message vector case as one stdio byte stream.
const unhex = (text) => Buffer.from(text, "hex");
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const binaryMessage = (json, attachments) => {
  const text = Buffer.from(typeof json === "string" ? json : JSON.stringify(json), "utf8");
  const parts = [u32(text.length), text];
  for (const a of attachments) {
    const bytes = unhex(a);
    parts.push(u32(bytes.length), bytes);
  }
  return Buffer.concat(parts);
};
const stdioBinary = (message) => Buffer.concat([Buffer.from([0]), u32(message.length), message]);
for (const name of ["messages.json", "messages-binary.json", "messages-compat.json", "messages-streams.json"]) {
  const file = JSON.parse(readFileSync(join(repo, "tests/vectors", name), "utf8"));
  for (const testCase of file.cases) {
    const parts = [];
    if (testCase.handshake && file.hello) parts.push(Buffer.from(JSON.stringify(file.hello) + "\n"));
    for (const step of testCase.steps) {
      if (step.send !== undefined) parts.push(Buffer.from(JSON.stringify(step.send) + "\n"));
      else if (step.sendText !== undefined) parts.push(Buffer.from(step.sendText + "\n"));
      else if (step.sendBinary) parts.push(stdioBinary(binaryMessage(step.sendBinary.json, step.sendBinary.attachments)));
      else if (step.sendBinaryRaw) parts.push(stdioBinary(unhex(step.sendBinaryRaw)));
    }
    if (parts.length > 0) put("wire_decode", Buffer.concat(parts));
  }
}

/** An `answer` step's message with `id`: its `message` value, or its `text` with the id put in first. */
const answerText = (answer, id) => (answer.text !== undefined ? `{"id":${id},${answer.text.slice(1)}` : JSON.stringify({ ...answer.message, id }));

// frontend_decode: each frontend vector case's backend messages as one stdio byte stream; an
// `answer` goes to the call the case made with that `ref` (the harness's calls have ids 1, 2, 3).
{
  const file = JSON.parse(readFileSync(join(repo, "tests/vectors/messages-frontend.json"), "utf8"));
  for (const testCase of file.cases) {
    const refs = new Map();
    const lines = [];
    for (const step of testCase.steps) {
      if (step.call && !refs.has(step.call.ref)) refs.set(step.call.ref, Math.min(refs.size + 1, 3));
      if (step.send !== undefined) lines.push(JSON.stringify(step.send));
      else if (step.sendText !== undefined) lines.push(step.sendText);
      else if (step.answer) lines.push(answerText(step.answer, refs.get(step.answer.ref) ?? 1));
    }
    put("frontend_decode", lines.map((l) => l + "\n").join(""));
  }
}

// value_decode: "<type>\n<wire text>" per value vector.
const values = JSON.parse(readFileSync(join(repo, "tests/vectors/values.json"), "utf8"));
for (const v of values.cases) put("value_decode", `${v.type}\n${v.wire}`);

// The committed regression inputs.
for (const target of ["compile_bytes", "compile_grammar", "wire_decode", "frontend_decode", "value_decode"]) {
  for (const path of walk(join(fuzzDir, "regressions", target))) put(target, readFileSync(path));
}

for (const [target, n] of Object.entries(counts)) console.log(`seeded ${target}: ${n} files`);
