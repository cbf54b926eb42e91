//! Generated streaming methods (`idl/streams.ipc`): a generated TS client against a generated TS
//! host over the in-memory transport (and once over a real WebSocket): output, input and
//! both-ways streams, a declared error mid-stream, `break` cancelling the handler, and items that
//! must round-trip exactly (bigint, bytes, optional).

import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import { DeclaredError, IpcApp, IpcConnection, IpcHost, MemoryBackend } from "ipcc-runtime";
import { connectWebSocket, WebSocketBackend } from "ipcc-runtime/node";
import {
  isStreamError,
  registerStreams,
  streamsClient,
  streamsDescriptor,
  streamStreams,
  StreamsHandler,
  type Sample,
  type StreamError,
  type StreamsImpl,
} from "../../../generated/ts/fixtures/streams/streams.js";

/** A promise with its `resolve`, for "this happened" signals (never a sleep). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** What the tests observe of the handlers. */
const probe = {
  /** Items `count` yielded, in all its calls. */
  countYielded: 0,
  /** Resolved when a `count` generator's `finally` runs. */
  countFinished: signal(),
  /** Values `upload`'s handler read before it gave up. */
  uploadRead: 0,
};

const impl: StreamsImpl = {
  async *count(n) {
    try {
      for (let i = 0; i < n; i++) {
        probe.countYielded++;
        yield i;
      }
    } finally {
      probe.countFinished.resolve();
    }
  },
  async sum(values) {
    let total = 0n;
    for await (const v of values) total += v;
    return total;
  },
  async *echo(prefix, values) {
    for await (const v of values) yield prefix + v;
  },
  async *failAfter(n) {
    for (let i = 0; i < n; i++) yield i;
    throw new DeclaredError<StreamError>({ kind: "gaveUp", after: BigInt(n) });
  },
  echoSamples: (samples) => samples,
  echoBytes: (chunks) => chunks,
  async upload(limit, chunks) {
    let size = 0n;
    for await (const chunk of chunks) {
      probe.uploadRead++;
      size += BigInt(chunk.length);
      if (size > limit) throw new DeclaredError<StreamError>({ kind: "gaveUp", after: size });
    }
    return size;
  },
  ping: async () => "pong",
};

let host: IpcHost;
let connection: IpcConnection;
let unregister: () => void;

before(async () => {
  host = new IpcHost();
  const backend = new MemoryBackend();
  host.serve(backend);
  unregister = registerStreams(host, impl);
  await IpcApp.startup(backend.connect(), { channels: [streamsDescriptor] });
  connection = new IpcConnection(backend.connect(), { channels: [streamsDescriptor] });
  await connection.ready;
});

after(async () => {
  unregister();
  IpcApp.shutdown();
  connection.close();
  await host.shutdown();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test("an output stream of 100 items arrives in order (client object and stream… helper)", async () => {
  assert.deepEqual(await collect(streamsClient(connection).count(100)), range(100));
  assert.deepEqual(await collect(streamStreams("count", 100)), range(100));
  assert.deepEqual(await collect(streamsClient(connection).count(0)), []);
});

test("an input stream: the sum of an upload, from an async generator and from an array", async () => {
  const client = streamsClient(connection);
  async function* values(): AsyncGenerator<bigint> {
    for (let i = 1n; i <= 100n; i++) yield i;
    yield 2n ** 53n + 1n; // not exact as a JS number
  }
  assert.equal(await client.sum(values()), 5050n + 2n ** 53n + 1n);
  assert.equal(await client.sum([-(2n ** 63n), 2n ** 63n - 1n]), -1n);
  assert.equal(await client.sum([]), 0n);
});

// Would deadlock (and time out) unless items flow both ways during one call.
test("both ways at once: echo answers each item while the client still sends", { timeout: 20_000 }, async () => {
  const client = streamsClient(connection);
  // The input waits for each answer before sending the next item: only a stream that flows
  // both ways at once gets through.
  const answered: string[] = [];
  let next = signal();
  async function* inbox(): AsyncGenerator<string> {
    for (const word of ["a", "b", "c"]) {
      yield word;
      await next.promise;
      next = signal();
    }
  }
  for await (const answer of client.echo("> ", inbox())) {
    answered.push(answer);
    next.resolve();
  }
  assert.deepEqual(answered, ["> a", "> b", "> c"]);
});

test("a declared error mid-stream ends the iteration and the typed guard recognises it", async () => {
  const got: number[] = [];
  let caught: unknown;
  try {
    for await (const n of streamsClient(connection).failAfter(3)) got.push(n);
  } catch (e) {
    caught = e;
  }
  assert.deepEqual(got, [0, 1, 2]);
  assert.ok(isStreamError(caught), `not a StreamError: ${String(caught)}`);
  assert.deepEqual(caught.data, { kind: "gaveUp", after: 3n });
});

test("a declared error while the client is still sending rejects the call with it", async () => {
  probe.uploadRead = 0;
  function* chunks(): Generator<Uint8Array> {
    for (let i = 0; i < 1000; i++) yield new Uint8Array(10);
  }
  const error = await streamsClient(connection).upload(25n, chunks()).then(
    () => assert.fail("upload past the limit succeeded"),
    (e: unknown) => e,
  );
  assert.ok(isStreamError(error), `not a StreamError: ${String(error)}`);
  assert.deepEqual(error.data, { kind: "gaveUp", after: 30n });
  assert.equal(probe.uploadRead, 3);
  assert.equal(await streamsClient(connection).upload(100n, [new Uint8Array(7), new Uint8Array(0)]), 7n);
});

test("break cancels the call: the handler's generator stops and its finally runs", { timeout: 20_000 }, async () => {
  probe.countYielded = 0;
  probe.countFinished = signal();
  const n = 1_000_000;
  const got: number[] = [];
  for await (const i of streamsClient(connection).count(n)) {
    got.push(i);
    if (i === 4) break;
  }
  assert.deepEqual(got, range(5));
  // Without cancellation the generator would wait at a `yield` for credit forever, and this
  // would time out.
  await probe.countFinished.promise;
  assert.ok(probe.countYielded < n, `the handler produced all ${probe.countYielded} items`);
  // The connection still serves.
  assert.equal(await streamsClient(connection).ping(), "pong");
});

test("bigint, bytes and optional items round-trip exactly", async () => {
  const samples: Array<Sample | undefined> = [
    { big: -(2n ** 63n), unsigned: 2n ** 64n - 1n, data: new Uint8Array([0, 255, 1, 128]), note: "ü ✓" },
    undefined,
    { big: 2n ** 63n - 1n, unsigned: 0n, data: new Uint8Array(0) },
    { big: 2n ** 53n + 1n, unsigned: 2n ** 53n + 1n, data: new Uint8Array(300).map((_, i) => i % 256), note: "" },
  ];
  assert.deepStrictEqual(await collect(streamsClient(connection).echoSamples(samples)), samples);
  const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(0), Uint8Array.from(range(256))];
  const echoed = await collect(streamsClient(connection).echoBytes(chunks));
  assert.deepStrictEqual(echoed, chunks);
  assert.ok(echoed.every((chunk) => chunk instanceof Uint8Array));
});

test("the handler base class serves streams too, over a real WebSocket", async () => {
  class Handler extends StreamsHandler {
    async *count(n: number): AsyncIterable<number> {
      for (let i = 0; i < n; i++) yield i * 2;
    }
    sum(values: AsyncIterable<bigint>): Promise<bigint> {
      return impl.sum(values);
    }
    async *echo(prefix: string, values: AsyncIterable<string>): AsyncIterable<string> {
      for await (const v of values) yield `${prefix}${v}!`;
    }
    failAfter(n: number): AsyncIterable<number> {
      return impl.failAfter(n);
    }
    echoSamples(samples: AsyncIterable<Sample | undefined>): AsyncIterable<Sample | undefined> {
      return samples;
    }
    echoBytes(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
      return chunks;
    }
    upload(limit: bigint, chunks: AsyncIterable<Uint8Array>): Promise<bigint> {
      return impl.upload(limit, chunks);
    }
    async ping(): Promise<string> {
      return "pong";
    }
  }
  const wsHost = new IpcHost();
  const backend = await WebSocketBackend.listen({ port: 0 });
  wsHost.serve(backend);
  new Handler().registerOn(wsHost);
  const ws = new IpcConnection(await connectWebSocket(`ws://127.0.0.1:${backend.port}`), { channels: [streamsDescriptor] });
  try {
    await ws.ready;
    const client = streamsClient(ws);
    assert.deepEqual(await collect(client.count(100)), range(100).map((i) => i * 2));
    assert.deepEqual(await collect(client.echo("", ["x", "y"])), ["x!", "y!"]);
    assert.equal(await client.sum([1n, 2n, 3n]), 6n);
    const bytes = await collect(client.echoBytes([Uint8Array.from(range(256))]));
    assert.deepStrictEqual(bytes, [Uint8Array.from(range(256))]);
  } finally {
    ws.close();
    await wsHost.shutdown();
  }
});
