//! The Tauri transport (`ipcc-runtime/tauri`) against a stand-in for Tauri's IPC that delivers channel events and runs
//! `send` invokes out of order, as Tauri may: a real TS host behind it, reached through generated clients. What the
//! real Tauri does is proven by examples/tauri-app's end-to-end test; this one checks ordering and flow control alone.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  connectTauri,
  createMemorySocketPair,
  IpcConnection,
  isIpcErrorCode,
  MAX_UNANSWERED_SENDS,
  type IpcHost,
  type IpcSocket,
  type SocketMessage,
  type TauriChannelEvent,
  type TauriInternals,
} from "../src/tauri/index.js";
import { toWire } from "../src/common/protocol/binary.js";
import { startEchoHost } from "./fixtures/echo.js";
import { addEchoEventsListener, echoClient, echoDescriptor, echoEventsDescriptor } from "./generated/vectors.js";
import { startStreamsHost } from "./fixtures/streams.js";
import { streamsTestClient, streamsTestDescriptor } from "./generated/streams.js";

/** A seeded generator (so a failure replays), for the order things are run in. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface PluginConnection {
  socket: IpcSocket;
  callback: number;
  nextIndex: number;
  nextSeq: number;
  early: Map<number, SocketMessage>;
  /** Host messages carried in `send` answers so far, and that count as the last marker announced it. */
  replied: number;
  announced: number;
  /** The answer a `send` is filling, while one is. */
  batch: { index: number; seq: number; messages: string[]; full: boolean } | undefined;
}

/**
 * The `ipcc-tauri` plugin as the page sees it, over a TS host: `connect` opens an in-memory connection to the host;
 * each channel event waits in a pool that is delivered in a shuffled order; each `send` is taken in a shuffled order
 * and put back in sequence order before the host reads it, as the plugin does; and, as the plugin does, a send may
 * carry in its answer the text messages the host writes while it waits (numbered, with markers on the channel), so the
 * page has to merge the two in the host's order.
 */
class FakeTauri implements TauriInternals {
  private readonly callbacks = new Map<number, (data: never) => void>();
  private nextCallback = 1;
  private readonly connections = new Map<string, PluginConnection>();
  private nextConnection = 7;
  private readonly pool: (() => void)[] = [];
  private flushing = false;
  /** Sends answered or not, as the page left them. */
  unanswered = 0;
  maxUnanswered = 0;
  /** Set to hold every `send` unanswered (a host that stopped reading). */
  holdSends = false;
  readonly held: (() => void)[] = [];
  /** Channel events delivered in an order other than their index. */
  overtaken = 0;
  private lastIndex = -1;
  refuseConnect: string | undefined;
  sentKinds = new Set<string>();
  /** How many host messages went in `send` answers, and how many markers went on channels. */
  carried = 0;
  markers = 0;
  /** The share of sends that collect the host's messages for their answer. */
  collectShare = 0.7;
  private readonly rng: () => number;

  constructor(private readonly host: IpcHost, seed = 1) {
    this.rng = random(seed);
  }

  transformCallback(callback: (data: never) => void): number {
    const id = this.nextCallback++;
    this.callbacks.set(id, callback);
    return id;
  }
  unregisterCallback(id: number): void {
    this.callbacks.delete(id);
  }

  /** Runs `task` later, in a shuffled order with the others waiting. */
  private later(task: () => void): void {
    this.pool.push(task);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const tasks = this.pool.splice(0);
      for (let i = tasks.length - 1; i > 0; i--) {
        const j = Math.floor(this.rng() * (i + 1));
        [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
      }
      for (const task of tasks) task();
    });
  }

  private channelEvent(callback: number, event: TauriChannelEvent): void {
    this.later(() => {
      if (event.index < this.lastIndex) this.overtaken++;
      this.lastIndex = event.index;
      (this.callbacks.get(callback) as ((e: TauriChannelEvent) => void) | undefined)?.(event);
    });
  }

  async invoke(cmd: string, args?: unknown, options?: { headers?: Record<string, string> }): Promise<unknown> {
    const headers = options?.headers ?? {};
    if (cmd === "plugin:ipcc|connect") {
      if (this.refuseConnect) throw this.refuseConnect;
      const channel = (args as { channel: string }).channel;
      const callback = Number(channel.replace("__CHANNEL__:", ""));
      const [page, backend] = createMemorySocketPair();
      this.host.accept(backend);
      const id = String(this.nextConnection++);
      const conn: PluginConnection = { socket: page, callback, nextIndex: 0, nextSeq: 0, early: new Map(), replied: 0, announced: 0, batch: undefined };
      this.connections.set(id, conn);
      const announce = () => {
        if (conn.replied === conn.announced) return;
        this.markers++;
        this.channelEvent(callback, { index: conn.nextIndex++, message: conn.replied });
        conn.announced = conn.replied;
      };
      page.onMessage((message) => {
        const batch = conn.batch;
        if (batch && !batch.full && typeof message === "string") {
          if (batch.messages.length === 0) [batch.index, batch.seq] = [conn.nextIndex, conn.replied];
          batch.messages.push(message);
          batch.full = batch.messages.length >= 64;
          conn.replied++;
          this.carried++;
          return;
        }
        if (batch && batch.messages.length > 0) batch.full = true;
        announce();
        // Tauri hands text to the page as a string and raw bodies as an ArrayBuffer.
        const copy = typeof message === "string" ? message : message.slice().buffer;
        this.channelEvent(callback, { index: conn.nextIndex++, message: copy });
      });
      page.onClose(() => {
        announce();
        this.channelEvent(callback, { index: conn.nextIndex, end: true });
      });
      return Number(id);
    }
    const conn = this.connections.get(headers["ipcc-connection"] ?? "");
    if (!conn) throw "ipcc: no such connection";
    if (cmd === "plugin:ipcc|close") {
      this.connections.delete(headers["ipcc-connection"]!);
      conn.socket.close();
      return null;
    }
    assert.equal(cmd, "plugin:ipcc|send");
    assert.ok(args instanceof Uint8Array, "a send's body is raw bytes");
    const kind = headers["ipcc-kind"]!;
    this.sentKinds.add(kind);
    const seq = Number(headers["ipcc-seq"]);
    // An `attachment` send: the body is the binary message's one attachment, its JSON text in a header.
    const message: SocketMessage =
      kind === "text" ? new TextDecoder().decode(args) : kind === "attachment" ? toWire({ json: decodeURIComponent(headers["ipcc-json"]!), attachments: [args] }) : args.slice();
    this.unanswered++;
    this.maxUnanswered = Math.max(this.maxUnanswered, this.unanswered);
    return new Promise((resolve) => {
      const answer = (value: unknown) => {
        this.unanswered--;
        resolve(value);
      };
      const take = () => {
        const collecting = conn.batch === undefined && this.rng() < this.collectShare;
        if (collecting) conn.batch = { index: 0, seq: 0, messages: [], full: false };
        conn.early.set(seq, message);
        for (let next = conn.early.get(conn.nextSeq); next !== undefined; next = conn.early.get(conn.nextSeq)) {
          conn.early.delete(conn.nextSeq++);
          conn.socket.send(next);
        }
        if (!collecting) return answer(null);
        // The host answers through the in-memory pair a few turns later; the send waits a random few for it.
        let turns = Math.floor(this.rng() * 4);
        const close = () => {
          if (turns-- > 0) return void setImmediate(close);
          const batch = conn.batch!;
          conn.batch = undefined;
          this.later(() => answer(batch.messages.length > 0 ? { index: batch.index, seq: batch.seq, messages: batch.messages } : null));
        };
        setImmediate(close);
      };
      this.later(() => (this.holdSends ? this.held.push(take) : take()));
    });
  }
}


function connection(socket: IpcSocket): IpcConnection {
  return new IpcConnection(socket, { channels: [echoDescriptor, echoEventsDescriptor, streamsTestDescriptor] });
}

describe("ipcc-runtime/tauri over a shuffling stand-in for Tauri's IPC", () => {
  for (const seed of [1, 2, 3]) {
    test(`calls, 64-bit integers, binary bytes, notifications and a stream arrive in order (seed ${seed})`, async () => {
      const host = startEchoHost();
      const tauri = new FakeTauri(host, seed);
      const conn = connection(await connectTauri({ internals: tauri }));
      await conn.ready;
      const echo = echoClient(conn);

      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => echo.echoString(`m${i}`)));
      assert.deepEqual(answers, Array.from({ length: 200 }, (_, i) => `m${i}`));
      assert.equal(await echo.echoI64(2n ** 62n + 1n), 2n ** 62n + 1n);

      assert.equal(conn.binaryBytes, true, "binary bytes are negotiated over Tauri's raw bodies");
      const big = new Uint8Array(1 << 18).map((_, i) => (i * 13) & 0xff);
      assert.deepEqual(await echo.echoBytes(big), big);
      assert.ok(tauri.sentKinds.has("attachment") && tauri.sentKinds.has("text"), [...tauri.sentKinds].join());
      // Many at once: past the cap on unanswered sends, they wait joined (a copy), as plain binary sends.
      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => echo.echoBytes(new Uint8Array([i, 1, 2]))));
      assert.deepEqual(many, Array.from({ length: 100 }, (_, i) => new Uint8Array([i, 1, 2])));
      assert.ok(tauri.sentKinds.has("binary"), "sends that waited went joined");

      const ticks: number[] = [];
      const remove = addEchoEventsListener({ tick: (n) => ticks.push(n) }, conn);
      await echo.notifyMe(300);
      remove();
      assert.deepEqual(ticks, Array.from({ length: 300 }, (_, i) => i + 1));
      assert.ok(tauri.overtaken > 0, "the stand-in did deliver channel events out of order");
      assert.ok(tauri.carried > 0 && tauri.markers > 0, `sends' answers carried host messages (${tauri.carried}), with markers (${tauri.markers})`);
      assert.ok(tauri.maxUnanswered <= MAX_UNANSWERED_SENDS, `at most ${MAX_UNANSWERED_SENDS} sends unanswered, saw ${tauri.maxUnanswered}`);
      conn.close();
    });
  }

  test("a stream's items arrive in order, to a slow consumer too, and an input stream goes out in order", async () => {
    const host = startStreamsHost();
    const tauri = new FakeTauri(host, 9);
    const conn = connection(await connectTauri({ internals: tauri }));
    const streams = streamsTestClient(conn);
    const got: number[] = [];
    for await (const n of streams.count(500)) {
      got.push(n);
      if (n % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => i));
    const echoed: string[] = [];
    for await (const s of streams.echo(Array.from({ length: 100 }, (_, i) => `s${i}`))) echoed.push(s);
    assert.deepEqual(echoed, Array.from({ length: 100 }, (_, i) => `s${i}`));
    conn.close();
  });

  // A drain that never comes fails at the timeout instead of hanging the suite.
  test("a host that stops answering stops the page's sends at the cap; the rest waits, counted in bufferedBytes", { timeout: 10_000 }, async () => {
    const host = startEchoHost();
    const tauri = new FakeTauri(host, 4);
    const socket = await connectTauri({ internals: tauri });
    tauri.holdSends = true;
    const message = `{"kind":"cancel","id":1}`;
    for (let i = 0; i < 200; i++) socket.send(message);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(tauri.unanswered, MAX_UNANSWERED_SENDS);
    assert.equal(socket.bufferedBytes, 200 * message.length);
    let drained = 0;
    const firstDrain = new Promise<void>((resolve) =>
      socket.onDrain!(() => {
        drained++;
        resolve();
      }),
    );
    tauri.holdSends = false;
    for (const answer of tauri.held.splice(0)) answer();
    await firstDrain;
    assert.ok(drained > 0);
    assert.ok(socket.bufferedBytes < 200 * message.length);
    socket.close();
  });

  test("the backend closing the channel fails pending calls with disconnected", async () => {
    const host = startEchoHost();
    const tauri = new FakeTauri(host, 5);
    const conn = connection(await connectTauri({ internals: tauri }));
    const echo = echoClient(conn);
    await conn.ready;
    const pending = echo.wait();
    await new Promise((r) => setTimeout(r, 5));
    void host.shutdown();
    await assert.rejects(pending, (e) => isIpcErrorCode(e, "disconnected"));
  });

  test("a window the plugin refuses (no capability) gets unauthorized, with Tauri's reason", async () => {
    const tauri = new FakeTauri(startEchoHost());
    tauri.refuseConnect = "ipcc.connect not allowed. Plugin not found";
    await assert.rejects(connectTauri({ internals: tauri }), (e) => isIpcErrorCode(e, "unauthorized") && /not allowed/.test((e as Error).message));
    await assert.rejects(connectTauri({ internals: {} as TauriInternals }), (e) => isIpcErrorCode(e, "disconnected"));
  });

  test("a repeated channel index, a message that is neither text nor bytes, or a bad marker closes the connection", async () => {
    for (const bad of [{ index: 0, message: "x" }, { index: 1, message: true }, { index: 1, message: 1.5 }]) {
      const sent: string[] = [];
      let callback: ((e: TauriChannelEvent) => void) | undefined;
      const internals: TauriInternals = {
        transformCallback: (cb) => ((callback = cb as (e: TauriChannelEvent) => void), 1),
        invoke: async (cmd) => (sent.push(cmd), 3),
      };
      const socket = await connectTauri({ internals });
      const received: SocketMessage[] = [];
      let reason: string | undefined;
      socket.onMessage((m) => received.push(m));
      socket.onClose((r) => (reason = r));
      callback!({ index: 0, message: "first" });
      callback!(bad);
      assert.deepEqual(received, ["first"]);
      assert.match(reason ?? "", /repeated|neither text nor bytes/);
      assert.deepEqual(sent, ["plugin:ipcc|connect", "plugin:ipcc|close"]);
    }
  });

  test("a send's answer that is not { index, seq, messages }, or repeats a message, closes the connection", async () => {
    for (const bad of [42, { index: 0, seq: 0, messages: [1] }, { index: 0, seq: -1, messages: ["x"] }, { index: 0, seq: 0, messages: ["a", "b"] }]) {
      const sent: string[] = [];
      let answers = 0;
      const internals: TauriInternals = {
        transformCallback: () => 1,
        // The first send's answer carries message 0; the second's is the bad one.
        invoke: async (cmd) => (sent.push(cmd), cmd === "plugin:ipcc|send" ? (answers++ === 0 ? { index: 0, seq: 0, messages: ["first"] } : bad) : 3),
      };
      const socket = await connectTauri({ internals });
      const received: SocketMessage[] = [];
      let reason: string | undefined;
      socket.onMessage((m) => received.push(m));
      socket.onClose((r) => (reason = r));
      socket.send("a");
      await new Promise((r) => setImmediate(r));
      socket.send("b");
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(received, ["first"]);
      assert.match(reason ?? "", /not \{ index, seq, messages \}|repeated/);
      assert.equal(sent.at(-1), "plugin:ipcc|close");
    }
  });

  test("answer-carried messages wait for the channel messages before them, and channel messages after a marker wait for them", async () => {
    let callback: ((e: TauriChannelEvent) => void) | undefined;
    const answers: ((value: unknown) => void)[] = [];
    const internals: TauriInternals = {
      transformCallback: (cb) => ((callback = cb as (e: TauriChannelEvent) => void), 1),
      invoke: (cmd) => (cmd === "plugin:ipcc|send" ? new Promise((resolve) => answers.push(resolve)) : Promise.resolve(3)),
    };
    const socket = await connectTauri({ internals });
    const received: SocketMessage[] = [];
    let closed = false;
    socket.onMessage((m) => received.push(m));
    socket.onClose(() => (closed = true));
    socket.send("s0");
    socket.send("s1");
    // The host's order: c0, r0, r1, (marker 2), c2, r2, (marker 3), end.
    callback!({ index: 4, end: true });
    callback!({ index: 2, message: "c2" });
    callback!({ index: 1, message: 2 });
    answers[1]!({ index: 3, seq: 2, messages: ["r2"] });
    await new Promise((r) => setImmediate(r));
    answers[0]!({ index: 1, seq: 0, messages: ["r0", "r1"] });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(received, [], "nothing goes before channel message 0");
    callback!({ index: 3, message: 3 });
    callback!({ index: 0, message: "c0" });
    assert.deepEqual(received, ["c0", "r0", "r1", "c2", "r2"]);
    assert.equal(closed, true, "the end comes after every answer-carried message");
  });
});
