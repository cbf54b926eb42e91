//! Protocol v2 binary `bytes` (docs/protocol.md, "Version 2: binary `bytes`"): round trips over in-memory, WebSocket and stdio with binary on and off on either side, and what went over the wire.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addNotificationListener,
  createClient,
  createMemorySocketPair,
  IpcConnection,
  type ConnectionOptions,
  type HostOptions,
  type IpcSocket,
  type SocketMessage,
} from "../src/common/index.js";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend } from "../src/node/index.js";
import { bytesDescriptor, bytesEventsDescriptor, startBytesHost, type Blob, type BytesTest } from "./fixtures/bytes.js";
import { bytesStdioBackend } from "./paths.js";
import { splitBinary } from "./raw-peer.js";

/** What a frontend socket sent and received, by form. */
interface Forms {
  /** Types of the messages sent as binary, and as text. */
  sentBinary: string[];
  sentText: string[];
  receivedBinary: string[];
  receivedText: string[];
}

/** Records every message's form, patching the socket in place (so `binary` and `enableBinary` stay). */
function recordForms(socket: IpcSocket): Forms {
  const forms: Forms = { sentBinary: [], sentText: [], receivedBinary: [], receivedText: [] };
  const typeOf = (m: SocketMessage): string => (typeof m === "string" ? JSON.parse(m).type : splitBinary(m).value.type);
  const send = socket.send.bind(socket);
  socket.send = (m: SocketMessage) => {
    (typeof m === "string" ? forms.sentText : forms.sentBinary).push(typeOf(m));
    send(m);
  };
  const onMessage = socket.onMessage.bind(socket);
  socket.onMessage = (listener) =>
    onMessage((m) => {
      (typeof m === "string" ? forms.receivedText : forms.receivedBinary).push(typeOf(m));
      listener(m);
    });
  return forms;
}

type Transport = "in-memory" | "websocket" | "stdio";
/** Binary on both sides, or turned off on one. */
type Mode = "on" | "frontend off" | "host off";

interface Setup {
  conn: IpcConnection;
  client: BytesTest;
  forms: Forms;
  close(): Promise<void>;
}

async function setup(transport: Transport, mode: Mode, hostOptions: HostOptions = {}, connOptions: ConnectionOptions = {}): Promise<Setup> {
  const hostOff = mode === "host off";
  const options: ConnectionOptions = { channels: [bytesDescriptor, bytesEventsDescriptor], ...(mode === "frontend off" ? { binary: false } : {}), ...connOptions };
  if (transport === "stdio") {
    const child = await spawnStdioBackend(process.execPath, [bytesStdioBackend, ...(hostOff ? ["--binary", "off"] : [])], { onStderr: () => {} });
    const forms = recordForms(child);
    const conn = new IpcConnection(child, options);
    return {
      conn,
      client: createClient(bytesDescriptor, conn),
      forms,
      async close() {
        conn.close();
        await child.exited;
      },
    };
  }
  const host = startBytesHost({ ...(hostOff ? { binary: false } : {}), ...hostOptions });
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
  const forms = recordForms(socket);
  const conn = new IpcConnection(socket, options);
  return {
    conn,
    client: createClient(bytesDescriptor, conn),
    forms,
    async close() {
      conn.close();
      await host.shutdown();
    },
  };
}

/** Bytes of `n` with a pattern that catches shifted, dropped or repeated bytes. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Bit-exact, without deepEqual's cost on 16 MiB, and a plain `Uint8Array` either way. */
function assertSameBytes(actual: unknown, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: not a Uint8Array`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.equal(Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.length), Buffer.from(expected.buffer, expected.byteOffset, expected.length)), 0, `${what}: content differs`);
}

const SIZES = [0, 1, 1 << 20, 16 << 20];
const label = (n: number) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n} B`);

for (const transport of ["in-memory", "websocket", "stdio"] as const) {
  describe(`binary bytes over ${transport}`, () => {
    for (const mode of ["on", "frontend off", "host off"] as const) {
      test(`binary ${mode}: 0 B, 1 B, 1 MiB and 16 MiB round-trip bit-exact as an argument, a struct field and stream items both ways`, async () => {
        const s = await setup(transport, mode);
        try {
          await s.conn.ready;
          assert.equal(s.conn.binaryBytes, mode === "on", "negotiated");
          const values = SIZES.map((n, i) => pattern(n, i + 1));
          for (const v of values) {
            assertSameBytes(await s.client.echo(v), v, `echo ${label(v.length)}`);
            const blob = await s.client.echoBlob({ name: "x", data: v, more: values[1]! });
            assert.equal(blob.name, "x");
            assertSameBytes(blob.data, v, `blob ${label(v.length)}`);
            assertSameBytes(blob.more, values[1]!, `blob.more`);
          }
          const echoed: Uint8Array[] = [];
          for await (const item of s.client.echoStream(values)) echoed.push(item);
          assert.equal(echoed.length, values.length);
          echoed.forEach((item, i) => assertSameBytes(item, values[i]!, `stream item ${i}`));
          assert.deepEqual(await s.client.lengths(values), SIZES);
          assert.equal(await s.client.ping(), "pong");

          const f = s.forms;
          assert.equal(f.sentText[0], "hello", "hello is text");
          assert.equal(f.receivedText[0], "welcome", "welcome is text");
          if (mode === "on") {
            // Exactly the messages holding bytes went binary, both ways; the rest stayed text.
            assert.deepEqual([...new Set(f.sentBinary)].sort(), ["call", "item"]);
            assert.deepEqual([...new Set(f.receivedBinary)].sort(), ["item", "result"]);
            assert.ok(f.sentText.includes("end") && f.sentText.includes("call"), "end and the calls without bytes (ping) are text");
            assert.ok(f.receivedText.includes("credit") && f.receivedText.includes("result"), "credit and results without bytes are text");
          } else {
            assert.deepEqual([f.sentBinary, f.receivedBinary], [[], []], "nothing binary without the announcement");
          }
        } finally {
          await s.close();
        }
      });
    }

    test("a notification with bytes reaches the listener bit-exact, binary when negotiated", async () => {
      for (const mode of ["on", "host off"] as const) {
        const s = await setup(transport, mode);
        try {
          const got: [Uint8Array, Blob][] = [];
          addNotificationListener(bytesEventsDescriptor, { got: (value, blob) => got.push([value, blob]) }, s.conn);
          // Two listeners decode the same message: each takes the attachments anew.
          let second = 0;
          addNotificationListener(bytesEventsDescriptor, { got: (value) => (second += value.length) }, s.conn);
          const v = pattern(1 << 20, 9);
          await s.client.broadcast(v);
          assert.equal(got.length, 1);
          assertSameBytes(got[0]![0], v, "value");
          assertSameBytes(got[0]![1].data, v, "blob.data");
          assert.equal(second, v.length);
          assert.equal(s.forms.receivedBinary.includes("notify"), mode === "on");
        } finally {
          await s.close();
        }
      }
    });
  });
}

describe("binary bytes: broadcast and limits", () => {
  test("a broadcast to binary and text connections gives each its form, serialized once per form", async () => {
    const host = startBytesHost();
    const sockets: { binary: boolean; received: SocketMessage[]; conn: IpcConnection }[] = [];
    for (const binary of [true, false, true, false]) {
      const [frontend, backend] = createMemorySocketPair();
      host.accept(backend);
      const received: SocketMessage[] = [];
      const onMessage = frontend.onMessage.bind(frontend);
      frontend.onMessage = (listener) => onMessage((m) => (received.push(m), listener(m)));
      const conn = new IpcConnection(frontend, { channels: [bytesDescriptor, bytesEventsDescriptor], binary });
      await conn.ready;
      sockets.push({ binary, received, conn });
    }
    const got: Uint8Array[][] = sockets.map(() => []);
    sockets.forEach((s, i) => addNotificationListener(bytesEventsDescriptor, { got: (v) => got[i]!.push(v) }, s.conn));
    const v = pattern(4096, 3);
    await createClient(bytesDescriptor, sockets[0]!.conn).broadcast(v);
    // The broadcast arrives before the result of the call that sent it on the calling connection;
    // on each other one, before the answer to a call made after it (a connection is ordered).
    for (const s of sockets.slice(1)) assert.equal(await createClient(bytesDescriptor, s.conn).ping(), "pong");
    const notifies = sockets.map((s) => s.received.filter((m) => (typeof m === "string" ? JSON.parse(m).type : splitBinary(m).value.type) === "notify"));
    for (const [i, s] of sockets.entries()) {
      assert.equal(notifies[i]!.length, 1);
      assert.equal(typeof notifies[i]![0] !== "string", s.binary, `connection ${i} got the ${s.binary ? "binary" : "text"} form`);
      assert.equal(got[i]!.length, 1);
      assertSameBytes(got[i]![0], v, `connection ${i}`);
    }
    // In memory a message travels as is: one binary message serves both binary connections.
    assert.equal(notifies[0]![0], notifies[2]![0]);
    for (const s of sockets) s.conn.close();
    await host.shutdown();
  });

  test("maxMessageBytes counts the whole binary message: a call just over it fails locally with tooLarge", async () => {
    // Limit L: the binary call with an attachment of n bytes is 4 + json + 4 + n bytes.
    const s = await setup("in-memory", "on", { maxMessageBytes: 2000 });
    try {
      await s.conn.ready;
      const fits = await s.client.echo(pattern(1800, 1));
      assert.equal(fits.length, 1800);
      await assert.rejects(s.client.echo(pattern(1990, 1)), (e: any) => e.code === "tooLarge");
      assert.equal(await s.client.ping(), "pong");
    } finally {
      await s.close();
    }
  });
});
