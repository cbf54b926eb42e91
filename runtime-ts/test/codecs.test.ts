//! Codec tests: the value conformance vectors of tests/vectors/values.json, and edge cases beyond them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { c, decodeBase64, decodeValue, encodeBase64, encodeValue, IpcError, type Codec } from "../src/common/index.js";
import { MAX_VALUE_DEPTH, nestsDeeper } from "../src/common/protocol/codecs.js";
import { holderCodec, personCodec, treeCodec } from "./fixtures/echo.js";
import { vectorsDir } from "./paths.js";
import { codecFor } from "./type-expressions.js";

/** Compares parsed JSON values, numbers by value, objects regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return sameJson(ka, kb) && ka.every((k) => sameJson((a as any)[k], (b as any)[k]));
  }
  return a === b;
}

interface ValueCase {
  type: string;
  wire: string;
  valid: boolean;
  canonical?: string;
  lexical?: boolean;
  note?: string;
}
const cases: ValueCase[] = JSON.parse(readFileSync(join(vectorsDir, "values.json"), "utf8")).cases;

test("values.json: every vector decodes (or fails) as specified and re-encodes canonically", () => {
  let checked = 0;
  const failures: string[] = [];
  for (const v of cases) {
    if (v.lexical) continue; // spelling-dependent: JSON.parse hides it (README of the vectors)
    const label = `${v.type} ${v.wire}${v.note ? ` (${v.note})` : ""}`;
    const codec = codecFor(v.type);
    const wire = JSON.parse(v.wire);
    let value: unknown;
    try {
      value = decodeValue(codec, wire, "value");
    } catch (e) {
      if (!(e instanceof IpcError) || e.code !== "badRequest") failures.push(`${label}: threw ${String(e)} instead of a badRequest`);
      else if (v.valid) failures.push(`${label}: valid but rejected: ${e.message}`);
      checked++;
      continue;
    }
    if (!v.valid) {
      failures.push(`${label}: invalid but accepted`);
      continue;
    }
    let expected: unknown;
    try {
      expected = JSON.parse(v.canonical ?? v.wire);
    } catch {
      failures.push(`${label}: the vector's canonical text ${JSON.stringify(v.canonical)} is not JSON`);
      continue;
    }
    const encoded = JSON.parse(JSON.stringify(encodeValue(codec, value, "value")));
    if (!sameJson(encoded, expected)) failures.push(`${label}: re-encoded as ${JSON.stringify(encoded)}, expected ${v.canonical ?? v.wire}`);
    checked++;
  }
  assert.deepEqual(failures, []);
  assert.ok(checked > 100, `only ${checked} vectors checked`);
});

test("decode errors carry the path of the bad value", () => {
  const codec = c.struct<{ tags: string[] }>({ tags: c.array(c.string) });
  assert.throws(
    () => decodeValue(codec, { tags: ["a", "b", "c", 7] }, "args[0]"),
    (e: unknown) => e instanceof IpcError && e.code === "badRequest" && (e.data as { path: string }).path === "args[0].tags[3]",
  );
  const m = c.map(c.string, c.u8);
  assert.throws(() => decodeValue(m, { "a b": 300 }, "result"), /result\["a b"\]: 300 is out of range for u8/);
});

test("encoding checks values: ranges, bigint types, lone surrogates", () => {
  assert.throws(() => encodeValue(c.u8, 256, "args[0]"), /out of range/);
  assert.throws(() => encodeValue(c.i64, 1 as unknown as bigint, "args[0]"), /expected a bigint/);
  assert.throws(() => encodeValue(c.u64, -1n, "args[0]"), /out of range/);
  assert.throws(() => encodeValue(c.string, "a\ud800b", "args[1]"), (e: unknown) => e instanceof IpcError && e.code === "badRequest" && /lone surrogate/.test(e.message));
  assert.equal(encodeValue(c.u64, 18446744073709551615n, "x"), "18446744073709551615");
  assert.equal(encodeValue(c.f64, -0, "x"), "-0");
  assert.equal(encodeValue(c.f32, NaN, "x"), "NaN");
});

test("optional struct fields are absent on the wire and after decoding", () => {
  const p = { id: 1n, name: "Ann", tags: [], avatar: new Uint8Array() };
  const wire = encodeValue(personCodec, p, "x") as Record<string, unknown>;
  assert.equal("age" in wire, false);
  const back = decodeValue(personCodec, { ...wire, age: null }, "x");
  assert.equal("age" in back, false);
  assert.deepEqual(back, p);
});

test("map keys named __proto__ stay ordinary keys", () => {
  const m = new Map([["__proto__", 1], ["x", 2]]);
  const codec = c.map(c.string, c.u8);
  const text = JSON.stringify(encodeValue(codec, m, "x"));
  assert.equal(text, '{"__proto__":1,"x":2}');
  assert.deepEqual(decodeValue(codec, JSON.parse(text), "x"), m);
});

test("base64 of 1 MiB and more round-trips without blowing the stack", () => {
  for (const size of [0, 1, 2, 3, 4, 5, 1024 * 1024, 3 * 1024 * 1024 + 1]) {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >> 8)) & 255;
    const text = encodeBase64(bytes);
    assert.equal(text.length, Math.ceil(size / 3) * 4);
    const back = decodeBase64(text);
    assert.ok(back instanceof Uint8Array);
    assert.ok(Buffer.from(back).equals(Buffer.from(bytes)), `size ${size}`);
    // Cross-check against Node's own encoder.
    if (size < 10000) assert.equal(text, Buffer.from(bytes).toString("base64"));
  }
});

/** Arrays nested `depth` deep around `inner` (built in a loop: no recursion). */
function arrays(depth: number, inner: unknown = []): unknown {
  let value = inner;
  for (let i = 1; i < depth; i++) value = [value];
  return depth === 0 ? inner : value;
}

const tooDeep = (e: unknown) => e instanceof IpcError && e.code === "badRequest" && /nested deeper than 127 arrays and objects/.test(e.message);

test("recursive codecs: deep nesting is a typed error, not a crash", () => {
  let deep: unknown = { kind: "leaf", value: "1" };
  for (let i = 0; i < 100000; i++) deep = { kind: "node", children: [deep] };
  assert.throws(() => decodeValue(treeCodec, deep, "x"), tooDeep);
});

test("a value nests at most 127 arrays and objects, through every container codec", () => {
  assert.equal(MAX_VALUE_DEPTH, 127);
  // Arrays of arrays, maps of maps, structs of structs: 127 levels decode, 128 do not.
  const list: Codec<unknown[]> = c.array(c.lazy(() => list));
  const dict: Codec<Map<string, unknown>> = c.map(c.string, c.lazy(() => dict));
  type Box = { inner?: Box };
  const box: Codec<Box> = c.struct<Box>({ inner: c.optional(c.lazy(() => box)) });
  const dicts = (depth: number) => {
    let value: unknown = {};
    for (let i = 1; i < depth; i++) value = { k: value };
    return value;
  };
  const boxes = (depth: number) => {
    let value: unknown = {};
    for (let i = 1; i < depth; i++) value = { inner: value };
    return value;
  };
  for (const [codec, build] of [[list, arrays], [dict, dicts], [box, boxes]] as const) {
    decodeValue(codec as Codec<unknown>, build(127), "x");
    assert.throws(() => decodeValue(codec as Codec<unknown>, build(128), "x"), tooDeep);
    assert.throws(() => decodeValue(codec as Codec<unknown>, build(100000), "x"), tooDeep);
    // A failure leaves nothing behind: the next decode counts from 0 again.
    decodeValue(codec as Codec<unknown>, build(127), "x");
  }
  // The count starts at the codec's own root, wherever the value sits in a message.
  const tree = (nodes: number, innermost: unknown) => {
    let value = innermost;
    for (let i = 0; i < nodes; i++) value = { kind: "node", children: [value] };
    return value;
  };
  decodeValue(treeCodec, tree(63, { kind: "leaf", value: "1" }), "x");
  assert.throws(() => decodeValue(treeCodec, tree(63, { kind: "node", children: [] }), "x"), tooDeep);
});

test("the arrays and objects of unknown fields count towards the depth, in structs and unions", () => {
  const person = { id: "1", name: "Ann", tags: [], avatar: "" };
  const decoded = { id: 1n, name: "Ann", tags: [], avatar: new Uint8Array() };
  assert.deepEqual(decodeValue(personCodec, { ...person, extra: arrays(126) }, "x"), decoded);
  assert.throws(() => decodeValue(personCodec, { ...person, extra: arrays(127) }, "x"), (e: unknown) => tooDeep(e) && /x\.extra/.test((e as Error).message));
  assert.throws(() => decodeValue(personCodec, { ...person, extra: arrays(100000) }, "x"), tooDeep);
  const leaf = { kind: "leaf", value: "1" };
  assert.deepEqual(decodeValue(treeCodec, { ...leaf, extra: { a: arrays(125) } }, "x"), { kind: "leaf", value: 1n });
  assert.throws(() => decodeValue(treeCodec, { ...leaf, extra: { a: arrays(126) } }, "x"), tooDeep);
  // Deep inside a value: an unknown field of a union in a struct (1 + 1 + 125 levels).
  const holder = (extra: number) => ({ shape: { kind: "empty" }, moods: {}, weights: {}, maybe: { kind: "circle", radius: 1, x: arrays(extra) } });
  decodeValue(holderCodec, holder(125), "x");
  assert.throws(() => decodeValue(holderCodec, holder(126), "x"), tooDeep);
  // Scalars in unknown fields cost nothing, whatever their number.
  const wide: Record<string, unknown> = { ...person };
  for (let i = 0; i < 1000; i++) wide[`f${i}`] = i;
  assert.deepEqual(decodeValue(personCodec, wide, "x"), decoded);
});

test("nestsDeeper looks no deeper than its limit", () => {
  assert.equal(nestsDeeper(1, 0), false);
  assert.equal(nestsDeeper([], 0), true);
  assert.equal(nestsDeeper(arrays(127), 127), false);
  assert.equal(nestsDeeper(arrays(128), 127), true);
  assert.equal(nestsDeeper({ a: 1, b: { c: arrays(125) } }, 127), false);
  assert.equal(nestsDeeper({ a: 1, b: { c: arrays(126) } }, 127), true);
  assert.equal(nestsDeeper(JSON.parse("[".repeat(1e6) + "]".repeat(1e6)), 127), true);
});
