//! Wire protocol v1 messages (docs/protocol.md): their shapes, parsing with validation, limits.

import type { WireValue } from "./codecs.js";

/** The protocol number sent in `hello` and `welcome`. */
export const PROTOCOL_VERSION = 1;
/** Default largest message, in UTF-8 bytes, either side accepts or sends. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Default most calls in flight per connection. */
export const DEFAULT_MAX_IN_FLIGHT = 1024;
/**
 * The size of `hello` every backend accepts, whatever its `maxMessageBytes` (a hello carries the
 * frontend's wire schemas). A frontend whose hello would be larger leaves the schemas out.
 */
export const HELLO_MAX_BYTES = 1 << 20;

export interface HelloMessage {
  type: "hello";
  protocol: number;
  token?: string;
  channels: Record<string, string>;
  /** The frontend's wire schemas by channel, as received: the host checks them (hello check 5). */
  schemas?: unknown;
  features?: string[];
}
export interface WelcomeMessage {
  type: "welcome";
  protocol: number;
  channels: Record<string, string>;
  maxMessageBytes: number;
  maxInFlight: number;
  /** The backend's verdicts on judged channels, as received (read with `readCompat`). */
  compat?: unknown;
}

/** `welcome.compat`: for each judged channel, the frontend's members that do not work, with the reason. */
export type CompatVerdicts = Record<string, { unusable: Record<string, string> }>;
export interface CallMessage {
  type: "call";
  id: number;
  channel: string;
  method: string;
  args: WireValue[];
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

export type Message = HelloMessage | WelcomeMessage | CallMessage | ResultMessage | ErrorMessage | CancelMessage | NotifyMessage;

/** A message that could not be understood: why, and its id when one could be read. */
export interface MalformedMessage {
  type: "malformed";
  id: number | null;
  reason: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A call id: an integer in 1..2^53-1. */
export const isCallId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
const isChannelMap = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((h) => typeof h === "string");

/** Parses and validates one message; never throws. */
export function parseMessage(text: string): Message | MalformedMessage {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { type: "malformed", id: null, reason: "message is not valid JSON" };
  }
  if (!isRecord(m)) return { type: "malformed", id: null, reason: "message is not a JSON object" };
  const id = isCallId(m.id) ? m.id : null;
  const bad = (reason: string): MalformedMessage => ({ type: "malformed", id, reason });
  switch (m.type) {
    case "hello":
      if (typeof m.protocol !== "number") return bad("hello without a protocol number");
      if (m.token !== undefined && typeof m.token !== "string") return bad("hello token is not a string");
      if (!isChannelMap(m.channels ?? {})) return bad("hello channels is not an object of strings");
      return {
        type: "hello",
        protocol: m.protocol,
        ...(m.token !== undefined ? { token: m.token as string } : {}),
        channels: (m.channels ?? {}) as Record<string, string>,
        // `null`, like an absent field (as for `channels`).
        ...(m.schemas !== undefined && m.schemas !== null ? { schemas: m.schemas } : {}),
      };
    case "welcome":
      if (typeof m.protocol !== "number") return bad("welcome without a protocol number");
      if (!isChannelMap(m.channels ?? {})) return bad("welcome channels is not an object of strings");
      return {
        type: "welcome",
        protocol: m.protocol,
        channels: (m.channels ?? {}) as Record<string, string>,
        maxMessageBytes: typeof m.maxMessageBytes === "number" ? m.maxMessageBytes : DEFAULT_MAX_MESSAGE_BYTES,
        maxInFlight: typeof m.maxInFlight === "number" ? m.maxInFlight : DEFAULT_MAX_IN_FLIGHT,
        ...(m.compat !== undefined && m.compat !== null ? { compat: m.compat } : {}),
      };
    case "call":
      if (id === null) return bad("call without a valid id (an integer 1..2^53-1)");
      if (typeof m.channel !== "string") return bad("call without a channel");
      if (typeof m.method !== "string") return bad("call without a method");
      if (!Array.isArray(m.args)) return bad("call args is not an array");
      return { type: "call", id, channel: m.channel, method: m.method, args: m.args as WireValue[] };
    case "result":
      if (id === null) return bad("result without a valid id");
      return { type: "result", id, value: (m.value ?? null) as WireValue };
    case "error":
      if (m.id !== null && id === null) return bad("error with an invalid id");
      if (typeof m.code !== "string") return bad("error without a code");
      return {
        type: "error",
        id,
        code: m.code,
        message: typeof m.message === "string" ? m.message : "",
        ...(m.data !== undefined ? { data: m.data as WireValue } : {}),
      };
    case "cancel":
      if (id === null) return bad("cancel without a valid id");
      return { type: "cancel", id };
    case "notify":
      if (typeof m.channel !== "string") return bad("notify without a channel");
      if (typeof m.method !== "string") return bad("notify without a method");
      if (!Array.isArray(m.args)) return bad("notify args is not an array");
      return { type: "notify", channel: m.channel, method: m.method, args: m.args as WireValue[] };
    default:
      return bad(`unknown message type ${JSON.stringify(m.type)}`);
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

