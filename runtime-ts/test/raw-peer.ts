//! A scripted peer for tests: sends raw texts on an `IpcSocket` and awaits the next message or the close.

import type { IpcSocket } from "../src/common/index.js";

export type Received = { kind: "message"; value: any } | { kind: "closed"; reason: string };

export class RawPeer {
  private readonly inbox: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;

  constructor(readonly socket: IpcSocket) {
    socket.onMessage((text) => this.push({ kind: "message", value: JSON.parse(text) }));
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
    this.socket.send(typeof value === "string" ? value : stringifyKeepingNegativeZero(value));
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
