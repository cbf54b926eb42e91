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
}

/**
 * The `ipcc-tauri` plugin as the page sees it, over a TS host: `connect` opens an in-memory connection to the host;
 * each channel event waits in a pool that is delivered in a shuffled order; each `send` is taken in a shuffled order
 * and put back in sequence order before the host reads it, as the plugin does.
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
      const conn: PluginConnection = { socket: page, callback, nextIndex: 0, nextSeq: 0, early: new Map() };
      this.connections.set(id, conn);
      // Tauri hands text to the page as a string and raw bodies as an ArrayBuffer.
      page.onMessage((message) => {
        const copy = typeof message === "string" ? message : message.slice().buffer;
        this.channelEvent(callback, { index: conn.nextIndex++, message: copy });
      });
      page.onClose(() => this.channelEvent(callback, { index: conn.nextIndex, end: true }));
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
    const message: SocketMessage = kind === "text" ? new TextDecoder().decode(args) : args.slice();
    this.unanswered++;
    this.maxUnanswered = Math.max(this.maxUnanswered, this.unanswered);
    return new Promise((resolve) => {
      const answer = () => {
        this.unanswered--;
        resolve(null);
      };
      const take = () => {
        conn.early.set(seq, message);
        for (let next = conn.early.get(conn.nextSeq); next !== undefined; next = conn.early.get(conn.nextSeq)) {
          conn.early.delete(conn.nextSeq++);
          conn.socket.send(next);
        }
        answer();
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
      assert.ok(tauri.sentKinds.has("binary") && tauri.sentKinds.has("text"));

      const ticks: number[] = [];
      const remove = addEchoEventsListener({ tick: (n) => ticks.push(n) }, conn);
      await echo.notifyMe(300);
      remove();
      assert.deepEqual(ticks, Array.from({ length: 300 }, (_, i) => i + 1));
      assert.ok(tauri.overtaken > 0, "the stand-in did deliver channel events out of order");
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

  test("a repeated channel index or a message that is neither text nor bytes closes the connection", async () => {
    for (const bad of [{ index: 0, message: "x" }, { index: 1, message: 42 }]) {
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
});
