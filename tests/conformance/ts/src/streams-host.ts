//! The TS host of `ConformanceStreams` (`../../streams.ipc`), with the behaviour of the Rust host
//! (`../../src/streams_backend.rs`): streams in every direction, and the probes a client reads to
//! see what the host observed (cancellations, items produced, a gate handlers wait at, `hang`
//! calls still running).

import { DeclaredError, type CallContext } from "ipcc-runtime";
import type { Batch } from "../generated/conformance.js";
import type { ConformanceStreamsImpl, StreamFailure } from "../generated/streams.js";

/** A number that can be waited on until it reaches a value. */
class Counter {
  value = 0;
  private waiters: Array<{ atLeast: number; resolve: (value: number) => void }> = [];

  add(n: number): void {
    this.value += n;
    this.waiters = this.waiters.filter((w) => {
      if (this.value < w.atLeast) return true;
      w.resolve(this.value);
      return false;
    });
  }

  /** Resolves with the value once it is at least `atLeast`. */
  atLeast(atLeast: number): Promise<number> {
    if (this.value >= atLeast) return Promise.resolve(this.value);
    return new Promise((resolve) => this.waiters.push({ atLeast, resolve }));
  }
}

/** Item `index` of the input, checked against the sequence and `failAt`. */
function check(index: number, item: number, failAt: number | undefined): number {
  if (failAt === index) throw new DeclaredError<StreamFailure>({ kind: "failed", at: index });
  if (item !== index) throw new DeclaredError<StreamFailure>({ kind: "outOfOrder", expected: index, got: item });
  return item;
}

const ctxOf = (rest: unknown[]): CallContext => rest[rest.length - 1] as CallContext;

/** Serves `ConformanceStreams`; one per host, shared by its connections. */
export class StreamsHost implements ConformanceStreamsImpl {
  /** Calls of `count`, `consume`, `echo`, `forever` and `hang` cancelled by their frontend. */
  private readonly cancelled = new Counter();
  /** Items `forever` produced, in all its calls. */
  private readonly producedItems = new Counter();
  /** `hang` calls running now. */
  private readonly hangs = new Counter();
  /** `take`, `echoTake` and `hold` calls waiting at the gate, and how to let them go. */
  private readonly waiting = new Counter();
  private gate: Array<() => void> = [];

  /** Counts the call as cancelled when its signal aborts (cancel or disconnect; not its end). */
  private watch(ctx: CallContext): void {
    ctx.signal.addEventListener("abort", () => this.cancelled.add(1), { once: true });
  }

  private waitForRelease(): Promise<void> {
    const released = new Promise<void>((resolve) => this.gate.push(resolve));
    this.waiting.add(1);
    return released;
  }

  async *count(n: number, failAt: number | undefined, ...rest: unknown[]): AsyncIterable<number> {
    this.watch(ctxOf(rest));
    for (let i = 0; i < n; i++) {
      if (failAt === i) throw new DeclaredError<StreamFailure>({ kind: "failed", at: i });
      yield i;
    }
  }

  async consume(failAt: number | undefined, items: AsyncIterable<number>, ...rest: unknown[]): Promise<number> {
    this.watch(ctxOf(rest));
    let index = 0;
    for await (const item of items) check(index++, item, failAt);
    return index;
  }

  async *echo(failAt: number | undefined, items: AsyncIterable<number>, ...rest: unknown[]): AsyncIterable<number> {
    this.watch(ctxOf(rest));
    let index = 0;
    for await (const item of items) yield check(index++, item, failAt);
  }

  async *forever(...rest: unknown[]): AsyncIterable<number> {
    this.watch(ctxOf(rest));
    for (let i = 0; ; i = (i + 1) >>> 0) {
      this.producedItems.add(1);
      yield i;
    }
  }

  cancellations(atLeast: number): Promise<number> {
    return this.cancelled.atLeast(atLeast);
  }

  produced(atLeast: number): Promise<number> {
    return this.producedItems.atLeast(atLeast);
  }

  async take(n: number, items: AsyncIterable<number>): Promise<number> {
    const iterator = items[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) if ((await iterator.next()).done) throw new Error("the input ended early");
    await iterator.return?.(); // drops the input: the host sends `stop`
    await this.waitForRelease();
    return n;
  }

  async *echoTake(n: number, items: AsyncIterable<number>): AsyncIterable<number> {
    const iterator = items[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
    await iterator.return?.(); // drops the input: the host sends `stop`
    await this.waitForRelease();
  }

  async hold(n: number, items: AsyncIterable<number>): Promise<number> {
    const iterator = items[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) if ((await iterator.next()).done) throw new Error("the input ended early");
    // The rest stays unread (and the input open) until `release`.
    await this.waitForRelease();
    return n;
  }

  async release(waiting: number): Promise<number> {
    await this.waiting.atLeast(waiting);
    const gate = this.gate;
    this.gate = [];
    this.waiting.value = 0;
    for (const open of gate) open();
    return gate.length;
  }

  echoBatches(items: AsyncIterable<Batch>): AsyncIterable<Batch> {
    return items;
  }

  /** Never answers; when the frontend gives up (timeout, cancel, disconnect) it stops counting as running, then counts as cancelled. */
  hang(...rest: unknown[]): Promise<void> {
    const signal = ctxOf(rest).signal;
    this.hangs.add(1);
    return new Promise((_resolve, reject) => {
      const end = () => {
        this.hangs.add(-1);
        this.cancelled.add(1);
        reject(signal.reason);
      };
      if (signal.aborted) end();
      else signal.addEventListener("abort", end, { once: true });
    });
  }

  hanging(atLeast: number): Promise<number> {
    return this.hangs.atLeast(atLeast);
  }

  async die(): Promise<void> {
    process.exit(0);
  }
}
