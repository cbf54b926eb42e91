//! Protocol v2 streams (docs/protocol.md, "Version 2: streams"): an `IpcConnection` against an `IpcHost` serving `streams-test-v1` over in-memory, a real WebSocket on loopback and a stdio child.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  createClient,
  createMemorySocketPair,
  DEFAULT_STREAM_WINDOW,
  IpcConnection,
  IpcError,
  IpcHost,
  isDeclaredError,
  isIpcError,
  streamMethod,
  type ConnectionOptions,
  type HostOptions,
  type IpcSocket,
  type WireValue,
} from "../src/common/index.js";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend, type StdioChildSocket } from "../src/node/index.js";
import { changes, streamsTestChannel, streamsTestErrorCodec, streamsTestDescriptor, StreamsProbe, startStreamsHost } from "./fixtures/streams.js";
import { streamsStdioBackend } from "./paths.js";

/** Every message text the frontend sent, parsed (to check what went out, and what did not). */
interface Sent {
  messages: any[];
  count(type: string): number;
}

function recording(socket: IpcSocket): Sent {
  const messages: any[] = [];
  const send = socket.send.bind(socket);
  socket.send = (text: string) => {
    messages.push(JSON.parse(text));
    send(text);
  };
  return { messages, count: (type) => messages.filter((m) => m.type === type).length };
}

interface Setup {
  conn: IpcConnection;
  /** The in-process host's probe; undefined for a child process. */
  probe: StreamsProbe | undefined;
  sent: Sent;
  child?: StdioChildSocket;
  close(): Promise<void>;
}

type Transport = "in-memory" | "websocket" | "stdio";

async function setup(transport: Transport, hostOptions: HostOptions = {}, connOptions: ConnectionOptions = {}): Promise<Setup> {
  if (transport === "stdio") {
    const args = [streamsStdioBackend];
    if (hostOptions.protocol === 1) args.push("--protocol", "1");
    if (hostOptions.streamWindow !== undefined) args.push("--stream-window", String(hostOptions.streamWindow));
    const child = await spawnStdioBackend(process.execPath, args, { onStderr: () => {} });
    const sent = recording(child);
    const conn = new IpcConnection(child, { channels: [streamsTestDescriptor], ...connOptions });
    return {
      conn,
      probe: undefined,
      sent,
      child,
      async close() {
        conn.close();
        await child.exited;
      },
    };
  }
  const probe = new StreamsProbe();
  const host = startStreamsHost(hostOptions, probe);
  let socket: IpcSocket;
  if (transport === "in-memory") {
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    socket = frontend;
  } else {
    const backend = await WebSocketBackend.listen({ port: 0 });
    host.serve(backend);
    socket = await connectWebSocket(backend.url);
  }
  const sent = recording(socket);
  const conn = new IpcConnection(socket, { channels: [streamsTestDescriptor], ...connOptions });
  return {
    conn,
    probe,
    sent,
    async close() {
      conn.close();
      await host.shutdown();
    },
  };
}

/** Resolves when `predicate` holds, checked at every change a probe or source fires; fails after 10 s (a hang guard). */
async function eventually(predicate: () => boolean, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), 10_000);
  });
  try {
    while (!predicate()) await Promise.race([changes.next(), hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<IpcError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isIpcError(e), `not an IpcError: ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a rejection with ${code}`);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A source that counts how often it was pulled and whether its `return()` ran. */
function countingSource(limit = Infinity): { source: AsyncGenerator<number>; pulls: () => number; returned: () => boolean } {
  let pulls = 0;
  let returned = false;
  async function* gen() {
    try {
      for (let i = 0; i < limit; i++) {
        pulls++;
        changes.fire();
        yield i;
      }
    } finally {
      returned = true;
      changes.fire();
    }
  }
  return { source: gen(), pulls: () => pulls, returned: () => returned };
}

/** A round trip on the connection: every message sent before it was read and handled by the host. */
const ping = (conn: IpcConnection) => conn.callRaw(streamsTestChannel, "ping", []);

for (const transport of ["in-memory", "websocket", "stdio"] as const) {
  describe(`streams over ${transport}`, () => {
    test("negotiation: the frontend offers streams with protocol 1, the host answers protocol 2", async () => {
      const s = await setup(transport);
      try {
        await s.conn.ready;
        assert.equal(s.conn.protocol, 2);
        const hello = s.sent.messages[0];
        assert.deepEqual([hello.type, hello.protocol, hello.features, hello.maxCredit], ["hello", 1, ["streams", "binary"], 1024]);
      } finally {
        await s.close();
      }
    });

    test("output stream: 10,000 items in order, ending at the result", async () => {
      const s = await setup(transport);
      try {
        const items = await collect(s.conn.streamRaw(streamsTestChannel, "count", [10_000]));
        assert.deepEqual(items, range(10_000));
        // Credit was granted again and again (half a window at a time), never all at once.
        assert.ok(s.sent.count("credit") >= 10_000 / DEFAULT_STREAM_WINDOW, `only ${s.sent.count("credit")} credit messages`);
        assert.equal(s.conn.pendingCalls, 0);
        assert.equal(await ping(s.conn), "pong");
      } finally {
        await s.close();
      }
    });

    test("input stream: 10,000 items from an async generator and from an array", async () => {
      const s = await setup(transport);
      try {
        const { source, returned } = countingSource(10_000);
        assert.equal(await s.conn.callRaw(streamsTestChannel, "sum", [null], { input: source }), 49_995_000);
        assert.equal(returned(), true);
        assert.equal(s.sent.count("end"), 1);
        assert.equal(await s.conn.callRaw(streamsTestChannel, "sum", [null], { input: range(10_000) }), 49_995_000);
        assert.equal(await s.conn.callRaw(streamsTestChannel, "sum", [null], { input: [] }), 0);
        const items = s.sent.messages.filter((m) => m.type === "item");
        assert.deepEqual(items.slice(0, 3).map((m) => [m.seq, m.value]), [[0, 0], [1, 1], [2, 2]]);
      } finally {
        await s.close();
      }
    });

    test("both ways at once: 10,000 items echoed in order", async () => {
      const s = await setup(transport);
      try {
        const input = range(10_000).map((i) => `item ${i}`);
        const back = await collect(s.conn.streamRaw(streamsTestChannel, "echo", [null], { input }));
        assert.deepEqual(back, input);
      } finally {
        await s.close();
      }
    });

    test("a declared error mid-stream ends the iteration after the items before it, typed", async () => {
      const s = await setup(transport);
      try {
        const got: WireValue[] = [];
        try {
          for await (const x of s.conn.streamRaw(streamsTestChannel, "failAfter", [3])) got.push(x);
          assert.fail("no error");
        } catch (e) {
          assert.ok(isIpcError(e));
          assert.equal(e.code, "declared");
          assert.equal(e.message, "StreamsTestError");
          assert.deepEqual(e.data, { kind: "failed", after: 3 });
        }
        assert.deepEqual(got, [0, 1, 2]);
        // Through the typed helper, the same error is a DeclaredError its guard recognises.
        const typed: number[] = [];
        try {
          for await (const x of streamMethod(streamsTestDescriptor, "failAfter", [2], undefined, s.conn)) typed.push(x);
          assert.fail("no error");
        } catch (e) {
          assert.ok(isDeclaredError(e, streamsTestErrorCodec));
          assert.deepEqual(e.data, { kind: "failed", after: 2 });
        }
        assert.deepEqual(typed, [0, 1]);
      } finally {
        await s.close();
      }
    });

    test("the typed client: stream methods iterate, streaming parameters take iterables", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(streamsTestDescriptor, s.conn);
        assert.deepEqual(await collect(client.count(5)), [0, 1, 2, 3, 4]);
        assert.equal(await client.sum([1, 2, 3]), 6);
        assert.deepEqual(await collect(client.echo(["a", "b"])), ["a", "b"]);
        assert.deepEqual(await client.takeFirst(2, [7, 8, 9]), [7, 8]);
        // An item that does not fit its codec fails the call locally, and the call is cancelled.
        await rejectsWith(client.sum([1, -1]), "badRequest");
        assert.equal(await client.ping(), "pong");
      } finally {
        await s.close();
      }
    });

    test("streams and unary calls interleave on one connection", async () => {
      const s = await setup(transport);
      try {
        const [counted, summed, echoed, pings] = await Promise.all([
          collect(s.conn.streamRaw(streamsTestChannel, "count", [2000], { window: 16 })),
          s.conn.callRaw(streamsTestChannel, "sum", [null], { input: range(2000) }),
          collect(s.conn.streamRaw(streamsTestChannel, "echo", [null], { input: range(2000).map(String) })),
          Promise.all(range(100).map(() => ping(s.conn))),
        ]);
        assert.deepEqual(counted, range(2000));
        assert.equal(summed, 1_999_000);
        assert.deepEqual(echoed, range(2000).map(String));
        assert.deepEqual(pings, range(100).map(() => "pong"));
      } finally {
        await s.close();
      }
    });

    test("the frontend's source is pulled only within the host's credit (a handler that does not read, or reads 5 and stops)", async () => {
      const s = await setup(transport, { streamWindow: 16 });
      try {
        for (const [round, read] of [0, 5].entries()) {
          const { source, pulls, returned } = countingSource();
          const abort = new AbortController();
          const call = s.conn.callRaw(streamsTestChannel, "hold", [read, null], { input: source, signal: abort.signal });
          await eventually(() => pulls() === 16, "the window was pulled");
          // Every message the host sent before this answer has been handled: no more credit came
          // (5 taken is fewer than half the window).
          assert.equal(await ping(s.conn), "pong");
          assert.equal(await ping(s.conn), "pong");
          assert.equal(pulls(), 16, `hold(${read})`);
          assert.equal(s.sent.count("item"), 16 * (round + 1), `hold(${read})`);
          abort.abort();
          await rejectsWith(call, "cancelled");
          // An async generator runs its finally once the pull under way (if any) has settled.
          await eventually(returned, "the source's return() ran");
          if (s.probe) await eventually(() => s.probe!.aborted.length === round + 1, "the handler saw its signal abort");
        }
        if (s.probe) assert.deepEqual(s.probe.aborted, ["hold", "hold"]);
      } finally {
        await s.close();
      }
    });

    test("cancellation from the frontend: an AbortSignal rejects a pending next() with cancelled", async () => {
      const s = await setup(transport);
      try {
        const abort = new AbortController();
        const it = s.conn.streamRaw(streamsTestChannel, "hang", [], { signal: abort.signal });
        const pending = it.next();
        assert.equal(await ping(s.conn), "pong");
        abort.abort();
        await rejectsWith(pending, "cancelled");
        assert.equal(s.sent.count("cancel"), 1);
        if (s.probe) {
          await eventually(() => s.probe!.aborted.includes("hang"), "the handler saw its signal abort");
          await eventually(() => s.probe!.finallyRan.includes("hang"), "the handler's finally ran");
        }
        // The failure is told once; then the iterator is done, as a generator is after it threw.
        assert.deepEqual(await it.next(), { value: undefined, done: true });
      } finally {
        await s.close();
      }
    });

    test("a per-call timeout covers the stream", async () => {
      const s = await setup(transport, {}, { timeout: 100 });
      try {
        await s.conn.ready; // the timeout runs from the call, which is sent once the handshake is done
        await rejectsWith(s.conn.streamRaw(streamsTestChannel, "hang", []).next(), "timeout");
        assert.equal(s.sent.count("cancel"), 1);
        if (s.probe) await eventually(() => s.probe!.aborted.includes("hang"), "the handler saw its signal abort");
      } finally {
        await s.close();
      }
    });

    test("cancellation from the backend: a handler that stops reading makes the source stop", async () => {
      const s = await setup(transport);
      try {
        const { source, returned, pulls } = countingSource();
        assert.deepEqual(await s.conn.callRaw(streamsTestChannel, "takeFirst", [3, null], { input: source }), [0, 1, 2]);
        await eventually(returned, "the source's return() ran");
        assert.ok(pulls() <= DEFAULT_STREAM_WINDOW, `pulled ${pulls()} items for a window of ${DEFAULT_STREAM_WINDOW}`);
        assert.equal(s.sent.count("end"), 0);
        assert.equal(await ping(s.conn), "pong");
      } finally {
        await s.close();
      }
    });

    test("a source that throws cancels the call, which fails with what it threw", async () => {
      const s = await setup(transport);
      try {
        const boom = new Error("source failed");
        async function* failing() {
          yield 1;
          yield 2;
          throw boom;
        }
        await assert.rejects(s.conn.callRaw(streamsTestChannel, "sum", [null], { input: failing() }), (e: unknown) => e === boom);
        assert.equal(s.sent.count("cancel"), 1);
        assert.equal(await ping(s.conn), "pong");
      } finally {
        await s.close();
      }
    });

    test("a v2 frontend against a host answering protocol 1: stream calls fail locally, unary works", async () => {
      const s = await setup(transport, { protocol: 1 });
      try {
        await s.conn.ready;
        assert.equal(s.conn.protocol, 1);
        const e = await rejectsWith(s.conn.streamRaw(streamsTestChannel, "count", [3]).next(), "versionMismatch");
        assert.equal(e.message, 'method "count" of channel "streams-test-v1" uses streams, which need protocol 2; the backend speaks protocol 1');
        assert.deepEqual(e.data, { channel: streamsTestChannel, method: "count", backendProtocol: 1 });
        const { source, returned } = countingSource();
        await rejectsWith(s.conn.callRaw(streamsTestChannel, "sum", [null], { input: source }), "versionMismatch");
        assert.equal(s.sent.count("call"), 0, "nothing was sent");
        assert.equal(returned(), false, "the source was not touched");
        assert.equal(await ping(s.conn), "pong");
      } finally {
        await s.close();
      }
    });
  });
}

for (const transport of ["in-memory", "websocket"] as const) {
  describe(`streams over ${transport}, observed in the host`, () => {
    test("flow control: a consumer that does not read holds the producer at one window", async () => {
      const s = await setup(transport);
      const probe = s.probe!;
      try {
        const it = s.conn.streamRaw(streamsTestChannel, "count", [1_000_000], { window: 8 });
        const first = await it.next();
        assert.deepEqual(first, { value: 0, done: false });
        // The host has at most the window's credit: once it stopped, it stays stopped.
        await eventually(() => probe.yielded >= 8, "the window was produced");
        assert.equal(await ping(s.conn), "pong");
        assert.equal(await ping(s.conn), "pong");
        assert.equal(probe.yielded, 8, "pulled beyond the credit");
        // Taking half the window grants it again: 4 more are produced, no more.
        for (let i = 1; i < 4; i++) assert.deepEqual(await it.next(), { value: i, done: false });
        assert.equal(s.sent.count("credit"), 1);
        await eventually(() => probe.yielded >= 12, "the next half window was produced");
        assert.equal(await ping(s.conn), "pong");
        assert.equal(probe.yielded, 12);
        assert.ok(probe.yielded - 4 <= 8, "pulled-but-unconsumed items stay within the window");
        // Leaving the loop early cancels: the handler's generator runs its finally.
        await it.return!();
        await eventually(() => probe.finallyRan.includes("count"), "the generator's finally ran");
        assert.equal(s.sent.count("cancel"), 1);
      } finally {
        await s.close();
      }
    });

    test("break out of for await: the call is cancelled and the handler's finally runs", async () => {
      const s = await setup(transport);
      const probe = s.probe!;
      try {
        const got: WireValue[] = [];
        for await (const x of s.conn.streamRaw(streamsTestChannel, "count", [1_000_000])) {
          got.push(x);
          if (got.length === 5) break;
        }
        assert.deepEqual(got, [0, 1, 2, 3, 4]);
        await eventually(() => probe.finallyRan.includes("count"), "the generator's finally ran");
        assert.ok(probe.yielded <= 5 + DEFAULT_STREAM_WINDOW, `produced ${probe.yielded}`);
        assert.equal(s.sent.count("cancel"), 1);
        assert.equal(await ping(s.conn), "pong");
      } finally {
        await s.close();
      }
    });

    test("disconnect ends every stream with disconnected and drops the handlers", async () => {
      const s = await setup(transport);
      const probe = s.probe!;
      const hang = s.conn.streamRaw(streamsTestChannel, "hang", []);
      const pending = hang.next();
      const { source, returned, pulls } = countingSource();
      const upload = s.conn.callRaw(streamsTestChannel, "hold", [0, null], { input: source });
      // Started on the host, and the source running (a generator never started has no finally to run).
      await eventually(() => probe.started.includes("hang") && probe.started.includes("hold") && pulls() > 0, "both handlers started");
      await s.close();
      await rejectsWith(pending, "disconnected");
      await rejectsWith(upload, "disconnected");
      await eventually(returned, "the source's return() ran");
      await eventually(() => probe.aborted.includes("hang") && probe.aborted.includes("hold"), "the handlers were aborted");
    });
  });
}

describe("streams over stdio, the child dying", () => {
  test("the backend killed mid-stream: the pending next() rejects with disconnected", async () => {
    const s = await setup("stdio");
    try {
      const it = s.conn.streamRaw(streamsTestChannel, "count", [1_000_000], { window: 4 });
      assert.deepEqual(await it.next(), { value: 0, done: false });
      const hang = s.conn.streamRaw(streamsTestChannel, "hang", []);
      const pending = hang.next();
      assert.equal(await ping(s.conn), "pong");
      s.child!.child.kill("SIGKILL");
      await rejectsWith(pending, "disconnected");
      // The other stream gives what it had received, then the same error.
      const rest: WireValue[] = [];
      const e = await (async () => {
        try {
          for (;;) {
            const r = await it.next();
            if (r.done) return undefined;
            rest.push(r.value);
          }
        } catch (e) {
          return e;
        }
      })();
      assert.ok(isIpcError(e) && e.code === "disconnected", String(e));
      assert.ok(rest.length <= 4, `${rest.length} items buffered for a window of 4`);
      assert.deepEqual(await s.child!.exited, { code: null, signal: "SIGKILL" });
    } finally {
      await s.close();
    }
  });
});
