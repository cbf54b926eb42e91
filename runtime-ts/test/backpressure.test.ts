//! Backpressure (docs/protocol.md, Limits): a peer that sends calls but does not read its answers stops being read, the host's queued bytes stay bounded per connection and per host, a peer that keeps up is still served, notifications skip or refuse a full queue, and a closed connection leaves nothing queued. Over a real WebSocket on 127.0.0.1, in memory and a real stdio child.
//!
//! No timers: each test waits for changes it can observe (the host pausing or resuming a socket,
//! a write of the host completing, a send, a handler starting, a message arriving: test/probe.ts)
//! and checks its bounds at every one of them. That the host has stopped reading is seen as a
//! socket it paused while its queue is past the limit: from there it may only read again after
//! a drain, which a peer that does not read never causes (kernel buffers aside, which the answers
//! fill first). A hang is caught by the test's timeout, which is not a timing assumption.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  createMemorySocketPair,
  IpcConnection,
  IpcError,
  IpcHost,
  callMethod,
  notificationSender,
  addNotificationListener,
  type ConnectionId,
  type HostOptions,
  type IpcSocket,
} from "../src/common/index.js";
import { WebSocket } from "ws";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend } from "../src/node/index.js";
import { echoDescriptor, echoEventsDescriptor, echoImpl, type EchoProbe } from "./fixtures/echo.js";
import { echoStdioBackend } from "./paths.js";
import { Changes, probeSocket, ProbedBackend, type SocketProbe } from "./probe.js";

const KiB = 1024;
const MiB = 1024 * KiB;
/** What an answer to `big(n)` has beyond its n bytes: the JSON around them and a frame header. */
const OVERHEAD = 1024;
/** A hang guard per test (the bounds are checked on events, never on time). */
const GUARD = { timeout: 120_000 };

type Transport = "websocket" | "in-memory";

/** A peer's end of a connection, whatever the transport. */
interface RawEnd {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
  pause(): void;
  resume(): void;
  /** Closes as a client that is done does. */
  close(): void;
  /** Goes away as a client whose process died does (a TCP reset, not a close handshake). */
  kill(): void;
  /** What its side has not handed on (in memory: what the host has not taken). */
  readonly bufferedBytes: number;
}

/** One of the runtime's own sockets as a peer's end (in memory, stdio). */
function socketEnd(socket: IpcSocket): RawEnd {
  return {
    send: (text) => socket.send(text),
    onMessage: (listener) => socket.onMessage((message) => listener(message as string)),
    onClose: (listener) => socket.onClose(() => listener()),
    pause: () => socket.pauseReading!(),
    resume: () => socket.resumeReading!(),
    close: () => socket.close(),
    kill: () => socket.close(),
    get bufferedBytes() {
      return socket.bufferedBytes!;
    },
  };
}

/** A raw `ws` client as a peer's end. */
async function wsEnd(url: string): Promise<RawEnd> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return {
    send: (text) => ws.send(text),
    onMessage: (listener) => ws.on("message", (data) => listener(data.toString())),
    onClose: (listener) => ws.on("close", () => listener()),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(),
    kill: () => ws.terminate(),
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
  };
}

/** A raw peer: sends texts, keeps what it receives parsed, and reads or stops reading when told. */
class Peer {
  readonly received: any[] = [];
  closed = false;

  constructor(
    readonly end: RawEnd,
    changes: Changes,
  ) {
    end.onMessage((text) => {
      this.received.push(JSON.parse(text));
      changes.notify();
    });
    end.onClose(() => {
      this.closed = true;
      changes.notify();
    });
  }
  send(value: unknown): void {
    this.end.send(JSON.stringify(value));
  }
  stopReading(): void {
    this.end.pause();
  }
  read(): void {
    this.end.resume();
  }
  count(type: string): number {
    return this.received.filter((m) => m.type === type).length;
  }
  /** Says hello and waits for the welcome. */
  async hello(changes: Changes): Promise<void> {
    this.send({ type: "hello", protocol: 1 });
    await changes.until(() => this.received.length === 1);
    assert.equal(this.received[0].type, "welcome");
  }
  /** Sends `calls` calls of `big(size)`, ids from `first`. */
  callBig(calls: number, size: number, first = 1): void {
    for (let id = first; id < first + calls; id++) this.send({ type: "call", id, channel: echoDescriptor.channel, method: "big", args: [size] });
  }
}

/** A host serving Echo whose sockets are probed, and which counts the `big` calls each connection started. */
class Setup {
  readonly changes = new Changes();
  readonly host: IpcHost;
  readonly handled = new Map<ConnectionId, number>();
  /** The probes of the host's sockets, in the order the connections came. */
  readonly probes: SocketProbe[] = [];
  /** The most bytes the host had queued at any change. */
  worst = 0;
  private backend: { probed: ProbedBackend; url: string } | undefined;

  constructor(
    readonly transport: Transport,
    options: HostOptions,
  ) {
    this.host = new IpcHost(options);
    const probe: EchoProbe = {
      aborted: [],
      onBig: (connection) => {
        this.handled.set(connection, (this.handled.get(connection) ?? 0) + 1);
        this.changes.notify();
      },
    };
    this.host.register(echoDescriptor, echoImpl(this.host, probe));
    this.host.declareNotifications(echoEventsDescriptor);
    this.changes.watch(() => (this.worst = Math.max(this.worst, this.host.queuedBytes)));
  }

  /** Listens, the first time, on a WebSocket whose sockets are probed; its URL. */
  private async url(): Promise<string> {
    if (!this.backend) {
      const ws = await WebSocketBackend.listen();
      this.backend = { probed: new ProbedBackend(ws, this.changes), url: ws.url };
      this.host.serve(this.backend.probed);
    }
    return this.backend.url;
  }

  /** Opens a connection with `open`, and waits until the host has its side (which may come after the client's `open`). */
  private async opened<T>(open: () => Promise<T>): Promise<T> {
    const probed = this.backend!.probed;
    const known = probed.probes.length;
    const end = await open();
    await this.changes.until(() => probed.probes.length > known);
    this.probes.push(probed.probes[known]!);
    return end;
  }

  /** A new in-memory connection's frontend socket (the host's side probed). */
  private memorySocket(): IpcSocket {
    const [frontend, backend] = createMemorySocketPair();
    const { socket, probe } = probeSocket(backend, this.changes);
    this.probes.push(probe);
    this.host.accept(socket);
    return frontend;
  }

  /** A raw peer, welcomed. */
  async peer(): Promise<Peer> {
    let end: RawEnd;
    if (this.transport === "in-memory") end = socketEnd(this.memorySocket());
    else {
      const url = await this.url();
      end = await this.opened(() => wsEnd(url));
    }
    const peer = new Peer(end, this.changes);
    await peer.hello(this.changes);
    return peer;
  }

  /** A frontend that reads everything. */
  async connection(): Promise<IpcConnection> {
    let socket: IpcSocket;
    if (this.transport === "in-memory") socket = this.memorySocket();
    else {
      const url = await this.url();
      socket = await this.opened(() => connectWebSocket(url));
    }
    const conn = new IpcConnection(socket, { channels: [echoDescriptor, echoEventsDescriptor] });
    await conn.ready;
    return conn;
  }

  /** The connection ids, in the order the connections came (ids grow). */
  get ids(): ConnectionId[] {
    return [...this.host.connectionIds].sort((a, b) => a - b);
  }

  calls(id: ConnectionId): number {
    return this.handled.get(id) ?? 0;
  }

  /** The host stopped reading the connection of `probe`: it paused it, and its queue is past `limit`. */
  stopped(probe: SocketProbe, limit: number): boolean {
    return probe.paused && probe.socket.bufferedBytes! > limit;
  }

  async close(): Promise<void> {
    await this.host.shutdown();
  }
}

for (const transport of ["websocket", "in-memory"] as const) {
  describe(`backpressure over ${transport}`, () => {
    test("a peer that sends calls but does not read is not read from: its queue stays within maxQueuedBytes and one answer; a peer that keeps up is served meanwhile; once it reads, every answer arrives; closed, nothing stays queued", GUARD, async (t) => {
      const LIMIT = 64 * KiB;
      const ANSWER = 1 * MiB;
      const CALLS = 64;
      const s = new Setup(transport, { maxQueuedBytes: LIMIT });
      try {
        const peer = await s.peer();
        const [id] = s.ids;
        const server = s.probes[0]!;
        s.changes.forbid(() => (server.worst > LIMIT + ANSWER + OVERHEAD ? `${server.worst} bytes queued for a peer that does not read (limit ${LIMIT})` : undefined));
        peer.stopReading();
        peer.callBig(CALLS, ANSWER);
        await s.changes.until(() => s.stopped(server, LIMIT));
        const handled = s.calls(id!);
        // WebSocket: the kernel's socket buffers take the first few megabytes before anything waits in the host.
        assert.ok(handled < CALLS / 2, `the host started ${handled} of ${CALLS} calls of a peer that does not read`);
        assert.ok(s.host.queuedBytes <= LIMIT + ANSWER + OVERHEAD, `${s.host.queuedBytes} bytes queued`);
        t.diagnostic(`stopped after ${handled} of ${CALLS} calls, ${s.host.queuedBytes} bytes queued`);
        if (transport === "in-memory") {
          // The calls the host did not take are still the peer's to send.
          assert.ok(peer.end.bufferedBytes > 0, "the peer's calls wait on its side");
        }

        // A peer that reads is served while the first is not read: its queue is empty.
        const other = await s.connection();
        for (let i = 0; i < 4; i++) assert.equal(((await callMethod(echoDescriptor, "big", [ANSWER], undefined, other)) as string).length, ANSWER);
        assert.equal(s.calls(id!), handled, "the host read the peer that does not read");
        assert.ok(server.paused);

        peer.read();
        await s.changes.until(() => peer.count("result") === CALLS);
        assert.ok(peer.received.slice(1).every((m) => m.type === "result" && m.value.length === ANSWER));
        assert.equal(s.calls(id!), CALLS);
        assert.ok(server.worst <= LIMIT + ANSWER + OVERHEAD, `at worst ${server.worst} bytes queued (limit ${LIMIT})`);
        assert.ok(server.worst > LIMIT, `the queue filled: at worst ${server.worst} bytes`);
        t.diagnostic(`at worst ${server.worst} bytes queued for it`);

        other.close();
        peer.end.close();
        await s.changes.until(() => s.probes.every((p) => p.closed));
        assert.equal(s.host.queuedBytes, 0);
      } finally {
        await s.close();
      }
    });

    for (const how of ["the peer goes away", "the transport closes the host's side"] as const) {
      test(`a peer that stops reading leaves nothing queued once its connection closes: ${how}`, GUARD, async () => {
        const LIMIT = 64 * KiB;
        const s = new Setup(transport, { maxQueuedBytes: LIMIT });
        try {
          const peer = await s.peer();
          const server = s.probes[0]!;
          s.changes.forbid(() => (server.worst > LIMIT + 1 * MiB + OVERHEAD ? `${server.worst} bytes queued for a peer that does not read (limit ${LIMIT})` : undefined));
          peer.stopReading();
          peer.callBig(64, 1 * MiB);
          await s.changes.until(() => s.stopped(server, LIMIT));
          // Gone as a client process that died (over TCP the host's writes then fail), or the
          // host's side closed while the answers still wait in it: either way they are not counted.
          if (how === "the peer goes away") peer.end.kill();
          else server.socket.close();
          await s.changes.until(() => server.closed);
          assert.equal(s.host.queuedBytes, 0);
          assert.deepEqual(s.host.connectionIds, []);
        } finally {
          await s.close();
        }
      });
    }
  });
}

test("peers that do not read are bounded together by maxQueuedBytesTotal, one answer each past it; a peer that keeps up is still served; then every answer arrives", GUARD, async (t) => {
  const PEERS = 4;
  const CALLS = 64;
  const ANSWER = 256 * KiB;
  const PER_CONNECTION = 1 * MiB;
  const TOTAL = 1 * MiB;
  // Each queue alone may hold a mebibyte and an answer; all together only a mebibyte and one answer each.
  const bound = TOTAL + (PEERS + 1) * (ANSWER + OVERHEAD);
  const s = new Setup("websocket", { maxQueuedBytes: PER_CONNECTION, maxQueuedBytesTotal: TOTAL });
  s.changes.forbid(() => (s.host.queuedBytes > bound ? `${s.host.queuedBytes} bytes queued for ${PEERS} peers that do not read (total limit ${TOTAL}, bound ${bound})` : undefined));
  try {
    const peers: Peer[] = [];
    for (let i = 0; i < PEERS; i++) {
      const peer = await s.peer();
      peer.stopReading();
      peers.push(peer);
    }
    const ids = s.ids;
    for (const peer of peers) peer.callBig(CALLS, ANSWER);
    // Every peer is stopped once the total is past its limit.
    await s.changes.until(() => s.probes.every((p) => p.paused) && s.host.queuedBytes > TOTAL);
    assert.ok(s.host.queuedBytes <= bound, `${s.host.queuedBytes} bytes queued for ${PEERS} peers that do not read (total limit ${TOTAL})`);
    const started = ids.map((id) => s.calls(id));
    t.diagnostic(`all stopped with ${s.host.queuedBytes} bytes queued, after ${started.join(", ")} calls`);
    assert.ok(
      started.every((n) => n < CALLS),
      `calls started per peer: ${started.join(", ")} of ${CALLS}`,
    );

    // A connection whose queue is empty still gets its next message, past the total.
    const other = await s.connection();
    for (let i = 0; i < 4; i++) assert.equal(((await callMethod(echoDescriptor, "big", [ANSWER], undefined, other)) as string).length, ANSWER);
    other.close();

    for (const peer of peers) {
      peer.read();
      await s.changes.until(() => peer.count("result") === CALLS);
    }
    assert.ok(s.worst <= bound, `at worst ${s.worst} bytes queued (bound ${bound})`);
    t.diagnostic(`at worst ${s.worst} bytes queued in all, ${Math.max(...s.probes.map((p) => p.worst))} for one connection`);
    for (const probe of s.probes) assert.ok(probe.worst <= PER_CONNECTION + ANSWER + OVERHEAD, `a connection had ${probe.worst} bytes queued`);
    for (const peer of peers) peer.end.close();
    await s.changes.until(() => s.probes.every((p) => p.closed));
    assert.equal(s.host.queuedBytes, 0);
  } finally {
    await s.close();
  }
});

test("a broadcast skips a connection whose queue is full; a notification to it alone fails with tooLarge; once it drained, it gets them again", GUARD, async (t) => {
  const LIMIT = 64 * KiB;
  const CALLS = 64;
  const s = new Setup("websocket", { maxQueuedBytes: LIMIT });
  try {
    const full = await s.peer();
    const [fullId] = s.ids;
    const server = s.probes[0]!;
    s.changes.forbid(() => (server.worst > LIMIT + 1 * MiB + OVERHEAD ? `${server.worst} bytes queued for a peer that does not read (limit ${LIMIT})` : undefined));
    const reader = await s.connection();
    const readerId = s.ids[1]!;
    const ticks: number[] = [];
    addNotificationListener(
      echoEventsDescriptor,
      {
        tick: (n: number) => {
          ticks.push(n);
          s.changes.notify();
        },
      },
      reader,
    );
    full.stopReading();
    full.callBig(CALLS, 1 * MiB);
    await s.changes.until(() => s.stopped(server, LIMIT));

    s.host.notify(echoEventsDescriptor.channel, "tick", [1]);
    assert.throws(
      () => s.host.notify(echoEventsDescriptor.channel, "tick", [2], fullId),
      (e: unknown) => e instanceof IpcError && e.code === "tooLarge" && e.message === `the outgoing queue of connection ${fullId} is full`,
    );
    const typed = notificationSender(s.host, echoEventsDescriptor, fullId);
    assert.throws(() => typed.tick(3), (e: unknown) => e instanceof IpcError && e.code === "tooLarge");
    s.host.notify(echoEventsDescriptor.channel, "tick", [4], readerId);
    await s.changes.until(() => ticks.length === 2);
    assert.deepEqual(ticks, [1, 4]);

    full.read();
    await s.changes.until(() => full.count("result") === CALLS);
    // Its queue drains as the kernel takes the last answers; then there is room again.
    await s.changes.until(() => s.host.queuedBytes === 0);
    s.host.notify(echoEventsDescriptor.channel, "tick", [5], fullId);
    await s.changes.until(() => full.count("notify") === 1);
    assert.deepEqual(
      full.received.filter((m) => m.type === "notify").map((m) => m.args),
      [[5]],
      "the notifications sent while its queue was full were not queued",
    );
    reader.close();
    full.end.close();
  } finally {
    await s.close();
  }
});

test("a notification flood to a peer that does not read stops at maxQueuedBytes: the next notification to it fails with tooLarge; once it reads, every queued one arrives in order", GUARD, async () => {
  const LIMIT = 64 * KiB;
  const s = new Setup("websocket", { maxQueuedBytes: LIMIT });
  try {
    const full = await s.peer();
    const [fullId] = s.ids;
    full.stopReading();
    let sent = 0;
    let refused: unknown;
    while (refused === undefined) {
      try {
        s.host.notify(echoEventsDescriptor.channel, "tick", [sent], fullId);
        sent++;
      } catch (e) {
        refused = e;
      }
      assert.ok(sent < 1_000_000, "a million notifications queued, none refused");
      if (sent % 64 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the host write what the socket takes
    }
    assert.ok(refused instanceof IpcError && refused.code === "tooLarge", String(refused));
    assert.ok(s.host.queuedBytes <= LIMIT, `${s.host.queuedBytes} bytes queued (limit ${LIMIT})`);
    full.read();
    await s.changes.until(() => full.count("notify") === sent);
    assert.deepEqual(
      full.received.filter((m) => m.type === "notify").map((m) => m.args),
      Array.from({ length: sent }, (_, n) => [n]),
    );
    s.host.notify(echoEventsDescriptor.channel, "tick", [-1], fullId);
    await s.changes.until(() => full.count("notify") === sent + 1);
    full.end.close();
  } finally {
    await s.close();
  }
});

test("a stdio child host stops reading a parent that does not read its answers, within maxQueuedBytes and one answer; then every answer arrives and the child ends with nothing queued", GUARD, async (t) => {
  const LIMIT = 64 * KiB;
  const ANSWER = 256 * KiB;
  const CALLS = 64;
  const changes = new Changes();
  // The child reports every change of its connection on stderr (test/fixtures/echo-stdio-backend.ts).
  const reports: { handled: number; queued: number; paused: boolean }[] = [];
  changes.forbid(() => {
    const worst = Math.max(0, ...reports.map((r) => r.queued));
    return worst > LIMIT + ANSWER + OVERHEAD ? `${worst} bytes queued in the child for a parent that does not read (limit ${LIMIT})` : undefined;
  });
  let closedQueued: number | undefined;
  const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend, "--max-queued-bytes", String(LIMIT), "--report-queue"], {
    onStderr: (line) => {
      const state = /^queue: handled=(\d+) queued=(\d+) paused=([01])$/.exec(line);
      if (state) reports.push({ handled: Number(state[1]), queued: Number(state[2]), paused: state[3] === "1" });
      const closed = /^queue: closed queued=(\d+)$/.exec(line);
      if (closed) closedQueued = Number(closed[1]);
      changes.notify();
    },
  });
  const exited = socket.exited;
  try {
    const peer = new Peer(socketEnd(socket), changes);
    await peer.hello(changes);
    peer.stopReading();
    peer.callBig(CALLS, ANSWER);
    const last = () => reports[reports.length - 1];
    await changes.until(() => last() !== undefined && last()!.paused && last()!.queued > LIMIT);
    const stoppedAt = last()!;
    assert.ok(stoppedAt.handled < CALLS / 2, `the child started ${stoppedAt.handled} of ${CALLS} calls of a parent that does not read`);
    t.diagnostic(`the child stopped after ${stoppedAt.handled} of ${CALLS} calls, ${stoppedAt.queued} bytes queued`);

    peer.read();
    await changes.until(() => peer.count("result") === CALLS);
    const worst = Math.max(...reports.map((r) => r.queued));
    assert.ok(worst <= LIMIT + ANSWER + OVERHEAD, `at worst ${worst} bytes queued in the child (limit ${LIMIT})`);
    t.diagnostic(`at worst ${worst} bytes queued in the child`);
    assert.ok(peer.received.slice(1).every((m) => m.type === "result" && m.value.length === ANSWER));

    socket.close();
    await changes.until(() => closedQueued !== undefined);
    assert.equal(closedQueued, 0);
    assert.deepEqual(await exited, { code: 0, signal: null });
  } finally {
    socket.close();
  }
});
