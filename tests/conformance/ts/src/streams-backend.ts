//! The `streams-test-v1` channel (protocol v2) on the TS conformance host, with the behaviour of
//! the Rust echo backend's (`runtime-rs/src/bin/ipcc-echo-backend/streams_backend.rs`), both on
//! the code `ipcc` generates from tests/vectors/streams.ipc, so that the Rust client's raw stream
//! tests run against a TS host.

import { DeclaredError, type CallContext, type IpcHost } from "ipcc-runtime";
import { registerStreamsTest as register, type StreamsTestError, type StreamsTestImpl } from "../generated/vectors/streams.js";

/** Resolves when the call is cancelled (the handler's signal aborts). */
function cancelled(ctx: CallContext | undefined): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (ctx === undefined) return reject(new Error("the host passes every handler its call context"));
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
  });
}

/** Reads up to `n` items of `iterator`, then stops reading (without ending the iteration). */
async function takeN(n: number, iterator: AsyncIterator<number>): Promise<number[]> {
  const took: number[] = [];
  while (took.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    took.push(next.value);
  }
  return took;
}

const streamsTest: StreamsTestImpl = {
  async *count(n: number) {
    for (let i = 0; i < n; i++) yield i;
  },
  async sum(values: AsyncIterable<number>) {
    let total = 0;
    for await (const value of values) total += value;
    return total;
  },
  async *echo(items: AsyncIterable<string>) {
    for await (const item of items) yield item;
  },
  async *failAfter(n: number) {
    for (let i = 0; i < n; i++) yield i;
    throw new DeclaredError<StreamsTestError>({ kind: "failed", after: n });
  },
  async *hang(ctx?: CallContext) {
    await cancelled(ctx);
  },
  async take(n: number, items: AsyncIterable<number>, ctx?: CallContext) {
    const iterator = items[Symbol.asyncIterator]();
    const took = await takeN(n, iterator);
    // Drops the input (its `return()`: the host sends `stop`) and keeps running until cancelled.
    await iterator.return?.();
    await cancelled(ctx);
    return took.length;
  },
  async hold(n: number, items: AsyncIterable<number>, ctx?: CallContext) {
    const took = await takeN(n, items[Symbol.asyncIterator]());
    // Leaves the rest unread until cancelled: the frontend may send one window and no more.
    await cancelled(ctx);
    return took.length;
  },
  async takeFirst(n: number, items: AsyncIterable<number>) {
    const iterator = items[Symbol.asyncIterator]();
    const took = await takeN(n, iterator);
    await iterator.return?.();
    return took;
  },
  async ping() {
    return "pong";
  },
};

/** Serves `streams-test-v1` on `host`. */
export function registerStreamsTest(host: IpcHost): void {
  register(host, streamsTest);
}
