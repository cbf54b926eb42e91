//! The TS port of the wire-compat judge: the cases of `wire-compat/src/judge/tests.rs` and `schema.rs`, the wire schema vectors, and hostile schemas.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  channelToJson,
  DEFAULT_BUDGET,
  embeddedSchema,
  judge,
  parseChannelSchema,
  readChannelSchema,
  TooComplex,
  type ChannelSchema,
  type Judgement,
} from "../src/common/protocol/wire-compat.js";
import { vectorsDir } from "./paths.js";

function schema(json: string): ChannelSchema {
  const read = parseChannelSchema(json);
  if (!("schema" in read)) throw new Error(`${JSON.stringify(read)}: ${json.slice(0, 200)}`);
  return read.schema;
}

/** An interface with one method `m` taking `params` and returning `result`, over `types`. */
function iface(params: string, result: string, types: string): ChannelSchema {
  const r = result === "" ? "" : `,"result":${result}`;
  return schema(`{"format":1,"kind":"interface","members":{"m":{"params":[${params}]${r}}},"types":[${types}]}`);
}

function judged(frontend: ChannelSchema, backend: ChannelSchema, budget = DEFAULT_BUDGET): Judgement {
  const j = judge(frontend, backend, budget);
  assert.notEqual(j, TooComplex, "within budget");
  return j as Judgement;
}

/** The verdict on `m`: undefined when usable, else the reason. */
function verdict(frontend: ChannelSchema, backend: ChannelSchema): string | undefined {
  return judged(frontend, backend).members.get("m")!.unusable;
}

const PERSON_OPTIONAL_AGE = `{"kind":"struct","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":{"optional":"u32"}}]}`;
const PERSON_REQUIRED_AGE = `{"kind":"struct","name":"Person","fields":[{"name":"name","type":"string"},{"name":"age","type":"u32"}]}`;

describe("the judge (cases of wire-compat/src/judge/tests.rs)", () => {
  test("identical schemas have no findings", () => {
    const a = iface(`{"name":"p","type":{"ref":0}}`, `{"ref":0}`, PERSON_OPTIONAL_AGE);
    const j = judged(a, a);
    assert.deepEqual(j.findings, []);
    assert.equal(j.members.get("m")!.unusable, undefined);
  });

  test("a field made required breaks writers of the old shape only", () => {
    const param = `{"name":"p","type":{"ref":0}}`;
    const oldArg = iface(param, "", PERSON_OPTIONAL_AGE);
    const newArg = iface(param, "", PERSON_REQUIRED_AGE);
    assert.equal(verdict(oldArg, newArg), "the frontend may leave out field `age` of `Person` (or send null), which the backend requires");
    // The other way round the frontend always sends it, and the backend may take it absent.
    assert.equal(verdict(newArg, oldArg), undefined);
    // In a result the backend writes: an old frontend (optional) reads a new backend fine.
    const oldResult = iface("", `{"ref":0}`, PERSON_OPTIONAL_AGE);
    const newResult = iface("", `{"ref":0}`, PERSON_REQUIRED_AGE);
    assert.equal(verdict(oldResult, newResult), undefined);
    assert.equal(verdict(newResult, oldResult), "the backend may leave out field `age` of `Person` (or send null), which the frontend requires");
  });

  test("new enum values and union variants break old readers", () => {
    const mood = (values: string) => `{"kind":"enum","name":"Mood","values":[${values}]}`;
    let old = iface("", `{"ref":0}`, mood(`"happy","sad"`));
    let neu = iface("", `{"ref":0}`, mood(`"happy","sad","meh"`));
    assert.equal(verdict(old, neu), "the backend may send value `meh` of `Mood`, which the frontend does not know");
    assert.equal(verdict(neu, old), undefined);

    const shape = (extra: string) => `{"kind":"union","name":"Shape","variants":[{"name":"circle","fields":[{"name":"r","type":"f64"}]}${extra}]}`;
    old = iface(`{"name":"s","type":{"ref":0}}`, "", shape(""));
    neu = iface(`{"name":"s","type":{"ref":0}}`, "", shape(`,{"name":"empty"}`));
    // As an argument, the old frontend never sends the new variant.
    assert.equal(verdict(old, neu), undefined);
    assert.equal(verdict(neu, old), "the frontend may send variant `empty` of `Shape`, which the backend does not know");
  });

  test("parameters are positional; names tell a move from a rename", () => {
    const two = (a: string, b: string) => iface(`{"name":"${a}","type":"string"},{"name":"${b}","type":"string"}`, "", "");
    assert.equal(verdict(two("first", "last"), two("last", "first")), "the frontend sends `first` as argument #1 of `m`; the backend reads it as argument #2");
    const renamed = judged(two("first", "last"), two("given", "last"));
    assert.equal(renamed.members.get("m")!.unusable, undefined);
    assert.equal(renamed.findings[0]!.what.kind, "paramRenamed");
    // Found from the other end: the reader's name is written at another position.
    assert.equal(verdict(two("x", "first"), two("first", "y")), "the frontend sends `first` as argument #2 of `m`; the backend reads it as argument #1");
  });

  test("argument counts follow omittable parameters", () => {
    const one = iface(`{"name":"a","type":"string"}`, "", "");
    const optionalSecond = iface(`{"name":"a","type":"string"},{"name":"b","type":{"optional":"u8"},"omittable":true}`, "", "");
    const requiredSecond = iface(`{"name":"a","type":"string"},{"name":"b","type":"u8"}`, "", "");
    assert.equal(verdict(one, optionalSecond), undefined);
    assert.equal(verdict(optionalSecond, one), "the frontend may send 2 arguments to `m`; the backend takes at most 1");
    assert.equal(verdict(one, requiredSecond), "the backend requires argument #2 `b` of `m`, which the frontend does not send");
    assert.equal(verdict(optionalSecond, requiredSecond), "the frontend may leave out argument #2 `b` of `m`, which the backend requires");
  });

  test("scalars widen only where every value survives", () => {
    const arg = (ty: string) => iface(`{"name":"x","type":"${ty}"}`, "", "");
    for (const [from, to] of [["u8", "u16"], ["i16", "i32"], ["u32", "f64"], ["f32", "f64"], ["u16", "f32"]] as const) {
      assert.equal(verdict(arg(from), arg(to)), undefined, `${from} -> ${to}`);
    }
    for (const [from, to] of [["u16", "u8"], ["i8", "u8"], ["i32", "i64"], ["f64", "f32"], ["i64", "u64"], ["string", "bytes"], ["i32", "f32"]] as const) {
      assert.notEqual(verdict(arg(from), arg(to)), undefined, `${from} -> ${to}`);
    }
    assert.equal(verdict(arg("u16"), arg("u8")), "the frontend sends argument #1 `x` of `m` as `u16`; the backend reads only `u8`");
    assert.equal(verdict(arg("string"), arg("bytes")), "the frontend sends argument #1 `x` of `m` as `string`; the backend expects `bytes`");
    // Map keys travel as strings: an integer key widens into `string`, not back.
    const keyed = (k: string) => iface(`{"name":"x","type":{"map":["${k}","bool"]}}`, "", "");
    assert.equal(verdict(keyed("u8"), keyed("string")), undefined);
    assert.equal(verdict(keyed("string"), keyed("u8")), "the frontend sends argument #1 `x` of `m` as `map keys \`string\``; the backend expects `map keys \`u8\``");
  });

  test("declared errors never make a method unusable", () => {
    const err = (variants: string) => `{"kind":"union","name":"E","variants":[${variants}]}`;
    const withThrows = (types: string) => schema(`{"format":1,"kind":"interface","members":{"m":{"params":[],"throws":{"ref":0}}},"types":[${types}]}`);
    const old = withThrows(err(`{"name":"a"}`));
    const neu = withThrows(err(`{"name":"a"},{"name":"b"}`));
    const j = judged(old, neu);
    assert.equal(j.members.get("m")!.unusable, undefined);
    assert.ok(j.findings.some((f) => f.what.kind === "variantUnknown" && !f.breaking));
    const none = iface("", "", "");
    assert.equal(verdict(none, old), undefined);
  });

  test("missing members and void results", () => {
    const a = schema(`{"format":1,"kind":"interface","members":{"m":{"params":[]},"n":{"params":[]}}}`);
    const b = schema(`{"format":1,"kind":"interface","members":{"n":{"params":[],"result":"string"}}}`);
    const j = judged(a, b);
    assert.equal(j.members.get("m")!.unusable, "the backend has no method `m`");
    assert.equal(j.members.get("n")!.unusable, "the backend sends the result of `n` as `string`; the frontend expects `void`");
    assert.deepEqual(judged(b, a).backendOnly, ["m"]);
    // A void result read as an optional is fine; as a value it is not.
    const optional = schema(`{"format":1,"kind":"interface","members":{"n":{"params":[],"result":{"optional":"string"}}}}`);
    assert.equal(judged(optional, a).members.get("n")!.unusable, undefined);
    assert.equal(judged(b, a).members.get("n")!.unusable, "the backend sends the result of `n` as `void`; the frontend expects `string`");
  });

  test("notifications: the backend writes; members it does not send are unusable, new ones are backend-only", () => {
    const events = (members: string) => schema(`{"format":1,"kind":"notifications","members":{${members}},"types":[]}`);
    const frontend = events(`"tick":{"params":[{"name":"n","type":"u8"}]},"gone":{"params":[]}`);
    const backend = events(`"tick":{"params":[{"name":"n","type":"u16"}]},"fresh":{"params":[]}`);
    const j = judged(frontend, backend);
    assert.equal(j.members.get("tick")!.unusable, "the backend sends argument #1 `n` of `tick` as `u16`; the frontend reads only `u8`");
    assert.equal(j.members.get("gone")!.unusable, "the backend does not send notification `gone`");
    assert.deepEqual(j.backendOnly, ["fresh"]);
    // An interface against a notifications block: nothing matches.
    const asInterface = schema(`{"format":1,"kind":"interface","members":{"tick":{"params":[{"name":"n","type":"u8"}]}}}`);
    const cross = judged(asInterface, backend);
    assert.equal(cross.members.get("tick")!.unusable, "the backend has no method `tick`");
    assert.deepEqual(cross.backendOnly, ["fresh", "tick"]);
  });

  test("recursive types terminate and long chains do not recurse", () => {
    const tree = `{"kind":"struct","name":"Node","fields":[{"name":"children","type":{"array":{"ref":0}}},{"name":"label","type":"string"}]}`;
    const treeWithExtra = `{"kind":"struct","name":"Node","fields":[{"name":"children","type":{"array":{"ref":0}}},{"name":"label","type":"string"},{"name":"extra","type":"bool"}]}`;
    const old = iface(`{"name":"n","type":{"ref":0}}`, "", tree);
    const neu = iface(`{"name":"n","type":{"ref":0}}`, "", treeWithExtra);
    assert.equal(verdict(old, neu), "the frontend sends `Node` without field `extra`, which the backend requires");

    // 100,000 structs, each holding the next: compared with a work list, not the stack.
    const depth = 100_000;
    const chainTypes = (last: string) =>
      Array.from({ length: depth }, (_, i) =>
        i + 1 < depth
          ? `{"kind":"struct","name":"S${i}","fields":[{"name":"next","type":{"optional":{"ref":${i + 1}}}}]}`
          : `{"kind":"struct","name":"S${i}","fields":[{"name":"end","type":"${last}"}]}`,
      ).join(",");
    const chain = iface(`{"name":"s","type":{"ref":0}}`, "", chainTypes("bool"));
    const changed = iface(`{"name":"s","type":{"ref":0}}`, "", chainTypes("string"));
    assert.equal(verdict(chain, changed), "the frontend sends field `end` of `S99999` as `bool`; the backend expects `string`");
    // A budget below the chain's length gives up instead.
    assert.equal(judge(chain, changed, 1_000), TooComplex);
  });
});

describe("findings found twice are recorded once (as Rust's `seen` does)", () => {
  // Pairs and counts checked against the Rust judge.
  const arg = (ty: string, result = "") => schema(`{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"a","type":${ty}}]${result}}}}`);
  test("nested optionals: one `may be null`", () => {
    const j = judged(arg(`{"optional":{"array":{"optional":{"array":{"optional":"u8"}}}}}`), arg(`{"array":{"array":"u16"}}`));
    assert.deepEqual(j.findings.map((f) => f.what.kind), ["mayBeNull", "widened"]);
  });
  test("a map's key and value widened alike: one finding", () => {
    assert.equal(judged(arg(`{"map":["u8",{"map":["u8","u8"]}]}`), arg(`{"map":["u16",{"map":["u16","u16"]}]}`)).findings.length, 1);
  });
  test("a parameter moved, found from both ends: one finding each", () => {
    const params = (names: string[]) => schema(`{"format":1,"kind":"interface","members":{"m":{"params":[${names.map((n) => `{"name":"${n}","type":"i8"}`).join(",")}]}}}`);
    const j = judged(params(["x", "first", "z"]), params(["first", "y", "x"]));
    assert.equal(j.findings.length, 2);
    assert.equal(j.members.get("m")!.unusable, "the frontend sends `x` as argument #1 of `m`; the backend reads it as argument #3");
  });
  test("maps in arguments and results", () => {
    const j = judged(
      arg(`{"map":["string",{"map":["u8","string"]}]}`, `,"result":{"map":["u8",{"optional":{"array":{"optional":"bool"}}}]}`),
      arg(`{"map":["i32",{"map":["string","bytes"]}]}`, `,"result":{"map":["string",{"array":"string"}]}`),
    );
    assert.equal(j.findings.length, 6);
    assert.equal(j.members.get("m")!.unusable, "the frontend sends argument #1 `a` of `m` as `map keys `string``; the backend expects `map keys `i32``");
  });
});

describe("streams (cases of wire-compat/src/judge/tests.rs)", () => {
  /** An interface (format 2) with one method `m`, its result a stream when `resultStream`. */
  const streaming = (params: string, result: string, resultStream: boolean, types: string) =>
    schema(`{"format":2,"kind":"interface","members":{"m":{"params":[${params}]${result === "" ? "" : `,"result":${result}`}${resultStream ? `,"resultStream":true` : ""}}},"types":[${types}]}`);

  test("a stream never meets a single value", () => {
    const single = iface("", `"string"`, "");
    const stream = streaming("", `"string"`, true, "");
    assert.equal(verdict(single, stream), "the backend sends the result of `m` as a stream of items; the frontend expects a single value");
    assert.equal(verdict(stream, single), "the backend sends the result of `m` as a single value; the frontend expects a stream of items");
    const value = iface(`{"name":"c","type":"bytes"}`, "", "");
    const items = streaming(`{"name":"c","type":"bytes","stream":true}`, "", false, "");
    assert.equal(verdict(value, items), "the frontend sends argument #1 `c` of `m` as a single value; the backend expects a stream of items");
    assert.equal(verdict(items, value), "the frontend sends argument #1 `c` of `m` as a stream of items; the backend expects a single value");
    assert.equal(judged(value, items).findings.length, 1);
    const list = iface("", `{"array":"string"}`, "");
    assert.ok(verdict(list, stream) !== undefined && verdict(stream, list) !== undefined);
    assert.equal(verdict(stream, stream), undefined);
    assert.equal(verdict(items, items), undefined);
  });

  test("stream items are judged like arguments going in and results coming out", () => {
    const oldOut = streaming("", `{"ref":0}`, true, PERSON_OPTIONAL_AGE);
    const newOut = streaming("", `{"ref":0}`, true, PERSON_REQUIRED_AGE);
    assert.equal(verdict(oldOut, newOut), undefined);
    assert.equal(verdict(newOut, oldOut), "the backend may leave out field `age` of `Person` (or send null), which the frontend requires");
    const param = `{"name":"p","type":{"ref":0},"stream":true}`;
    const oldIn = streaming(param, "", false, PERSON_OPTIONAL_AGE);
    const newIn = streaming(param, "", false, PERSON_REQUIRED_AGE);
    assert.equal(verdict(oldIn, newIn), "the frontend may leave out field `age` of `Person` (or send null), which the backend requires");
    assert.equal(verdict(newIn, oldIn), undefined);
  });
});

describe("reading schemas (wire-compat/src/schema.rs)", () => {
  const PERSON = `{"format":1,"kind":"interface","members":{"find":{"params":[{"name":"id","type":"i64"},{"name":"hint","type":{"optional":"string"},"omittable":true}],"result":{"optional":{"ref":0}},"throws":{"ref":1}}},"types":[{"kind":"struct","name":"Person","fields":[{"name":"id","type":"i64"},{"name":"tags","type":{"array":"string"}},{"name":"scores","type":{"map":["u32","f64"]}}]},{"kind":"union","name":"LookupError","variants":[{"name":"notFound","fields":[{"name":"id","type":"i64"}]},{"name":"forbidden"}]}]}`;

  test("a schema reads into members in name order and numbered types", () => {
    const s = schema(PERSON);
    assert.deepEqual(s.memberNames, ["find"]);
    assert.equal(s.types[1]!.name, "LookupError");
    assert.deepEqual(s.members.get("find")!.params[1], { name: "hint", type: { optional: "string" }, omittable: true, stream: false });
  });

  const STREAMS = `{"format":2,"kind":"interface","members":{"chat":{"params":[{"name":"room","type":"string"},{"name":"inbox","type":{"ref":0},"stream":true}],"result":{"optional":"string"},"resultStream":true,"throws":{"ref":1}},"stat":{"params":[{"name":"path","type":"string"}],"result":"u64"}},"types":[{"kind":"struct","name":"ChatIn","fields":[{"name":"text","type":"string"}]},{"kind":"enum","name":"ChatError","values":["closed"]}]}`;

  test("format 2 carries streams and round-trips", () => {
    const s = schema(STREAMS);
    assert.equal(s.format, 2);
    assert.equal(channelToJson(s), STREAMS);
    const chat = s.members.get("chat")!;
    assert.ok(chat.resultStream && chat.params[1]!.stream && !chat.params[0]!.stream);
    assert.ok(!s.members.get("stat")!.resultStream);
    // A set takes the format of its most demanding channel; each channel keeps its own.
    const set = `{"format":2,"types":[],"channels":{"plain":{"kind":"interface","members":{"get":{"params":[],"result":"u8"}}},"streams":{"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}}}`;
    const plain = embeddedSchema(set, "plain");
    const streams = embeddedSchema(set, "streams");
    assert.ok("schema" in plain && "schema" in streams);
    assert.equal(channelToJson(plain.schema), `{"format":1,"kind":"interface","members":{"get":{"params":[],"result":"u8"}}}`);
    assert.equal(channelToJson(streams.schema), `{"format":2,"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}`);
  });

  test("streams are refused where they cannot be", () => {
    for (const bad of [
      STREAMS.replace(`"format":2`, `"format":1`),
      STREAMS.replace(`{"name":"room","type":"string"}`, `{"name":"room","type":"string","stream":true}`),
      STREAMS.replace(`"type":{"ref":0},"stream":true`, `"type":{"optional":{"ref":0}},"stream":true,"omittable":true`),
      STREAMS.replace(`"result":{"optional":"string"},`, ""),
      STREAMS.replace(`"stream":true`, `"stream":1`),
      STREAMS.replace(`"resultStream":true`, `"resultStream":"true"`),
      `{"format":2,"kind":"notifications","members":{"n":{"params":[{"name":"a","type":"u8","stream":true}]}}}`,
    ]) {
      assert.ok("invalid" in parseChannelSchema(bad), bad);
    }
    const streamingSetOfFormat1 = `{"format":1,"types":[],"channels":{"s":{"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}}}`;
    assert.ok("invalid" in embeddedSchema(streamingSetOfFormat1, "s"));
  });

  test("another format is told apart from a bad schema", () => {
    assert.deepEqual(parseChannelSchema(PERSON.replace(`"format":1`, `"format":3`)), { unknownFormat: 3 });
    for (const bad of [
      "[]",
      "{}",
      `{"format":"1"}`,
      PERSON.replace(`{"ref":1}`, `{"ref":7}`),
      PERSON.replace(`"i64"},{"name":"tags"`, `"i64"},{"name":"id"`),
      PERSON.replace(`"omittable":true`, `"omittable":false`).replace(`{"name":"id","type":"i64"},{"name":"hint"`, `{"name":"id","type":"i64","omittable":true},{"name":"hint"`),
      PERSON.replace(`"u32"`, `"f64"`),
      PERSON.replace(`"array"`, `"list"`),
      PERSON.replace(`"kind":"interface"`, `"kind":"interface","extra":1`),
    ]) {
      assert.ok("invalid" in parseChannelSchema(bad), bad);
    }
  });

  test("member names sort by code point, as Rust's BTreeMap does", () => {
    const s = schema(`{"format":1,"kind":"interface","members":{"\uffff":{"params":[]},"\ud83d\ude00":{"params":[]},"b":{"params":[]},"10":{"params":[]},"2":{"params":[]}}}`);
    assert.deepEqual(s.memberNames, ["10", "2", "b", "\uffff", "\ud83d\ude00"]);
    const other = schema(`{"format":1,"kind":"interface","members":{}}`);
    assert.deepEqual(judged(other, s).backendOnly, ["10", "2", "b", "\uffff", "\ud83d\ude00"]);
  });
});

describe("tests/vectors/compat.json (the Rust judge over the compat corpus)", () => {
  const file = JSON.parse(readFileSync(join(vectorsDir, "compat.json"), "utf8")) as {
    cases: { name: string; frontend: unknown; backend: unknown; unusable: Record<string, string>; backendOnly: string[] }[];
  };
  test("has cases", () => assert.ok(file.cases.length > 0));
  for (const c of file.cases) {
    test(c.name, () => {
      const [frontend, backend] = [readChannelSchema(c.frontend), readChannelSchema(c.backend)];
      assert.ok("schema" in frontend && "schema" in backend, JSON.stringify([frontend, backend]));
      const j = judged(frontend.schema, backend.schema);
      const unusable = Object.fromEntries([...j.members].flatMap(([member, v]) => (v.unusable === undefined ? [] : [[member, v.unusable]])));
      assert.deepEqual(unusable, c.unusable);
      assert.deepEqual(j.backendOnly, c.backendOnly);
    });
  }
});

describe("tests/vectors/wire-schemas.json", () => {
  const file = JSON.parse(readFileSync(join(vectorsDir, "wire-schemas.json"), "utf8")) as {
    cases: { name: string; schema: string; outcome: "valid" | "invalid" | "unknownFormat" }[];
  };
  for (const c of file.cases) {
    test(c.name, () => {
      const read = parseChannelSchema(c.schema);
      const outcome = "schema" in read ? "valid" : "unknownFormat" in read ? "unknownFormat" : "invalid";
      assert.equal(outcome, c.outcome, JSON.stringify(read));
      // What a hello carries is the parsed value: read that way, the outcome is the same.
      let value: unknown;
      try {
        value = JSON.parse(c.schema);
      } catch {
        return;
      }
      const fromValue = readChannelSchema(value);
      assert.equal("schema" in fromValue ? "valid" : "unknownFormat" in fromValue ? "unknownFormat" : "invalid", c.outcome);
    });
  }
});

describe("tests/vectors/wire-schema-sets.json", () => {
  const file = JSON.parse(readFileSync(join(vectorsDir, "wire-schema-sets.json"), "utf8")) as {
    cases: { name: string; set: string; channels: Record<string, string> }[];
  };
  for (const c of file.cases) {
    test(`${c.name}: each channel taken out of the set writes the text a hello carries`, () => {
      for (const [channel, text] of Object.entries(c.channels)) {
        const read = embeddedSchema(c.set, channel);
        assert.ok("schema" in read, `${channel}: ${JSON.stringify(read)}`);
        assert.equal(channelToJson(read.schema), text, channel);
        // A channel's own text, read back, writes itself again.
        const own = parseChannelSchema(text);
        assert.ok("schema" in own);
        assert.equal(channelToJson(own.schema), text);
      }
      assert.deepEqual(embeddedSchema(c.set, "no-such-channel"), { missing: true });
    });
  }
  test("a set that is not valid is reported as invalid for every channel", () => {
    const dangling = '{"format":1,"types":[],"channels":{"x":{"kind":"interface","members":{"m":{"params":[{"name":"a","type":{"ref":0}}]}}}}}';
    assert.ok("invalid" in embeddedSchema(dangling, "x"));
  });
});

describe("hostile schemas cost bounded work", () => {
  test("containers nested a hundred thousand deep are invalid, without recursion", () => {
    let t = `"i64"`;
    for (let i = 0; i < 100_000; i++) t = `{"array":${t}}`;
    const text = `{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"a","type":${t}}]}}}`;
    assert.deepEqual(parseChannelSchema(text), { invalid: "recursion limit exceeded" });
  });

  test("many members over one long chain of types: past the budget, not quadratic", () => {
    // Each member's verdict would walk the whole chain: 20,000 members times 20,000 pairs.
    const length = 20_000;
    const chain = (last: string) =>
      Array.from({ length }, (_, i) =>
        i + 1 < length ? `{"kind":"struct","name":"S${i}","fields":[{"name":"next","type":{"ref":${i + 1}}}]}` : `{"kind":"struct","name":"S${i}","fields":[{"name":"end","type":"${last}"}]}`,
      ).join(",");
    const members = Array.from({ length }, (_, i) => `"m${i}":{"params":[{"name":"s","type":{"ref":0}}]}`).join(",");
    const side = (last: string) => schema(`{"format":1,"kind":"interface","members":{${members}},"types":[${chain(last)}]}`);
    const [old, neu] = [side("bool"), side("string")];
    assert.equal(judge(old, neu), TooComplex);
    // Fewer members over the same chain are judged, each with the reason at the chain's end.
    const few = (last: string) => schema(`{"format":1,"kind":"interface","members":{"a":{"params":[{"name":"s","type":{"ref":0}}]},"b":{"params":[{"name":"s","type":{"ref":0}}]}},"types":[${chain(last)}]}`);
    const j = judged(few("bool"), few("string"));
    assert.equal(j.members.get("b")!.unusable, "the frontend sends field `end` of `S19999` as `bool`; the backend expects `string`");
  });

  test("wide structs and enums are compared in linear time", () => {
    const n = 50_000;
    const fields = Array.from({ length: n }, (_, i) => `{"name":"f${i}","type":"u8"}`).join(",");
    const values = Array.from({ length: n }, (_, i) => `"v${i}"`).join(",");
    const wide = schema(`{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"s","type":{"ref":0}},{"name":"e","type":{"ref":1}}]}},"types":[{"kind":"struct","name":"S","fields":[${fields}]},{"kind":"enum","name":"E","values":[${values}]}]}`);
    const narrow = schema(`{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"s","type":{"ref":0}},{"name":"e","type":{"ref":1}}]}},"types":[{"kind":"struct","name":"S","fields":[]},{"kind":"enum","name":"E","values":["v0"]}]}`);
    // Every field is ignored by the reader (not breaking); every value but one is unknown to it.
    const j = judged(wide, narrow);
    assert.equal(j.members.get("m")!.unusable, "the frontend may send value `v1` of `E`, which the backend does not know");
    assert.equal(j.findings.length, 2 * n - 1);
  });
});
