//! Protocol v2 binary `bytes` message by message: a scripted frontend against `IpcHost` (negotiation, layout, malformed binary messages), a scripted backend against `IpcConnection`, and the stdio framing.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient, createMemorySocketPair, IpcConnection, type HostOptions, type IpcError } from "../src/common/index.js";
import { WebSocketBackend } from "../src/node/index.js";
import { LineFraming } from "../src/node/transport/line-framing.js";
import { bytesDescriptor, startBytesHost } from "./fixtures/bytes.js";
import { binaryMessage, concatBytes, Inbox, layout, matches, RawPeer, type Received } from "./raw-peer.js";

const CHANNEL = bytesDescriptor.channel;
const channels = { [CHANNEL]: bytesDescriptor.schemaHash };
const binaryHello = { type: "hello", protocol: 1, features: ["streams", "binary"], channels };
const call = (id: number, method: string, args: unknown[], extra: object = {}) => ({ type: "call", id, channel: CHANNEL, method, args, ...extra });
const bytes = (...xs: number[]) => new Uint8Array(xs);

/** A scripted frontend on a fresh `bytes-test-v1` host; the handshake done with `hello`. */
async function frontend(options: HostOptions = {}, hello: object = binaryHello): Promise<{ peer: RawPeer; welcome: any; done(): Promise<void> }> {
  const host = startBytesHost(options);
  const [front, back] = createMemorySocketPair();
  host.accept(back);
  const peer = new RawPeer(front);
  peer.send(hello);
  const welcome = await peer.next();
  assert.equal(welcome.kind, "message", "the welcome is text");
  return { peer, welcome: (welcome as { value: unknown }).value, done: () => host.shutdown() };
}

/** The next message is text and matches `pattern`. */
async function expect(peer: RawPeer, pattern: unknown): Promise<any> {
  const got: Received = await peer.next();
  assert.ok(got.kind === "message" && matches(got.value, pattern), `expected ${JSON.stringify(pattern)}, got ${JSON.stringify(got)}`);
  return (got as { value: unknown }).value;
}

/** The connection keeps serving: a ping with this id is answered next. */
async function stillServing(peer: RawPeer, id: number): Promise<void> {
  peer.send(call(id, "ping", []));
  await expect(peer, { type: "result", id, value: "pong" });
}

describe("IpcHost, binary negotiation", () => {
  test("streams + binary offered: the welcome grants both", async () => {
    const f = await frontend();
    try {
      assert.deepEqual(f.welcome.features, ["streams", "binary"]);
      assert.equal(f.welcome.protocol, 2);
    } finally {
      await f.done();
    }
  });

  test("binary without streams gets neither; binary configured off gets streams only", async () => {
    const lone = await frontend({}, { type: "hello", protocol: 1, features: ["binary"], channels });
    try {
      assert.equal(lone.welcome.protocol, 1);
      assert.equal(lone.welcome.features, undefined);
      // Not a binary connection: a binary message keeps its v1 meaning.
      lone.peer.send(binaryMessage(call(1, "echo", [0]), bytes(1)));
      await expect(lone.peer, { type: "error", id: null, code: "badRequest" });
      await stillServing(lone.peer, 2);
    } finally {
      await lone.done();
    }
    const off = await frontend({ binary: false });
    try {
      assert.deepEqual([off.welcome.protocol, off.welcome.features], [2, ["streams"]]);
      off.peer.send(binaryMessage(call(1, "echo", [0]), bytes(1)));
      await expect(off.peer, { type: "error", id: null, code: "badRequest" });
      await stillServing(off.peer, 2);
    } finally {
      await off.done();
    }
  });

  test("a binary frame on a WebSocket connection that did not negotiate binary is badRequest (id null), and it stays open", async () => {
    const host = startBytesHost({ binary: false });
    const backend = await WebSocketBackend.listen();
    host.serve(backend);
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(backend.url);
    try {
      const inbox = new Inbox<any>();
      ws.on("message", (d) => inbox.push(JSON.parse(d.toString())));
      await new Promise((r) => ws.once("open", r));
      ws.send(JSON.stringify(binaryHello));
      ws.send(binaryMessage(call(1, "echo", [0]), bytes(7)));
      ws.send(JSON.stringify(call(2, "ping", [])));
      const messages = await inbox.atLeast(3);
      assert.deepEqual(messages[0].features, ["streams"]);
      assert.deepEqual([messages[1].code, messages[1].id], ["badRequest", null]);
      assert.deepEqual([messages[2].type, messages[2].value], ["result", "pong"]);
    } finally {
      ws.close();
      await host.shutdown();
    }
  });
});

describe("IpcHost, binary messages", () => {
  test("the layout of the spec's example; the answer holding bytes is binary, with the index in its JSON", async () => {
    const f = await frontend();
    try {
      f.peer.send(binaryMessage(call(7, "echo", [0]), bytes(0, 1, 2)));
      const got = await f.peer.next();
      assert.equal(got.kind, "binary");
      if (got.kind !== "binary") return;
      assert.deepEqual(got.value, { type: "result", id: 7, value: 0 });
      assert.deepEqual(got.attachments, [bytes(0, 1, 2)]);
      // u32 BE JSON length, the JSON, u32 BE attachment length, the attachment.
      const json = new TextEncoder().encode('{"type":"result","id":7,"value":0}');
      assert.deepEqual([...got.data], [0, 0, 0, json.length, ...json, 0, 0, 0, 3, 0, 1, 2]);
      // An answer without bytes is text, on a binary connection too.
      await stillServing(f.peer, 8);
    } finally {
      await f.done();
    }
  });

  test("base64 and attachments mix in one binary message; an attachment no value refers to is ignored; a struct field and stream items too", async () => {
    const f = await frontend();
    try {
      f.peer.send(binaryMessage(call(1, "pair", ["AAEC", 1]), bytes(9), bytes(1, 2, 3, 4)));
      const pair = await f.peer.next();
      assert.ok(pair.kind === "message" && matches(pair.value, { type: "result", id: 1, value: [3, 4] }), JSON.stringify(pair));
      f.peer.send(binaryMessage(call(2, "echoBlob", [{ name: "n", data: 0 }]), bytes(5, 6)));
      const blob = await f.peer.next();
      assert.ok(blob.kind === "binary" && matches(blob.value, { type: "result", id: 2, value: { name: "n", data: 0 } }), JSON.stringify(blob));
      assert.deepEqual((blob as { attachments: Uint8Array[] }).attachments, [bytes(5, 6)]);
      f.peer.send(call(3, "lengths", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 3 });
      f.peer.send(binaryMessage({ type: "item", id: 3, seq: 0, value: 0 }, bytes(1, 2)));
      f.peer.send({ type: "item", id: 3, seq: 1, value: "AQID" });
      f.peer.send({ type: "end", id: 3 });
      await expect(f.peer, { type: "result", id: 3, value: [2, 3] });
    } finally {
      await f.done();
    }
  });

  test("malformed layouts are badRequest with id null, and the connection keeps serving", async () => {
    const f = await frontend();
    try {
      const json = new TextEncoder().encode(JSON.stringify(call(1, "echo", [0])));
      const u32 = (n: number) => bytes(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
      const cases: [string, Uint8Array][] = [
        ["shorter than the length header", bytes(0, 0)],
        ["JSON length past the end", concatBytes(u32(json.length + 1), json)],
        ["attachment length past the end", concatBytes(u32(json.length), json, u32(5), bytes(1, 2, 3, 4))],
        ["leftover bytes after the last attachment", concatBytes(u32(json.length), json, u32(1), bytes(1), bytes(0, 0))],
        ["JSON not UTF-8", concatBytes(u32(3), bytes(0x7b, 0xff, 0x7d))],
        ["JSON not an object", layout(["[1]"], [])],
      ];
      let id = 100;
      for (const [what, message] of cases) {
        f.peer.send(message);
        const e = await expect(f.peer, { type: "error", id: null, code: "badRequest" });
        assert.ok(typeof e.message === "string", what);
        await stillServing(f.peer, id++);
      }
    } finally {
      await f.done();
    }
  });

  test("decode errors of bytes values are badRequest with the call's id: index out of range, referenced twice, not an index, an integer in a text message", async () => {
    const f = await frontend();
    try {
      const cases: [string, Uint8Array | object, RegExp][] = [
        ["index out of range", binaryMessage(call(1, "echo", [1]), bytes(1)), /not an attachment/],
        ["negative index", binaryMessage(call(2, "echo", [-1]), bytes(1)), /not an attachment/],
        ["fractional index", binaryMessage(call(3, "echo", [0.5]), bytes(1)), /not an attachment/],
        ["referenced twice", binaryMessage(call(4, "pair", [0, 0]), bytes(1)), /referenced twice/],
        ["referenced twice across a struct", binaryMessage(call(5, "echoBlob", [{ name: "n", data: 0, more: 0 }]), bytes(1)), /referenced twice/],
        ["an integer in a text message", call(6, "echo", [0]), /base64/],
        ["an index in a message without attachments", binaryMessage(call(7, "echo", [0])), /not an attachment/],
      ];
      for (const [what, message, reason] of cases) {
        const id = (message instanceof Uint8Array ? null : (message as { id: number }).id) ?? Number(/"id":(\d+)/.exec(new TextDecoder().decode(message as Uint8Array))![1]);
        f.peer.send(message);
        const e = await expect(f.peer, { type: "error", id, code: "badRequest" });
        assert.match(e.message, reason, what);
        await stillServing(f.peer, 100 + id);
      }
      // A bad index in an input item fails that call (its decode error is the call's answer).
      f.peer.send(call(20, "lengths", [null], { input: true }));
      await expect(f.peer, { type: "credit", id: 20 });
      f.peer.send(binaryMessage({ type: "item", id: 20, seq: 0, value: 3 }, bytes(1)));
      await expect(f.peer, { type: "error", id: 20, code: "badRequest" });
      await stillServing(f.peer, 21);
    } finally {
      await f.done();
    }
  });

  test("an oversize binary message is tooLarge with its id (in memory: dropped, the connection stays)", async () => {
    const f = await frontend({ maxMessageBytes: 1000 });
    try {
      f.peer.send(binaryMessage(call(9, "echo", [0]), new Uint8Array(1000)));
      await expect(f.peer, { type: "error", id: 9, code: "tooLarge" });
      await stillServing(f.peer, 10);
    } finally {
      await f.done();
    }
  });
});

describe("IpcConnection against a scripted binary backend", () => {
  const welcome = { type: "welcome", protocol: 2, features: ["streams", "binary"], channels, maxMessageBytes: 67108864, maxInFlight: 1024, maxStreams: 256, maxCredit: 1024 };

  async function backend(w: object = welcome, binary?: boolean) {
    const [front, back] = createMemorySocketPair();
    const peer = new RawPeer(back);
    const errors: IpcError[] = [];
    const conn = new IpcConnection(front, { channels: [bytesDescriptor], onError: (e) => errors.push(e), ...(binary !== undefined ? { binary } : {}) });
    const hello = await peer.next();
    assert.equal(hello.kind, "message");
    peer.send(w);
    await conn.ready;
    return { peer, conn, errors, hello: (hello as { value: any }).value, client: createClient(bytesDescriptor, conn) };
  }

  test("the hello offers binary unless turned off; a welcome granting binary unasked is not used", async () => {
    const on = await backend();
    assert.deepEqual(on.hello.features, ["streams", "binary"]);
    assert.equal(on.conn.binaryBytes, true);
    const off = await backend(welcome, false);
    assert.deepEqual(off.hello.features, ["streams"]);
    assert.equal(off.conn.binaryBytes, false);
    assert.match(off.errors[0]?.message ?? "", /did not offer/);
  });

  test("results: an attachment decodes to a view of the received message; bad indices and malformed layouts fail or are reported, the connection keeps working", async () => {
    const b = await backend();
    const first = b.client.echo(bytes(1, 2, 3));
    const sent = await b.peer.next();
    assert.ok(sent.kind === "binary" && matches(sent.value, { type: "call", id: 1, args: [0] }), JSON.stringify(sent));
    const message = binaryMessage({ type: "result", id: 1, value: 0 }, bytes(4, 5));
    b.peer.send(message);
    const got = await first;
    assert.deepEqual(got, bytes(4, 5));
    assert.equal(got.buffer, message.buffer, "a view of the received message, not a copy");

    const bad = b.client.echo(bytes(1));
    await b.peer.next();
    b.peer.send(binaryMessage({ type: "result", id: 2, value: 3 }, bytes(4)));
    await assert.rejects(bad, (e: any) => e.code === "badRequest" && /not an attachment/.test(e.message));

    const text = b.client.echo(bytes(1));
    await b.peer.next();
    b.peer.send({ type: "result", id: 3, value: 0 });
    await assert.rejects(text, (e: any) => e.code === "badRequest" && /base64/.test(e.message));

    b.peer.send(concatBytes(bytes(0, 0, 0, 9), bytes(1)));
    const ping = b.client.ping();
    await b.peer.next();
    b.peer.send({ type: "result", id: 4, value: "pong" });
    assert.equal(await ping, "pong");
    assert.ok(b.errors.some((e) => e.code === "badRequest" && /past the end/.test(e.message)), JSON.stringify(b.errors.map((e) => e.message)));
  });

  test("a binary message on a connection that did not negotiate binary is reported, not read", async () => {
    const b = await backend({ ...welcome, features: ["streams"] });
    assert.equal(b.conn.binaryBytes, false);
    const p = b.client.echo(bytes(1));
    const sent = await b.peer.next();
    assert.ok(sent.kind === "message" && matches(sent.value, { type: "call", args: ["AQ=="] }), "base64 in a text call");
    b.peer.send(binaryMessage({ type: "result", id: 1, value: 0 }, bytes(1)));
    b.peer.send({ type: "result", id: 1, value: "AQ==" });
    assert.deepEqual(await p, bytes(1));
    assert.ok(b.errors.some((e) => /did not negotiate binary/.test(e.message)));
  });
});

describe("stdio framing of binary messages", () => {
  function framing(limit = 1000) {
    const got: (string | Uint8Array)[] = [];
    const tooLarge: string[] = [];
    const f = new LineFraming(limit, (m) => got.push(m), (p) => tooLarge.push(p));
    return { f, got, tooLarge };
  }
  const frame = (message: Uint8Array) => concatBytes(bytes(0, message.length >>> 24, (message.length >>> 16) & 255, (message.length >>> 8) & 255, message.length & 255), message);
  const text = (s: string) => new TextEncoder().encode(s);

  test("after enableBinary, 0x00 starts a binary frame; split at every byte it reads the same; text lines around it stay lines", () => {
    const message = binaryMessage(call(3, "echo", [0]), bytes(10, 0, 13, 255));
    const stream = concatBytes(text('{"a":1}\n'), frame(message), text('{"b":2}\r\n'), frame(bytes()), text("\n"));
    for (const size of [1, 2, 3, 5, 7, stream.length]) {
      const { f, got } = framing();
      f.enableBinary();
      for (let i = 0; i < stream.length; i += size) f.push(Buffer.from(stream.subarray(i, i + size)));
      assert.deepEqual(got, ['{"a":1}', message, '{"b":2}', bytes()], `chunks of ${size}`);
      assert.ok(!(got[1] instanceof Buffer), "a plain Uint8Array");
    }
  });

  test("before enableBinary a 0x00 is only the start of an (invalid) line", () => {
    const { f, got } = framing();
    f.push(Buffer.from(concatBytes(bytes(0, 0, 0, 0, 2), text("{}\n"))));
    assert.equal(got.length, 1);
    assert.equal(typeof got[0], "string");
  });

  test("an oversize binary frame is skipped without buffering, reported with the start of its JSON, and the next message still reads", () => {
    const { f, got, tooLarge } = framing(100);
    f.enableBinary();
    const big = binaryMessage(call(42, "echo", [0]), new Uint8Array(5000));
    const stream = concatBytes(frame(big), text('{"after":true}\n'));
    for (let i = 0; i < stream.length; i += 333) f.push(Buffer.from(stream.subarray(i, i + 333)));
    assert.equal(tooLarge.length, 1);
    assert.match(tooLarge[0]!, /^\{"type":"call","id":42/);
    assert.deepEqual(got, ['{"after":true}']);
  });
});
