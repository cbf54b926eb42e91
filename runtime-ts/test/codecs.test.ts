//! Codec tests: the value conformance vectors of tests/vectors/values.json, and edge cases beyond them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { c, decodeBase64, decodeValue, encodeBase64, encodeValue, IpcError, type Codec } from "../src/common/index.js";
import { holderCodec, moodCodec, personCodec, shapeCodec, treeCodec } from "./fixtures/echo.js";
import { vectorsDir } from "./paths.js";

const named: Record<string, Codec<any>> = {
  bool: c.bool, i8: c.i8, i16: c.i16, i32: c.i32, u8: c.u8, u16: c.u16, u32: c.u32, i64: c.i64, u64: c.u64,
  f32: c.f32, f64: c.f64, string: c.string, bytes: c.bytes, void: c.void,
  Person: personCodec, Mood: moodCodec, Shape: shapeCodec, Tree: treeCodec, Holder: holderCodec,
};

/** Parses the vectors' type expressions: a name or `map<K, V>`, then any `[]` / `?` suffixes. */
function codecFor(expr: string): Codec<any> {
  let pos = 0;
  const ws = () => {
    while (expr[pos] === " ") pos++;
  };
  const parse = (): Codec<any> => {
    ws();
    let codec: Codec<any>;
    if (expr.startsWith("map<", pos)) {
      pos += 4;
      const k = parse();
      ws();
      assert.equal(expr[pos++], ",", `bad type expression ${expr}`);
      const v = parse();
      ws();
      assert.equal(expr[pos++], ">", `bad type expression ${expr}`);
      codec = c.map(k, v);
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(expr.slice(pos));
      assert.ok(m && named[m[0]], `unknown type in ${expr}`);
      pos += m![0].length;
      codec = named[m![0]]!;
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
  const codec = parse();
  assert.equal(pos, expr.length, `trailing text in type expression ${expr}`);
  return codec;
}

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

test("recursive codecs: deep nesting is a typed error, not a crash", () => {
  let deep: unknown = { kind: "leaf", value: "1" };
  for (let i = 0; i < 100000; i++) deep = { kind: "node", children: [deep] };
  assert.throws(() => decodeValue(treeCodec, deep, "x"), (e: unknown) => e instanceof IpcError && e.code === "badRequest");
});
