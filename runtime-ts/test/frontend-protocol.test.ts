//! The frontend's side of the protocol, message by message: a scripted backend over a real WebSocket on 127.0.0.1 sends `welcome`s and `error`s that break the rules (docs/protocol.md, welcome, error, refinement 3), against the real `connectWebSocket` + `IpcConnection`.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_MESSAGE_BYTES, IpcConnection, isIpcError, parseMessage, type ConnectionOptions, type IpcError } from "../src/common/index.js";
import { connectWebSocket, WebSocketBackend } from "../src/node/index.js";
import { echoDescriptor } from "./fixtures/echo.js";
import { matches, RawPeer, type Received } from "./raw-peer.js";

const CHANNEL = echoDescriptor.channel;
const welcome = (fields: object = {}) => ({ type: "welcome", protocol: 1, channels: { [CHANNEL]: echoDescriptor.schemaHash }, maxMessageBytes: 1 << 20, maxInFlight: 16, ...fields });

/** Settles like `p`; rejects if `p` is still pending after `ms` (a hang guard, not a timing assumption). */
function settled<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** `p` rejects with an `IpcError` of `code`; returns it. */
async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<IpcError> {
  try {
    await settled(p, what);
  } catch (e) {
    assert.ok(isIpcError(e), `${what}: not an IpcError: ${String(e)}`);
    assert.equal(e.code, code, `${what}: expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`${what}: expected a rejection with ${code}`);
}

/** What the connection reported to `onError`, with a way to wait for a report. */
class Reports {
  readonly errors: IpcError[] = [];
  private waiters: { predicate: (e: IpcError) => boolean; resolve: (e: IpcError) => void }[] = [];
  readonly onError = (e: IpcError) => {
    this.errors.push(e);
    for (const w of this.waiters.splice(0)) {
      if (w.predicate(e)) w.resolve(e);
      else this.waiters.push(w);
    }
  };
  /** The first report (already made or still to come) that satisfies `predicate`. */
  next(predicate: (e: IpcError) => boolean, what: string): Promise<IpcError> {
    const made = this.errors.find(predicate);
    if (made) return Promise.resolve(made);
    return settled(new Promise((resolve) => this.waiters.push({ predicate, resolve })), what);
  }
}

/** A scripted backend on a WebSocket server, a real connection to it, and the `hello` it sent. */
async function scripted(options: ConnectionOptions = {}): Promise<{ conn: IpcConnection; peer: RawPeer; reports: Reports; done(): Promise<void> }> {
  const server = await WebSocketBackend.listen();
  const accepted = new Promise<RawPeer>((resolve) => server.listen((socket) => resolve(new RawPeer(socket))));
  const reports = new Reports();
  const conn = new IpcConnection(await connectWebSocket(server.url), { channels: [echoDescriptor], onError: reports.onError, ...options });
  const peer = await accepted;
  const hello = await peer.next();
  assert.ok(hello.kind === "message" && hello.value.type === "hello", JSON.stringify(hello));
  return {
    conn,
    peer,
    reports,
    done: async () => {
      conn.close();
      await server.close();
    },
  };
}

/** The next message the scripted backend receives matches `pattern`; returns it. */
async function expectMessage(peer: RawPeer, pattern: unknown): Promise<any> {
  const got: Received = await peer.next();
  assert.ok(got.kind === "message" && matches(got.value, pattern), `expected ${JSON.stringify(pattern)}, got ${JSON.stringify(got)}`);
  return (got as { value: unknown }).value;
}

/** The connection still works: a typed call is sent, answered by the script, and resolves. */
async function stillWorks(conn: IpcConnection, peer: RawPeer): Promise<void> {
  const sum = createClient(echoDescriptor, conn).add(2, 3);
  const call = await expectMessage(peer, { type: "call", channel: CHANNEL, method: "add", args: [2, 3] });
  peer.send({ type: "result", id: call.id, value: 5 });
  assert.equal(await settled(sum, "add(2, 3)"), 5);
}

describe("frontend: welcome protocol", () => {
  // This frontend always offers streams, so it accepts 1 and 2 and nothing else.
  const refused: [string, unknown][] = [
    ["missing", undefined],
    ["null", null],
    ["a string", "1"],
    ["not an integer", 1.5],
    ["0", 0],
    ["3", 3],
    ["an object", { version: 1 }],
  ];
  for (const [what, protocol] of refused) {
    test(`protocol ${what}: the connection closes, and waiting and later calls fail with versionMismatch`, async () => {
      const s = await scripted();
      try {
        // No timeout: without the close this call would wait forever.
        const waiting = s.conn.callRaw(CHANNEL, "add", [1, 2]);
        s.peer.send({ ...welcome(), protocol });
        const data = { backendProtocol: protocol ?? null, frontendProtocol: 1 };
        const e = await rejectsWith(waiting, "versionMismatch", "the call waiting for the welcome");
        assert.deepEqual(e.data, data);
        assert.deepEqual((await rejectsWith(s.conn.ready, "versionMismatch", "ready")).data, data);
        assert.equal((await s.peer.next()).kind, "closed", "the frontend closes the connection");
        assert.equal(s.conn.isValid, false);
        const later = await rejectsWith(s.conn.callRaw(CHANNEL, "add", [1, 2]), "versionMismatch", "a later call");
        assert.deepEqual(later.data, data);
      } finally {
        await s.done();
      }
    });
  }

  test("channels that are not an object of strings are reported and taken as none; the connection works", async () => {
    const s = await scripted();
    try {
      s.peer.send(welcome({ channels: { [CHANNEL]: 1 } }));
      await settled(s.conn.ready, "ready");
      await s.reports.next((e) => /welcome channels/.test(e.message), "the report of the channels");
      assert.deepEqual(s.conn.backendChannels, {});
      await stillWorks(s.conn, s.peer);
    } finally {
      await s.done();
    }
  });

  test("protocol 1 and 2 are accepted", async () => {
    for (const protocol of [1, 2]) {
      const s = await scripted();
      try {
        s.peer.send(welcome({ protocol }));
        await settled(s.conn.ready, "ready");
        assert.equal(s.conn.protocol, protocol);
        await stillWorks(s.conn, s.peer);
      } finally {
        await s.done();
      }
    }
  });
});

describe("frontend: welcome limits and a second welcome", () => {
  test("a welcome without maxMessageBytes and maxInFlight means 64 MiB and 1024", async () => {
    const parsed = parseMessage('{"type":"welcome","protocol":1,"channels":{}}');
    assert.ok(parsed.type === "welcome");
    assert.deepEqual([parsed.maxMessageBytes, parsed.maxInFlight], [67108864, 1024]);
    assert.deepEqual([DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_IN_FLIGHT], [67108864, 1024]);
    // The frontend's own limit is larger: the backend's default is the one that applies.
    const s = await scripted({ maxMessageBytes: 2 * DEFAULT_MAX_MESSAGE_BYTES });
    try {
      s.peer.send({ type: "welcome", protocol: 1, channels: { [CHANNEL]: echoDescriptor.schemaHash } });
      await settled(s.conn.ready, "ready");
      const big = "x".repeat(DEFAULT_MAX_MESSAGE_BYTES);
      const e = await rejectsWith(s.conn.callRaw(CHANNEL, "echoString", [big]), "tooLarge", "a call over 64 MiB");
      assert.match(e.message, /67108864/);
      // Nothing was sent for it: the next message the backend sees is the next call.
      await stillWorks(s.conn, s.peer);
    } finally {
      await s.done();
    }
  });

  test("a second welcome is ignored: channel hashes, limits and protocol stay those of the first", async () => {
    const s = await scripted();
    try {
      s.peer.send(welcome());
      await settled(s.conn.ready, "ready");
      // Everything about it differs, its protocol included.
      s.peer.send({ type: "welcome", protocol: 7, channels: { [CHANNEL]: "another-hash" }, maxMessageBytes: 10, maxInFlight: 1, compat: { [CHANNEL]: { unusable: { add: "no" } } } });
      // A notification after it: once it is delivered, the second welcome was read.
      const delivered = new Promise<void>((resolve) => s.conn.addListener("events-v1", () => resolve()));
      s.peer.send({ type: "notify", channel: "events-v1", method: "tick", args: [1] });
      await settled(delivered, "the notification after the second welcome");
      assert.equal(s.conn.isValid, true);
      assert.equal(s.conn.protocol, 1);
      assert.deepEqual(s.conn.backendChannels, { [CHANNEL]: echoDescriptor.schemaHash });
      assert.equal(s.conn.schemaMatches(CHANNEL, echoDescriptor.schemaHash), true);
      // A call larger than 10 bytes on the channel, typed (so its schema hash is checked).
      await stillWorks(s.conn, s.peer);
    } finally {
      await s.done();
    }
  });
});

describe("frontend: error messages", () => {
  test("an error for a pending call without a string code rejects it with internal, its message kept", async () => {
    const s = await scripted();
    try {
      s.peer.send(welcome());
      for (const code of [undefined, 5, null, { code: "declared" }]) {
        const call = s.conn.callRaw(CHANNEL, "add", [1, 2]);
        const sent = await expectMessage(s.peer, { type: "call", method: "add" });
        s.peer.send({ type: "error", id: sent.id, ...(code !== undefined ? { code } : {}), message: `boom ${JSON.stringify(code)}` });
        const e = await rejectsWith(call, "internal", `code ${JSON.stringify(code)}`);
        assert.equal(e.message, `boom ${JSON.stringify(code)}`);
      }
      await stillWorks(s.conn, s.peer);
    } finally {
      await s.done();
    }
  });

  test("an error with id null after the welcome is reported and the connection stays usable, whatever its code", async () => {
    const s = await scripted();
    try {
      s.peer.send(welcome());
      await settled(s.conn.ready, "ready");
      const pending = s.conn.callRaw(CHANNEL, "add", [1, 2]);
      const sent = await expectMessage(s.peer, { type: "call", method: "add" });
      for (const code of ["versionMismatch", "unauthorized", "badRequest", "tooLarge"]) {
        s.peer.send({ type: "error", id: null, code, message: `stray ${code}` });
        const reported = await s.reports.next((e) => e.message === `stray ${code}`, `the report of ${code}`);
        assert.equal(reported.code, code);
      }
      assert.equal(s.conn.isValid, true);
      // The call that was in flight is still answered.
      s.peer.send({ type: "result", id: sent.id, value: 3 });
      assert.equal(await settled(pending, "the call in flight"), 3);
      await stillWorks(s.conn, s.peer);
    } finally {
      await s.done();
    }
  });

  test("an error with id null before the welcome is the handshake's failure", async () => {
    for (const code of ["unauthorized", "badRequest"]) {
      const s = await scripted();
      try {
        const waiting = s.conn.callRaw(CHANNEL, "add", [1, 2]);
        s.peer.send({ type: "error", id: null, code, message: "refused" });
        await rejectsWith(waiting, code, "the call waiting for the welcome");
        await rejectsWith(s.conn.ready, code, "ready");
        await rejectsWith(s.conn.callRaw(CHANNEL, "add", [1, 2]), code, "a later call");
        assert.equal((await s.peer.next()).kind, "closed");
      } finally {
        await s.done();
      }
    }
  });
});
