//! Wire compatibility of a channel: its wire schema, and whether a frontend built from one version of it can talk to a backend built from another (a port of the Rust crate `wire-compat`).
//
// The rules, the order in which findings are made and the words that describe them are those of
// `wire-compat/src/judge.rs`; both runtimes replay `tests/vectors/compat.json`, so a change there
// is a change here. Differences of implementation, none of which changes a verdict:
// - name lookups use maps and sets (Rust scans lists; names are unique in a valid schema, so the
//   first match is the only one), and membership tests in nodes use sets;
// - a member's verdict walks only the type pairs that reach a breaking finding and stops at the
//   first breaking one (Rust collects every finding a member reaches, and so gives each member its
//   list of findings, which the runtime does not need);
// - those walks may visit as many pairs, all members together, as the budget has steps; past
//   that the judgement is `TooComplex` too. Rust does not bound this phase (it is the members
//   times the pairs each reaches); without a bound a hostile schema of many members over a long
//   chain of types would cost quadratic time. Only such schemas are judged differently.

import { wellFormed } from "./codecs.js";

/** Version of the schema format of a channel without streams (what this side reads and writes for it). */
export const SCHEMA_FORMAT = 1;

/**
 * Version of the schema format of a channel with a streaming member (a parameter with
 * `"stream": true`, a member with `"resultStream": true`); written only for such channels, so a
 * channel without streams keeps its format-1 text. Readers of format 1 compare it by hash.
 */
export const STREAMS_SCHEMA_FORMAT = 2;

/** The formats this side reads. */
export type SchemaFormat = typeof SCHEMA_FORMAT | typeof STREAMS_SCHEMA_FORMAT;

/** Steps `judge` may take by default (one type use, field, value or variant each). */
export const DEFAULT_BUDGET = 1_000_000;

/** The scalars of the language, spelled as in the IDL (`number` is `f64`, `boolean` is `bool`). */
export type Primitive = "bool" | "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" | "string" | "bytes";

/** A use of a type, in its JSON form: a scalar by name, or a one-key object. */
export type WireType =
  | Primitive
  | { readonly array: WireType }
  | { readonly map: readonly [WireType, WireType] }
  | { readonly optional: WireType }
  | { readonly ref: number };

export interface ParamSchema {
  /** Not on the wire (arguments are positional), but tells a reordering from a rename. */
  readonly name: string;
  readonly type: WireType;
  /** `name?: T`: callers may leave it out (only trailing parameters; the type is `optional`). */
  readonly omittable: boolean;
  /** `name: AsyncIterable<T>`: the frontend sends items of type `type` (format 2; at most one per member, never omittable). */
  readonly stream: boolean;
}

/** A method (the frontend calls, the backend answers) or a notification (the backend sends). */
export interface MemberSchema {
  readonly params: readonly ParamSchema[];
  /** A method's result; absent for `Promise<void>` and notifications. The items' type when `resultStream`. */
  readonly result?: WireType;
  /** `AsyncIterable<T>` as the result: the backend sends items of type `result` (format 2; never without `result`). */
  readonly resultStream: boolean;
  /** A method's declared error, if any. */
  readonly throws?: WireType;
}

export interface FieldSchema {
  readonly name: string;
  readonly type: WireType;
}

export interface VariantSchema {
  readonly name: string;
  readonly fields: readonly FieldSchema[];
}

/** A named type's structure; `name` is the IDL name, for messages only. */
export type TypeSchema =
  | { readonly kind: "struct"; readonly name: string; readonly fields: readonly FieldSchema[] }
  | { readonly kind: "enum"; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: "union"; readonly name: string; readonly variants: readonly VariantSchema[] };

export type ChannelKind = "interface" | "notifications";

/** One channel as it looks on the wire, read and checked. */
export interface ChannelSchema {
  /** The format it was read in (a set's channels: the format of their own members). */
  readonly format: SchemaFormat;
  readonly kind: ChannelKind;
  /** Methods or notifications by wire name. */
  readonly members: ReadonlyMap<string, MemberSchema>;
  /** The names of `members` in the order of the Rust `BTreeMap` (by code point). */
  readonly memberNames: readonly string[];
  /** The named types the members reach, referred to by index (`{"ref": 0}`). */
  readonly types: readonly TypeSchema[];
}

/** What reading a schema gives: a schema, another format (not an error), or why it is invalid. */
export type SchemaRead =
  | { readonly schema: ChannelSchema }
  | { readonly unknownFormat: number }
  | { readonly invalid: string };

const PRIMITIVES: ReadonlySet<string> = new Set<Primitive>(["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "string", "bytes"]);

/** Integer ranges, for widening (`i64`/`u64` as bigints would be exact; the bounds here are only compared). */
const INTEGER_RANGES: ReadonlyMap<Primitive, readonly [bigint, bigint]> = new Map<Primitive, readonly [bigint, bigint]>([
  ["i8", [-128n, 127n]],
  ["i16", [-32768n, 32767n]],
  ["i32", [-2147483648n, 2147483647n]],
  ["i64", [-9223372036854775808n, 9223372036854775807n]],
  ["u8", [0n, 255n]],
  ["u16", [0n, 65535n]],
  ["u32", [0n, 4294967295n]],
  ["u64", [0n, 18446744073709551615n]],
]);

/**
 * How deep JSON containers may nest in a schema (the root object is 1): serde_json's recursion
 * limit, so that a schema the Rust reader refuses for its nesting is refused here too. Only type
 * uses nest without a fixed bound; every other part of a valid schema has a fixed depth, and
 * nesting anywhere else makes the schema invalid for its shape anyway.
 */
const MAX_NESTING = 127;

/** The depth of the container a type use sits in: a parameter's, a field's, a result's. */
const PARAM_TYPE_DEPTH = 5; // schema, members, member, params, param
const RESULT_TYPE_DEPTH = 3; // schema, members, member
const FIELD_TYPE_DEPTH = 5; // schema, types, type, fields, field
const VARIANT_FIELD_TYPE_DEPTH = 7; // schema, types, type, variants, variant, fields, field

/** Thrown inside the reader; becomes `{ invalid }`. */
class Invalid {
  constructor(readonly why: string) {}
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Code point order (UTF-8 byte order, Rust's `str` order), not UTF-16 unit order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate starts a code point above U+FFFF, so it sorts after U+E000..U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      const xs = x <= 0xdfff;
      const ys = y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Reads a schema from its JSON text (what generated code embeds). Strict, like the Rust reader
 * (`ChannelSchema::from_json`): the format is read first, so that another format is told apart
 * from an invalid schema.
 */
export function parseChannelSchema(text: string): SchemaRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { invalid: `no \`format\`: ${(e as Error).message}` };
  }
  return readChannelSchema(value);
}

/**
 * Reads a schema from a parsed JSON value (what a `hello` carries). Nothing is trusted: unknown
 * fields, references out of range, duplicate names, a required parameter after an omittable
 * one, an optional of an optional, a map key that is not a string or an integer, and strings
 * that are not well-formed Unicode are all invalid. Work is linear in the size of `value`.
 */
export function readChannelSchema(value: unknown): SchemaRead {
  if (!isRecord(value) || !own(value, "format")) return { invalid: "no `format`" };
  const format = value["format"];
  if (typeof format !== "number" || !Number.isInteger(format) || format < 0 || format > 18446744073709551615) {
    return { invalid: "`format` is not a number" };
  }
  // Another format is not read any further (its shape is its own business).
  if (format !== SCHEMA_FORMAT && format !== STREAMS_SCHEMA_FORMAT) return { unknownFormat: format };
  try {
    return { schema: readSchema(value, format) };
  } catch (e) {
    if (e instanceof Invalid) return { invalid: e.why };
    throw e;
  }
}

/** Where a part is, for messages: text, or a function that makes it (built only on an error). */
type What = string | (() => string);
const say = (what: What): string => (typeof what === "string" ? what : what());

function fieldsOf(o: Record<string, unknown>, what: What, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new Invalid(`unknown field \`${key}\` in ${say(what)}, expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}`);
  }
}

function str(v: unknown, what: What): string {
  if (typeof v !== "string") throw new Invalid(`${say(what)} is not a string`);
  if (!wellFormed(v)) throw new Invalid(`${say(what)} is not well-formed Unicode`);
  return v;
}

function arr(v: unknown, what: What): readonly unknown[] {
  if (!Array.isArray(v)) throw new Invalid(`${say(what)} is not an array`);
  return v;
}

function obj(v: unknown, what: What): Record<string, unknown> {
  if (!isRecord(v)) throw new Invalid(`${say(what)} is not an object`);
  return v;
}

function required(o: Record<string, unknown>, key: string, what: What): unknown {
  if (!own(o, key)) throw new Invalid(`missing field \`${key}\` in ${say(what)}`);
  return o[key];
}

/** A field that may be absent or `null` (a Rust `Option`). */
function optionalField(o: Record<string, unknown>, key: string): unknown {
  return own(o, key) && o[key] !== null ? o[key] : undefined;
}

/** The channels of several channels' schemas over one table of types (what generated code embeds). */
export interface SchemaSet {
  readonly channels: ReadonlyMap<string, ChannelSchema>;
}

/** What an embedded text gives for one channel. */
export type EmbeddedRead = SchemaRead | { readonly missing: true };

const embeddedSets = new Map<string, { readonly set: SchemaSet } | { readonly schema: ChannelSchema } | { readonly unknownFormat: number } | { readonly invalid: string }>();

/**
 * The schema of `channel` in a text generated code embeds: the schemas of a whole module's
 * channels over one table of types (`{"format", "types", "channels"}`, as
 * `ipcc::ir::wire_schema::schema_set` writes it), or one channel's schema (a spec written by
 * hand). Each text is read once (a program has as many as its generated modules).
 */
export function embeddedSchema(text: string, channel: string): EmbeddedRead {
  let read = embeddedSets.get(text);
  if (read === undefined) {
    read = readEmbedded(text);
    if (embeddedSets.size < 10_000) embeddedSets.set(text, read);
  }
  if ("set" in read) {
    const schema = read.set.channels.get(channel);
    return schema === undefined ? { missing: true } : { schema };
  }
  return read;
}

function readEmbedded(text: string): { readonly set: SchemaSet } | SchemaRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { invalid: `no \`format\`: ${(e as Error).message}` };
  }
  if (!isRecord(value) || !own(value, "channels")) return readChannelSchema(value);
  const format = value["format"];
  if (format !== SCHEMA_FORMAT && format !== STREAMS_SCHEMA_FORMAT) return typeof format === "number" ? { unknownFormat: format } : { invalid: "`format` is not a number" };
  try {
    fieldsOf(value, "the schema set", ["format", "types", "channels"]);
    const types = arr(required(value, "types", "the schema set"), "`types`").map((t, i) => readTypeSchema(t, () => `type #${i}`));
    const rawChannels = obj(required(value, "channels", "the schema set"), "`channels`");
    const channels = new Map<string, ChannelSchema>();
    let first = true;
    for (const name of Object.keys(rawChannels)) {
      const entry = obj(rawChannels[name], () => `channel \`${name}\``);
      fieldsOf(entry, () => `channel \`${name}\``, ["kind", "members"]);
      const kind = required(entry, "kind", () => `channel \`${name}\``);
      if (kind !== "interface" && kind !== "notifications") throw new Invalid("`kind` is not `interface` or `notifications`");
      const rawMembers = obj(required(entry, "members", () => `channel \`${name}\``), "`members`");
      const members = new Map<string, MemberSchema>();
      for (const member of Object.keys(rawMembers)) members.set(member, readMember(rawMembers[member], member, format));
      // Each channel of a set has the format of its own members, as in the Rust `SchemaSet::channel`.
      const schema: ChannelSchema = { format: formatOf(members.values()), kind, members, memberNames: [...members.keys()].sort(compareCodePoints), types };
      validateMembers(schema);
      // The table is shared: check it once.
      if (first) validateTypes(schema);
      first = false;
      channels.set(name, schema);
    }
    return { set: { channels } };
  } catch (e) {
    if (e instanceof Invalid) return { invalid: e.why };
    throw e;
  }
}

/**
 * A channel's schema as JSON text, as a frontend sends it in its `hello` and as the Rust
 * `ChannelSchema::to_json` writes it: only the types its members reach, numbered in the order a
 * walk of the members (by name; parameters, result, `throws`) and then of each type's fields
 * (breadth first) meets them.
 */
export function channelToJson(schema: ChannelSchema): string {
  const index = new Map<number, number>();
  const order: number[] = [];
  const use = (ty: WireType): unknown => {
    if (typeof ty === "string") return ty;
    if ("array" in ty) return { array: use(ty.array) };
    if ("optional" in ty) return { optional: use(ty.optional) };
    if ("map" in ty) return { map: [use(ty.map[0]), use(ty.map[1])] };
    let renumbered = index.get(ty.ref);
    if (renumbered === undefined) {
      renumbered = order.length;
      index.set(ty.ref, renumbered);
      order.push(ty.ref);
    }
    return { ref: renumbered };
  };
  const fields = (list: readonly FieldSchema[]) => list.map((f) => ({ name: f.name, type: use(f.type) }));
  // Member names are identifiers (never integer-like), so object keys keep this order.
  const members: Record<string, unknown> = {};
  for (const name of schema.memberNames) {
    const member = schema.members.get(name)!;
    members[name] = {
      params: member.params.map((p) => ({
        name: p.name,
        type: use(p.type),
        ...(p.omittable ? { omittable: true } : {}),
        ...(p.stream ? { stream: true } : {}),
      })),
      ...(member.result !== undefined ? { result: use(member.result) } : {}),
      ...(member.resultStream ? { resultStream: true } : {}),
      ...(member.throws !== undefined ? { throws: use(member.throws) } : {}),
    };
  }
  const types: unknown[] = [];
  for (let next = 0; next < order.length; next++) {
    const ty = schema.types[order[next]!]!;
    switch (ty.kind) {
      case "struct":
        types.push({ kind: "struct", name: ty.name, fields: fields(ty.fields) });
        break;
      case "enum":
        types.push({ kind: "enum", name: ty.name, values: ty.values });
        break;
      case "union":
        types.push({
          kind: "union",
          name: ty.name,
          variants: ty.variants.map((v) => (v.fields.length > 0 ? { name: v.name, fields: fields(v.fields) } : { name: v.name })),
        });
        break;
    }
  }
  return JSON.stringify({ format: formatOf(schema.members.values()), kind: schema.kind, members, ...(types.length > 0 ? { types } : {}) });
}

/** The format a channel with these members is written in: 2 when one of them streams, else 1. */
export function formatOf(members: Iterable<MemberSchema>): SchemaFormat {
  for (const member of members) if (member.resultStream || member.params.some((p) => p.stream)) return STREAMS_SCHEMA_FORMAT;
  return SCHEMA_FORMAT;
}

function readSchema(o: Record<string, unknown>, format: SchemaFormat): ChannelSchema {
  fieldsOf(o, "the schema", ["format", "kind", "members", "types"]);
  const kind = required(o, "kind", "the schema");
  if (kind !== "interface" && kind !== "notifications") throw new Invalid("`kind` is not `interface` or `notifications`");
  const rawMembers = obj(required(o, "members", "the schema"), "`members`");
  const rawTypes = own(o, "types") ? arr(o["types"], "`types`") : [];
  const types = rawTypes.map((t, i) => readTypeSchema(t, () => `type #${i}`));
  const members = new Map<string, MemberSchema>();
  for (const name of Object.keys(rawMembers)) {
    str(name, "a member name");
    members.set(name, readMember(rawMembers[name], name, format));
  }
  const schema: ChannelSchema = {
    format,
    kind,
    members,
    memberNames: [...members.keys()].sort(compareCodePoints),
    types,
  };
  validate(schema);
  return schema;
}

/** A boolean field that may be absent (false). */
function flag(o: Record<string, unknown>, key: string, what: What): boolean {
  const value = own(o, key) ? o[key] : false;
  if (typeof value !== "boolean") throw new Invalid(`\`${key}\` of ${say(what)} is not a boolean`);
  return value;
}

/** A member of a schema of `format`: format 2 adds the keys `resultStream` and a parameter's `stream`. */
function readMember(v: unknown, name: string, format: SchemaFormat): MemberSchema {
  const what = () => `member \`${name}\``;
  const streams = format === STREAMS_SCHEMA_FORMAT;
  const o = obj(v, what);
  fieldsOf(o, what, streams ? ["params", "result", "resultStream", "throws"] : ["params", "result", "throws"]);
  const params = arr(required(o, "params", what), () => `params of ${what()}`).map((p, i): ParamSchema => {
    const pw = () => `parameter #${i + 1} of ${what()}`;
    const po = obj(p, pw);
    fieldsOf(po, pw, streams ? ["name", "type", "omittable", "stream"] : ["name", "type", "omittable"]);
    const omittable = flag(po, "omittable", pw);
    const stream = flag(po, "stream", pw);
    return { name: str(required(po, "name", pw), () => `name of ${pw()}`), type: readWireType(required(po, "type", pw), PARAM_TYPE_DEPTH), omittable, stream };
  });
  const result = optionalField(o, "result");
  const throws = optionalField(o, "throws");
  return {
    params,
    ...(result !== undefined ? { result: readWireType(result, RESULT_TYPE_DEPTH) } : {}),
    resultStream: flag(o, "resultStream", what),
    ...(throws !== undefined ? { throws: readWireType(throws, RESULT_TYPE_DEPTH) } : {}),
  };
}

function readFields(v: unknown, what: What, typeDepth: number): FieldSchema[] {
  const list = arr(v, () => `fields of ${say(what)}`);
  const fields = new Array<FieldSchema>(list.length);
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (!isRecord(f) || !own(f, "name") || !own(f, "type") || typeof f["name"] !== "string" || Object.keys(f).length !== 2) {
      // The slow path, for the message.
      const fw = () => `field #${i + 1} of ${say(what)}`;
      const fo = obj(f, fw);
      fieldsOf(fo, fw, ["name", "type"]);
      str(required(fo, "name", fw), () => `name of ${fw()}`);
      required(fo, "type", fw);
    }
    const fo = f as Record<string, unknown>;
    fields[i] = { name: str(fo["name"], () => `name of field #${i + 1} of ${say(what)}`), type: readWireType(fo["type"], typeDepth) };
  }
  return fields;
}

function readTypeSchema(v: unknown, what: What): TypeSchema {
  const o = obj(v, what);
  const kind = required(o, "kind", what);
  const name = () => str(required(o, "name", what), () => `name of ${say(what)}`);
  switch (kind) {
    case "struct":
      fieldsOf(o, what, ["kind", "name", "fields"]);
      return { kind, name: name(), fields: readFields(required(o, "fields", what), what, FIELD_TYPE_DEPTH) };
    case "enum":
      fieldsOf(o, what, ["kind", "name", "values"]);
      return { kind, name: name(), values: arr(required(o, "values", what), () => `values of ${say(what)}`).map((x) => str(x, () => `a value of ${say(what)}`)) };
    case "union":
      fieldsOf(o, what, ["kind", "name", "variants"]);
      return {
        kind,
        name: name(),
        variants: arr(required(o, "variants", what), () => `variants of ${say(what)}`).map((x, i): VariantSchema => {
          const vw = () => `variant #${i + 1} of ${say(what)}`;
          const vo = obj(x, vw);
          fieldsOf(vo, vw, ["name", "fields"]);
          return { name: str(required(vo, "name", vw), () => `name of ${vw()}`), fields: own(vo, "fields") ? readFields(vo["fields"], vw, VARIANT_FIELD_TYPE_DEPTH) : [] };
        }),
      };
    default:
      throw new Invalid(`${say(what)} has no \`kind\` of \`struct\`, \`enum\` or \`union\``);
  }
}

/** A type use inside a container at depth `outer`; recursion stops at `MAX_NESTING`. */
function readWireType(v: unknown, outer: number): WireType {
  if (typeof v === "string") {
    if (!PRIMITIVES.has(v)) throw new Invalid(`unknown type \`${v}\``);
    return v as Primitive;
  }
  if (typeof v === "object" && v !== null && outer + 1 > MAX_NESTING) throw new Invalid("recursion limit exceeded");
  if (!isRecord(v)) throw new Invalid("a type is neither a scalar's name nor an object");
  const depth = outer + 1;
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new Invalid("a type object has not exactly one key");
  const key = keys[0]!;
  const inner = v[key];
  switch (key) {
    case "array":
      return { array: readWireType(inner, depth) };
    case "optional":
      return { optional: readWireType(inner, depth) };
    case "map": {
      if (depth + 1 > MAX_NESTING) throw new Invalid("recursion limit exceeded");
      if (!Array.isArray(inner) || inner.length !== 2) throw new Invalid("`map` is not a pair of types");
      return { map: [readWireType(inner[0], depth + 1), readWireType(inner[1], depth + 1)] };
    }
    case "ref":
      if (typeof inner !== "number" || !Number.isInteger(inner) || inner < 0 || inner > 4294967295) throw new Invalid("`ref` is not an index");
      return { ref: inner };
    default:
      throw new Invalid(`unknown type \`${key}\``);
  }
}

/** What the JSON form cannot say: references in range, unique names, omittable parameters last, streams only where a method can have them. */
function validate(schema: ChannelSchema): void {
  validateMembers(schema);
  validateTypes(schema);
}

function validateMembers(schema: ChannelSchema): void {
  for (const name of schema.memberNames) {
    const member = schema.members.get(name)!;
    if (schema.kind === "notifications" && (member.resultStream || member.params.some((p) => p.stream))) {
      throw new Invalid(`notification \`${name}\` has a stream`);
    }
    if (member.params.filter((p) => p.stream).length > 1) throw new Invalid(`\`${name}\` has more than one streaming parameter`);
    if (member.resultStream && member.result === undefined) throw new Invalid(`\`${name}\`: a streaming result without an item type`);
    let seenOmittable = false;
    for (const param of member.params) {
      if (param.stream && param.omittable) throw new Invalid(`\`${name}\`: streaming parameter \`${param.name}\` is omittable`);
      if (seenOmittable && !param.omittable) throw new Invalid(`\`${name}\`: required parameter \`${param.name}\` after an omittable one`);
      seenOmittable ||= param.omittable;
      if (param.omittable && !isOptional(param.type)) throw new Invalid(`\`${name}\`: omittable parameter \`${param.name}\` is not optional`);
      checkType(schema, param.type);
    }
    unique(member.params.map((p) => p.name), name);
    if (schema.kind === "notifications" && (member.result !== undefined || member.throws !== undefined)) {
      throw new Invalid(`notification \`${name}\` has a result or \`throws\``);
    }
    if (member.result !== undefined) checkType(schema, member.result);
    if (member.throws !== undefined) checkType(schema, member.throws);
  }
}

function validateTypes(schema: ChannelSchema): void {
  for (const ty of schema.types) {
    switch (ty.kind) {
      case "struct":
        checkFields(schema, ty.name, ty.fields);
        break;
      case "enum":
        unique(ty.values, ty.name);
        break;
      case "union":
        unique(ty.variants.map((v) => v.name), ty.name);
        for (const variant of ty.variants) checkFields(schema, ty.name, variant.fields);
        break;
    }
  }
}

function checkFields(schema: ChannelSchema, owner: string, fields: readonly FieldSchema[]): void {
  unique(fields.map((f) => f.name), owner);
  for (const field of fields) checkType(schema, field.type);
}

function checkType(schema: ChannelSchema, ty: WireType): void {
  if (typeof ty === "string") return;
  if ("array" in ty) return checkType(schema, ty.array);
  if ("optional" in ty) {
    if (isOptional(ty.optional)) throw new Invalid("optional of optional");
    return checkType(schema, ty.optional);
  }
  if ("map" in ty) {
    const key = ty.map[0];
    if (typeof key !== "string" || (key !== "string" && !INTEGER_RANGES.has(key))) throw new Invalid("map key is not a string or an integer");
    return checkType(schema, ty.map[1]);
  }
  if (ty.ref >= schema.types.length) throw new Invalid(`reference ${ty.ref} out of range (${schema.types.length} types)`);
}

function unique(names: readonly string[], owner: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Invalid(`\`${name}\` twice in \`${owner}\``);
    seen.add(name);
  }
}

const isOptional = (ty: WireType): ty is { readonly optional: WireType } => typeof ty === "object" && "optional" in ty;

// ---------------------------------------------------------------------------------------------
// The judge
// ---------------------------------------------------------------------------------------------

/** Who writes the values a comparison is about, and on which path they travel. */
export type Role =
  /** Call arguments. */
  | "frontendWrites"
  /** Results and notifications. */
  | "backendWrites"
  /** Declared errors: written by the backend; an undecodable one still fails the call. */
  | "backendFails";

type Side = "frontend" | "backend";
const writerOf = (role: Role): Side => (role === "frontendWrites" ? "frontend" : "backend");

/** A place in one side's schema (`ty` indexes that side's `types`). */
export type Loc =
  | { readonly at: "channel" }
  | { readonly at: "member"; readonly member: string }
  | { readonly at: "param"; readonly member: string; readonly index: number }
  | { readonly at: "result"; readonly member: string }
  | { readonly at: "throws"; readonly member: string }
  | { readonly at: "type"; readonly ty: number }
  | { readonly at: "field"; readonly ty: number; readonly field: string }
  | { readonly at: "variant"; readonly ty: number; readonly variant: string }
  | { readonly at: "variantField"; readonly ty: number; readonly variant: string; readonly field: string }
  | { readonly at: "enumValue"; readonly ty: number; readonly value: string };

/** What differs; "writer" and "reader" are the sides given by the finding's role. */
export type FindingKind =
  | { readonly kind: "memberMissing" }
  | { readonly kind: "memberUnknownToFrontend" }
  | { readonly kind: "tooManyArguments"; readonly writer: number; readonly reader: number }
  | { readonly kind: "argumentMissing"; readonly index: number }
  | { readonly kind: "argumentMayBeOmitted"; readonly index: number }
  | { readonly kind: "argumentExtra"; readonly index: number }
  | { readonly kind: "paramMoved"; readonly name: string; readonly writerIndex: number; readonly readerIndex: number }
  | { readonly kind: "paramRenamed"; readonly writer: string; readonly reader: string }
  | { readonly kind: "mismatch"; readonly writer: string; readonly reader: string }
  | { readonly kind: "widened"; readonly writer: Primitive; readonly reader: Primitive }
  | { readonly kind: "narrowed"; readonly writer: Primitive; readonly reader: Primitive }
  | { readonly kind: "mayBeNull" }
  | { readonly kind: "nowOptional" }
  | { readonly kind: "voidAsNull" }
  /** One side has a stream where the other has a single value (a parameter, or the result); `writerStreams` says which. */
  | { readonly kind: "streamMismatch"; readonly writerStreams: boolean }
  | { readonly kind: "fieldMissing"; readonly field: string }
  | { readonly kind: "fieldIgnored"; readonly field: string }
  | { readonly kind: "fieldNeverSent"; readonly field: string }
  | { readonly kind: "valueUnknown"; readonly value: string }
  | { readonly kind: "valueNeverSent"; readonly value: string }
  | { readonly kind: "variantUnknown"; readonly variant: string }
  | { readonly kind: "variantNeverSent"; readonly variant: string }
  | { readonly kind: "typeRenamed"; readonly writer: string; readonly reader: string }
  | { readonly kind: "throwsUnknown" }
  | { readonly kind: "throwsNeverSent" };

/** One difference between the two schemas. */
export interface Finding {
  readonly what: FindingKind;
  readonly role: Role;
  /** Where it is in the frontend's schema, and in the backend's. */
  readonly frontend: Loc;
  readonly backend: Loc;
  /** Whether it makes the members that reach it unusable. */
  readonly breaking: boolean;
}

/** What one of the frontend's members can do against this backend. */
export interface MemberVerdict {
  /** Absent when the member works; else the first reason it does not, in words. */
  readonly unusable?: string;
}

/** The outcome of `judge`. */
export interface Judgement {
  /** Every member of the frontend's schema, in name order. */
  readonly members: ReadonlyMap<string, MemberVerdict>;
  /** Members only the backend has (notifications among them are not sent to this frontend). */
  readonly backendOnly: readonly string[];
  /** Every difference, each once, in the order found. */
  readonly findings: readonly Finding[];
}

/** The budget ran out: the channel is treated as without schemas (its hashes are compared). */
export const TooComplex: unique symbol = Symbol("TooComplex");
export type TooComplex = typeof TooComplex;

/** Thrown when the budget runs out; caught by `judge`. */
const OUT_OF_BUDGET = Symbol("out of budget");

/**
 * Compares a frontend's schema of a channel with a backend's, within `budget` steps. Both should
 * be of the same kind (an interface against an interface); otherwise every member of the
 * frontend is missing.
 */
export function judge(frontend: ChannelSchema, backend: ChannelSchema, budget: number = DEFAULT_BUDGET): Judgement | TooComplex {
  try {
    return new Judge(frontend, backend, budget).run();
  } catch (e) {
    if (e === OUT_OF_BUDGET) return TooComplex;
    throw e;
  }
}

/** What one member or one pair of types found directly, and which type pairs it reaches. */
class Node {
  /** Indices into the judge's findings, each once. */
  readonly findings: number[] = [];
  /** Nodes of the type pairs it reaches, each once. */
  readonly children: number[] = [];
  /** Beside a long list of children only, so that adding stays linear without a set per small node. */
  private childSet: Set<number> | undefined;

  addChild(index: number): void {
    if (this.childSet ? this.childSet.has(index) : this.children.includes(index)) return;
    this.children.push(index);
    if (this.childSet) this.childSet.add(index);
    else if (this.children.length > 16) this.childSet = new Set(this.children);
  }
}

const loc = {
  channel: { at: "channel" } as Loc,
  member: (member: string): Loc => ({ at: "member", member }),
  param: (member: string, index: number): Loc => ({ at: "param", member, index }),
  result: (member: string): Loc => ({ at: "result", member }),
  throws: (member: string): Loc => ({ at: "throws", member }),
  type: (ty: number): Loc => ({ at: "type", ty }),
};

/**
 * The role of a whole member's messages (the frontend writes calls, the backend notifications),
 * and the frontend's and the backend's locations in writer, reader order.
 */
function membersRole(kind: ChannelKind, frontend: Loc, backend: Loc): [Role, Loc, Loc] {
  return kind === "interface" ? ["frontendWrites", frontend, backend] : ["backendWrites", backend, frontend];
}

/** Whether two findings' kinds are the same, payload included (their values are strings and numbers). */
function sameWhat(a: FindingKind, b: FindingKind): boolean {
  if (a.kind !== b.kind) return false;
  const [va, vb] = [Object.values(a), Object.values(b)];
  return va.length === vb.length && va.every((v, i) => v === vb[i]);
}

/** Names to positions, for lookups by name among names known to be unique. */
function positions(names: readonly { readonly name: string }[]): Map<string, number> {
  const map = new Map<string, number>();
  names.forEach((n, i) => map.set(n.name, i));
  return map;
}

/**
 * Rust records each finding once (`seen`, keyed by the whole finding). The same finding can only
 * come up twice where the same two places are compared twice: inside one comparison of two type
 * uses (`T?[]?` against `U[]`: "may be null" twice; `map<u8, u8>` against `map<u16, u16>`:
 * "widened" for the key and the value), and for a parameter moved (found from both ends).
 * Every other finding names a place no other comparison names (a member, a parameter's
 * position, a field of one pair of types). So findings are told apart there, without keying
 * every finding: a map of a million string keys costs seconds in JavaScript.
 */
class Judge {
  private readonly findings: Finding[] = [];
  /** Type pairs compared or queued, by role, writer's type and reader's type. */
  private readonly pairs = new Map<string, number>();
  private readonly nodes: Node[] = [];
  /** Pairs whose node is still to be filled (a stack, as in Rust). */
  private readonly queue: [Role, number, number, number][] = [];

  /** Pair visits the verdicts may make: as many as the comparison's steps. */
  private readonly visits: number;

  constructor(
    private readonly frontend: ChannelSchema,
    private readonly backend: ChannelSchema,
    private budget: number,
  ) {
    this.visits = budget;
  }

  run(): Judgement {
    const { frontend, backend } = this;
    const sameKind = frontend.kind === backend.kind;
    const memberNodes = new Map<string, Node>();
    for (const name of frontend.memberNames) {
      const node = new Node();
      const bMember = sameKind ? backend.members.get(name) : undefined;
      if (bMember === undefined) {
        const [role, writer, reader] = membersRole(frontend.kind, loc.member(name), loc.channel);
        this.record(node, { kind: "memberMissing" }, role, writer, reader, true);
      } else {
        this.member(name, frontend.members.get(name)!, bMember, node);
      }
      memberNodes.set(name, node);
      this.drain();
    }
    const backendOnly: string[] = [];
    for (const name of backend.memberNames) {
      if (!sameKind || !frontend.members.has(name)) {
        backendOnly.push(name);
        const [role, writer, reader] = membersRole(backend.kind, loc.channel, loc.member(name));
        this.record(new Node(), { kind: "memberUnknownToFrontend" }, role, writer, reader, false);
      }
    }
    return this.verdicts(memberNodes, backendOnly);
  }

  private step(): void {
    if (this.budget === 0) throw OUT_OF_BUDGET;
    this.budget--;
  }

  /** The schema of the side that writes under `role`, then the reader's. */
  private sides(role: Role): [ChannelSchema, ChannelSchema] {
    return writerOf(role) === "frontend" ? [this.frontend, this.backend] : [this.backend, this.frontend];
  }

  private schemaOf(side: Side): ChannelSchema {
    return side === "frontend" ? this.frontend : this.backend;
  }

  /** Records a new finding given the writer's and the reader's locations. */
  private record(node: Node, what: FindingKind, role: Role, writer: Loc, reader: Loc, breaking: boolean): void {
    const byFrontend = writerOf(role) === "frontend";
    // On the error path a value the reader cannot decode still ends the call with an error.
    const finding: Finding = { what, role, frontend: byFrontend ? writer : reader, backend: byFrontend ? reader : writer, breaking: breaking && role !== "backendFails" };
    node.findings.push(this.findings.length);
    this.findings.push(finding);
  }

  /** Records a finding of one comparison of two type uses (`scope`: what it found so far), unless found already. */
  private recordOnce(scope: FindingKind[], node: Node, what: FindingKind, role: Role, writer: Loc, reader: Loc, breaking: boolean): void {
    if (scope.some((seen) => sameWhat(seen, what))) return;
    scope.push(what);
    this.record(node, what, role, writer, reader, breaking);
  }

  private member(name: string, f: MemberSchema, b: MemberSchema, node: Node): void {
    if (this.frontend.kind === "notifications") {
      this.params(name, "backendWrites", b.params, f.params, node);
      return;
    }
    this.params(name, "frontendWrites", f.params, b.params, node);
    const resultLoc = loc.result(name);
    const throwsLoc = loc.throws(name);
    if (b.resultStream !== f.resultStream) {
      // A stream against a single value: this one finding says it all.
      this.record(node, { kind: "streamMismatch", writerStreams: b.resultStream }, "backendWrites", resultLoc, resultLoc, true);
    } else if (b.result !== undefined && f.result !== undefined) {
      this.compare("backendWrites", b.result, f.result, resultLoc, resultLoc, node);
    } else if (b.result === undefined && f.result !== undefined) {
      const nullable = isOptional(f.result);
      const what: FindingKind = nullable ? { kind: "voidAsNull" } : { kind: "mismatch", writer: "void", reader: describeType(this.frontend, f.result) };
      this.record(node, what, "backendWrites", resultLoc, resultLoc, !nullable);
    } else if (b.result !== undefined && f.result === undefined) {
      const what: FindingKind = { kind: "mismatch", writer: describeType(this.backend, b.result), reader: "void" };
      this.record(node, what, "backendWrites", resultLoc, resultLoc, true);
    }
    if (b.throws !== undefined && f.throws !== undefined) {
      this.compare("backendFails", b.throws, f.throws, throwsLoc, throwsLoc, node);
    } else if (b.throws !== undefined) {
      this.record(node, { kind: "throwsUnknown" }, "backendFails", throwsLoc, loc.member(name), true);
    } else if (f.throws !== undefined) {
      this.record(node, { kind: "throwsNeverSent" }, "backendFails", loc.member(name), throwsLoc, false);
    }
  }

  /** Positional arguments written by `role`'s writer (`w`) and read by the other side (`r`). */
  private params(member: string, role: Role, w: readonly ParamSchema[], r: readonly ParamSchema[], node: Node): void {
    const param = (index: number) => loc.param(member, index);
    const whole = () => loc.member(member);
    if (w.length > r.length) {
      this.record(node, { kind: "tooManyArguments", writer: w.length, reader: r.length }, role, param(r.length), whole(), true);
    }
    let wIndex: Map<string, number> | undefined;
    let rIndex: Map<string, number> | undefined;
    /** Moves found, by writer's and reader's position (the name is the writer's at its position). */
    const moves = new Set<string>();
    const moved = (writerIndex: number, readerIndex: number) => {
      const key = `${writerIndex} ${readerIndex}`;
      const known = moves.has(key);
      moves.add(key);
      return known;
    };
    for (let index = 0; index < r.length; index++) {
      const rParam = r[index]!;
      this.step();
      const wParam = w[index];
      if (wParam === undefined) {
        const what: FindingKind = rParam.omittable ? { kind: "argumentExtra", index } : { kind: "argumentMissing", index };
        this.record(node, what, role, whole(), param(index), !rParam.omittable);
        continue;
      }
      if (wParam.name !== rParam.name) {
        rIndex ??= positions(r);
        wIndex ??= positions(w);
        const readerIndex = rIndex.get(wParam.name);
        const writerIndex = wIndex.get(rParam.name);
        if (readerIndex !== undefined) {
          const what: FindingKind = { kind: "paramMoved", name: wParam.name, writerIndex: index, readerIndex };
          if (!moved(index, readerIndex)) this.record(node, what, role, param(index), param(readerIndex), true);
        } else if (writerIndex !== undefined) {
          // Found from the other end: the reader's name is written elsewhere.
          const what: FindingKind = { kind: "paramMoved", name: rParam.name, writerIndex, readerIndex: index };
          if (!moved(writerIndex, index)) this.record(node, what, role, param(writerIndex), param(index), true);
        } else {
          this.record(node, { kind: "paramRenamed", writer: wParam.name, reader: rParam.name }, role, param(index), param(index), false);
        }
      }
      if (wParam.omittable && !rParam.omittable) {
        this.record(node, { kind: "argumentMayBeOmitted", index }, role, param(index), param(index), true);
      }
      if (wParam.stream !== rParam.stream) {
        // Items where the reader reads one argument, or the reverse: comparing the types adds nothing.
        this.record(node, { kind: "streamMismatch", writerStreams: wParam.stream }, role, param(index), param(index), true);
        continue;
      }
      this.compare(role, wParam.type, rParam.type, param(index), param(index), node);
    }
  }

  /** Compares one use of a type: values written as `w` at `wloc`, read as `r` at `rloc`. */
  private compare(role: Role, w: WireType, r: WireType, wloc: Loc, rloc: Loc, node: Node, scope: FindingKind[] = []): void {
    // Type uses nest only as deep as the reader allowed, so recursion on them is bounded; named
    // types go through the work list instead.
    this.step();
    if (isOptional(w) && isOptional(r)) return this.compare(role, w.optional, r.optional, wloc, rloc, node, scope);
    if (isOptional(w)) {
      this.recordOnce(scope, node, { kind: "mayBeNull" }, role, wloc, rloc, true);
      return this.compare(role, w.optional, r, wloc, rloc, node, scope);
    }
    if (isOptional(r)) {
      this.recordOnce(scope, node, { kind: "nowOptional" }, role, wloc, rloc, false);
      return this.compare(role, w, r.optional, wloc, rloc, node, scope);
    }
    if (typeof w === "string" && typeof r === "string") {
      if (w !== r) {
        let what: FindingKind;
        let breaking: boolean;
        if (scalarWidens(w, r)) [what, breaking] = [{ kind: "widened", writer: w, reader: r }, false];
        else if (isNumeric(w) && isNumeric(r)) [what, breaking] = [{ kind: "narrowed", writer: w, reader: r }, true];
        else [what, breaking] = [{ kind: "mismatch", writer: w, reader: r }, true];
        this.recordOnce(scope, node, what, role, wloc, rloc, breaking);
      }
      return;
    }
    if (typeof w === "object" && typeof r === "object") {
      if ("array" in w && "array" in r) return this.compare(role, w.array, r.array, wloc, rloc, node, scope);
      if ("map" in w && "map" in r) {
        const [wk, wv] = w.map;
        const [rk, rv] = r.map;
        if (typeof wk === "string" && typeof rk === "string" && wk !== rk) {
          const widens = keyWidens(wk, rk);
          const what: FindingKind = widens ? { kind: "widened", writer: wk, reader: rk } : { kind: "mismatch", writer: `map keys \`${wk}\``, reader: `map keys \`${rk}\`` };
          this.recordOnce(scope, node, what, role, wloc, rloc, !widens);
        }
        return this.compare(role, wv, rv, wloc, rloc, node, scope);
      }
      if ("ref" in w && "ref" in r) {
        node.addChild(this.pair(role, w.ref, r.ref));
        return;
      }
    }
    const [wSide, rSide]: [Side, Side] = writerOf(role) === "frontend" ? ["frontend", "backend"] : ["backend", "frontend"];
    const what: FindingKind = { kind: "mismatch", writer: describeType(this.schemaOf(wSide), w), reader: describeType(this.schemaOf(rSide), r) };
    this.recordOnce(scope, node, what, role, wloc, rloc, true);
  }

  /** The node of a pair of named types, queued for comparison when new. */
  private pair(role: Role, w: number, r: number): number {
    const key = `${role} ${w} ${r}`;
    const known = this.pairs.get(key);
    if (known !== undefined) return known;
    const index = this.nodes.length;
    this.nodes.push(new Node());
    this.pairs.set(key, index);
    this.queue.push([role, w, r, index]);
    return index;
  }

  /** Compares every queued pair of named types (and the pairs they reach). */
  private drain(): void {
    for (let next = this.queue.pop(); next !== undefined; next = this.queue.pop()) {
      const [role, w, r, index] = next;
      const node = new Node();
      this.named(role, w, r, node);
      this.nodes[index] = node;
    }
  }

  private named(role: Role, w: number, r: number, node: Node): void {
    this.step();
    const [wSchema, rSchema] = this.sides(role);
    const wt = wSchema.types[w]!;
    const rt = rSchema.types[r]!;
    if (wt.name !== rt.name) {
      this.record(node, { kind: "typeRenamed", writer: wt.name, reader: rt.name }, role, loc.type(w), loc.type(r), false);
    }
    if (wt.kind === "struct" && rt.kind === "struct") {
      this.fields(role, w, wt.fields, r, rt.fields, undefined, node);
    } else if (wt.kind === "enum" && rt.kind === "enum") {
      const rValues = new Set(rt.values);
      for (const value of wt.values) {
        this.step();
        if (!rValues.has(value)) this.record(node, { kind: "valueUnknown", value }, role, { at: "enumValue", ty: w, value }, loc.type(r), true);
      }
      const wValues = new Set(wt.values);
      for (const value of rt.values) {
        this.step();
        if (!wValues.has(value)) this.record(node, { kind: "valueNeverSent", value }, role, loc.type(w), { at: "enumValue", ty: r, value }, false);
      }
    } else if (wt.kind === "union" && rt.kind === "union") {
      const rVariants = new Map(rt.variants.map((v) => [v.name, v] as const));
      for (const variant of wt.variants) {
        this.step();
        const rVariant = rVariants.get(variant.name);
        if (rVariant !== undefined) {
          this.fields(role, w, variant.fields, r, rVariant.fields, variant.name, node);
        } else {
          const wloc: Loc = { at: "variant", ty: w, variant: variant.name };
          this.record(node, { kind: "variantUnknown", variant: variant.name }, role, wloc, loc.type(r), true);
        }
      }
      const wVariants = new Set(wt.variants.map((v) => v.name));
      for (const variant of rt.variants) {
        this.step();
        if (!wVariants.has(variant.name)) {
          const rloc: Loc = { at: "variant", ty: r, variant: variant.name };
          this.record(node, { kind: "variantNeverSent", variant: variant.name }, role, loc.type(w), rloc, false);
        }
      }
    } else {
      const what: FindingKind = { kind: "mismatch", writer: `${wt.kind} \`${wt.name}\``, reader: `${rt.kind} \`${rt.name}\`` };
      this.record(node, what, role, loc.type(w), loc.type(r), true);
    }
  }

  /** The fields of a struct, or of a union variant (`variant`), matched by name. */
  private fields(role: Role, w: number, wf: readonly FieldSchema[], r: number, rf: readonly FieldSchema[], variant: string | undefined, node: Node): void {
    const fieldLoc = (ty: number, field: string): Loc => (variant !== undefined ? { at: "variantField", ty, variant, field } : { at: "field", ty, field });
    const ownerLoc = (ty: number): Loc => (variant !== undefined ? { at: "variant", ty, variant } : loc.type(ty));
    const wFields = new Map(wf.map((f) => [f.name, f] as const));
    for (const rField of rf) {
      this.step();
      const rloc = fieldLoc(r, rField.name);
      const wField = wFields.get(rField.name);
      if (wField !== undefined) {
        this.compare(role, wField.type, rField.type, fieldLoc(w, wField.name), rloc, node);
      } else {
        const optional = isOptional(rField.type);
        const what: FindingKind = optional ? { kind: "fieldNeverSent", field: rField.name } : { kind: "fieldMissing", field: rField.name };
        this.record(node, what, role, ownerLoc(w), rloc, !optional);
      }
    }
    const rNames = new Set(rf.map((f) => f.name));
    for (const wField of wf) {
      this.step();
      if (!rNames.has(wField.name)) {
        this.record(node, { kind: "fieldIgnored", field: wField.name }, role, fieldLoc(w, wField.name), ownerLoc(r), false);
      }
    }
  }

  /**
   * Member verdicts: a member is unusable when a breaking finding is reachable from it; the
   * reason is the first breaking one, its own findings first, then breadth first through the
   * type pairs (the nearest).
   */
  private verdicts(members: Map<string, Node>, backendOnly: string[]): Judgement {
    // Which pairs reach a breaking finding: propagated backwards from the pairs that hold one
    // (linear over the pair graph, cycles included).
    const parents: number[][] = this.nodes.map(() => []);
    this.nodes.forEach((node, index) => {
      for (const child of node.children) parents[child]!.push(index);
    });
    const ownBreaking = (node: Node) => node.findings.find((f) => this.findings[f]!.breaking);
    const breaks = this.nodes.map((node) => ownBreaking(node) !== undefined);
    const pending = breaks.flatMap((b, i) => (b ? [i] : []));
    for (let index = pending.pop(); index !== undefined; index = pending.pop()) {
      for (const parent of parents[index]!) {
        if (!breaks[parent]) {
          breaks[parent] = true;
          pending.push(parent);
        }
      }
    }
    const verdicts = new Map<string, MemberVerdict>();
    let visits = this.visits;
    for (const [name, node] of members) {
      let first = ownBreaking(node);
      if (first === undefined && node.children.some((c) => breaks[c])) {
        // Breadth first through the pairs that reach a breaking finding: the others hold none,
        // and neither does anything they reach, so leaving them out keeps the order.
        const visited = new Set<number>();
        const frontier: number[] = [];
        for (const child of node.children) {
          if (breaks[child] && !visited.has(child)) {
            visited.add(child);
            frontier.push(child);
          }
        }
        for (let head = 0; first === undefined && head < frontier.length; head++) {
          if (visits === 0) throw OUT_OF_BUDGET;
          visits--;
          const pair = this.nodes[frontier[head]!]!;
          first = ownBreaking(pair);
          for (const child of pair.children) {
            if (breaks[child] && !visited.has(child)) {
              visited.add(child);
              frontier.push(child);
            }
          }
        }
      }
      verdicts.set(name, first === undefined ? {} : { unusable: describe(this.findings[first]!, this.frontend, this.backend, RUNTIME_WORDS) });
    }
    return { members: verdicts, backendOnly, findings: this.findings };
  }
}

/** Whether every value of scalar `w` decodes as scalar `r` and means the same. */
function scalarWidens(w: Primitive, r: Primitive): boolean {
  if (w === r) return true;
  if (isNumberInteger(w) && isNumberInteger(r)) return rangeWithin(w, r);
  // Floats decode any JSON number; exact for integers up to 2^24 (f32) and 2^53 (f64).
  if (r === "f64") return isNumberInteger(w) || w === "f32";
  if (r === "f32") return w === "i8" || w === "u8" || w === "i16" || w === "u16";
  // `i64` and `u64` travel as decimal strings: a `string` reader takes them as they are.
  if (r === "string") return w === "i64" || w === "u64";
  return false;
}

/** Map keys travel as strings: an integer key widens into a wider integer key type and into `string`. */
function keyWidens(w: Primitive, r: Primitive): boolean {
  return w === r || (INTEGER_RANGES.has(w) && r === "string") || (INTEGER_RANGES.has(w) && INTEGER_RANGES.has(r) && rangeWithin(w, r));
}

function rangeWithin(w: Primitive, r: Primitive): boolean {
  const wr = INTEGER_RANGES.get(w);
  const rr = INTEGER_RANGES.get(r);
  return wr !== undefined && rr !== undefined && rr[0] <= wr[0] && wr[1] <= rr[1];
}

/** Integers that travel as JSON numbers (`i64`/`u64` travel as strings). */
const isNumberInteger = (p: Primitive): boolean => INTEGER_RANGES.has(p) && p !== "i64" && p !== "u64";
const isNumeric = (p: Primitive): boolean => INTEGER_RANGES.has(p) || p === "f32" || p === "f64";

/** A type use as messages show it: `string`, `Person`, `Person[]`, `map<string, f64>`, `u8?`. */
export function describeType(schema: ChannelSchema, ty: WireType): string {
  if (typeof ty === "string") return ty;
  if ("array" in ty) return `${describeType(schema, ty.array)}[]`;
  if ("optional" in ty) return `${describeType(schema, ty.optional)}?`;
  if ("map" in ty) return `map<${describeType(schema, ty.map[0])}, ${describeType(schema, ty.map[1])}>`;
  return schema.types[ty.ref]?.name ?? `#${ty.ref}`;
}

/** How a description names the two sides. */
export interface Words {
  readonly frontend: string;
  readonly backend: string;
}

/** The runtime's words (Rust `Words::RUNTIME`). */
export const RUNTIME_WORDS: Words = Object.freeze({ frontend: "the frontend", backend: "the backend" });

/** The member a location belongs to, when it is one of a member's parts. */
function memberOf(l: Loc): string | undefined {
  switch (l.at) {
    case "member":
    case "param":
    case "result":
    case "throws":
      return l.member;
    default:
      return undefined;
  }
}

/** A location as messages name it: "argument #2 `age` of `addPerson`", "field `age` of `Person`". */
function place(schema: ChannelSchema, l: Loc): string {
  const typeName = (ty: number) => schema.types[ty]?.name ?? `#${ty}`;
  switch (l.at) {
    case "channel":
      return "the channel";
    case "member":
      return `\`${l.member}\``;
    case "param": {
      const p = schema.members.get(l.member)?.params[l.index];
      return `argument #${l.index + 1}${p ? ` \`${p.name}\`` : ""} of \`${l.member}\``;
    }
    case "result":
      return `the result of \`${l.member}\``;
    case "throws":
      return `the declared error of \`${l.member}\``;
    case "type":
      return `\`${typeName(l.ty)}\``;
    case "field":
      return `field \`${l.field}\` of \`${typeName(l.ty)}\``;
    case "variant":
      return `variant \`${l.variant}\` of \`${typeName(l.ty)}\``;
    case "variantField":
      return `field \`${l.field}\` of variant \`${l.variant}\` of \`${typeName(l.ty)}\``;
    case "enumValue":
      return `value \`${l.value}\` of \`${typeName(l.ty)}\``;
  }
}

/**
 * A finding in words, e.g. "the frontend may leave out field `age` of `Person` (or send null),
 * which the backend requires". `frontend` and `backend` are the schemas it was found in.
 */
export function describe(finding: Finding, frontend: ChannelSchema, backend: ChannelSchema, words: Words = RUNTIME_WORDS): string {
  const byFrontend = writerOf(finding.role) === "frontend";
  const [writer, reader] = byFrontend ? [words.frontend, words.backend] : [words.backend, words.frontend];
  const [wSchema, rSchema] = byFrontend ? [frontend, backend] : [backend, frontend];
  const [wloc, rloc] = byFrontend ? [finding.frontend, finding.backend] : [finding.backend, finding.frontend];
  const whatW = place(wSchema, wloc);
  const whatR = place(rSchema, rloc);
  const member = memberOf(finding.frontend) ?? memberOf(finding.backend) ?? "";
  const noun = (schema: ChannelSchema) => (schema.kind === "interface" ? "method" : "notification");
  const paramName = (schema: ChannelSchema, index: number) => {
    const p = schema.members.get(member)?.params[index];
    return p ? ` \`${p.name}\`` : "";
  };
  const f = finding.what;
  switch (f.kind) {
    case "memberMissing":
      return frontend.kind === "interface" ? `${words.backend} has no method \`${member}\`` : `${words.backend} does not send notification \`${member}\``;
    case "memberUnknownToFrontend":
      return `${words.frontend} does not know ${noun(backend)} \`${member}\``;
    case "tooManyArguments":
      return `${writer} may send ${f.writer} arguments to \`${member}\`; ${reader} takes at most ${f.reader}`;
    case "argumentMissing":
      return `${reader} requires argument #${f.index + 1}${paramName(rSchema, f.index)} of \`${member}\`, which ${writer} does not send`;
    case "argumentMayBeOmitted":
      return `${writer} may leave out argument #${f.index + 1}${paramName(rSchema, f.index)} of \`${member}\`, which ${reader} requires`;
    case "argumentExtra":
      return `${reader} takes an optional argument #${f.index + 1}${paramName(rSchema, f.index)} of \`${member}\` that ${writer} does not send`;
    case "paramMoved":
      return `${writer} sends \`${f.name}\` as argument #${f.writerIndex + 1} of \`${member}\`; ${reader} reads it as argument #${f.readerIndex + 1}`;
    case "paramRenamed":
      return `argument \`${f.writer}\` of \`${member}\` is named \`${f.reader}\` by ${reader} (names are not on the wire)`;
    case "mismatch":
      return `${writer} sends ${whatW} as \`${f.writer}\`; ${reader} expects \`${f.reader}\``;
    case "widened":
      return `${writer} sends ${whatW} as \`${f.writer}\`; ${reader} reads the wider \`${f.reader}\``;
    case "narrowed":
      return `${writer} sends ${whatW} as \`${f.writer}\`; ${reader} reads only \`${f.reader}\``;
    case "mayBeNull":
      return `${writer} may leave out ${whatW} (or send null), which ${reader} requires`;
    case "nowOptional":
      return `${writer} always sends ${whatW}, which ${reader} also takes as absent`;
    case "voidAsNull":
      return `${writer} returns nothing from \`${member}\`; ${reader} reads that as an absent value`;
    case "streamMismatch":
      return f.writerStreams
        ? `${writer} sends ${whatW} as a stream of items; ${reader} expects a single value`
        : `${writer} sends ${whatW} as a single value; ${reader} expects a stream of items`;
    case "fieldMissing":
      return `${writer} sends ${whatW} without field \`${f.field}\`, which ${reader} requires`;
    case "fieldIgnored":
      return `${reader} ignores ${whatW}, which ${writer} sends`;
    case "fieldNeverSent":
      return `${writer} never sends optional ${whatR}`;
    case "valueUnknown":
    case "variantUnknown":
      return `${writer} may send ${whatW}, which ${reader} does not know`;
    case "valueNeverSent":
    case "variantNeverSent":
      return `${writer} never sends ${whatR}`;
    case "typeRenamed":
      return `type \`${f.writer}\` of ${writer} is named \`${f.reader}\` by ${reader} (names are not on the wire)`;
    case "throwsUnknown":
      return `${writer} may fail \`${member}\` with a declared error, which ${reader} does not declare (it sees an untyped \`declared\` error)`;
    case "throwsNeverSent":
      return `${reader} declares an error for \`${member}\` that ${writer} never sends`;
  }
}
