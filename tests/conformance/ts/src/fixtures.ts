//! Fixed values both backends agree on (the Rust twins are in `../../src/fixtures.rs`): what
//! `emit` pushes, so a client in either language can check notifications from a host in either.

import type { Nested, Shape } from "../generated/conformance.js";

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
export const U64_MAX = 2n ** 64n - 1n;

/** The first `shape` notification of `emit` (its `note` is the call's label). */
export function emittedShape(): Shape {
  return { kind: "circle", center: { x: -0, y: NaN }, radius: Infinity };
}

/** The `sample` notification of `emit`: one value of every kind, with edge values. */
export function emittedSample(): Nested {
  return {
    shapes: [{ kind: "polygon", points: [{ x: 1.5, y: -2 }] }, undefined, { kind: "empty" }],
    blobs: new Map([["", new Uint8Array()], ["bin", new Uint8Array([0, 255, 128])]]),
    byCode: new Map([[-1, [{ kind: "rect", topLeft: { x: 0, y: 0 }, w: 1e300, h: 5e-324 }]]]),
    byId: new Map<bigint, string | undefined>([[U64_MAX, "max"], [0n, undefined]]),
    byTiny: new Map([[-128, true], [127, false]]),
    byWide: new Map([[U64_MAX, new Map([[65535, ["a", "😀"]]])]]),
    grid: [[], [-Infinity, -0]],
    tree: { label: "root", value: I64_MIN, children: [{ label: "leaf", children: [] }] },
    expr: { kind: "negate", inner: { kind: "sum", terms: [{ kind: "literal", value: 1 }, { kind: "variable", name: "x" }, { kind: "nothing" }] } },
    colors: ["blue", "red"],
    maybeScalars: {
      flag: true,
      flag2: false,
      tiny: -128,
      small: 32767,
      medium: -2147483648,
      large: I64_MAX,
      utiny: 255,
      usmall: 0,
      umedium: 4294967295,
      ularge: U64_MAX,
      single: Math.fround(0.1),
      double: -0,
      num: NaN,
      text: "𝄞\u0000",
      data: new Uint8Array([1, 2, 3]),
    },
  };
}
