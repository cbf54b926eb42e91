//! Seeded generators of values of every type of `conformance.ipc`, edge values first
//! (`edges*`), so every run covers them whatever the seed. Mirrors `../../src/arbitrary.rs`.

import type { Color, Expr, Nested, Optionals, Point, Scalars, Shape, Tree } from "../generated/conformance.js";
import { I64_MAX, I64_MIN, U64_MAX } from "./fixtures.js";
import type { Prng } from "./prng.js";

export const MIB = 1 << 20;

export const edgesI64 = (): bigint[] => [0n, 1n, -1n, I64_MIN, I64_MAX, I64_MIN + 1n, I64_MAX - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n];
export const edgesU64 = (): bigint[] => [0n, 1n, U64_MAX, U64_MAX - 1n, I64_MAX, I64_MAX + 1n, 2n ** 53n, 2n ** 53n + 1n];
export const edgesF64 = (): number[] => [
  0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308, 5e-324, -5e-324, 0.1, 1e300, -1.5,
  9007199254740992, 1 / 3,
];
export const edgesF32 = (): number[] =>
  [0, -0, NaN, Infinity, -Infinity, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 1e-45, 0.1, 16777217].map(Math.fround);
export const edgesString = (): string[] => [
  "", "a", "héllo wörld", "😀", "𝄞 clef", "\u{10FFFF}", "\u0000", "\"\\/\b\f\n\r\t", "\u2028\u2029", "\uFEFFbom", "\u007f\u0080\uffff", "日本語テキスト",
];
export const edgesBytes = (): Uint8Array[] => [
  new Uint8Array(), new Uint8Array([0]), new Uint8Array([255]), new Uint8Array([0xfb, 0xff]), new Uint8Array([1, 2, 3]),
  Uint8Array.from({ length: 256 }, (_, i) => i),
];

const view = new DataView(new ArrayBuffer(8));

export const boolValue = (r: Prng) => r.oneIn(2);
export function i64Value(r: Prng): bigint {
  switch (r.below(4)) {
    case 0: return r.pick(edgesI64());
    case 1: return BigInt(r.below(2001) - 1000);
    default: return BigInt.asIntN(64, r.nextU64());
  }
}
export function u64Value(r: Prng): bigint {
  switch (r.below(4)) {
    case 0: return r.pick(edgesU64());
    case 1: return BigInt(r.below(1000));
    default: return r.nextU64();
  }
}
/** An integer of `bits` bits, signed or not, with its extremes often. */
function smallInt(r: Prng, bits: number, signed: boolean): number {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (r.below(4) === 0) return r.pick([min, max, 0, 1]);
  return min + r.below(max - min + 1);
}
export const i8Value = (r: Prng) => smallInt(r, 8, true);
export const i16Value = (r: Prng) => smallInt(r, 16, true);
export const i32Value = (r: Prng) => smallInt(r, 32, true);
export const u8Value = (r: Prng) => smallInt(r, 8, false);
export const u16Value = (r: Prng) => smallInt(r, 16, false);
export const u32Value = (r: Prng) => smallInt(r, 32, false);
export function f64Value(r: Prng): number {
  switch (r.below(4)) {
    case 0: return r.pick(edgesF64());
    case 1: return (r.below(2_000_001) - 1_000_000) / 1000;
    default:
      view.setBigUint64(0, r.nextU64());
      return view.getFloat64(0);
  }
}
export function f32Value(r: Prng): number {
  switch (r.below(4)) {
    case 0: return r.pick(edgesF32());
    case 1: return Math.fround((r.below(20001) - 10000) / 8);
    default:
      view.setUint32(0, Number(r.nextU64() & 0xffffffffn));
      return view.getFloat32(0);
  }
}
/** A code point from a mix of ranges: ASCII (controls included), Latin, CJK, astral. */
function codePoint(r: Prng): number {
  switch (r.below(6)) {
    case 0: return r.below(0x20);
    case 1: case 2: return 0x20 + r.below(0x5f);
    case 3: return 0x80 + r.below(0x780);
    case 4: return 0x3000 + r.below(0x6000);
    default: return 0x10000 + r.below(0x100000);
  }
}
export function stringValue(r: Prng): string {
  if (r.oneIn(5)) return r.pick(edgesString());
  const length = r.below(24);
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCodePoint(codePoint(r));
  return s;
}
export function bytesValue(r: Prng): Uint8Array {
  if (r.oneIn(5)) return r.pick(edgesBytes());
  return Uint8Array.from({ length: r.below(48) }, () => Number(r.nextU64() & 0xffn));
}
/** One MiB of patterned bytes (every byte value, not a run of zeros). */
export const mibBytes = (seed: number) => Uint8Array.from({ length: MIB }, (_, i) => (i * 31 + seed) & 0xff);
export const colorValue = (r: Prng): Color => r.pick(["red", "green", "blue"] as const);
function maybe<T>(r: Prng, make: (r: Prng) => T): T | undefined {
  return r.oneIn(3) ? undefined : make(r);
}
function list<T>(r: Prng, max: number, make: (r: Prng) => T): T[] {
  return Array.from({ length: r.below(max + 1) }, () => make(r));
}
function mapOf<K, V>(r: Prng, max: number, key: (r: Prng) => K, value: (r: Prng) => V): Map<K, V> {
  const m = new Map<K, V>();
  const n = r.below(max + 1);
  for (let i = 0; i < n; i++) {
    const k = key(r);
    m.set(k, value(r));
  }
  return m;
}
export const maybeStringValue = (r: Prng) => maybe(r, stringValue);
export const stringMapValue = (r: Prng) => mapOf(r, 4, stringValue, i64Value);
export const intMapValue = (r: Prng) => mapOf(r, 4, u32Value, stringValue);

export function scalarsValue(r: Prng): Scalars {
  return {
    flag: boolValue(r), flag2: boolValue(r), tiny: i8Value(r), small: i16Value(r), medium: i32Value(r), large: i64Value(r),
    utiny: u8Value(r), usmall: u16Value(r), umedium: u32Value(r), ularge: u64Value(r), single: f32Value(r), double: f64Value(r),
    num: f64Value(r), text: stringValue(r), data: bytesValue(r),
  };
}
export const pointValue = (r: Prng): Point => ({ x: f64Value(r), y: f64Value(r) });
/** Variant `variant % 4` (consecutive indexes cover every variant). */
export function shapeVariant(r: Prng, variant: number): Shape {
  switch (variant % 4) {
    case 0: return { kind: "circle", center: pointValue(r), radius: f64Value(r) };
    case 1: return { kind: "rect", topLeft: pointValue(r), w: f64Value(r), h: f64Value(r) };
    case 2: return { kind: "polygon", points: list(r, 4, pointValue) };
    default: return { kind: "empty" };
  }
}
export const shapeValue = (r: Prng) => shapeVariant(r, r.below(4));
export function treeValue(r: Prng, depth: number): Tree {
  const children = depth === 0 ? [] : list(r, 3, (r) => treeValue(r, depth - 1));
  const tree: Tree = { label: stringValue(r), children };
  const value = maybe(r, i64Value);
  if (value !== undefined) tree.value = value;
  return tree;
}
export function exprVariant(r: Prng, variant: number, depth: number): Expr {
  switch (depth === 0 ? (variant % 2) * 4 : variant % 5) {
    case 0: return { kind: "literal", value: f64Value(r) };
    case 1: return { kind: "variable", name: stringValue(r) };
    case 2: return { kind: "negate", inner: exprValue(r, depth - 1) };
    case 3: return { kind: "sum", terms: list(r, 3, (r) => exprValue(r, depth - 1)) };
    default: return { kind: "nothing" };
  }
}
export const exprValue = (r: Prng, depth: number) => exprVariant(r, r.below(5), depth);
/** `index` 0 has every optional absent, 1 every one present; others random. Absent is absent, never `undefined`. */
export function optionalsValue(r: Prng, index: number): Optionals {
  const present = () => (index === 0 ? false : index === 1 ? true : !r.oneIn(3));
  const o: Optionals = { listOfMaybes: list(r, 4, (r) => maybe(r, u64Value)) };
  if (present()) o.text = stringValue(r);
  if (present()) o.nullable = i64Value(r);
  if (present()) o.color = colorValue(r);
  if (present()) o.shapes = list(r, 3, shapeValue);
  if (present()) o.blobs = mapOf(r, 2, stringValue, bytesValue);
  if (present()) o.point = pointValue(r);
  return o;
}
export function nestedValue(r: Prng, index: number): Nested {
  const n: Nested = {
    blobs: mapOf(r, 2, stringValue, bytesValue),
    byCode: mapOf(r, 2, i32Value, (r) => list(r, 2, shapeValue)),
    byId: mapOf(r, 2, u64Value, maybeStringValue),
    byTiny: mapOf(r, 2, i8Value, boolValue),
    byWide: mapOf(r, 2, u64Value, (r) => mapOf(r, 2, u16Value, (r) => list(r, 2, stringValue))),
    grid: list(r, 3, (r) => list(r, 3, f64Value)),
    tree: treeValue(r, 2),
    expr: exprValue(r, 3),
    colors: list(r, 3, colorValue),
  };
  if (index !== 0 && !r.oneIn(3)) n.shapes = list(r, 4, (r) => maybe(r, shapeValue));
  if (index === 1 || !r.oneIn(3)) n.maybeScalars = scalarsValue(r);
  return n;
}
