//! What a TS client checks against a host of either language: every method with edge values,
//! optional parameters omitted, the void method, the declared error, `null` accepted for an
//! absent field, a lone surrogate refused before sending, notifications in order; and the
//! property tests (`properties`): 1,000+ generated values of every type, compared exactly.

import { strict as assert } from "node:assert";
import { isIpcErrorCode, type IpcConnection } from "ipcc-runtime";
import {
  addConformanceEventsListener,
  conformanceBatchSize,
  conformanceChannel,
  conformanceClient,
  isMathError,
  type Batch,
  type Nested,
  type Shape,
} from "../generated/conformance.js";
import * as gen from "./arbitrary.js";
import { assertExact } from "./exact.js";
import { emittedSample, emittedShape, I64_MAX, I64_MIN, U64_MAX } from "./fixtures.js";
import { Prng } from "./prng.js";

/** Every echo method, with the edge values of its type. */
export async function echoEveryMethod(connection: IpcConnection): Promise<void> {
  const client = conformanceClient(connection);
  const same = async <T>(what: string, value: T, call: (v: T) => Promise<T>) => assertExact(what, value, await call(value));
  for (const v of [true, false]) {
    await same("echoBool", v, client.echoBool);
    await same("echoBoolean", v, client.echoBoolean);
  }
  for (const v of [-128, -1, 0, 127]) await same("echoI8", v, client.echoI8);
  for (const v of [-32768, 0, 32767]) await same("echoI16", v, client.echoI16);
  for (const v of [-2147483648, 0, 2147483647]) await same("echoI32", v, client.echoI32);
  for (const v of gen.edgesI64()) await same("echoI64", v, client.echoI64);
  for (const v of [0, 255]) await same("echoU8", v, client.echoU8);
  for (const v of [0, 65535]) await same("echoU16", v, client.echoU16);
  for (const v of [0, 4294967295]) await same("echoU32", v, client.echoU32);
  for (const v of gen.edgesU64()) {
    await same("echoU64", v, client.echoU64);
    await same("echoId", v, client.echoId);
  }
  for (const v of gen.edgesF32()) await same("echoF32", v, client.echoF32);
  for (const v of gen.edgesF64()) {
    await same("echoF64", v, client.echoF64);
    await same("echoNumber", v, client.echoNumber);
  }
  for (const v of gen.edgesString()) await same("echoString", v, client.echoString);
  for (const v of [...gen.edgesBytes(), gen.mibBytes(7)]) {
    await same("echoBytes", v, client.echoBytes);
    await same("echoBlob", v, client.echoBlob);
  }
  for (const v of ["red", "green", "blue"] as const) await same("echoColor", v, client.echoColor);
  for (const v of [[], ["", "😀"]]) await same("echoTags", v, client.echoTags);
  for (const v of [undefined, "", "x"]) await same("echoMaybeString", v, client.echoMaybeString);
  for (const v of [undefined, { kind: "empty" } as Shape, emittedShape()]) await same("echoMaybeShape", v, client.echoMaybeShape);
  await same("echoStringMap", new Map([["", I64_MIN], ["k", I64_MAX]]), client.echoStringMap);
  await same("echoIntMap", new Map([[0, ""], [4294967295, "max"]]), client.echoIntMap);
  await same("echoBytesMap", new Map([["", new Uint8Array()], ["big", gen.mibBytes(3)]]), client.echoBytesMap);
  await same("echoMatrix", [[], [-2147483648, 0, 2147483647]], client.echoMatrix);
  const sample = emittedSample();
  await same("echoScalars", sample.maybeScalars!, client.echoScalars);
  await same("echoPoint", { x: -0, y: NaN }, client.echoPoint);
  const r = new Prng(1n);
  for (let variant = 0; variant < 4; variant++) await same("echoShape", gen.shapeVariant(r, variant), client.echoShape);
  await same("echoTree", sample.tree, client.echoTree);
  for (let variant = 0; variant < 5; variant++) await same("echoExpr", gen.exprVariant(r, variant, 3), client.echoExpr);
  for (let index = 0; index < 3; index++) await same("echoOptionals", gen.optionalsValue(r, index), client.echoOptionals);
  await same("echoNested", sample, client.echoNested);
  assertExact(
    "echoMany",
    { flag: true, count: U64_MAX, ratio: -0, name: "many", color: "green", shape: { kind: "empty" } },
    await client.echoMany(true, U64_MAX, -0, "many", "green", { kind: "empty" }),
  );
}

/** Trailing optional parameters left off, given, and `null` for an absent struct field. */
export async function optionalParams(connection: IpcConnection): Promise<void> {
  const client = conformanceClient(connection);
  assertExact("optionalArgs(7n)", { required: 7n }, await client.optionalArgs(7n));
  assertExact("optionalArgs(-1n, 't')", { required: -1n, text: "t" }, await client.optionalArgs(-1n, "t"));
  assertExact(
    "optionalArgs(0n, undefined, empty)",
    { required: 0n, shape: { kind: "empty" } },
    await client.optionalArgs(0n, undefined, { kind: "empty" }),
  );
  // What a TS client sends for omitted trailing parameters: nothing (the args array is shorter).
  assert.deepEqual(await connection.callRaw(conformanceChannel, "optionalArgs", ["5"]), { required: "5" });
  // `null` for an absent optional field is accepted and comes back absent.
  const wire = await connection.callRaw(conformanceChannel, "echoOptionals", [{ text: null, nullable: null, listOfMaybes: [null, "1"] }]);
  assert.deepEqual(wire, { listOfMaybes: [null, "1"] });
}

/** The void method and the declared error. */
export async function voidAndDeclaredError(connection: IpcConnection): Promise<void> {
  const client = conformanceClient(connection);
  assert.equal(await client.record("first"), undefined);
  await client.record("second 😀");
  assertExact("recorded", ["first", "second 😀"], await client.recorded());
  assert.equal(await client.divide(-7n, 2n), -3n);
  await assert.rejects(client.divide(1n, 0n), (e: unknown) => isMathError(e) && e.data.kind === "divideByZero");
  await assert.rejects(client.divide(I64_MIN, -1n), (e: unknown) => {
    assert.ok(isMathError(e), String(e));
    assertExact("overflow data", { kind: "overflow", dividend: I64_MIN, divisor: -1n }, e.data);
    return true;
  });
}

/** A lone surrogate is refused with `badRequest` before anything is sent (documented in docs/protocol.md). */
export async function loneSurrogateRefused(connection: IpcConnection): Promise<void> {
  const client = conformanceClient(connection);
  const before = await client.recorded();
  for (const bad of ["\ud800", "a\udc00b", "😀".slice(0, 1)]) {
    await assert.rejects(client.echoString(bad), (e: unknown) => isIpcErrorCode(e, "badRequest"));
    await assert.rejects(client.record(bad), (e: unknown) => isIpcErrorCode(e, "badRequest"));
  }
  // Nothing reached the host: `record` never ran with it.
  assert.deepEqual(await client.recorded(), before);
  assert.equal(await client.echoString("ok"), "ok");
}

type Event = ["tick", number, string] | ["shape", Shape, string | undefined] | ["sample", Nested] | ["done", number];

/** `emit` pushes its notifications in order, with exact values, before answering. */
export async function notificationsInOrder(connection: IpcConnection): Promise<void> {
  const events: Event[] = [];
  const remove = addConformanceEventsListener(
    {
      tick: (index, label) => events.push(["tick", index, label]),
      shape: (value, note) => events.push(["shape", value, note]),
      sample: (value) => events.push(["sample", value]),
      done: (total) => events.push(["done", total]),
    },
    connection,
  );
  try {
    const count = 50;
    assert.equal(await conformanceClient(connection).emit(count, "run 😀"), count);
    // Notifications precede the result on the wire, and a frontend hands each to its listeners
    // as it reads it: all of them are here once the result is.
    const expected: Event[] = [];
    for (let index = 0; index < count; index++) expected.push(["tick", index, "run 😀"]);
    expected.push(["shape", emittedShape(), "run 😀"], ["shape", { kind: "empty" }, undefined], ["sample", emittedSample()], ["done", count]);
    assertExact("notifications", expected, events);
  } finally {
    remove();
  }
}

/** The whole scenario over one connection. */
export async function runAll(connection: IpcConnection): Promise<void> {
  await echoEveryMethod(connection);
  await optionalParams(connection);
  await voidAndDeclaredError(connection);
  await loneSurrogateRefused(connection);
  await notificationsInOrder(connection);
}

/** Values per `echoBatch` call, and calls per type: 1,000 values of every type. */
export const PER_CALL = conformanceBatchSize;
export const CALLS_PER_TYPE = 10;

export function emptyBatch(): Batch {
  return {
    bools: [], booleans: [], i8s: [], i16s: [], i32s: [], i64s: [], u8s: [], u16s: [], u32s: [], u64s: [], f32s: [], f64s: [],
    numbers: [], strings: [], blobs: [], colors: [], ids: [], maybeStrings: [], stringMaps: [], intMaps: [], scalars: [],
    shapes: [], trees: [], exprs: [], optionals: [], nested: [],
  };
}

function values<T>(call: number, edges: T[], r: Prng, make: (r: Prng, index: number) => T): T[] {
  const out = call === 0 ? edges : [];
  while (out.length < PER_CALL) out.push(make(r, out.length));
  return out;
}

type Generators = { [K in keyof Batch]: (call: number, r: Prng) => Batch[K] };

/** For every `Batch` field (one per type), its values: edges on the first call, then generated. */
export const generators: Generators = {
  bools: (c, r) => values(c, [true, false], r, gen.boolValue),
  booleans: (c, r) => values(c, [false, true], r, gen.boolValue),
  i8s: (c, r) => values(c, [-128, 127, 0, -1], r, gen.i8Value),
  i16s: (c, r) => values(c, [-32768, 32767], r, gen.i16Value),
  i32s: (c, r) => values(c, [-2147483648, 2147483647], r, gen.i32Value),
  i64s: (c, r) => values(c, gen.edgesI64(), r, gen.i64Value),
  u8s: (c, r) => values(c, [0, 255], r, gen.u8Value),
  u16s: (c, r) => values(c, [0, 65535], r, gen.u16Value),
  u32s: (c, r) => values(c, [0, 4294967295], r, gen.u32Value),
  u64s: (c, r) => values(c, gen.edgesU64(), r, gen.u64Value),
  f32s: (c, r) => values(c, gen.edgesF32(), r, gen.f32Value),
  f64s: (c, r) => values(c, gen.edgesF64(), r, gen.f64Value),
  numbers: (c, r) => values(c, gen.edgesF64(), r, gen.f64Value),
  strings: (c, r) => values(c, gen.edgesString(), r, gen.stringValue),
  // One 1 MiB value, on the first call only.
  blobs: (c, r) => values(c, [...gen.edgesBytes(), gen.mibBytes(1)], r, gen.bytesValue),
  colors: (c, r) => values(c, ["red", "green", "blue"], r, gen.colorValue),
  ids: (c, r) => values(c, gen.edgesU64(), r, gen.u64Value),
  maybeStrings: (c, r) => values<string | undefined>(c, [undefined, ""], r, gen.maybeStringValue),
  stringMaps: (c, r) => values(c, [new Map()], r, gen.stringMapValue),
  intMaps: (c, r) => values(c, [new Map(), new Map([[0, ""], [4294967295, "😀"]])], r, gen.intMapValue),
  scalars: (c, r) => values(c, [], r, gen.scalarsValue),
  shapes: (c, r) => values(c, [], r, gen.shapeVariant),
  trees: (c, r) => values(c, [], r, (r) => gen.treeValue(r, 3)),
  exprs: (c, r) => values(c, [], r, (r, i) => gen.exprVariant(r, i, 4)),
  optionals: (c, r) => values(c, [], r, gen.optionalsValue),
  nested: (c, r) => {
    const edges = [emittedSample()];
    if (c === 0) {
      // A map of bytes holding 1 MiB, once.
      const big = emittedSample();
      big.blobs.set("mib", gen.mibBytes(2));
      edges.push(big);
    }
    return values(c, edges, r, gen.nestedValue);
  },
};

/** A `Batch` holding the values of call `call` of `field` only. */
export function batchFor(field: keyof Batch, call: number, r: Prng): Batch {
  const batch = emptyBatch();
  (batch as unknown as Record<string, unknown>)[field] = generators[field](call, r);
  return batch;
}

/** Sends 1,000+ generated values of every type through `echoBatch` and compares exactly. */
export async function properties(connection: IpcConnection, seed: bigint): Promise<void> {
  const client = conformanceClient(connection);
  const fields = Object.keys(generators) as (keyof Batch)[];
  for (const [n, field] of fields.entries()) {
    const r = new Prng(seed ^ BigInt.asUintN(64, BigInt(n) * 0x9e3779b97f4a7c15n));
    let sent = 0;
    for (let call = 0; call < CALLS_PER_TYPE; call++) {
      const batch = batchFor(field, call, r);
      const what = `echoBatch.${field} call ${call} (CONFORMANCE_SEED=${seed})`;
      let back: Batch;
      try {
        back = await client.echoBatch(batch);
      } catch (error) {
        throw new Error(`${what}: ${String(error)}`);
      }
      assertExact(what, batch, back);
      sent += (batch[field] as unknown[]).length;
    }
    assert.ok(sent >= 1000, `${field}: only ${sent} values sent`);
  }
}
