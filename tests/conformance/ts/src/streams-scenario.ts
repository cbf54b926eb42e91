//! What a TS client checks of `ConformanceStreams` (`../../streams.ipc`) through the generated
//! client, against a host of either language (the Rust client's checks are
//! `../../src/streams_scenario.rs`): every stream direction with 10,000 items, declared errors
//! mid-stream with their typed guard, cancellation both ways observed by the other side (`break`,
//! `AbortSignal`, the handler dropping its input), interleaving with unary calls, flow control
//! measured from counters, a host dying mid-stream, and the property tests of stream items.
//! Nothing waits on a clock: every wait is on an event.

import { strict as assert } from "node:assert";
import { DEFAULT_STREAM_WINDOW, isIpcErrorCode, type IpcConnection } from "ipcc-runtime";
import { conformanceClient, type Batch } from "../generated/conformance.js";
import { conformanceStreamsClient, isStreamFailure, type StreamFailure } from "../generated/streams.js";
import { assertExact } from "./exact.js";
import { Prng } from "./prng.js";
import { batchFor, CALLS_PER_TYPE, generators } from "./scenario.js";

/** Items of the long streams. */
const MANY = 10_000;
/** The window both runtimes grant by default (docs/protocol.md, "Stream limits"). */
const WINDOW = DEFAULT_STREAM_WINDOW;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A promise with its `resolve`, for "this happened" signals (never a sleep). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What a test sees of an input source: its pulls, and whether its `return()` ran. */
interface SourceProbe {
  pulls: number;
  /** Resolved once `pulls` reaches the watched count. */
  reached: Promise<void>;
  /** Resolved when the source's `finally` runs (`return()`: `stop`, the call's answer or cancel). */
  returned: Promise<void>;
}

/** An endless source of `0, 1, 2, …` counting its pulls; `reached` resolves at the `watch`th. */
function endlessSource(watch = Infinity): [AsyncGenerator<number>, SourceProbe] {
  const reached = signal();
  const returned = signal();
  const probe: SourceProbe = { pulls: 0, reached: reached.promise, returned: returned.promise };
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; ; i++) {
        if (++probe.pulls === watch) reached.resolve();
        yield i;
      }
    } finally {
      returned.resolve();
    }
  }
  return [source(), probe];
}

async function* sequence(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Runs `body`, which must throw the declared `StreamFailure` `expected`. */
async function assertFailure(what: string, expected: StreamFailure, body: () => Promise<unknown>): Promise<void> {
  let caught: unknown;
  try {
    await body();
  } catch (e) {
    caught = e;
  }
  assert.ok(isStreamFailure(caught), `${what}: not a StreamFailure: ${String(caught)}`);
  assert.deepEqual(caught.data, expected, what);
}

/** Everything below on one connection, in order. */
export async function runAll(connection: IpcConnection): Promise<void> {
  await connection.ready;
  assert.equal(connection.protocol, 2);
  await manyItemsInOrder(connection);
  await declaredErrorsMidStream(connection);
  await clientCancellationReachesTheHost(connection);
  await abortSignalThroughTheClient(connection);
  await hostCancellationReachesTheSource(connection);
  await interleavedWithUnaryCalls(connection);
  await flowControlBoundsTheProducer(connection);
}

/** Every stream direction carries 10,000 items in order. */
export async function manyItemsInOrder(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);
  assert.deepEqual(await collect(client.count(MANY, undefined)), range(MANY), "output stream");
  // The host checks the order (`outOfOrder` otherwise) and counts.
  assert.equal(await client.consume(undefined, sequence(MANY)), MANY, "input stream (async generator)");
  assert.equal(await client.consume(undefined, range(MANY)), MANY, "input stream (array)");
  await assertFailure("the host sees the input's order", { kind: "outOfOrder", expected: 2, got: 5 }, () =>
    client.consume(undefined, [0, 1, 5]),
  );
  assert.deepEqual(await collect(client.echo(undefined, sequence(MANY))), range(MANY), "both ways");
}

/** A declared error mid-stream ends the iteration with the typed error, after the items before it. */
export async function declaredErrorsMidStream(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);
  const failed: StreamFailure = { kind: "failed", at: 40 };
  let got: number[] = [];
  await assertFailure("output stream", failed, async () => {
    for await (const item of client.count(100, 40)) got.push(item);
  });
  assert.deepEqual(got, range(40));
  await assertFailure("input stream", failed, () => client.consume(40, sequence(100)));
  got = [];
  await assertFailure("both ways", failed, async () => {
    for await (const item of client.echo(40, sequence(100))) got.push(item);
  });
  assert.deepEqual(got, range(40));
}

/** `break` (the iterator's `return()`) cancels the call; the host's count of cancelled handlers shows it. */
export async function clientCancellationReachesTheHost(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);
  const base = await client.cancellations(0);

  let got: number[] = [];
  for await (const item of client.count(1_000_000, undefined)) {
    got.push(item);
    if (item === 9) break;
  }
  assert.deepEqual(got, range(10));
  assert.ok((await client.cancellations(base + 1)) > base, "output stream");

  for await (const item of client.forever()) if (item === 4) break;
  assert.ok((await client.cancellations(base + 2)) > base + 1, "output stream without end");

  const [source, probe] = endlessSource();
  got = [];
  for await (const item of client.echo(undefined, source)) {
    got.push(item);
    if (item === 4) break;
  }
  assert.deepEqual(got, range(5));
  await probe.returned; // the client's source is closed too
  assert.ok((await client.cancellations(base + 3)) > base + 2, "both ways");

  // The connection still serves.
  assert.deepEqual(await collect(client.count(3, undefined)), [0, 1, 2]);
}

/** The client's `AbortSignal` cancels output and input streams alike; the host observes it. */
export async function abortSignalThroughTheClient(connection: IpcConnection): Promise<void> {
  const base = await conformanceStreamsClient(connection).cancellations(0);

  const output = new AbortController();
  const got: number[] = [];
  let caught: unknown;
  try {
    for await (const item of conformanceStreamsClient(connection, { signal: output.signal }).forever()) {
      got.push(item);
      if (item === 4) output.abort();
    }
  } catch (e) {
    caught = e;
  }
  assert.ok(isIpcErrorCode(caught, "cancelled"), `the aborted iteration threw ${String(caught)}`);
  assert.deepEqual(got.slice(0, 5), range(5));
  assert.ok((await conformanceStreamsClient(connection).cancellations(base + 1)) > base, "output stream");

  const input = new AbortController();
  const [source, probe] = endlessSource(100);
  const consumed = conformanceStreamsClient(connection, { signal: input.signal }).consume(undefined, source);
  await probe.reached;
  input.abort();
  await assert.rejects(consumed, (e: unknown) => isIpcErrorCode(e, "cancelled"));
  await probe.returned;
  assert.ok((await conformanceStreamsClient(connection).cancellations(base + 2)) > base + 1, "input stream");

  const already = new AbortController();
  already.abort();
  await assert.rejects(
    collect(conformanceStreamsClient(connection, { signal: already.signal }).count(3, undefined)),
    (e: unknown) => isIpcErrorCode(e, "cancelled"),
  );
}

/** A handler dropping its input makes the host send `stop`: the client source's `return()` runs
 *  while the call goes on (it answers only after `release`). */
export async function hostCancellationReachesTheSource(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);

  let [source, probe] = endlessSource();
  const [taken, released] = await Promise.all([
    client.take(5, source),
    probe.returned.then(() => client.release(1)),
  ]);
  assert.equal(taken, 5, "input stream");
  assert.equal(released, 1);
  assert.ok(probe.pulls >= 5);

  [source, probe] = endlessSource();
  const iterator = client.echoTake(3, source)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) assert.deepEqual(await iterator.next(), { done: false, value: i });
  const [end, releasedToo] = await Promise.all([iterator.next(), probe.returned.then(() => client.release(1))]);
  assert.equal(end.done, true, "both ways: the output ends after the release");
  assert.equal(releasedToo, 1);
}

/** Streams in every direction and unary calls at once on one connection. */
export async function interleavedWithUnaryCalls(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);
  const unary = conformanceClient(connection);
  const [counted, consumed, echoed, answers] = await Promise.all([
    collect(client.count(MANY, undefined)),
    client.consume(undefined, sequence(MANY)),
    collect(client.echo(undefined, sequence(MANY))),
    Promise.all(range(200).map((i) => unary.echoString(`call ${i}`))),
  ]);
  assert.deepEqual(counted, range(MANY));
  assert.equal(consumed, MANY);
  assert.deepEqual(echoed, range(MANY));
  assert.deepEqual(answers, range(200).map((i) => `call ${i}`));
}

/** A slow consumer holds the producer to one window: measured from the host's count of items
 *  produced (output) and from the client source's count of pulls (input). */
export async function flowControlBoundsTheProducer(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);

  // Output: read 5 items, then nothing. The host fills the window and stops there.
  const base = await client.produced(0);
  const iterator = client.forever()[Symbol.asyncIterator]();
  let consumed = 0;
  for (; consumed < 5; consumed++) assert.deepEqual(await iterator.next(), { done: false, value: consumed });
  const filled = await client.produced(base + WINDOW);
  // Two more round trips: any item the host could still produce has been counted.
  await client.cancellations(0);
  let now = await client.produced(0);
  assert.ok(filled <= now);
  assert.ok(now - base - consumed <= WINDOW, `the host produced ${now - base} items of which the client consumed ${consumed}: more than one window (${WINDOW}) ahead`);
  // Consume more: the client grants again, the bound holds.
  for (; consumed < 300; consumed++) assert.deepEqual(await iterator.next(), { done: false, value: consumed });
  await client.cancellations(0);
  now = await client.produced(0);
  assert.ok(now - base >= consumed);
  assert.ok(now - base - consumed <= WINDOW, `${now - base} produced, ${consumed} consumed`);
  await iterator.return?.();

  // Input: the host reads 5 items and holds; the source is pulled one window and no more.
  const [source, probe] = endlessSource(WINDOW);
  const [held, released] = await Promise.all([
    client.hold(5, source),
    (async () => {
      await probe.reached;
      // A round trip: a grant the host sent before its answer has arrived.
      await client.cancellations(0);
      assert.ok(probe.pulls - 5 <= WINDOW, `the source was pulled ${probe.pulls} times while the host read 5: more than one window (${WINDOW}) ahead`);
      return client.release(1);
    })(),
  ]);
  assert.equal(held, 5);
  assert.equal(released, 1);
}

/** The host process dies while streams of every direction are open: each ends with
 *  `disconnected` (after the items already received), and so does every pending call. */
export async function hostDiesMidStream(connection: IpcConnection): Promise<void> {
  const client = conformanceStreamsClient(connection);
  const output = client.count(1_000_000, undefined)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) assert.deepEqual(await output.next(), { done: false, value: i });
  const [echoSource] = endlessSource();
  const both = client.echo(undefined, echoSource)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) assert.deepEqual(await both.next(), { done: false, value: i });
  const [inputSource, inputProbe] = endlessSource(10);
  const input = client.consume(undefined, inputSource);
  input.catch(() => {}); // awaited below
  await inputProbe.reached;

  const disconnected = (e: unknown) => isIpcErrorCode(e, "disconnected");
  await assert.rejects(client.die(), disconnected);
  for (const [what, iterator] of [["count", output], ["echo", both]] as const) {
    let caught: unknown;
    try {
      while (!(await iterator.next()).done); // items already under way, then the error
    } catch (e) {
      caught = e;
    }
    assert.ok(disconnected(caught), `${what} ended with ${String(caught)}`);
  }
  await assert.rejects(input, disconnected);
  await assert.rejects(collect(client.count(1, undefined)), disconnected, "a call after the death");
}

/** Property tests of stream items: for each field of `Batch`, a stream of `CALLS_PER_TYPE` generated
 *  batches (1,000 values of that type, edge values first) goes out and comes back exactly. */
export async function properties(connection: IpcConnection, seed: bigint): Promise<void> {
  const client = conformanceStreamsClient(connection);
  const fields = Object.keys(generators) as (keyof Batch)[];
  for (const [n, field] of fields.entries()) {
    const r = new Prng(seed ^ BigInt.asUintN(64, BigInt(n) * 0x9e3779b97f4a7c15n));
    const sent = range(CALLS_PER_TYPE).map((call) => batchFor(field, call, r));
    const what = `echoBatches.${field} (CONFORMANCE_SEED=${seed})`;
    let back: Batch[];
    try {
      back = await collect(client.echoBatches(sent));
    } catch (error) {
      throw new Error(`${what}: ${String(error)}`);
    }
    assert.equal(back.length, sent.length, `${what}: items`);
    sent.forEach((batch, i) => assertExact(`${what} item ${i}`, batch, back[i]));
  }
}
