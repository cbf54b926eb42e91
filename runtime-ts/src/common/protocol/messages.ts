//! Wire protocol messages of versions 1 and 2 (docs/protocol.md): their shapes, parsing with validation, limits.

import { MAX_VALUE_DEPTH, nestsDeeper, type WireValue } from "./codecs.js";

/** The protocol number a frontend sends in `hello` (a v2 frontend offers streams through `features`). */
export const PROTOCOL_VERSION = 1;
/** The protocol with streams (docs/protocol.md, "Version 2: streams"). */
export const PROTOCOL_STREAMS = 2;
/** The `hello`/`welcome` feature that asks for and grants streams. */
export const STREAMS_FEATURE = "streams";
/**
 * The `hello`/`welcome` feature that asks for and grants binary `bytes` (docs/protocol.md,
 * "Version 2: binary `bytes`"); granted only together with streams.
 */
export const BINARY_FEATURE = "binary";
/** Default most streams open at once on one connection (both directions together). */
export const DEFAULT_MAX_STREAMS = 256;
/** Default most credit a side holds for one stream it sends (also what an absent `maxCredit` means). */
export const DEFAULT_MAX_CREDIT = 1024;
/**
 * Default window a receiver grants per stream (at most the sender's `maxCredit`): what a slow
 * consumer holds at most, in items. 256 rather than 64: a credit message per 128 items, and a
 * producer that runs out of credit only when the consumer falls 128 items behind (docs/protocol.md,
 * "Stream limits").
 */
export const DEFAULT_STREAM_WINDOW = 256;
/** Default largest message, in UTF-8 bytes, either side accepts or sends. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Default most calls in flight per connection. */
export const DEFAULT_MAX_IN_FLIGHT = 1024;
/** Default bytes that may wait in one connection's outgoing queue of a backend (docs/protocol.md, Backpressure). */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;
/** Default bytes that may wait in the outgoing queues of all connections of a backend together. */
export const DEFAULT_MAX_QUEUED_BYTES_TOTAL = 1024 * 1024 * 1024;
/** Default milliseconds a backend waits for a connection's `hello` before it answers `badRequest` and closes. */
export const DEFAULT_HELLO_TIMEOUT = 30_000;
/**
 * The size of `hello` every backend accepts, whatever its `maxMessageBytes` (a hello carries the
 * frontend's wire schemas). A frontend whose hello would be larger leaves the schemas out.
 */
export const HELLO_MAX_BYTES = 1 << 20;

/**
 * A `hello` as sent: the backend checks `protocol`, `maxCredit`, `token`, `channels` and
 * `schemas` itself, in the documented order (docs/protocol.md, hello), so they are not checked
 * here. A `null` field means the same as an absent one.
 */
export interface HelloMessage {
  type: "hello";
  /** Anything: the backend wants a non-negative integer, then 1 or 2. */
  protocol: unknown;
  /** Anything (absent or `null`: `undefined`): the backend wants a string. */
  token?: unknown;
  /** Anything (absent or `null`: `{}`): the backend wants an object of strings. */
  channels: unknown;
  /** The frontend's wire schemas by channel, as received: the host checks them (hello check 5). */
  schemas?: unknown;
  /** The features the frontend offers (`"streams"`, `"binary"`); unknown ones are ignored. */
  features: string[];
  /** v2: the most credit the frontend holds for one input stream; absent = 1024, `NaN` when not a positive integer. */
  maxCredit?: number;
}
/**
 * A `welcome` as sent: the frontend checks `protocol` first (any value but a version it speaks
 * ends the connection) and reads `channels` only then, so neither is checked here.
 */
export interface WelcomeMessage {
  type: "welcome";
  /** Anything (absent: `null`): the frontend wants 1, or 2 when it offered streams. */
  protocol: unknown;
  /** Anything (absent or `null`: `{}`): the frontend wants an object of strings. */
  channels: unknown;
  maxMessageBytes: number;
  maxInFlight: number;
  /** The backend's verdicts on judged channels, as received (read with `readCompat`). */
  compat?: unknown;
  /** v2: the features the backend grants (`"streams"`, `"binary"`). */
  features: string[];
  /** v2: streams open at once per connection; `NaN` when present but not a positive integer. */
  maxStreams?: number;
  /** v2: the most credit the backend holds for one output stream; `NaN` when present but not a positive integer. */
  maxCredit?: number;
}

/** `welcome.compat`: for each judged channel, the frontend's members that do not work, with the reason. */
export type CompatVerdicts = Record<string, { unusable: Record<string, string> }>;
export interface CallMessage {
  type: "call";
  id: number;
  channel: string;
  method: string;
  args: WireValue[];
  /** v2: the frontend sends the items of the method's streaming parameter. */
  input?: true;
  /** v2: the result is a stream; the frontend grants this much credit at once. */
  credit?: number;
}
export interface ResultMessage {
  type: "result";
  id: number;
  value: WireValue;
}
export interface ErrorMessage {
  type: "error";
  id: number | null;
  code: string;
  message: string;
  data?: WireValue;
}
export interface CancelMessage {
  type: "cancel";
  id: number;
}
export interface NotifyMessage {
  type: "notify";
  channel: string;
  method: string;
  args: WireValue[];
}

/** v2: one item of the stream the sender sends for call `id`. */
export interface ItemMessage {
  type: "item";
  id: number;
  seq: number;
  value: WireValue;
}
/** v2: the receiver of call `id`'s stream grants `n` more items. */
export interface CreditMessage {
  type: "credit";
  id: number;
  n: number;
}
/** v2: the frontend's input stream of call `id` ended. */
export interface EndMessage {
  type: "end";
  id: number;
}
/** v2: the backend no longer reads the input stream of call `id`. */
export interface StopMessage {
  type: "stop";
  id: number;
}

/** The messages of version 2 that belong to a stream. */
export type StreamMessage = ItemMessage | CreditMessage | EndMessage | StopMessage;

export type Message =
  | HelloMessage
  | WelcomeMessage
  | CallMessage
  | ResultMessage
  | ErrorMessage
  | CancelMessage
  | NotifyMessage
  | StreamMessage;

/** A message that could not be understood: why, and its id when one could be read. */
export interface MalformedMessage {
  type: "malformed";
  id: number | null;
  reason: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A call id: an integer in 1..2^53-1. */
export const isCallId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
/** A `channels` map: channel name → schema hash. */
export const isChannelMap = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((h) => typeof h === "string");
/** A count of items (credit, limits): an integer in 1..2^53-1. */
export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
/** `features` as sent: the strings of an array (anything else offers nothing, as v1 ignored the field). */
const readFeatures = (v: unknown): string[] => (Array.isArray(v) ? v.filter((f): f is string => typeof f === "string") : []);
/** An optional count field: absent stays absent, a wrong value is `NaN` for the reader to refuse. */
const optionalCount = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : isCount(v) ? v : NaN);

/** Parses and validates one message; never throws. */
export function parseMessage(text: string): Message | MalformedMessage {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { type: "malformed", id: null, reason: "message is not valid JSON" };
  }
  return readMessage(m);
}

/**
 * The parsed JSON of a `result` (an object with type `result` and a valid id): what a frontend
 * receives most, read without building a message object. `undefined` for anything else.
 */
export function asResult(m: unknown): { id: number; value?: unknown } | undefined {
  return typeof m === "object" && m !== null && (m as { type?: unknown }).type === "result" && isCallId((m as { id?: unknown }).id)
    ? (m as { id: number; value?: unknown })
    : undefined;
}

/**
 * The parsed JSON of a valid `item` (v2), read without building a message object: what a
 * frontend receives most while it consumes a stream. `undefined` for anything else (which
 * `readMessage` then reads, and rejects the same way when malformed).
 */
export function asItem(m: unknown): ItemMessage | undefined {
  if (typeof m !== "object" || m === null) return undefined;
  const r = m as { type?: unknown; id?: unknown; seq?: unknown };
  return r.type === "item" && isCallId(r.id) && typeof r.seq === "number" && Number.isSafeInteger(r.seq) && r.seq >= 0 && "value" in r ? (m as ItemMessage) : undefined;
}

/** The parsed JSON of a valid `notify`, read without building a message object (see `asItem`). */
export function asNotify(m: unknown): NotifyMessage | undefined {
  if (typeof m !== "object" || m === null) return undefined;
  const r = m as { type?: unknown; channel?: unknown; method?: unknown; args?: unknown };
  return r.type === "notify" && typeof r.channel === "string" && typeof r.method === "string" && Array.isArray(r.args) ? (m as NotifyMessage) : undefined;
}

/** Validates one message as `JSON.parse` returned it (see `parseMessage`); never throws. */
export function readMessage(m: unknown): Message | MalformedMessage {
  if (!isRecord(m)) return { type: "malformed", id: null, reason: "message is not a JSON object" };
  const id = isCallId(m.id) ? m.id : null;
  const bad = (reason: string): MalformedMessage => ({ type: "malformed", id, reason });
  switch (m.type) {
    case "hello":
      return {
        type: "hello",
        protocol: m.protocol,
        ...(m.token !== undefined && m.token !== null ? { token: m.token } : {}),
        channels: m.channels ?? {},
        // `null`, like an absent field (as for `channels`).
        ...(m.schemas !== undefined && m.schemas !== null ? { schemas: m.schemas } : {}),
        features: readFeatures(m.features),
        ...(optionalCount(m.maxCredit) !== undefined ? { maxCredit: optionalCount(m.maxCredit)! } : {}),
      };
    case "welcome":
      return {
        type: "welcome",
        protocol: m.protocol ?? null,
        channels: m.channels ?? {},
        maxMessageBytes: typeof m.maxMessageBytes === "number" ? m.maxMessageBytes : DEFAULT_MAX_MESSAGE_BYTES,
        maxInFlight: typeof m.maxInFlight === "number" ? m.maxInFlight : DEFAULT_MAX_IN_FLIGHT,
        ...(m.compat !== undefined && m.compat !== null ? { compat: m.compat } : {}),
        features: readFeatures(m.features),
        ...(optionalCount(m.maxStreams) !== undefined ? { maxStreams: optionalCount(m.maxStreams)! } : {}),
        ...(optionalCount(m.maxCredit) !== undefined ? { maxCredit: optionalCount(m.maxCredit)! } : {}),
      };
    case "call":
      if (id === null) return bad("call without a valid id (an integer 1..2^53-1)");
      if (typeof m.channel !== "string") return bad("call without a channel");
      if (typeof m.method !== "string") return bad("call without a method");
      if (!Array.isArray(m.args)) return bad("call args is not an array");
      if (m.input !== undefined && m.input !== true) return bad("call input is not true");
      if (m.credit !== undefined && !isCount(m.credit)) return bad("call credit is not an integer of at least 1");
      return {
        type: "call",
        id,
        channel: m.channel,
        method: m.method,
        args: m.args as WireValue[],
        ...(m.input === true ? { input: true as const } : {}),
        ...(m.credit !== undefined ? { credit: m.credit as number } : {}),
      };
    case "result":
      if (id === null) return bad("result without a valid id");
      return { type: "result", id, value: (m.value ?? null) as WireValue };
    case "error":
      if (m.id !== null && id === null) return bad("error with an invalid id");
      return {
        type: "error",
        id,
        // Without a usable code it still answers its call (as the Rust runtime reads it).
        code: typeof m.code === "string" ? m.code : "internal",
        message: typeof m.message === "string" ? m.message : "",
        // `data` is a value: one nested too deep is not read (the Rust runtime's parser refuses
        // it), so the error arrives without it.
        ...(m.data !== undefined && !nestsDeeper(m.data, MAX_VALUE_DEPTH) ? { data: m.data as WireValue } : {}),
      };
    case "cancel":
      if (id === null) return bad("cancel without a valid id");
      return { type: "cancel", id };
    case "notify":
      if (typeof m.channel !== "string") return bad("notify without a channel");
      if (typeof m.method !== "string") return bad("notify without a method");
      if (!Array.isArray(m.args)) return bad("notify args is not an array");
      return { type: "notify", channel: m.channel, method: m.method, args: m.args as WireValue[] };
    case "item":
      if (id === null) return bad("item without a valid id");
      if (typeof m.seq !== "number" || !Number.isSafeInteger(m.seq) || m.seq < 0) return bad("item without a valid seq (an integer of at least 0)");
      if (!("value" in m)) return bad("item without a value");
      return { type: "item", id, seq: m.seq, value: m.value as WireValue };
    case "credit":
      if (id === null) return bad("credit without a valid id");
      if (!isCount(m.n)) return bad("credit n is not an integer of at least 1");
      return { type: "credit", id, n: m.n };
    case "end":
    case "stop":
      if (id === null) return bad(`${m.type} without a valid id`);
      return { type: m.type, id };
    default:
      // Not `JSON.stringify` of anything: a `type` nested deep would exhaust its recursion.
      return bad(`unknown message type ${typeof m.type === "string" ? JSON.stringify(m.type) : m.type === undefined ? "(none)" : `(${Array.isArray(m.type) ? "an array" : m.type === null ? "null" : typeof m.type})`}`);
  }
}

/** The UTF-8 length of `text`, computed only as far as needed to compare with `limit`. */
export function exceedsBytes(text: string, limit: number): boolean {
  // Every UTF-16 unit is at least one and at most three UTF-8 bytes.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    bytes += u < 0x80 ? 1 : u < 0x800 ? 2 : u >= 0xd800 && u <= 0xdbff ? (i++, 4) : 3;
    if (bytes > limit) return true;
  }
  return false;
}

/** The `versionMismatch` message for a channel (docs/protocol.md). */
export function mismatchMessage(channel: string, frontendHash: string, backendHash: string): string {
  return `channel ${JSON.stringify(channel)} has schema hash ${frontendHash} in the frontend but ${backendHash} in the backend`;
}

/** The `versionMismatch` message for one method of a judged channel (docs/protocol.md). */
export function methodMismatchMessage(channel: string, method: string, reason: string): string {
  return `method ${JSON.stringify(method)} of channel ${JSON.stringify(channel)} does not work with this backend: ${reason}`;
}

/**
 * Reads `welcome.compat`: the verdicts by channel, or, when any part of it does not have the
 * documented shape, none at all and why (every channel whose hashes differ is then mismatched as
 * a whole: the safe reading, and the Rust runtime's).
 */
export function readCompat(compat: unknown): { verdicts: Map<string, Map<string, string>>; problem?: string } {
  const verdicts = new Map<string, Map<string, string>>();
  if (compat === undefined) return { verdicts };
  if (!isRecord(compat)) return { verdicts, problem: "welcome compat is not an object" };
  for (const [channel, entry] of Object.entries(compat)) {
    const unusable = isRecord(entry) ? entry["unusable"] : undefined;
    if (!isChannelMap(unusable)) {
      return { verdicts: new Map(), problem: `welcome compat of channel ${JSON.stringify(channel)} is not {"unusable": {method: reason}}` };
    }
    verdicts.set(channel, new Map(Object.entries(unusable)));
  }
  return { verdicts };
}


/** The `versionMismatch` message for a stream method on a protocol-1 connection (docs/protocol.md, Negotiation). */
export function streamsNeedV2Message(channel: string, method: string): string {
  return `method ${JSON.stringify(method)} of channel ${JSON.stringify(channel)} uses streams, which need protocol 2; the backend speaks protocol 1`;
}
