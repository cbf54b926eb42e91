//! Binary `bytes` (protocol v2, docs/protocol.md "Version 2: binary `bytes`"): the binary message layout, and the contexts `c.bytes` encodes into and decodes from.

import { encodeBase64 } from "./base64.js";
import { exceedsBytes, parseMessage, type MalformedMessage, type Message } from "./messages.js";

/**
 * A `bytes` value inside a message the runtime is building: what `c.bytes` encodes to inside
 * `deferBytes`. It serializes itself when the message is stringified: to the index of a new
 * attachment while a binary message is serialized (`encodeMessage(m, true)`), else to its base64
 * string (computed once). So a value is encoded once, and a broadcast serializes it at most
 * once per form. Outside a binary serialization it is exactly its base64 string to JSON.
 */
export class WireBytes {
  private base64: string | undefined;
  constructor(readonly bytes: Uint8Array) {}
  toJSON(): string | number {
    if (sink !== undefined) return sink.push(this.bytes) - 1;
    return (this.base64 ??= encodeBase64(this.bytes));
  }
}

/** How many `deferBytes` calls are running (encoding is synchronous, so a counter is the context). */
let deferring = 0;

/**
 * Runs `encode` (codec encoding of values that go into a message) so that `c.bytes` yields a
 * `WireBytes` instead of a base64 string: which form the bytes take is decided when the
 * message is serialized for a connection. The bytes are not copied: the caller's array must not
 * change until the message was sent.
 */
export function deferBytes<T>(encode: () => T): T {
  deferring++;
  try {
    return encode();
  } finally {
    deferring--;
  }
}

/** Whether `c.bytes` should defer (see `deferBytes`). */
export function bytesDeferred(): boolean {
  return deferring > 0;
}

/** The attachments collected while a binary message is serialized. */
let sink: Uint8Array[] | undefined;

/** A message serialized for one connection: its JSON text, and the attachments the text refers to (none: a text message). */
export interface EncodedMessage {
  readonly json: string;
  readonly attachments: readonly Uint8Array[];
}

/**
 * Serializes `message` for a connection: with `binary` (a binary connection), each `WireBytes`
 * becomes an attachment; a message that then has attachments goes as a binary message, any other
 * as text (docs/protocol.md: binary exactly when the message holds a `bytes` value).
 */
export function encodeMessage(message: unknown, binary: boolean): EncodedMessage {
  if (!binary) return { json: JSON.stringify(message), attachments: [] };
  const saved = sink;
  const collected: Uint8Array[] = [];
  sink = collected;
  try {
    return { json: JSON.stringify(message), attachments: collected };
  } finally {
    sink = saved;
  }
}

/** The UTF-8 length of `text` (which has no lone surrogates: it is JSON.stringify's output). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u < 0x80) continue;
    if (u < 0x800) bytes += 1;
    else if (u >= 0xd800 && u <= 0xdbff) {
      bytes += 2; // 4 bytes for 2 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** The byte size of an encoded binary message (length header, JSON, each attachment with its length). */
function binarySize(m: EncodedMessage): number {
  let size = 4 + utf8Length(m.json);
  for (const a of m.attachments) size += 4 + a.length;
  return size;
}

/** Whether `m` is larger than `limit` bytes as it would travel (`maxMessageBytes` counts the whole binary message). */
export function exceedsLimit(m: EncodedMessage, limit: number): boolean {
  return m.attachments.length === 0 ? exceedsBytes(m.json, limit) : binarySize(m) > limit;
}

const encoder = new TextEncoder();

/**
 * What a socket sends for `m`: the JSON text, or the binary message laid out in one allocation
 * (the attachments are copied once, into it).
 */
export function toWire(m: EncodedMessage): string | Uint8Array {
  if (m.attachments.length === 0) return m.json;
  const out = new Uint8Array(binarySize(m));
  const view = new DataView(out.buffer);
  const { written } = encoder.encodeInto(m.json, out.subarray(4));
  view.setUint32(0, written);
  let offset = 4 + written;
  for (const a of m.attachments) {
    view.setUint32(offset, a.length);
    out.set(a, offset + 4);
    offset += 4 + a.length;
  }
  return out;
}

/** The attachments of one received binary message: views into its buffer. */
export class Attachments {
  constructor(readonly parts: readonly Uint8Array[]) {}
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a binary message's layout: its message (parsed as a text message's JSON would be) and
 * its attachments (views into `data`, not copies). A header that does not fit, or JSON text that
 * is not UTF-8, is a malformed message with `id: null`.
 */
export function parseBinaryMessage(data: Uint8Array): { message: Message | MalformedMessage; attachments: Attachments } {
  const malformed = (reason: string) => ({ message: { type: "malformed" as const, id: null, reason }, attachments: new Attachments([]) });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 4) return malformed("binary message shorter than its length header");
  const jsonLength = view.getUint32(0);
  if (jsonLength > data.length - 4) return malformed(`binary message: JSON length ${jsonLength} is past the end (${data.length - 4} bytes follow)`);
  const parts: Uint8Array[] = [];
  let offset = 4 + jsonLength;
  while (offset < data.length) {
    if (data.length - offset < 4) return malformed(`binary message: ${data.length - offset} bytes left over after the last attachment`);
    const n = view.getUint32(offset);
    if (n > data.length - offset - 4) return malformed(`binary message: attachment ${parts.length} length ${n} is past the end`);
    parts.push(data.subarray(offset + 4, offset + 4 + n));
    offset += 4 + n;
  }
  let json: string;
  try {
    json = decoder.decode(data.subarray(4, 4 + jsonLength));
  } catch {
    return malformed("binary message: JSON text is not valid UTF-8");
  }
  return { message: parseMessage(json), attachments: new Attachments(parts) };
}

/** The first bytes of a binary message's JSON, as latin1 (for reading an oversize message's id). */
export function jsonPrefix(data: Uint8Array, bytes = 256): string {
  return String.fromCharCode(...data.subarray(4, 4 + bytes));
}

/** The attachments `c.bytes` decodes indices from, and which were taken, during one decoding pass. */
let source: { parts: readonly Uint8Array[]; taken: Uint8Array } | undefined;

/**
 * Runs `decode` (codec decoding of the values of one received message) with that message's
 * attachments: `c.bytes` then accepts an attachment index beside base64. `undefined` (a text
 * message) accepts base64 only. Each pass checks anew that no attachment is taken twice, so
 * several listeners may decode the same message.
 */
export function withAttachments<T>(attachments: Attachments | undefined, decode: () => T): T {
  const saved = source;
  source = attachments === undefined ? undefined : { parts: attachments.parts, taken: new Uint8Array(attachments.parts.length) };
  try {
    return decode();
  } finally {
    source = saved;
  }
}

/** Whether attachment indices may be decoded now (inside `withAttachments` of a binary message). */
export function attachmentsActive(): boolean {
  return source !== undefined;
}

/** Takes attachment `index` for one `bytes` value: the bytes, or why it cannot be taken. */
export function takeAttachment(index: number): Uint8Array | string {
  const s = source;
  if (s === undefined) return "an attachment index outside a binary message";
  if (!Number.isInteger(index) || index < 0 || index >= s.parts.length) {
    return `attachment index ${index} is not an attachment of the message (it has ${s.parts.length})`;
  }
  if (s.taken[index]) return `attachment ${index} is referenced twice`;
  s.taken[index] = 1;
  return s.parts[index]!;
}

/**
 * The attachments of the binary message an `IpcError` came in (its `data` may refer to them),
 * for the decoding of a declared error's value after the call rejected.
 */
export const errorAttachments = new WeakMap<object, Attachments>();
