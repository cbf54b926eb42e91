//! Codec combinators (`c.*`): one exact mapping between each IDL type's TS value and its JSON wire form.

import { decodeBase64, encodeBase64 } from "./base64.js";
import { attachmentsActive, bytesDeferred, takeAttachment, WireBytes } from "./binary.js";
import { IpcError } from "./errors.js";

/** A JSON value as it travels (after `JSON.parse`, before `JSON.stringify`). */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/**
 * Maps values of type `T` to and from the wire. `encode` and `decode` throw `CodecError` on a
 * value that does not fit (a sender's bug or a malformed message); callers turn it into an
 * `IpcError` with code `badRequest` and a path (`encodeValue` / `decodeValue`).
 */
export interface Codec<T> {
  /** A short description of the type, for messages (`"u32"`, `"Person"`, `"string[]"`). */
  readonly name: string;
  encode(value: T): WireValue;
  /**
   * `depth`: how many arrays and objects enclose `wire` in the value being decoded (0 at its
   * root). The container codecs pass it on, one more, and refuse a value nested deeper than
   * `MAX_VALUE_DEPTH`; a codec that holds no container can ignore it.
   */
  decode(wire: unknown, depth?: number): T;
  /** Present on `c.optional(...)`: in a struct, an absent field; elsewhere `null`. */
  readonly optional?: true;
  /** Present on codecs usable as map keys: the key as an object property name. */
  encodeKey?(value: T): string;
  decodeKey?(key: string): T;
}

/** The value type a codec maps. */
export type CodecType<C> = C extends Codec<infer T> ? T : never;

/**
 * A value did not fit its codec. `path` collects the segments (`[3]`, `.tags`) on the way out,
 * innermost first, so building the path costs nothing unless something fails.
 */
export class CodecError extends Error {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CodecError";
  }
  /** The path below the root, e.g. `.tags[3]`. */
  get path(): string {
    return this.segments.slice().reverse().join("");
  }
}

/** Runs `f` and prefixes a failure's path with `segment`. */
function at<T>(segment: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw within(e, segment);
  }
}

/**
 * Prefixes a failure's path with `segment` and returns it, for a `catch` around a whole loop:
 * the loops build no closure and no segment per item, only for the one that failed.
 */
function within(e: unknown, segment: string): unknown {
  if (e instanceof CodecError) e.segments.push(segment);
  return e;
}

function fieldSegment(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

function describe(wire: unknown): string {
  if (wire === null) return "null";
  if (wire === undefined) return "nothing";
  if (Array.isArray(wire)) return "an array";
  if (typeof wire === "string") return wire.length > 40 ? `a string of ${wire.length} characters` : `the string ${JSON.stringify(wire)}`;
  if (typeof wire === "number") return `the number ${wire}`;
  if (typeof wire === "bigint") return `the bigint ${wire}`;
  return typeof wire === "object" ? "an object" : `a ${typeof wire}`;
}

function fail(expected: string, wire: unknown): never {
  throw new CodecError(`expected ${expected}, found ${describe(wire)}`);
}

/**
 * The deepest a value may nest (docs/protocol.md, "Limits"): arrays and objects, the value's own
 * outermost one counting as 1, those inside fields a decoder ignores included. It is
 * serde_json's recursion limit, which runtime-rs decodes every value with; a deeper value does
 * not decode. It also bounds how deep the codecs recurse, so no input exhausts the stack.
 */
export const MAX_VALUE_DEPTH = 127;

function tooDeep(): CodecError {
  return new CodecError(`nested deeper than ${MAX_VALUE_DEPTH} arrays and objects`);
}

/** The depth inside one more array or object at `depth`; past the limit, the value does not decode. */
function enter(depth: number): number {
  if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
  return depth + 1;
}

/**
 * Whether the JSON value `wire` holds arrays and objects more than `levels` deep (`wire` itself
 * counting as 1). Recurses at most `levels + 1` deep, so the caller bounds it.
 */
export function nestsDeeper(wire: unknown, levels: number): boolean {
  if (typeof wire !== "object" || wire === null) return false;
  if (levels <= 0) return true;
  if (Array.isArray(wire)) {
    for (let i = 0; i < wire.length; i++) if (nestsDeeper(wire[i], levels - 1)) return true;
  } else {
    for (const key in wire) if (nestsDeeper((wire as Record<string, unknown>)[key], levels - 1)) return true;
  }
  return false;
}

/** Encodes `value` at the root `path` (e.g. `args[0]`), turning a misfit into `badRequest`. */
export function encodeValue<T>(codec: Codec<T>, value: T, path: string): WireValue {
  try {
    return codec.encode(value);
  } catch (e) {
    throw toIpcError(e, path, "cannot encode");
  }
}

/** Decodes `wire` at the root `path` (e.g. `args[0]`), turning a misfit into `badRequest`. */
export function decodeValue<T>(codec: Codec<T>, wire: unknown, path: string): T {
  try {
    return codec.decode(wire);
  } catch (e) {
    throw toIpcError(e, path, "cannot decode");
  }
}

/**
 * `decodeValue` at the root path `${root}[${index}]` (`item[7]`, `args[0]`), the path written
 * only when the value does not decode: what a stream item or a notification argument costs
 * per message is the codec's work alone.
 */
export function decodeAt<T>(codec: Codec<T>, wire: unknown, root: string, index: number): T {
  try {
    return codec.decode(wire);
  } catch (e) {
    throw toIpcError(e, `${root}[${index}]`, "cannot decode");
  }
}

function toIpcError(e: unknown, root: string, verb: string): IpcError {
  if (e instanceof CodecError) {
    const path = root + e.path;
    return new IpcError("badRequest", `${verb} ${path}: ${e.reason}`, { path });
  }
  if (e instanceof IpcError) return e;
  // A RangeError from a codec (e.g. a lazy codec recursing without end) is still a bad value.
  return new IpcError("badRequest", `${verb} ${root}: ${e instanceof Error ? e.message : String(e)}`, { path: root });
}

function integer(name: string, min: number, max: number): Codec<number> {
  const check = (v: unknown): number => {
    if (typeof v !== "number" || !Number.isInteger(v)) fail(`an integer (${name})`, v);
    if (v < min || v > max) throw new CodecError(`${v} is out of range for ${name} (${min}..${max})`);
    return v === 0 ? 0 : v; // -0 is 0 for integers
  };
  return {
    name,
    encode: check,
    decode: check,
    encodeKey: (v) => String(check(v)),
    decodeKey: (key) => {
      if (!/^-?(0|[1-9][0-9]*)$/.test(key) || key === "-0") fail(`a decimal ${name} key`, key);
      return check(Number(key));
    },
  };
}

/** A canonical decimal integer: no sign but '-', no leading zeros, no spaces. */
const decimal = /^-?(0|[1-9][0-9]*)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function bigInteger(name: string, min: bigint, max: bigint): Codec<bigint> {
  const check = (v: unknown): bigint => {
    if (typeof v !== "bigint") fail(`a bigint (${name})`, v);
    if (v < min || v > max) throw new CodecError(`${v} is out of range for ${name}`);
    return v;
  };
  const minNumber = Number(min), maxNumber = Number(max);
  const parse = (s: unknown): bigint => {
    if (typeof s !== "string") fail(`a decimal string (${name})`, s);
    // Strict form: no sign but '-', no leading zeros, no spaces; bounded so BigInt stays cheap.
    if (s.length > 21 || !decimal.test(s) || s === "-0") fail(`a decimal string (${name})`, s);
    // Up to 15 characters the value is a safe integer, which `Number` reads exactly and faster
    // than `BigInt` reads the string; the range is then checked on the number.
    if (s.length <= 15) {
      const n = Number(s);
      if (n < minNumber || n > maxNumber) throw new CodecError(`${s} is out of range for ${name}`);
      return BigInt(n);
    }
    return check(BigInt(s));
  };
  return {
    name,
    encode: (v) => {
      const n = check(v);
      // A safe integer's decimal text is its number's (faster than a bigint's `toString`).
      return n >= -MAX_SAFE && n <= MAX_SAFE ? String(Number(n)) : n.toString();
    },
    decode: parse,
    encodeKey: (v) => check(v).toString(),
    decodeKey: parse,
  };
}

function float(name: string, round: (v: number) => number): Codec<number> {
  return {
    name,
    encode(v) {
      // The common case first: a finite number other than -0 is itself on the wire.
      if (typeof v === "number" && v - v === 0 && (v !== 0 || 1 / v > 0)) return v;
      if (typeof v !== "number") fail(`a number (${name})`, v);
      if (Number.isNaN(v)) return "NaN";
      if (v === Infinity) return "Infinity";
      if (v === -Infinity) return "-Infinity";
      if (Object.is(v, -0)) return "-0";
      return v;
    },
    decode(wire) {
      if (typeof wire === "number") {
        // JSON.parse turns 1e400 into Infinity; out of range numbers are invalid, not infinite.
        if (!Number.isFinite(wire)) throw new CodecError(`${wire} is out of range for ${name}`);
        return round(wire);
      }
      switch (wire) {
        case "NaN":
          return NaN;
        case "Infinity":
          return Infinity;
        case "-Infinity":
          return -Infinity;
        case "-0":
          return -0;
      }
      return fail(`a number (${name})`, wire);
    },
  };
}

/** Detects lone surrogates; `isWellFormed` where the engine has it, a regex elsewhere. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
export const wellFormed: (s: string) => boolean =
  typeof nativeWellFormed === "function" ? (s) => nativeWellFormed.call(s) : (s) => !loneSurrogate.test(s);

function checkString(v: unknown): string {
  if (typeof v !== "string") fail("a string", v);
  if (!wellFormed(v)) throw new CodecError("string contains a lone surrogate (not valid Unicode)");
  return v;
}

const stringCodec: Codec<string> = {
  name: "string",
  encode: checkString,
  decode: checkString,
  encodeKey: checkString,
  decodeKey: checkString,
};

const boolCodec: Codec<boolean> = {
  name: "bool",
  encode: (v) => (typeof v === "boolean" ? v : fail("a boolean", v)),
  decode: (v) => (typeof v === "boolean" ? v : fail("a boolean", v)),
};

/**
 * `bytes`: base64 in JSON. While the runtime encodes a message (`deferBytes`) the value stays
 * bytes until the message is serialized for its connection (base64, or an attachment of a
 * binary message); while it decodes a binary message (`withAttachments`) an attachment index is
 * accepted too, and gives a view into the received buffer.
 */
const bytesCodec: Codec<Uint8Array> = {
  name: "bytes",
  encode(v) {
    if (!(v instanceof Uint8Array)) fail("a Uint8Array", v);
    // Stands for its base64 string (that is what it serializes to outside a binary message).
    if (bytesDeferred()) return new WireBytes(v) as unknown as WireValue;
    return encodeBase64(v);
  },
  decode(wire) {
    if (typeof wire === "number" && attachmentsActive()) {
      const part = takeAttachment(wire);
      if (typeof part === "string") throw new CodecError(part);
      return part;
    }
    if (typeof wire !== "string") fail(attachmentsActive() ? "a base64 string or an attachment index" : "a base64 string", wire);
    const out = decodeBase64(wire);
    if (typeof out === "string") throw new CodecError(out);
    return out;
  },
};

const voidCodec: Codec<void> = {
  name: "void",
  encode: () => null,
  decode: (wire) => (wire === null || wire === undefined ? undefined : fail("null (void)", wire)),
};

/** A plain array with `v`'s items (not of `v`'s class: no species constructor runs). */
function copyOf(v: readonly unknown[]): unknown[] {
  return v.constructor === Array ? (v as unknown[]).slice() : Array.from(v);
}

function array<T>(item: Codec<T>): Codec<T[]> {
  return {
    // Names are computed on use: a `c.lazy` inner codec may not exist yet.
    get name() {
      return `${item.name}[]`;
    },
    encode(v) {
      if (!Array.isArray(v)) fail("an array", v);
      // A copy, overwritten: `JSON.stringify` has fast paths for packed arrays only, and
      // `new Array(n)` makes a holey one (a third slower to serialize) where a copy of a packed
      // array is packed, and faster to make than one filled by `push`.
      const out = copyOf(v) as unknown as WireValue[];
      let i = 0;
      try {
        for (; i < v.length; i++) out[i] = item.encode(v[i] as T);
      } catch (e) {
        throw within(e, `[${i}]`);
      }
      return out;
    },
    decode(wire, depth = 0) {
      if (!Array.isArray(wire)) fail("an array", wire);
      const inner = enter(depth);
      // A copy of what `JSON.parse` made (packed), overwritten: the value stays a packed array.
      const out = copyOf(wire) as T[];
      let i = 0;
      try {
        for (; i < wire.length; i++) out[i] = item.decode(wire[i], inner);
      } catch (e) {
        throw within(e, `[${i}]`);
      }
      return out;
    },
  };
}

function optional<T>(inner: Codec<T>): Codec<T | undefined> {
  return {
    get name() {
      return `${inner.name}?`;
    },
    optional: true,
    // `null` from plain-JS callers is taken as "absent" too.
    encode: (v) => (v === undefined || v === null ? null : inner.encode(v)),
    decode: (wire, depth) => (wire === null || wire === undefined ? undefined : inner.decode(wire, depth)),
  };
}

function isObject(wire: unknown): wire is Record<string, unknown> {
  return typeof wire === "object" && wire !== null && !Array.isArray(wire);
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Sets a property even when its name is `__proto__`. */
function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function map<K, V>(key: Codec<K>, value: Codec<V>): Codec<Map<K, V>> {
  const encodeKey = key.encodeKey, decodeKey = key.decodeKey;
  if (!encodeKey || !decodeKey) throw new Error(`${key.name} cannot be a map key`);
  return {
    get name() {
      return `map<${key.name}, ${value.name}>`;
    },
    encode(v) {
      if (!(v instanceof Map)) fail("a Map", v);
      // A null-prototype object, so a key named `__proto__` stays an ordinary key.
      const out: Record<string, WireValue> = Object.create(null);
      for (const [k, item] of v) {
        const name = at("[key]", () => encodeKey.call(key, k));
        try {
          out[name] = value.encode(item);
        } catch (e) {
          throw within(e, `[${JSON.stringify(name)}]`);
        }
      }
      return out;
    },
    decode(wire, depth = 0) {
      if (!isObject(wire)) fail("an object (map)", wire);
      const inner = enter(depth);
      const out = new Map<K, V>();
      for (const name of Object.keys(wire)) {
        try {
          out.set(decodeKey.call(key, name), value.decode(wire[name], inner));
        } catch (e) {
          throw within(e, `[${JSON.stringify(name)}]`);
        }
      }
      return out;
    },
  };
}

/** A struct's fields: each name with its codec; `c.optional(...)` marks an optional field. */
export type StructFields = { readonly [field: string]: Codec<any> };

function struct<T>(fields: StructFields, name = "struct"): Codec<T> {
  return structWithTag(fields, name, undefined);
}

/** One field of a struct, with what the codec's loops need worked out once. */
interface Field {
  readonly name: string;
  readonly codec: Codec<any>;
  readonly optional: boolean;
  /** Its path segment (`.tags`), for messages. */
  readonly segment: string;
  /**
   * Whether `wire[name]` may find a property the object does not own (a name that
   * `Object.prototype` has, such as `constructor`): only then is ownership checked. Any other
   * name is present exactly when its value is not `undefined`, which JSON never holds.
   */
  readonly inherited: boolean;
  /** `__proto__`, which only `defineProperty` makes an ordinary property. */
  readonly proto: boolean;
}

/** A struct, or with `tag` a union's variant: the object also holds `tag` (`kind`), first. */
function structWithTag<T>(fields: StructFields, name: string, tag: string | undefined): Codec<T> {
  const list: Field[] = Object.entries(fields).map(([field, codec]) => ({
    name: field,
    codec,
    optional: codec.optional === true,
    segment: fieldSegment(field),
    inherited: field in Object.prototype,
    proto: field === "__proto__",
  }));
  const known = new Set(Object.keys(fields));
  if (tag !== undefined) known.add(tag);
  return {
    name,
    encode(v) {
      if (!isObject(v)) fail(`an object (${name})`, v);
      const out: Record<string, WireValue> = {};
      // The tag first, as the other runtime writes it (its caller checked it).
      if (tag !== undefined) out[tag] = v[tag] as string;
      let i = 0;
      try {
        for (; i < list.length; i++) {
          const field = list[i]!;
          const item = v[field.name];
          if (field.optional && (item === undefined || item === null)) continue; // absent on the wire
          const encoded = field.codec.encode(item);
          if (field.proto) setProperty(out, field.name, encoded);
          else out[field.name] = encoded;
        }
      } catch (e) {
        throw within(e, list[i]!.segment);
      }
      return out;
    },
    decode(wire, depth = 0) {
      if (!isObject(wire)) fail(`an object (${name})`, wire);
      const inner = enter(depth);
      const out: Record<string, unknown> = {};
      // `kind` first, as a TS literal would be written (the union checked it).
      if (tag !== undefined) out[tag] = wire[tag];
      // The object's fields this codec knows (a union's tag included).
      let seen = tag === undefined ? 0 : 1;
      let i = 0;
      try {
        for (; i < list.length; i++) {
          const field = list[i]!;
          const item = field.inherited && !hasOwn(wire, field.name) ? undefined : wire[field.name];
          if (item === undefined) {
            if (field.optional) continue; // absent optionals stay absent, so values compare equal
            break; // a missing field, reported below (its path is the struct's)
          }
          seen++;
          const value = field.codec.decode(item, inner);
          if (value === undefined && field.optional) continue;
          if (field.proto) setProperty(out, field.name, value);
          else out[field.name] = value;
        }
      } catch (e) {
        throw within(e, list[i]!.segment);
      }
      if (i < list.length) throw new CodecError(`missing field \`${list[i]!.name}\` of ${name}`);
      // Unknown fields are ignored, but their arrays and objects count towards the depth too
      // (runtime-rs reads them through its counting parser). Counting the keys is cheap; only
      // an object with more keys than known fields is looked at again.
      let keys = 0;
      for (const _ in wire) keys++;
      if (keys > seen) checkUnknownFields(wire, known, inner);
      return out as T;
    },
  };
}

/** Throws when a field of `wire` not in `known` nests deeper than the depth `inner` leaves room for. */
function checkUnknownFields(wire: Record<string, unknown>, known: ReadonlySet<string>, inner: number): void {
  for (const field in wire) {
    const item = wire[field];
    if (typeof item === "object" && item !== null && !known.has(field) && nestsDeeper(item, MAX_VALUE_DEPTH - inner)) {
      const error = tooDeep();
      error.segments.push(fieldSegment(field));
      throw error;
    }
  }
}

/** A union's variants: each name with its fields, or `null` for a variant without fields. */
export type UnionVariants = { readonly [variant: string]: StructFields | null };

function union<T extends { kind: string }>(variants: UnionVariants, name = "union"): Codec<T> {
  const table = new Map<string, Codec<Record<string, unknown>>>();
  for (const [kind, fields] of Object.entries(variants)) table.set(kind, structWithTag(fields ?? {}, `${name}.${kind}`, "kind"));
  const kinds = [...table.keys()].join(", ");
  const lookup = (kind: unknown) => {
    const codec = typeof kind === "string" ? table.get(kind) : undefined;
    if (!codec) throw new CodecError(`unknown variant ${describe(kind)} of ${name} (expected one of ${kinds})`);
    return codec;
  };
  return {
    name,
    encode(v) {
      if (!isObject(v)) fail(`an object (${name})`, v);
      // The variant's codec writes the tag first.
      return lookup(v.kind).encode(v);
    },
    decode(wire, depth) {
      if (!isObject(wire)) fail(`an object (${name})`, wire);
      let codec;
      try {
        codec = lookup(wire.kind);
      } catch (e) {
        throw within(e, ".kind");
      }
      // The variant's codec counts the object's depth and writes `kind` first.
      return codec.decode(wire, depth) as unknown as T;
    },
  };
}

function enumeration<T extends string>(names: readonly T[], name = "enum"): Codec<T> {
  const known = new Set<string>(names);
  const check = (v: unknown): T => {
    if (typeof v !== "string" || !known.has(v)) throw new CodecError(`expected one of ${names.join(", ")} (${name}), found ${describe(v)}`);
    return v as T;
  };
  return { name, encode: check, decode: check };
}

function lazy<T>(make: () => Codec<T>): Codec<T> {
  let codec: Codec<T> | undefined;
  const get = () => (codec ??= make());
  return {
    get name() {
      return get().name;
    },
    encode: (v) => get().encode(v),
    decode: (wire, depth) => get().decode(wire, depth),
  };
}

/** Names a codec (for messages) without changing what it does. */
function named<T>(name: string, codec: Codec<T>): Codec<T> {
  return Object.create(codec, { name: { value: name } });
}

/** The codec combinators generated code builds its codecs from; one per IDL type constructor. */
export const c = {
  bool: boolCodec,
  i8: integer("i8", -128, 127),
  i16: integer("i16", -32768, 32767),
  i32: integer("i32", -2147483648, 2147483647),
  u8: integer("u8", 0, 255),
  u16: integer("u16", 0, 65535),
  u32: integer("u32", 0, 4294967295),
  i64: bigInteger("i64", -(2n ** 63n), 2n ** 63n - 1n),
  u64: bigInteger("u64", 0n, 2n ** 64n - 1n),
  f32: float("f32", Math.fround),
  f64: float("f64", (v) => v),
  string: stringCodec,
  bytes: bytesCodec,
  void: voidCodec,
  /** `T[]` ⇄ array. */
  array,
  /** `T?` ⇄ `T | undefined`: `null` on the wire, or an absent field inside a struct. */
  optional,
  /** `map<K, V>` ⇄ `Map<K, V>`: a JSON object, integer keys as decimal strings. */
  map,
  /** `struct` ⇄ object with the IDL field names; unknown wire fields are ignored. */
  struct,
  /** `union` ⇄ `{ kind: "variant", ...fields }`. */
  union,
  /** `enum` ⇄ the variant name as a string. */
  enumeration,
  /** A codec built on first use, for recursive types. */
  lazy,
  /** The same codec under another name (used in messages). */
  named,
} as const;
