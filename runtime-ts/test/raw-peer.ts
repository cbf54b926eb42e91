//! A scripted peer for tests: sends raw texts on an `IpcSocket` and awaits the next message or the close.

import type { IpcSocket } from "../src/common/index.js";

/** A text message (parsed), a binary message (its bytes, and its JSON parsed), or the close. */
export type Received =
  | { kind: "message"; value: any }
  | { kind: "binary"; data: Uint8Array; value: any; attachments: Uint8Array[] }
  | { kind: "closed"; reason: string };

export class RawPeer {
  private readonly inbox: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  constructor(readonly socket: IpcSocket) {
    socket.onMessage((message) =>
      this.push(typeof message === "string" ? { kind: "message", value: JSON.parse(message) } : { kind: "binary", data: message, ...splitBinary(message) }),
    );
    socket.onClose((reason) => this.push({ kind: "closed", reason }));
  }
  private push(r: Received): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(r);
    } else this.inbox.push(r);
  }
  send(value: unknown): void {
    this.socket.send(typeof value === "string" || value instanceof Uint8Array ? value : stringifyKeepingNegativeZero(value));
  }
  /** The next message or close; rejects after `ms` (a hang guard, not a timing assumption). */
  next(ms = 5000): Promise<Received> {
    const r = this.inbox.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no message within ${ms} ms`));
      }, ms);
      this.waiter = (got) => {
        clearTimeout(timer);
        resolve(got);
      };
    });
  }
}

/** What a test's own handler receives (from a raw `ws` client, say), kept in order, with a way to wait for a count. */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    const ready = this.waiters.filter((w) => this.items.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.items.length < w.count);
    for (const w of ready) w.resolve();
  }
  /** Resolves with the items once there are `count` of them; rejects after `ms` (a hang guard, not a timing assumption). */
  atLeast(count: number, ms = 5000): Promise<T[]> {
    if (this.items.length >= count) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.items);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.items.length} of ${count} messages within ${ms} ms: ${JSON.stringify(this.items)}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }
}

/** Every field of `pattern` is in `actual` with an equal value (numbers by value), recursively for objects. */
export function matches(actual: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== "object") return actual === pattern;
  if (Array.isArray(pattern)) {
    return Array.isArray(actual) && actual.length === pattern.length && pattern.every((p, i) => matches(actual[i], p));
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
  return Object.entries(pattern).every(([k, p]) => Object.prototype.hasOwnProperty.call(actual, k) && matches((actual as any)[k], p));
}

/** JSON.stringify, except that the number -0 is written `-0` (JSON.stringify writes `0`); vectors send it on purpose. */
export function stringifyKeepingNegativeZero(value: unknown): string {
  const marker = "\u0000negative-zero\u0000";
  const text = JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? marker : v));
  return text.split(JSON.stringify(marker)).join("-0");
}

/** Lays out a binary message by hand (docs/protocol.md, Layout): the JSON, then each attachment with its length. */
export function binaryMessage(json: unknown, ...attachments: Uint8Array[]): Uint8Array {
  return layout([typeof json === "string" ? json : JSON.stringify(json)], attachments);
}

/** Any sequence of u32 lengths and parts: `layout(["{...}"], [a, b])`, or raw pieces for malformed tests. */
export function layout(texts: string[], attachments: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  };
  for (const t of texts) {
    const bytes = new TextEncoder().encode(t);
    parts.push(u32(bytes.length), bytes);
  }
  for (const a of attachments) parts.push(u32(a.length), a);
  return concatBytes(...parts);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reads a binary message written by the runtime: its JSON parsed and its attachments. */
export function splitBinary(data: Uint8Array): { value: any; attachments: Uint8Array[] } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = view.getUint32(0);
  const value = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + n)));
  const attachments: Uint8Array[] = [];
  for (let o = 4 + n; o < data.length; ) {
    const len = view.getUint32(o);
    attachments.push(data.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return { value, attachments };
}
