// A fuzz loop for runtime-ts's decoders, run for a given time (Node has no coverage-guided
// fuzzer that fits this package; this is a mutation loop over the conformance vectors).
//
//   node fuzz/ts/decoders.fuzz.mjs [--seconds N] [--seed S] [--replay FILE]
//
// Needs runtime-ts built with its tests (`npm ci && npm run build && npm run build:test` in
// runtime-ts): it imports the runtime and the vectors' Echo fixtures from runtime-ts/build-test.
// Three kinds of input, in turn, each mutated from tests/vectors (byte flips, splices, JSON
// structure mutations, lone surrogates, huge numbers, deep nesting, prototype keys):
//
// - value: a value vector's wire text decoded by its codec; it decodes (nested at most 127
//   deep, docs/protocol.md "Limits"), or throws the runtime's `CodecError` (never the stack's
//   `RangeError`: the depth limit bounds the codecs' recursion); what decodes re-encodes to a
//   fixed point.
// - host: a message vector case's messages into a fresh TS host over the in-memory transport;
//   every message it sends is a JSON object with a `type`, and afterwards it answers a call or
//   has closed the connection, within 5 s.
// - frontend: a frontend vector case's backend messages into an `IpcConnection` with three
//   calls pending; once the backend closes, every call settles with a value or an `IpcError`
//   within 5 s, and the connection reports only `IpcError`s.
//
// Anything else, an uncaught exception or rejection, a hang, or more than 2 GB of memory fails
// the run: the input is written to fuzz/artifacts/ts/ and the loop exits 1. A file there is
// replayed with --replay.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const built = join(repo, "runtime-ts", "build-test");
const rt = await import(join(built, "src/common/index.js"));
const { nestsDeeper } = await import(join(built, "src/common/protocol/codecs.js"));
const echo = await import(join(built, "test/fixtures/echo.js"));
const streams = await import(join(built, "test/fixtures/streams.js"));
const { c, CodecError, IpcError, IpcHost, IpcConnection, createMemorySocketPair, callMethod } = rt;

// ---------------------------------------------------------------------------------------------
// Arguments and the random source
// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const seconds = Number(arg("--seconds", "600"));
let seed = Number(arg("--seed", String(Date.now() % 2147483647)));
const replay = arg("--replay", undefined);
const artifacts = join(repo, "fuzz", "artifacts", "ts");
const RSS_LIMIT = 2 * 1024 * 1024 * 1024;
const HANG_MS = 5000;

let state = seed >>> 0 || 1;
const random = () => {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
};
const below = (n) => Math.floor(random() * n);
const pick = (items) => items[below(items.length)];

// ---------------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------------

const vectors = join(repo, "tests", "vectors");
const load = (name) => JSON.parse(readFileSync(join(vectors, name), "utf8"));
const valueCases = load("values.json").cases;
const hostFiles = ["messages.json", "messages-compat.json", "messages-binary.json", "messages-streams.json"].map((name) => [name, load(name)]);
const frontendFile = load("messages-frontend.json");

const unhex = (text) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const u32 = (n) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const binaryLayout = (json, attachments) => {
  const text = new TextEncoder().encode(typeof json === "string" ? json : JSON.stringify(json));
  return concat([u32(text.length), text, ...attachments.flatMap((a) => [u32(unhex(a).length), unhex(a)])]);
};

/** A host case as the messages a frontend sends: strings (text) and Uint8Arrays (binary). */
const hostSeeds = [];
for (const [name, file] of hostFiles) {
  for (const testCase of file.cases) {
    const messages = [];
    if (testCase.handshake && file.hello) messages.push(JSON.stringify(file.hello));
    for (const step of testCase.steps) {
      if (step.send !== undefined) messages.push(JSON.stringify(step.send));
      else if (step.sendText !== undefined) messages.push(step.sendText);
      else if (step.sendBinary) messages.push(binaryLayout(step.sendBinary.json, step.sendBinary.attachments));
      else if (step.sendBinaryRaw) messages.push(unhex(step.sendBinaryRaw));
    }
    if (messages.length > 0) hostSeeds.push({ streams: name === "messages-streams.json", host: testCase.host ?? {}, messages });
  }
}

/** An `answer` step's message with `id`: its `message` value, or its `text` with the id put in first. */
const answerText = (answer, id) => (answer.text !== undefined ? `{"id":${id},${answer.text.slice(1)}` : JSON.stringify({ ...answer.message, id }));

/** A frontend case as the messages a backend sends; ids of `answer` steps are the calls' 1, 2, 3. */
const frontendSeeds = [];
for (const testCase of frontendFile.cases) {
  const messages = [];
  const refs = new Map();
  for (const step of testCase.steps) {
    if (step.call) refs.set(step.call.ref, refs.size + 1);
    if (step.send !== undefined) messages.push(JSON.stringify(step.send));
    else if (step.sendText !== undefined) messages.push(step.sendText);
    else if (step.answer) messages.push(answerText(step.answer, refs.get(step.answer.ref) ?? 1));
  }
  frontendSeeds.push(messages);
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

const deep = (depth, open, close, inner = "1") => open.repeat(depth) + inner + close.repeat(depth);
const INTERESTING = [
  "null", "true", "false", "0", "-0", "1e400", "-1e400", "1e-400", "9007199254740993", "-9223372036854775809",
  "18446744073709551616", "4294967296", "2147483648", "0.5", "1e308", '"NaN"', '"Infinity"', '"-Infinity"',
  '"-0"', '"01"', '"+1"', '" 1"', '"1e3"', '"0x10"', '""', '"\\ud800"', '"\\udc00x"', '"\\u0000"', '"aGk="', '"aGk"',
  '"aGk=="', '"____"', "[]", "{}", "[null]", '{"kind":"node"}', '{"kind":"__proto__"}', '{"__proto__":{"x":1}}',
  '{"constructor":1}', '"__proto__"', '"constructor"', '"toString"', '"hasOwnProperty"', deep(300, "[", "]"),
  deep(3000, "[", "]"), deep(200, '{"kind":"node","children":[', "]}", '{"kind":"leaf","value":"1"}'),
  '"' + "x".repeat(70000) + '"', "[" + "1,".repeat(5000) + "1]",
];
const TEXT_TOKENS = ["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "\ud800", "\udfff", "😀", "\u0000", "\n", " ", "-", "e", "."];

function mutateText(text) {
  let s = text;
  for (let i = 0, n = 1 + below(4); i < n; i++) {
    const at = below(s.length + 1);
    switch (below(6)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + below(8));
        break;
      case 1:
        s = s.slice(0, at) + pick(TEXT_TOKENS) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + pick(INTERESTING) + s.slice(at);
        break;
      case 3: {
        const from = below(s.length + 1);
        s = s.slice(0, at) + s.slice(from, from + below(32)) + s.slice(at);
        break;
      }
      case 4:
        s = s.slice(0, at) + String.fromCharCode(below(0x10000)) + s.slice(at + 1);
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << below(7))) + s.slice(at + 1);
    }
  }
  return s;
}

/** Replaces one value somewhere in a parsed JSON document with an interesting one (or adds a key). */
function mutateJson(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return mutateText(text);
  }
  const slots = [];
  // Depth-limited: a document may already be nested thousands deep (an earlier mutation).
  const walk = (v, set, depth = 0) => {
    slots.push(set);
    if (depth > 64) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, (y) => (v[i] = y), depth + 1));
    else if (v && typeof v === "object") for (const k of Object.keys(v)) walk(v[k], (y) => (v[k] = y), depth + 1);
  };
  let root = doc;
  walk(doc, (y) => (root = y));
  const marker = `\u0001${below(1e9)}\u0001`;
  const choice = below(4);
  if (choice === 0 && root && typeof root === "object" && !Array.isArray(root)) {
    root[pick(["id", "type", "channel", "method", "args", "value", "code", "credit", "protocol", "features", "schemas", "__proto__", "extra"])] = marker;
  } else if (choice === 1 && slots.length > 1) {
    const setter = pick(slots.slice(1));
    setter(Array.isArray(doc) ? [] : {});
    try {
      return mutateJson(JSON.stringify(root));
    } catch {
      return mutateText(text);
    }
  } else {
    pick(slots)(marker);
  }
  let text2;
  try {
    text2 = JSON.stringify(root);
  } catch {
    return mutateText(text); // nested too deep for JSON.stringify's own recursion
  }
  return text2.replace(JSON.stringify(marker), pick(INTERESTING));
}

function mutateBytes(bytes) {
  const b = Array.from(bytes);
  for (let i = 0, n = 1 + below(4); i < n; i++) {
    const at = below(b.length + 1);
    switch (below(4)) {
      case 0:
        b.splice(at, 1 + below(4));
        break;
      case 1:
        b.splice(at, 0, below(256));
        break;
      case 2:
        b.splice(at, 4, ...u32(pick([0, 1, 4, 255, 65536, 0x7fffffff, 0xffffffff, below(64)])));
        break;
      default:
        if (at < b.length) b[at] ^= 1 << below(8);
    }
  }
  return Uint8Array.from(b);
}

function mutateMessage(m) {
  if (m instanceof Uint8Array) return mutateBytes(m);
  return below(2) === 0 ? mutateJson(m) : mutateText(m);
}

/** Mutates a list of messages: mutate some, drop, duplicate, or splice in one from elsewhere. */
function mutateMessages(messages, elsewhere) {
  const out = [...messages];
  for (let i = 0, n = 1 + below(3); i < n; i++) {
    const at = below(out.length + 1);
    switch (below(5)) {
      case 0:
        out.splice(at, 1);
        break;
      case 1:
        if (out.length > 0) out.splice(at, 0, out[below(out.length)]);
        break;
      case 2:
        out.splice(at, 0, pick(pick(elsewhere)));
        break;
      default:
        if (out.length > 0) {
          const j = below(out.length);
          out[j] = mutateMessage(out[j]);
        }
    }
  }
  return out.slice(0, 64);
}

// ---------------------------------------------------------------------------------------------
// The three kinds of input
// ---------------------------------------------------------------------------------------------

const named = {
  bool: c.bool, i8: c.i8, i16: c.i16, i32: c.i32, u8: c.u8, u16: c.u16, u32: c.u32, i64: c.i64, u64: c.u64,
  f32: c.f32, f64: c.f64, string: c.string, bytes: c.bytes, void: c.void,
  Person: echo.personCodec, Mood: echo.moodCodec, Shape: echo.shapeCodec, Tree: echo.treeCodec, Holder: echo.holderCodec,
};
/** The vectors' type expressions: a name or `map<K, V>`, then `[]` / `?` suffixes. */
function codecFor(expr) {
  let pos = 0;
  const parse = () => {
    while (expr[pos] === " ") pos++;
    let codec;
    if (expr.startsWith("map<", pos)) {
      pos += 4;
      const k = parse();
      pos++; // ,
      const v = parse();
      while (expr[pos] === " ") pos++;
      pos++; // >
      codec = c.map(k, v);
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(expr.slice(pos));
      pos += m[0].length;
      codec = named[m[0]];
    }
    for (;;) {
      if (expr.startsWith("[]", pos)) {
        pos += 2;
        codec = c.array(codec);
      } else if (expr[pos] === "?") {
        pos++;
        codec = c.optional(codec);
      } else return codec;
    }
  };
  return parse();
}

class Finding extends Error {}


function runValue(input) {
  const codec = codecFor(input.type);
  let wire;
  try {
    wire = JSON.parse(input.wire);
  } catch {
    return; // not JSON: the message parser's business, not the codec's
  }
  let value;
  try {
    value = codec.decode(wire);
  } catch (e) {
    if (e instanceof CodecError) return;
    throw new Finding(`decode threw ${e?.constructor?.name}: ${e?.stack ?? e}`);
  }
  if (nestsDeeper(wire, 127)) throw new Finding("a value nested deeper than 127 decoded");
  let once, twice;
  try {
    once = JSON.stringify(codec.encode(value));
    twice = JSON.stringify(codec.encode(codec.decode(JSON.parse(once))));
  } catch (e) {
    throw new Finding(`a decoded value does not round-trip: ${e?.stack ?? e}`);
  }
  if (once !== twice) throw new Finding(`encoding is not a fixed point: ${once} vs ${twice}`);
}

const withTimeout = (promise, what) => {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Finding(`hang: ${what} after ${HANG_MS} ms`)), HANG_MS);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** The Echo implementation with `big` and `notifyMe` capped (a mutated vector asks for billions). */
function cappedEcho(host) {
  const impl = echo.echoImpl(host);
  const { big, notifyMe } = impl;
  impl.big = (size, ...rest) => big(Math.min(size, 4096), ...rest);
  impl.notifyMe = (count, ...rest) => notifyMe(Math.min(count, 4096), ...rest);
  return impl;
}

async function runHost(input) {
  const options = { maxMessageBytes: 1 << 20, ...input.host };
  const host = new IpcHost(options);
  if (input.streams) host.register(streams.streamsTestDescriptor, streams.streamsImpl(new streams.StreamsProbe()));
  else {
    host.register(echo.echoDescriptor, cappedEcho(host));
    host.declareNotifications(echo.echoEventsDescriptor);
  }
  const [frontend, backend] = createMemorySocketPair();
  const SENTINEL = 987654321;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  let problem;
  frontend.onMessage((message) => {
    let value;
    try {
      value = typeof message === "string" ? JSON.parse(message) : JSON.parse(new TextDecoder().decode(message.subarray(4, 4 + new DataView(message.buffer, message.byteOffset).getUint32(0))));
    } catch (e) {
      problem ??= `the host sent a message that is not JSON: ${String(message).slice(0, 200)}`;
      return;
    }
    if (!value || typeof value !== "object" || typeof value.type !== "string") problem ??= `the host sent a message without a type: ${JSON.stringify(value)?.slice(0, 200)}`;
    if (value?.id === SENTINEL) done();
  });
  frontend.onClose(() => done());
  host.accept(backend);
  for (const m of input.messages) frontend.send(typeof m === "string" ? m : Uint8Array.from(m));
  const channel = input.streams ? "streams-test-v1" : "ipcc-vectors-echo-v1";
  const method = input.streams ? "count" : "add";
  frontend.send(JSON.stringify({ type: "call", id: SENTINEL, channel, method, args: input.streams ? [1] : [1, 2], ...(input.streams ? { credit: 1 } : {}) }));
  try {
    await withTimeout(finished, "the host neither answered a call nor closed");
  } finally {
    frontend.close();
    await withTimeout(host.shutdown(), "host.shutdown()");
  }
  if (problem) throw new Finding(problem);
}

async function runFrontend(input) {
  const [frontend, backend] = createMemorySocketPair();
  const reported = [];
  const conn = new IpcConnection(frontend, { channels: [echo.echoDescriptor, echo.echoEventsDescriptor], maxMessageBytes: 1 << 20, onError: (e) => reported.push(e) });
  const listener = rt.addNotificationListener?.(echo.echoEventsDescriptor, { tick() {} }, conn);
  const calls = [
    callMethod(echo.echoDescriptor, "add", [1, 2], undefined, conn),
    callMethod(echo.echoDescriptor, "echoPerson", [{ id: 1n, name: "a", tags: [], avatar: new Uint8Array([1]) }], undefined, conn),
    callMethod(echo.echoDescriptor, "echoBytes", [new Uint8Array([0, 255])], undefined, conn),
  ].map((p) => p.then(() => undefined, (e) => e));
  backend.onMessage(() => {});
  for (const m of input.messages) backend.send(typeof m === "string" ? m : Uint8Array.from(m));
  await new Promise((resolve) => setTimeout(resolve, 0));
  backend.close();
  const outcomes = await withTimeout(Promise.all(calls), "a call still pending after the backend closed");
  for (const e of outcomes) {
    if (e !== undefined && !(e instanceof IpcError)) throw new Finding(`a call rejected with a non-IpcError: ${e?.stack ?? e}`);
  }
  for (const e of reported) if (!(e instanceof IpcError)) throw new Finding(`onError got a non-IpcError: ${e?.stack ?? e}`);
  listener?.remove?.();
  conn.close();
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

function nextInput(i) {
  switch (i % 3) {
    case 0: {
      const v = pick(valueCases);
      const wire = below(2) === 0 ? mutateJson(v.wire) : mutateText(v.wire);
      return { kind: "value", type: v.type, wire };
    }
    case 1: {
      const s = pick(hostSeeds);
      const messages = mutateMessages(s.messages, hostSeeds.map((x) => x.messages));
      return { kind: "host", streams: s.streams, host: s.host, messages };
    }
    default:
      return { kind: "frontend", messages: mutateMessages(pick(frontendSeeds), frontendSeeds) };
  }
}

const encodeInput = (input) =>
  JSON.stringify({ ...input, messages: input.messages?.map((m) => (typeof m === "string" ? m : { hex: Buffer.from(m).toString("hex") })) });
const decodeInput = (text) => {
  const input = JSON.parse(text);
  if (input.messages) input.messages = input.messages.map((m) => (typeof m === "string" ? m : unhex(m.hex)));
  return input;
};

async function run(input) {
  if (input.kind === "value") runValue(input);
  else if (input.kind === "host") await runHost(input);
  else await runFrontend(input);
}

let current;
function fail(reason) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `crash-${Date.now()}.json`);
  writeFileSync(file, encodeInput(current ?? {}));
  console.error(`FAILED (${reason})\ninput kept in ${file}; replay: node fuzz/ts/decoders.fuzz.mjs --replay ${file}`);
  process.exit(1);
}
process.on("uncaughtException", (e) => fail(`uncaught exception: ${e?.stack ?? e}`));
process.on("unhandledRejection", (e) => fail(`unhandled rejection: ${e?.stack ?? e}`));

if (replay) {
  current = decodeInput(readFileSync(replay, "utf8"));
  try {
    await run(current);
  } catch (e) {
    fail(e?.stack ?? String(e));
  }
  console.log("replay: no failure");
  process.exit(0);
}

console.log(`ts fuzz loop: seed ${seed}, ${seconds} s, ${valueCases.length} value, ${hostSeeds.length} host, ${frontendSeeds.length} frontend seeds`);
const start = Date.now();
const counts = { value: 0, host: 0, frontend: 0 };
let lastReport = start;
let peakRss = 0;
for (let i = 0; Date.now() - start < seconds * 1000; i++) {
  current = undefined; // a failure while mutating is the loop's own, not an input's
  current = nextInput(i);
  try {
    await run(current);
  } catch (e) {
    fail(e instanceof Finding ? e.message : `unexpected: ${e?.stack ?? e}`);
  }
  counts[current.kind]++;
  if (Date.now() - lastReport > 10000) {
    lastReport = Date.now();
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (rss > RSS_LIMIT) fail(`rss ${rss} bytes over the limit`);
    console.log(`#${i} ${Math.round((lastReport - start) / 1000)} s: ${JSON.stringify(counts)} rss ${(rss / 1048576).toFixed(0)} MB`);
  }
}
const total = counts.value + counts.host + counts.frontend;
console.log(`done: ${total} inputs in ${seconds} s (${JSON.stringify(counts)}), peak rss ${(peakRss / 1048576).toFixed(0)} MB, no failure`);
process.exit(0);
