//! Protocol v2 stream state both sides share: the receiving end (credit, sequence, a bounded buffer) and the sending end (credit-bounded pulls).

import type { Attachments } from "./binary.js";
import type { WireValue } from "./codecs.js";
import { IpcError } from "./errors.js";

/** What a streaming parameter accepts: any async or sync iterable of items. */
export type StreamSource<T> = AsyncIterable<T> | Iterable<T>;

/** A window or limit from options: a whole number of at least 1, else `fallback`. */
export function itemCount(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/** A `flowControl` error (docs/protocol.md, "Flow-control violations"). */
export function flowControl(message: string): IpcError {
  return new IpcError("flowControl", message);
}

/** The receiving end's hooks. */
export interface InboundHooks<T> {
  /** Grants `n` more items to the sender (sends a `credit` message). */
  grant(n: number): void;
  /**
   * The consumer stopped iterating before the stream ended (`return()`, a `break`): the frontend
   * cancels the call, the backend sends `stop`.
   */
  abandoned(): void;
  /**
   * Turns a wire item into the consumer's value; throws an `IpcError` when it does not decode.
   * `attachments`: those of the binary message the item came in (undefined for text).
   */
  decode(value: WireValue, seq: number, attachments: Attachments | undefined): T;
}

/**
 * The receiving end of one stream, and the consumer's async iterator over it. It holds at most
 * one window of items: the sender may only send within the credit granted, and credit is
 * granted again only for items the consumer took (when half a window was taken), so granted +
 * buffered + taken-but-not-yet-regranted is always exactly the window.
 */
export class InboundStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private nextSeq = 0;
  /** Credit granted and not yet used by the sender. */
  private outstanding: number;
  /** Items the consumer took since the last grant. */
  private taken = 0;
  /** The sender finished: no more items (the consumer still drains the buffer). */
  private ended = false;
  /** How the stream fails once the buffer is drained (or at once, see `fail`). */
  private failure: unknown;
  private failed = false;
  /** The consumer stopped, or the stream ended and was drained: `next()` is done. */
  private closed = false;
  private waiter: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;

  private size: number;

  /**
   * @param window the credit granted with the stream's opening (the caller sends it), and the
   *   most this end ever holds or has outstanding
   */
  constructor(
    window: number,
    private readonly hooks: InboundHooks<T>,
  ) {
    this.size = window;
    this.outstanding = window;
  }

  /** The credit granted with the stream's opening, and the most this end ever has outstanding or holds. */
  get window(): number {
    return this.size;
  }

  /**
   * Lowers the window before the stream opens (the frontend learns the backend's `maxCredit`
   * only from `welcome`, after the stream was made).
   */
  limitWindow(max: number): void {
    if (this.nextSeq > 0 || this.window <= max) return;
    this.size = Math.max(1, max);
    this.outstanding = this.size;
  }

  /** Items received and not yet taken by the consumer. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Whether this end takes no more items (ended, failed or abandoned by its consumer). */
  get finished(): boolean {
    return this.ended || this.failed || this.closed;
  }

  /**
   * An `item` arrived. Returns the error that fails the call when it breaks the rules (a `seq`
   * out of order, no credit left, after `end`: `flowControl`; a value that does not decode);
   * an item after the consumer stopped is discarded (it was under way).
   */
  receive(seq: number, value: WireValue, attachments?: Attachments): IpcError | undefined {
    if (this.closed && !this.ended && !this.failed) return undefined;
    if (this.ended) return flowControl(`item ${seq} after the end of the stream`);
    if (this.failed) return undefined;
    if (seq !== this.nextSeq) return flowControl(`item with seq ${seq}, expected ${this.nextSeq}`);
    if (this.outstanding <= 0) return flowControl(`item ${seq} beyond the credit granted (window ${this.window})`);
    this.nextSeq++;
    this.outstanding--;
    let item: T;
    try {
      item = this.hooks.decode(value, seq, attachments);
    } catch (e) {
      // The consumer still gets the items before this one, then the error; the caller cancels the call.
      const error = e instanceof IpcError ? e : new IpcError("badRequest", `stream item ${seq} does not decode: ${String(e)}`);
      this.fail(error);
      return error;
    }
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.took();
      w.resolve({ value: item, done: false });
    } else this.buffer.push(item);
    return undefined;
  }

  /** The sender finished: after the buffered items, the iteration is done. */
  end(): void {
    if (this.finished) return;
    this.ended = true;
    this.wake();
  }

  /**
   * The stream fails with `error`: after the buffered items (`immediate` false: the sender's
   * own answer, a disconnect), or at once, dropping them (a local cancellation or violation).
   */
  fail(error: unknown, immediate = false): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.failure = error;
    if (immediate) this.buffer.length = 0;
    this.wake();
  }

  /** Closes this end without telling anyone (the call is over); a waiting `next()` ends done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.length = 0;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve({ value: undefined, done: true });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w || this.buffer.length > 0) return;
    this.waiter = undefined;
    this.settle(w);
  }

  /** Answers a `next()` when no item is buffered: done, the failure, or (undefined) keep waiting. */
  private settle(w: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }): boolean {
    if (this.failed && !this.closed) {
      // The failure is told once; afterwards the iteration is done, as a generator's is after it threw.
      this.closed = true;
      w.reject(this.failure);
      return true;
    }
    if (this.ended || this.closed) {
      this.closed = true;
      w.resolve({ value: undefined, done: true });
      return true;
    }
    return false;
  }

  /** The consumer took one item: grant again once half a window was taken. */
  private took(): void {
    this.taken++;
    if (this.ended || this.failed || this.closed) return;
    if (this.taken >= Math.ceil(this.window / 2)) {
      const n = this.taken;
      this.taken = 0;
      this.outstanding += n;
      this.hooks.grant(n);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.waiter) return Promise.reject(new TypeError("a stream is read by one consumer: next() called while another next() is pending"));
    if (this.buffer.length > 0) {
      const value = this.buffer.shift()!;
      this.took();
      return Promise.resolve({ value, done: false });
    }
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      if (!this.settle(w)) this.waiter = w;
    });
  }

  /** The consumer stops: a `break` out of `for await` calls this. */
  return(): Promise<IteratorResult<T>> {
    const abandoned = !this.ended && !this.failed && !this.closed;
    this.close();
    if (abandoned) this.hooks.abandoned();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The sending end's hooks. */
export interface OutboundHooks<T> {
  /** Sends item `seq`; returns an error when it cannot be sent (does not encode, `tooLarge`). */
  send(seq: number, item: T): IpcError | undefined;
  /** The source is exhausted (the frontend sends `end`; the backend answers the call). */
  done(): void;
  /** The source threw, or an item could not be sent: the stream is over. */
  failed(error: unknown): void;
}

/** The iterator of an async or sync iterable; throws a `TypeError` for anything else. */
function iteratorOf<T>(source: StreamSource<T>): AsyncIterator<T> | Iterator<T> {
  const s = source as { [Symbol.asyncIterator]?: () => AsyncIterator<T>; [Symbol.iterator]?: () => Iterator<T> };
  if ((s !== null && typeof s === "object") || typeof s === "function") {
    if (typeof s[Symbol.asyncIterator] === "function") return s[Symbol.asyncIterator]!();
    if (typeof s[Symbol.iterator] === "function") return s[Symbol.iterator]!();
  }
  throw new TypeError("a stream source must be an AsyncIterable or an Iterable");
}

/**
 * The sending end of one stream: pulls its source one item at a time and only while credit
 * remains, so the source is never asked for more items than the receiver granted.
 */
export class OutboundStream<T> {
  private iterator: AsyncIterator<T> | Iterator<T> | undefined;
  private credit: number;
  private seq = 0;
  private pulling = false;
  private over = false;
  /** How many times the source's `next()` was called (for tests and diagnostics). */
  pulls = 0;

  /**
   * @param initialCredit credit granted with the stream's opening (0 when the receiver grants later)
   * @param maxCredit the most credit this end holds; a grant past it is `flowControl`
   */
  constructor(
    source: StreamSource<T>,
    initialCredit: number,
    readonly maxCredit: number,
    private readonly hooks: OutboundHooks<T>,
  ) {
    this.credit = initialCredit;
    try {
      this.iterator = iteratorOf(source);
    } catch (e) {
      this.over = true;
      queueMicrotask(() => hooks.failed(e));
      return;
    }
    this.run();
  }

  /** Whether the stream is over (exhausted, failed or stopped). */
  get finished(): boolean {
    return this.over;
  }

  /** The receiver grants `n` more items; a `flowControl` error when that passes `maxCredit`. */
  grant(n: number): IpcError | undefined {
    if (this.over) return undefined;
    if (this.credit + n > this.maxCredit) return flowControl(`a grant of ${n} takes the credit to ${this.credit + n}, past maxCredit ${this.maxCredit}`);
    this.credit += n;
    this.run();
    return undefined;
  }

  /** Stops pulling and tells the source (its `return()`, so a generator's `finally` runs). */
  stop(): void {
    if (this.over) return;
    this.over = true;
    this.closeSource();
  }

  private closeSource(): void {
    const it = this.iterator;
    if (!it || typeof it.return !== "function") return;
    try {
      const r = it.return() as unknown;
      // A source whose return() rejects has nothing left to say to anyone.
      if (r && typeof (r as PromiseLike<unknown>).then === "function") (r as Promise<unknown>).then(undefined, () => {});
    } catch {
      // Same for a sync iterator whose return() throws.
    }
  }

  /** Pumps in the background; a hook that throws ends the stream rather than the process. */
  private run(): void {
    this.pump().catch((e: unknown) => {
      if (this.over) return;
      this.over = true;
      this.closeSource();
      try {
        this.hooks.failed(e);
      } catch {
        // Nothing is left to tell.
      }
    });
  }

  private async pump(): Promise<void> {
    if (this.pulling) return;
    this.pulling = true;
    try {
      while (!this.over && this.credit > 0) {
        let r: IteratorResult<T>;
        try {
          this.pulls++;
          r = await this.iterator!.next();
        } catch (e) {
          if (this.over) return;
          this.over = true;
          this.hooks.failed(e);
          return;
        }
        if (this.over) return; // stopped while the item was pulled: it is discarded
        if (r === null || typeof r !== "object") {
          this.over = true;
          this.hooks.failed(new TypeError("a stream source's next() did not return an iterator result"));
          return;
        }
        if (r.done) {
          this.over = true;
          this.hooks.done();
          return;
        }
        this.credit--;
        const error = this.hooks.send(this.seq++, r.value);
        if (error) {
          this.over = true;
          this.closeSource();
          this.hooks.failed(error);
          return;
        }
      }
    } finally {
      this.pulling = false;
    }
  }
}
