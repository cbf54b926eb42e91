//! The `streams-test-v1` channel (protocol v2) on the TS conformance host, with the behaviour of
//! the Rust echo backend's (`runtime-rs/src/bin/ipcc-echo-backend/streams_backend.rs`, on the code
//! `ipcc` generates from tests/vectors/streams.ipc), so that the Rust client's raw stream tests
//! run against a TS host. Written by hand on the runtime's stream descriptors, with the methods
//! those tests call; its schema hash is a test value that no client here compares (the raw
//! tests do not declare the channel).

import { c, DeclaredError, type CallContext, type Codec, type InterfaceDescriptor, type IpcHost } from "ipcc-runtime";

type StreamsTestError = { kind: "failed"; after: number };
const streamsTestErrorCodec: Codec<StreamsTestError> = c.union<StreamsTestError>({ failed: { after: c.u32 } }, "StreamsTestError");

/** The handler methods; the host passes the call's context last. */
interface StreamsTest {
  count(n: number): AsyncIterable<number>;
  sum(values: AsyncIterable<number>): Promise<number>;
  echo(items: AsyncIterable<string>): AsyncIterable<string>;
  failAfter(n: number): AsyncIterable<number>;
  hang(): AsyncIterable<number>;
  take(n: number, items: AsyncIterable<number>): Promise<number>;
  hold(n: number, items: AsyncIterable<number>): Promise<number>;
}

const streamsTestDescriptor: InterfaceDescriptor<StreamsTest> = {
  channel: "streams-test-v1",
  schemaHash: "streams-hash-1",
  name: "StreamsTest",
  methods: {
    count: { params: [c.u32], required: 1, result: c.u32, outputStream: true },
    sum: { params: [c.u32], required: 1, result: c.f64, inputStream: 0 },
    echo: { params: [c.string], required: 1, result: c.string, inputStream: 0, outputStream: true },
    failAfter: { params: [c.u32], required: 1, result: c.u32, outputStream: true, throws: streamsTestErrorCodec, throwsName: "StreamsTestError" },
    hang: { params: [], required: 0, result: c.u32, outputStream: true },
    take: { params: [c.u32, c.u32], required: 2, result: c.u32, inputStream: 1 },
    hold: { params: [c.u32, c.u32], required: 2, result: c.u32, inputStream: 1 },
  },
} as unknown as InterfaceDescriptor<StreamsTest>;

/** Resolves when the call is cancelled (the handler's signal aborts). */
function cancelled(ctx: CallContext): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
  });
}

/** Reads up to `n` items of `iterator`, then stops reading (without ending the iteration). */
async function takeN(n: number, iterator: AsyncIterator<number>): Promise<number> {
  let took = 0;
  while (took < n && !(await iterator.next()).done) took++;
  return took;
}

const ctxOf = (rest: unknown[]): CallContext => rest[rest.length - 1] as CallContext;

const streamsTest = {
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
  async *hang(...rest: unknown[]) {
    await cancelled(ctxOf(rest));
  },
  async take(n: number, items: AsyncIterable<number>, ...rest: unknown[]) {
    const iterator = items[Symbol.asyncIterator]();
    const took = await takeN(n, iterator);
    // Drops the input (its `return()`: the host sends `stop`) and keeps running until cancelled.
    await iterator.return?.();
    await cancelled(ctxOf(rest));
    return took;
  },
  async hold(n: number, items: AsyncIterable<number>, ...rest: unknown[]) {
    const took = await takeN(n, items[Symbol.asyncIterator]());
    // Leaves the rest unread until cancelled: the frontend may send one window and no more.
    await cancelled(ctxOf(rest));
    return took;
  },
};

/** Serves `streams-test-v1` on `host`. */
export function registerStreamsTest(host: IpcHost): void {
  host.register(streamsTestDescriptor, streamsTest as unknown as StreamsTest);
}
