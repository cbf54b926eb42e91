//! The type expressions of tests/vectors/values.json (`Person`, `f64?[]`, `map<u32, bytes>`), parsed
//! into the codecs generated code builds from them.

import assert from "node:assert/strict";
import { c, type Codec } from "../src/common/index.js";
import { holderCodec, moodCodec, personCodec, shapeCodec, treeCodec } from "./fixtures/echo.js";

const named: Record<string, Codec<any>> = {
  bool: c.bool, i8: c.i8, i16: c.i16, i32: c.i32, u8: c.u8, u16: c.u16, u32: c.u32, i64: c.i64, u64: c.u64,
  f32: c.f32, f64: c.f64, string: c.string, bytes: c.bytes, void: c.void,
  Person: personCodec, Mood: moodCodec, Shape: shapeCodec, Tree: treeCodec, Holder: holderCodec,
};

/** Parses the vectors' type expressions: a name or `map<K, V>`, then any `[]` / `?` suffixes. */
export function codecFor(expr: string): Codec<any> {
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
