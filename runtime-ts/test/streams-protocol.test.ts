//! Protocol v2 streams message by message: a scripted frontend against `IpcHost`, and a scripted backend against `IpcConnection` (negotiation, credit, seq, limits, stop, v1 peers).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient, createMemorySocketPair, DEFAULT_STREAM_WINDOW, IpcConnection, isIpcError, type ConnectionOptions, type HostOptions, type IpcError } from "../src/common/index.js";
import { streamsTestChannel, streamsTestDescriptor, StreamsProbe, startStreamsHost } from "./fixtures/streams.js";
import { matches, RawPeer, type Received } from "./raw-peer.js";

const HASH = streamsTestDescriptor.schemaHash;
const v1Hello = { type: "hello", protocol: 1, channels: { [streamsTestChannel]: HASH } };
const v2Hello = { ...v1Hello, features: ["streams"], maxCredit: 1024 };
const call = (id: number, method: string, args: unknown[], extra: object = {}) => ({ type: "call", id, channel: streamsTestChannel, method, args, ...extra });

/** A scripted frontend on a fresh host; the handshake done with `hello`. */
async function frontend(options: HostOptions = {}, hello: object = v2Hello): Promise<{ peer: RawPeer; probe: StreamsProbe; welcome: any; done(): Promise<void> }> {
  const probe = new StreamsProbe();
  const host = startStreamsHost(options, probe);
  const [front, back] = createMemorySocketPair();
  host.accept(back);
  const peer = new RawPeer(front);
  peer.send(hello);
  const welcome = await peer.next();
  assert.equal(welcome.kind, "message");
  return { peer, probe, welcome: (welcome as { value: unknown }).value, done: () => host.shutdown() };
}

async function expect(peer: RawPeer, pattern: unknown): Promise<any> {
  const got: Received = await peer.next();
  assert.ok(got.kind === "message" && matches(got.value, pattern), `expected ${JSON.stringify(pattern)}, got ${JSON.stringify(got)}`);
  return (got as { value: unknown }).value;
}

/** The next message is the answer to a ping with this id: nothing else was sent before it. */
async function pingIsNext(peer: RawPeer, id: number): Promise<void> {
  peer.send(call(id, "ping", []));
  await expect(peer, { type: "result", id, value: "pong" });
}

describe("IpcHost, v2 negotiation", () => {
  test("a v1 hello (protocol 1, no features) gets exactly the v1 welcome, and stream messages are badRequest", async () => {
    const f = await frontend({}, v1Hello);
    try {
      assert.deepEqual(f.welcome, { type: "welcome", protocol: 1, channels: { [streamsTestChannel]: HASH }, maxMessageBytes: 67108864, maxInFlight: 1024 });
      f.peer.send(call(1, "count", [3], { credit: 8 }));
      await expect(f.peer, { type: "error", id: 1, code: "badRequest" });
      f.peer.send(call(2, "sum", [null], { input: true }));
      await expect(f.peer, { type: "error", id: 2, code: "badRequest" });
      // A stream method called as v1 would call it: it needs stream fields this connection cannot have.
      f.peer.send(call(3, "count", [3]));
      await expect(f.peer, { type: "error", id: 3, code: "badRequest" });
      for (const m of [{ type: "item", id: 4, seq: 0, value: 1 }, { type: "credit", id: 4, n: 1 }, { type: "end", id: 4 }, { type: "stop", id: 4 }]) {
        f.peer.send(m);
        const e = await expect(f.peer, { type: "error", code: "badRequest" });
        assert.match(e.message, /unknown message type/);
      }
      await pingIsNext(f.peer, 5);
    } finally {
      await f.done();
    }
  });

  test("features streams, or protocol 2, gets the v2 welcome with the stream limits", async () => {
    for (const hello of [v2Hello, { ...v1Hello, protocol: 2 }]) {
      const f = await frontend({ maxStreams: 7, maxCredit: 99 }, hello);
      try {
        assert.deepEqual(f.welcome, {
          type: "welcome",
          protocol: 2,
          features: ["streams"],
          channels: { [streamsTestChannel]: HASH },
          maxMessageBytes: 67108864,
          maxInFlight: 1024,
          maxStreams: 7,
          maxCredit: 99,
        });
      } finally {
        await f.done();
      }
    }
  });

  test("a host restricted to protocol 1 answers a streams hello with the v1 welcome", async () => {
    const f = await frontend({ protocol: 1 });
    try {
      assert.deepEqual(f.welcome, { type: "welcome", protocol: 1, channels: { [streamsTestChannel]: HASH }, maxMessageBytes: 67108864, maxInFlight: 1024 });
    } finally {
      await f.done();
    }
  });

  test("a hello with a maxCredit that is not a positive integer is a badRequest and closes", async () => {
    for (const maxCredit of [0, -1, 1.5, "8"]) {
      const probe = new StreamsProbe();
      const host = startStreamsHost({}, probe);
      const [front, back] = createMemorySocketPair();
      host.accept(back);
      const peer = new RawPeer(front);
      peer.send({ ...v2Hello, maxCredit });
      await expect(peer, { type: "error", id: null, code: "badRequest" });
      assert.equal((await peer.next()).kind, "closed");
      await host.shutdown();
    }
  });
});

describe("IpcHost, v2 streams", () => {
  test("output: items only within the credit, more after a grant, the result at the end", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "count", [6], { credit: 3 }));
      for (let seq = 0; seq < 3; seq++) await expect(f.peer, { type: "item", id: 1, seq, value: seq });
      await pingIsNext(f.peer, 2);
      assert.equal(f.probe.yielded, 3, "the generator was not pulled beyond the credit");
      f.peer.send({ type: "credit", id: 1, n: 2 });
      for (let seq = 3; seq < 5; seq++) await expect(f.peer, { type: "item", id: 1, seq, value: seq });
      await pingIsNext(f.peer, 3);
      f.peer.send({ type: "credit", id: 1, n: 10 });
      await expect(f.peer, { type: "item", id: 1, seq: 5, value: 5 });
      await expect(f.peer, { type: "result", id: 1, value: null });
    } finally {
      await f.done();
    }
  });

  test("input: the window is granted once the call is accepted, again when half was read; end finishes it", async () => {
    const f = await frontend({ streamWindow: 4 });
    try {
      f.peer.send(call(1, "sum", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1, n: 4 });
      for (let seq = 0; seq < 4; seq++) f.peer.send({ type: "item", id: 1, seq, value: seq + 1 });
      await expect(f.peer, { type: "credit", id: 1, n: 2 });
      await expect(f.peer, { type: "credit", id: 1, n: 2 });
      f.peer.send({ type: "end", id: 1 });
      await expect(f.peer, { type: "result", id: 1, value: 10 });
    } finally {
      await f.done();
    }
  });

  test("the input window is capped by the frontend's maxCredit", async () => {
    const f = await frontend({}, { ...v2Hello, maxCredit: 5 });
    try {
      f.peer.send(call(1, "sum", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1, n: 5 });
    } finally {
      await f.done();
    }
  });

  test("a handler that stops reading its input: stop, then its answer", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "takeFirst", [2, null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1, n: DEFAULT_STREAM_WINDOW });
      for (let seq = 0; seq < 3; seq++) f.peer.send({ type: "item", id: 1, seq, value: seq * 10 });
      await expect(f.peer, { type: "stop", id: 1 });
      await expect(f.peer, { type: "result", id: 1, value: [0, 10] });
      // Items still under way, and an end, for a call that is over: ignored.
      f.peer.send({ type: "item", id: 1, seq: 3, value: 30 });
      f.peer.send({ type: "end", id: 1 });
      await pingIsNext(f.peer, 2);
    } finally {
      await f.done();
    }
  });

  test("a declared error after some items is the call's error", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "failAfter", [2], { credit: 10 }));
      await expect(f.peer, { type: "item", id: 1, seq: 0, value: 0 });
      await expect(f.peer, { type: "item", id: 1, seq: 1, value: 1 });
      await expect(f.peer, { type: "error", id: 1, code: "declared", message: "StreamsTestError", data: { kind: "failed", after: 2 } });
    } finally {
      await f.done();
    }
  });

  test("cancel drops the handler with its streams and answers cancelled", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "count", [1000], { credit: 2 }));
      await expect(f.peer, { type: "item", id: 1, seq: 0 });
      await expect(f.peer, { type: "item", id: 1, seq: 1 });
      f.peer.send({ type: "cancel", id: 1 });
      await expect(f.peer, { type: "error", id: 1, code: "cancelled" });
      assert.ok(f.probe.finallyRan.includes("count"), "the generator's finally ran");
      f.peer.send({ type: "credit", id: 1, n: 5 });
      await pingIsNext(f.peer, 2);
    } finally {
      await f.done();
    }
  });

  test("flowControl: an item with the wrong seq", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "sum", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1 });
      f.peer.send({ type: "item", id: 1, seq: 1, value: 5 });
      await expect(f.peer, { type: "error", id: 1, code: "flowControl" });
      await pingIsNext(f.peer, 2);
    } finally {
      await f.done();
    }
  });

  test("flowControl: an item beyond the credit granted; the handler is dropped", async () => {
    const f = await frontend({ streamWindow: 2 });
    try {
      f.peer.send(call(1, "hold", [0, null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1, n: 2 });
      for (let seq = 0; seq < 3; seq++) f.peer.send({ type: "item", id: 1, seq, value: seq });
      await expect(f.peer, { type: "error", id: 1, code: "flowControl" });
      assert.deepEqual(f.probe.aborted, ["hold"]);
      await pingIsNext(f.peer, 2);
    } finally {
      await f.done();
    }
  });

  test("flowControl: an item after end", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "hold", [0, null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1 });
      f.peer.send({ type: "end", id: 1 });
      f.peer.send({ type: "item", id: 1, seq: 0, value: 1 });
      await expect(f.peer, { type: "error", id: 1, code: "flowControl" });
    } finally {
      await f.done();
    }
  });

  test("flowControl: a credit past maxCredit, in a grant or in the call", async () => {
    const f = await frontend({ maxCredit: 10 });
    try {
      f.peer.send(call(1, "hang", [], { credit: 10 }));
      await pingIsNext(f.peer, 2);
      f.peer.send({ type: "credit", id: 1, n: 1 });
      await expect(f.peer, { type: "error", id: 1, code: "flowControl" });
      f.peer.send(call(3, "hang", [], { credit: 11 }));
      await expect(f.peer, { type: "error", id: 3, code: "flowControl" });
      // A credit for a call without an output stream.
      f.peer.send(call(4, "hold", [0, null], { input: true }));
      await expect(f.peer, { type: "credit", id: 4 });
      f.peer.send({ type: "credit", id: 4, n: 1 });
      await expect(f.peer, { type: "error", id: 4, code: "flowControl" });
    } finally {
      await f.done();
    }
  });

  test("tooManyStreams past maxStreams (both directions counted); closing one makes room", async () => {
    const f = await frontend({ maxStreams: 2 });
    try {
      f.peer.send(call(1, "hang", [], { credit: 1 }));
      f.peer.send(call(2, "echo", [null], { input: true, credit: 1 }));
      await expect(f.peer, { type: "error", id: 2, code: "tooManyStreams", data: { limit: 2 } });
      f.peer.send(call(3, "hang", [], { credit: 1 }));
      await pingIsNext(f.peer, 4);
      f.peer.send(call(5, "hang", [], { credit: 1 }));
      await expect(f.peer, { type: "error", id: 5, code: "tooManyStreams" });
      f.peer.send({ type: "cancel", id: 1 });
      await expect(f.peer, { type: "error", id: 1, code: "cancelled" });
      f.peer.send(call(6, "hang", [], { credit: 1 }));
      await pingIsNext(f.peer, 7);
      // An input stream closes at its end: its slot is free while the call still runs.
      f.peer.send({ type: "cancel", id: 3 });
      await expect(f.peer, { type: "error", id: 3, code: "cancelled" });
      f.peer.send(call(8, "hold", [0, null], { input: true }));
      await expect(f.peer, { type: "credit", id: 8 });
      f.peer.send({ type: "end", id: 8 });
      f.peer.send(call(9, "hang", [], { credit: 1 }));
      await pingIsNext(f.peer, 10);
    } finally {
      await f.done();
    }
  });

  test("stream fields must match the method: badRequest naming it", async () => {
    const f = await frontend();
    try {
      const cases: [object, RegExp][] = [
        [call(1, "count", [3]), /count returns a stream: the call needs credit/],
        [call(2, "ping", [], { credit: 4 }), /ping does not return a stream/],
        [call(3, "sum", [null]), /sum has a streaming parameter/],
        [call(4, "ping", [], { input: true }), /ping has no streaming parameter/],
        [call(5, "sum", [7], { input: true }), /args\[0\] is the streaming parameter/],
        [call(6, "count", [3], { credit: 0 }), /credit/],
        [call(7, "sum", [null], { input: 1 }), /input/],
      ];
      for (const [message, why] of cases) {
        f.peer.send(message);
        const e = await expect(f.peer, { type: "error", id: (message as { id: number }).id, code: "badRequest" });
        assert.match(e.message, why);
      }
      await pingIsNext(f.peer, 8);
    } finally {
      await f.done();
    }
  });

  test("an input item that does not decode fails the call with badRequest", async () => {
    const f = await frontend();
    try {
      f.peer.send(call(1, "sum", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 1 });
      f.peer.send({ type: "item", id: 1, seq: 0, value: "x" });
      const e = await expect(f.peer, { type: "error", id: 1, code: "badRequest" });
      assert.match(e.message, /input\[0\]/);
    } finally {
      await f.done();
    }
  });

  test("stream messages for ids that are not tracked are ignored; malformed ones are badRequest", async () => {
    const f = await frontend();
    try {
      f.peer.send({ type: "item", id: 99, seq: 0, value: 1 });
      f.peer.send({ type: "credit", id: 99, n: 1 });
      f.peer.send({ type: "end", id: 99 });
      await pingIsNext(f.peer, 1);
      for (const bad of [{ type: "item", id: 2, seq: -1, value: 1 }, { type: "item", id: 2, seq: 0 }, { type: "credit", id: 2, n: 0 }, { type: "end", id: "x" }]) {
        f.peer.send(bad);
        await expect(f.peer, { type: "error", code: "badRequest" });
      }
    } finally {
      await f.done();
    }
  });
});

/** A frontend on a scripted backend, handshake done with `welcome`. */
async function backend(welcome: object, options: ConnectionOptions = {}): Promise<{ conn: IpcConnection; peer: RawPeer; hello: any; errors: IpcError[] }> {
  const [front, back] = createMemorySocketPair();
  const peer = new RawPeer(back);
  const errors: IpcError[] = [];
  const conn = new IpcConnection(front, { onError: (e) => errors.push(e), ...options });
  const hello = await expect(peer, { type: "hello" });
  peer.send({ type: "welcome", channels: {}, maxMessageBytes: 1 << 20, maxInFlight: 8, ...welcome });
  await conn.ready.catch(() => {});
  return { conn, peer, hello, errors };
}
const v2Welcome = { protocol: 2, features: ["streams"], maxStreams: 8, maxCredit: 1024 };

/** An endless source counting its pulls and whether its `return()` was called. */
function source(): { items: Iterable<number>; pulls: () => number; returned: () => boolean } {
  let pulls = 0;
  let returned = false;
  const iterator: Iterator<number> = {
    next: () => ({ value: pulls++, done: false }),
    return: () => {
      returned = true;
      return { value: undefined, done: true };
    },
  };
  return { items: { [Symbol.iterator]: () => iterator }, pulls: () => pulls, returned: () => returned };
}

/** A round trip through the frontend: every message the script sent before has been handled. */
async function roundTrip(b: { conn: IpcConnection; peer: RawPeer }): Promise<void> {
  const p = b.conn.callRaw("c", "probe", []);
  let m: any;
  // Messages the frontend sent before the probe (cancels, credit) are passed over.
  do {
    const got = await b.peer.next();
    assert.equal(got.kind, "message");
    m = (got as { value: any }).value;
  } while (!(m.type === "call" && m.method === "probe"));
  b.peer.send({ type: "result", id: m.id, value: "ok" });
  assert.equal(await p, "ok");
}

async function failsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isIpcError(e) && e.code === code);
}

describe("IpcConnection against a scripted v2 backend", () => {
  test("the hello offers streams and the frontend's maxCredit", async () => {
    const b = await backend(v2Welcome, { maxCredit: 77 });
    assert.deepEqual([b.hello.protocol, b.hello.features, b.hello.maxCredit], [1, ["streams", "binary"], 77]);
    assert.equal(b.conn.protocol, 2);
  });

  test("the output window is capped by the backend's maxCredit", async () => {
    const b = await backend({ ...v2Welcome, maxCredit: 4 });
    void b.conn.streamRaw("c", "m", []).next().catch(() => {});
    await expect(b.peer, { type: "call", id: 1, credit: 4 });
  });

  test("flowControl: an item beyond the credit, or out of sequence; the frontend cancels", async () => {
    const b = await backend(v2Welcome);
    const it = b.conn.streamRaw("c", "m", [], { window: 2 });
    await expect(b.peer, { type: "call", id: 1, credit: 2 });
    for (let seq = 0; seq < 3; seq++) b.peer.send({ type: "item", id: 1, seq, value: seq });
    await roundTrip(b);
    // The violation fails the stream at once: the two items buffered before it are dropped.
    await failsWith(it.next(), "flowControl");
    await expect(b.peer, { type: "cancel", id: 1 });
    const it2 = b.conn.streamRaw("c", "m", []);
    await expect(b.peer, { type: "call", id: 3 });
    b.peer.send({ type: "item", id: 3, seq: 1, value: 0 });
    await failsWith(it2.next(), "flowControl");
    await expect(b.peer, { type: "cancel", id: 3 });
  });

  test("flowControl: a grant past the frontend's maxCredit; the source is returned", async () => {
    const b = await backend(v2Welcome, { maxCredit: 10 });
    const s = source();
    const call = b.conn.callRaw("c", "m", [null], { input: s.items });
    await expect(b.peer, { type: "call", id: 1, input: true });
    assert.equal(s.pulls(), 0, "nothing is pulled before credit");
    b.peer.send({ type: "credit", id: 1, n: 11 });
    await failsWith(call, "flowControl");
    await expect(b.peer, { type: "cancel", id: 1 });
    assert.equal(s.returned(), true);
  });

  test("credit paces the source exactly; stop makes it return while the call goes on", async () => {
    const b = await backend(v2Welcome);
    const s = source();
    const call = b.conn.callRaw("c", "m", [null], { input: s.items });
    await expect(b.peer, { type: "call", id: 1, input: true });
    b.peer.send({ type: "credit", id: 1, n: 3 });
    for (let seq = 0; seq < 3; seq++) await expect(b.peer, { type: "item", id: 1, seq, value: seq });
    assert.equal(s.pulls(), 3);
    b.peer.send({ type: "stop", id: 1 });
    b.peer.send({ type: "credit", id: 1, n: 3 });
    await roundTrip(b);
    assert.equal(s.returned(), true);
    assert.equal(s.pulls(), 3, "nothing pulled after stop");
    b.peer.send({ type: "result", id: 1, value: 42 });
    assert.equal(await call, 42);
  });

  test("the answer before the end stops the source", async () => {
    const b = await backend(v2Welcome);
    const s = source();
    const call = b.conn.callRaw("c", "m", [null], { input: s.items });
    await expect(b.peer, { type: "call", id: 1 });
    b.peer.send({ type: "credit", id: 1, n: 1 });
    await expect(b.peer, { type: "item", id: 1, seq: 0 });
    b.peer.send({ type: "error", id: 1, code: "internal", message: "no" });
    await failsWith(call, "internal");
    assert.equal(s.returned(), true);
  });

  test("a typed stream: an item that does not decode ends it after the items before it, with badRequest naming it; the frontend cancels", async () => {
    const b = await backend(v2Welcome);
    const it = createClient(streamsTestDescriptor, b.conn).count(5)[Symbol.asyncIterator]();
    await expect(b.peer, { type: "call", id: 1, method: "count" });
    for (const [seq, value] of [[0, 10], [1, 11], [2, "twelve"], [3, 13]] as const) b.peer.send({ type: "item", id: 1, seq, value });
    await expect(b.peer, { type: "cancel", id: 1 });
    assert.deepEqual([await it.next(), await it.next()], [{ value: 10, done: false }, { value: 11, done: false }]);
    await assert.rejects(it.next(), (e: unknown) => isIpcError(e) && e.code === "badRequest" && /item\[2\]/.test(e.message));
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  test("an input item larger than the backend's limit: tooLarge, and cancel", async () => {
    const b = await backend({ ...v2Welcome, maxMessageBytes: 200 });
    const call = b.conn.callRaw("c", "m", [null], { input: ["x".repeat(500)] });
    await expect(b.peer, { type: "call", id: 1 });
    b.peer.send({ type: "credit", id: 1, n: 1 });
    await failsWith(call, "tooLarge");
    await expect(b.peer, { type: "cancel", id: 1 });
  });

  test("items of a call no longer tracked are ignored; stream messages on a protocol-1 connection are reported", async () => {
    const b = await backend(v2Welcome);
    b.peer.send({ type: "item", id: 42, seq: 0, value: 1 });
    b.peer.send({ type: "credit", id: 42, n: 1 });
    b.peer.send({ type: "stop", id: 42 });
    const p = b.conn.callRaw("c", "m", []);
    await expect(b.peer, { type: "call", id: 1 });
    b.peer.send({ type: "result", id: 1, value: 1 });
    assert.equal(await p, 1);
    assert.deepEqual(b.errors, []);
    const v1 = await backend({ protocol: 1 });
    v1.peer.send({ type: "item", id: 1, seq: 0, value: 1 });
    const q = v1.conn.callRaw("c", "m", []);
    await expect(v1.peer, { type: "call", id: 1 });
    v1.peer.send({ type: "result", id: 1, value: 2 });
    assert.equal(await q, 2);
    assert.ok(v1.errors.some((e) => e.code === "badRequest" && /protocol-1/.test(e.message)));
  });

  test("a welcome of another protocol, or with bad stream limits, fails the connection", async () => {
    for (const welcome of [{ protocol: 3 }, { ...v2Welcome, maxCredit: 0 }, { ...v2Welcome, maxStreams: "many" }]) {
      const b = await backend(welcome);
      assert.equal(b.conn.isValid, false, JSON.stringify(welcome));
      await failsWith(b.conn.callRaw("c", "m", []), welcome.protocol === 3 ? "versionMismatch" : "badRequest");
    }
  });
});

/** A small deterministic PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}
const alphabet = '{}[]":,0123456789-.eE \\u"abcdeftrunl';
function mutate(text: string, random: () => number): string {
  const chars = [...text];
  for (let i = 1 + Math.floor(random() * 3); i > 0; i--) {
    const at = Math.floor(random() * (chars.length + 1));
    const ch = alphabet[Math.floor(random() * alphabet.length)]!;
    const r = random();
    if (r < 0.4) chars.splice(at, 1);
    else if (r < 0.8) chars.splice(at, 0, ch);
    else chars[at] = ch;
  }
  return chars.join("");
}

describe("hostile stream messages", () => {
  test("a host answers or ignores 3000 mutated stream messages, and still serves", async () => {
    const f = await frontend({ maxStreams: 16, streamWindow: 4 });
    try {
      const seeds = [
        JSON.stringify(call(1, "echo", [null], { input: true, credit: 4 })),
        '{"type":"item","id":1,"seq":0,"value":"a"}',
        '{"type":"credit","id":1,"n":2}',
        '{"type":"end","id":1}',
        JSON.stringify(call(2, "count", [5], { credit: 2 })),
        '{"type":"cancel","id":1}',
        JSON.stringify(call(3, "sum", [null], { input: true })),
        '{"type":"item","id":3,"seq":1,"value":7}',
      ];
      const random = rng(2024);
      for (let i = 0; i < 3000; i++) f.peer.send(mutate(seeds[i % seeds.length]!, random));
      f.peer.send(call(999999, "ping", []));
      for (;;) {
        const got = await f.peer.next();
        assert.equal(got.kind, "message", "the host closed the connection");
        const m = (got as { value: { type: string; id?: number; value?: unknown } }).value;
        if (m.type === "result" && m.id === 999999) break;
      }
    } finally {
      await f.done();
    }
  });

  test("a frontend survives mutated stream messages during a stream and keeps working", async () => {
    const b = await backend(v2Welcome);
    const it = b.conn.streamRaw("c", "m", [], { window: 4 });
    const up = b.conn.callRaw("c", "u", [null], { input: [1, 2, 3] }).catch(() => "failed");
    const random = rng(99);
    const replies = ['{"type":"item","id":1,"seq":0,"value":1}', '{"type":"credit","id":2,"n":1}', '{"type":"stop","id":2}', '{"type":"result","id":1,"value":null}'];
    for (let i = 0; i < 2000; i++) b.peer.send(mutate(replies[i % replies.length]!, random));
    await roundTrip(b);
    assert.equal(b.conn.isValid, true);
    await it.return!();
    b.peer.send({ type: "result", id: 2, value: null });
    await up;
  });
});
