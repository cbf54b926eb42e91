//! A TS client against a TS host over in-memory and a real WebSocket on 127.0.0.1: every type, every error path.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addNotificationListener,
  c,
  callMethod,
  createClient,
  createMemorySocketPair,
  DeclaredError,
  IpcConnection,
  IpcError,
  IpcHost,
  isDeclaredError,
  isIpcError,
  isIpcErrorCode,
  withOptions,
  type Codec,
  type ConnectionOptions,
  type HostOptions,
  type InterfaceDescriptor,
  type IpcSocket,
} from "../src/common/index.js";
import { connectWebSocket, WebSocketBackend } from "../src/node/index.js";
import { Changes, within } from "./probe.js";
import { Inbox, splitBinary } from "./raw-peer.js";
import {
  echoDescriptor,
  echoErrorCodec,
  echoEventsDescriptor,
  echoImpl,
  holderCodec,
  moodCodec,
  personCodec,
  shapeCodec,
  treeCodec,
  type Echo,
  type EchoError,
  type EchoProbe,
  type Holder,
  type Person,
  type Shape,
  type Tree,
} from "./fixtures/echo.js";

/** One method per type, each returning its argument: a descriptor as the generator would write it. */
const typeCodecs = {
  bool: c.bool, i8: c.i8, i16: c.i16, i32: c.i32, u8: c.u8, u16: c.u16, u32: c.u32, i64: c.i64, u64: c.u64,
  f32: c.f32, f64: c.f64, string: c.string, bytes: c.bytes, void: c.void,
  i64List: c.array(c.i64), optF64List: c.array(c.optional(c.f64)), stringGrid: c.array(c.array(c.string)),
  optString: c.optional(c.string), mapStringI64: c.map(c.string, c.i64), mapU32Bytes: c.map(c.u32, c.bytes),
  mapI64String: c.map(c.i64, c.string), person: personCodec, mood: moodCodec, shape: shapeCodec, tree: treeCodec,
  holder: holderCodec, shapes: c.array(shapeCodec),
} as const;
type TypeName = keyof typeof typeCodecs;
type Types = { [K in TypeName]: (value: any) => Promise<any> };
const typesDescriptor: InterfaceDescriptor<Types> = {
  channel: "types-v1",
  schemaHash: "types-hash",
  name: "Types",
  methods: Object.fromEntries(
    Object.entries(typeCodecs).map(([k, codec]) => [k, { params: [codec], required: 1, result: codec }]),
  ) as unknown as InterfaceDescriptor<Types>["methods"],
};
const typesImpl = Object.fromEntries(Object.keys(typeCodecs).map((k) => [k, async (v: unknown) => v])) as Types;

const bytes = (...xs: number[]) => new Uint8Array(xs);
const mib = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 255);
const person: Person = { id: -9223372036854775808n, name: "Zoë 😀", age: 4294967295, tags: ["", "ä"], avatar: bytes(0, 1, 255) };
const deepTree: Tree = { kind: "node", children: [{ kind: "leaf", value: 18n }, { kind: "node", children: [], shape: { kind: "empty" } }] };
const holder: Holder = {
  shape: { kind: "circle", radius: -0 },
  moods: new Map([["x", "sad"], ["__proto__", "happy"]]),
  weights: new Map([[-3n, undefined], [4n, NaN], [9223372036854775807n, Infinity]]),
};
const samples: { [K in TypeName]: unknown[] } = {
  bool: [true, false],
  i8: [-128, 127, 0], i16: [-32768, 32767], i32: [-2147483648, 2147483647], u8: [0, 255], u16: [65535], u32: [4294967295, 0],
  i64: [-9223372036854775808n, 9223372036854775807n, 0n], u64: [18446744073709551615n, 0n],
  f32: [1.5, Math.fround(0.1), NaN, Infinity, -Infinity, -0, 3.4028234663852886e38],
  f64: [0.1, -0, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 9007199254740993],
  string: ["", "hello", "h\u00e9llo \u65e5\u672c", "😀 \u0000 \n \" \\"],
  bytes: [bytes(), bytes(0, 1, 2, 255), mib],
  void: [undefined],
  i64List: [[], [1n, -1n]], optF64List: [[1, undefined, NaN]], stringGrid: [[[], ["a"], ["b", "c"]]],
  optString: [undefined, "", "x"],
  mapStringI64: [new Map(), new Map([["a", 1n], ["", -2n]])], mapU32Bytes: [new Map([[1, bytes(104, 105)], [0, bytes()]])],
  mapI64String: [new Map([[-9223372036854775808n, "min"], [9223372036854775807n, "max"]])],
  person: [person, { id: 1n, name: "Ann", tags: [], avatar: bytes() }],
  mood: ["happy", "sad"],
  shape: [{ kind: "circle", radius: 1.5 }, { kind: "rect", w: 1, h: Infinity }, { kind: "empty" }] satisfies Shape[],
  tree: [{ kind: "leaf", value: 1n }, deepTree],
  holder: [holder, { shape: { kind: "empty" }, maybe: { kind: "rect", w: 1, h: 2 }, moods: new Map(), weights: new Map() }],
  shapes: [[{ kind: "empty" }, { kind: "circle", radius: NaN }]],
};

/** A host serving Echo and Types, and a connected frontend, over one transport. */
interface Setup {
  host: IpcHost;
  conn: IpcConnection;
  probe: EchoProbe;
  /** `call` messages the frontend sent (to prove some things send nothing). */
  sentCalls: () => number;
  /** How many `wait` handlers have started. */
  waiting: () => number;
  /**
   * Resolves once `predicate` holds, looked at again each time a handler starts or sees its
   * signal abort; fails after 5 s (a hang guard, not a timing assumption).
   */
  until(predicate: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

/** Counts outgoing call messages of a frontend socket. */
function counting(socket: IpcSocket): { socket: IpcSocket; calls: () => number } {
  let calls = 0;
  const send = socket.send.bind(socket);
  socket.send = (message: string | Uint8Array) => {
    if (typeof message === "string" ? message.startsWith('{"type":"call"') : splitBinary(message).value.type === "call") calls++;
    send(message);
  };
  return { socket, calls: () => calls };
}

type Transport = "in-memory" | "websocket";

async function setup(transport: Transport, hostOptions: HostOptions = {}, connOptions: ConnectionOptions = {}): Promise<Setup> {
  const changes = new Changes();
  const probe: EchoProbe = { aborted: [], onAbort: () => changes.notify() };
  let waiting = 0;
  const host = new IpcHost(hostOptions);
  host.register(
    echoDescriptor,
    echoImpl(host, probe, () => {
      waiting++;
      changes.notify();
    }),
  );
  host.register(typesDescriptor, typesImpl);
  host.declareNotifications(echoEventsDescriptor);
  let raw: IpcSocket;
  let backend: WebSocketBackend | undefined;
  if (transport === "in-memory") {
    const [frontend, back] = createMemorySocketPair();
    host.accept(back);
    raw = frontend;
  } else {
    backend = await WebSocketBackend.listen({ port: 0 });
    host.serve(backend);
    raw = await connectWebSocket(backend.url);
  }
  const { socket, calls } = counting(raw);
  const conn = new IpcConnection(socket, { channels: [echoDescriptor, typesDescriptor, echoEventsDescriptor], ...connOptions });
  return {
    host,
    conn,
    probe,
    sentCalls: calls,
    waiting: () => waiting,
    until: (predicate, what) => within(changes.until(predicate), what),
    async close() {
      conn.close();
      await host.shutdown();
    },
  };
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

for (const transport of ["in-memory", "websocket"] as const) {
  describe(`client ⇄ host over ${transport}`, () => {
    test("every type round-trips exactly", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(typesDescriptor, s.conn);
        for (const [name, values] of Object.entries(samples)) {
          for (const value of values) {
            const back = await client[name as TypeName](value);
            assert.deepEqual(back, value, `${name}: ${String(value)}`);
            if (typeof value === "number") assert.ok(Object.is(back, value), `${name}: ${value} came back as ${back}`);
          }
        }
        // -0 deep inside a union inside a struct keeps its sign.
        const h = (await client.holder(holder)) as Holder;
        assert.ok(Object.is((h.shape as { radius: number }).radius, -0));
      } finally {
        await s.close();
      }
    });

    test("AbortSignal cancels: rejects cancelled at once, the host sees the abort", async () => {
      const s = await setup(transport);
      try {
        const controller = new AbortController();
        const call = callMethod(echoDescriptor, "wait", [], { signal: controller.signal }, s.conn);
        await s.until(() => s.waiting() === 1, "the handler running");
        controller.abort();
        await rejectsWith(call, "cancelled");
        await s.until(() => s.probe.aborted.length === 1, "handler saw its signal abort");
        // An already aborted signal sends nothing.
        const before = s.sentCalls();
        await rejectsWith(callMethod(echoDescriptor, "wait", [], { signal: controller.signal }, s.conn), "cancelled");
        assert.equal(s.sentCalls(), before);
        assert.equal(await callMethod(echoDescriptor, "add", [1, 2], undefined, s.conn), 3);
      } finally {
        await s.close();
      }
    });

    test("timeout rejects with timeout and cancels the handler", async () => {
      const s = await setup(transport);
      try {
        const client = withOptions(createClient(echoDescriptor, s.conn), { timeout: 50 });
        await rejectsWith(client.wait(), "timeout");
        await s.until(() => s.probe.aborted.length === 1, "handler saw its signal abort");
        assert.equal(await client.add(2, 2), 4);
      } finally {
        await s.close();
      }
    });

    test("disconnect rejects every pending call with disconnected at once, and later calls too", async () => {
      const s = await setup(transport);
      const client = createClient(echoDescriptor, s.conn);
      const pending = [client.wait(), client.wait(), client.wait()];
      // The host shuts down with the three handlers running.
      await s.until(() => s.waiting() === 3, "the three handlers running");
      await s.host.shutdown();
      for (const p of pending) await rejectsWith(p, "disconnected");
      assert.equal(s.conn.isValid, false);
      await rejectsWith(client.add(1, 1), "disconnected");
      await s.until(() => s.probe.aborted.length === 3, "handlers aborted on disconnect");
    });

    test("unknown methods, prototype names and unknown channels are typed errors", async () => {
      const s = await setup(transport);
      try {
        await s.conn.ready;
        for (const method of ["nope", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
          await rejectsWith(s.conn.callRaw(echoDescriptor.channel, method, []), "unknownMethod");
        }
        await rejectsWith(s.conn.callRaw("no-such-channel", "x", []), "unknownChannel");
        await rejectsWith(s.conn.callRaw(echoDescriptor.channel, "add", ["1", 2]), "badRequest");
        // A local unknown method name (JS callers) is refused without sending.
        await rejectsWith(callMethod(echoDescriptor, "__proto__" as never, [] as never, undefined, s.conn), "unknownMethod");
      } finally {
        await s.close();
      }
    });

    test("declared errors arrive typed; a throwing handler is internal and the host keeps serving", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(echoDescriptor, s.conn);
        try {
          await client.fail("declared");
          assert.fail("no error");
        } catch (e) {
          assert.ok(isDeclaredError(e, echoErrorCodec));
          assert.deepEqual(e.data, { kind: "failed", reason: "asked" });
          assert.equal(e.message, "EchoError");
          assert.equal(isDeclaredError(e, personCodec as Codec<unknown>), false);
        }
        const denied = await client.fail("denied").catch((e: unknown) => e);
        assert.ok(isDeclaredError(denied, echoErrorCodec) && denied.data.kind === "denied");
        await rejectsWith(client.fail("internal"), "internal");
        await rejectsWith(client.fail("panic"), "internal");
        await rejectsWith(client.add(2147483647, 1), "internal");
        assert.equal(await client.add(1, 1), 2);
      } finally {
        await s.close();
      }
    });

    test("tooLarge: an oversize call fails locally; an oversize result is replaced by tooLarge", async () => {
      const s = await setup(transport, { maxMessageBytes: 4096 });
      try {
        const client = createClient(echoDescriptor, s.conn);
        await s.conn.ready;
        const before = s.sentCalls();
        await rejectsWith(client.echoString("x".repeat(5000)), "tooLarge");
        assert.equal(s.sentCalls(), before, "the oversize call was not sent");
        await rejectsWith(client.big(5000), "tooLarge");
        assert.equal(await client.big(3), "xxx");
      } finally {
        await s.close();
      }
    });

    test("tooManyCalls past maxInFlight", async () => {
      const s = await setup(transport, { maxInFlight: 2 });
      try {
        const client = createClient(echoDescriptor, s.conn);
        const a = new AbortController();
        const waits = [client.wait, client.wait].map((w) => withOptions(client, { signal: a.signal }).wait());
        await rejectsWith(client.add(1, 1), "tooManyCalls");
        a.abort();
        for (const w of waits) await rejectsWith(w, "cancelled");
        await s.until(() => s.probe.aborted.length === 2, "slots freed");
        assert.equal(await client.add(1, 1), 2);
      } finally {
        await s.close();
      }
    });

    test("token: missing or wrong is unauthorized, right works", async () => {
      for (const token of [undefined, "wrong"]) {
        const s = await setup(transport, { token: "s3cret" }, token === undefined ? {} : { token });
        try {
          await rejectsWith(s.conn.ready, "unauthorized");
          await rejectsWith(callMethod(echoDescriptor, "add", [1, 1], undefined, s.conn), "unauthorized");
        } finally {
          await s.close();
        }
      }
      const s = await setup(transport, { token: "s3cret" }, { token: "s3cret" });
      try {
        assert.equal(await callMethod(echoDescriptor, "add", [1, 1], undefined, s.conn), 2);
      } finally {
        await s.close();
      }
    });

    test("schema mismatch fails fast locally with versionMismatch; other channels keep working", async () => {
      const s = await setup(transport);
      try {
        await s.conn.ready;
        const stale: InterfaceDescriptor<Echo> = { ...echoDescriptor, schemaHash: "old-hash" };
        const before = s.sentCalls();
        const e = await rejectsWith(callMethod(stale, "add", [1, 1], undefined, s.conn), "versionMismatch");
        assert.deepEqual(e.data, { channel: echoDescriptor.channel, frontendHash: "old-hash", backendHash: echoDescriptor.schemaHash });
        assert.match(e.message, new RegExp(`old-hash.*${echoDescriptor.schemaHash}`));
        assert.equal(s.sentCalls(), before, "nothing was sent");
        assert.equal(await callMethod(typesDescriptor, "u8", [7], undefined, s.conn), 7);
      } finally {
        await s.close();
      }
    });

    test("the client object has only the interface's methods; awaiting it makes no call", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(echoDescriptor, s.conn);
        assert.deepEqual(Object.keys(client).sort(), Object.keys(echoDescriptor.methods).sort());
        assert.equal((client as unknown as { then?: unknown }).then, undefined);
        assert.ok(Object.isFrozen(client));
        await s.conn.ready;
        const before = s.sentCalls();
        const awaited = await client;
        assert.equal(awaited, client);
        assert.equal(s.sentCalls(), before);
      } finally {
        await s.close();
      }
    });

    test("notifications arrive in order, before the result; listener removal is identity-safe", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(echoDescriptor, s.conn);
        const got: string[] = [];
        const handler = { tick: (n: number) => got.push(`a${n}`) };
        const removeA1 = addNotificationListener(echoEventsDescriptor, handler, s.conn);
        const removeA2 = addNotificationListener(echoEventsDescriptor, handler, s.conn);
        const removeB = addNotificationListener(echoEventsDescriptor, { tick: (n) => got.push(`b${n}`) }, s.conn);
        await client.notifyMe(100);
        assert.deepEqual(
          got,
          Array.from({ length: 100 }, (_, i) => [`a${i + 1}`, `a${i + 1}`, `b${i + 1}`]).flat(),
        );
        got.length = 0;
        removeA1();
        removeA1(); // a second call removes nothing more (not the other registration of the same handler)
        await client.notifyMe(1);
        assert.deepEqual(got, ["a1", "b1"]);
        got.length = 0;
        removeA2();
        removeB();
        await client.notifyMe(1);
        assert.deepEqual(got, []);
        // Raw listeners: removeListener removes one registration of that function.
        const raw: number[] = [];
        const listener = (_method: string, n: unknown) => raw.push(n as number);
        s.conn.addListener(echoEventsDescriptor.channel, listener);
        const removeRaw = s.conn.addListener(echoEventsDescriptor.channel, listener);
        s.conn.removeListener(echoEventsDescriptor.channel, listener);
        await client.notifyMe(1);
        assert.deepEqual(raw, [1]);
        removeRaw();
        await client.notifyMe(1);
        assert.deepEqual(raw, [1]);
      } finally {
        await s.close();
      }
    });

    test("a notification that does not decode is reported, not delivered", async () => {
      const errors: IpcError[] = [];
      const s = await setup(transport, {}, { onError: (e) => errors.push(e) });
      try {
        const got: number[] = [];
        addNotificationListener(echoEventsDescriptor, { tick: (n) => got.push(n) }, s.conn);
        await s.conn.ready;
        s.host.notify(echoEventsDescriptor.channel, "tick", [-1]);
        s.host.notify(echoEventsDescriptor.channel, "tick", [5]);
        // Sent after the notifications on the same ordered connection: once it is answered, both arrived.
        assert.equal(await createClient(echoDescriptor, s.conn).add(1, 1), 2);
        assert.deepEqual(got, [5]);
        assert.ok(errors.some((e) => isIpcErrorCode(e, "badRequest") && /args\[0\]/.test(e.message)));
      } finally {
        await s.close();
      }
    });

    test("results may come back out of order; many calls in flight", async () => {
      const s = await setup(transport);
      try {
        const client = createClient(echoDescriptor, s.conn);
        const slow = new AbortController();
        const waiting = withOptions(client, { signal: slow.signal }).wait();
        const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => client.add(i, 1)));
        assert.deepEqual(sums, Array.from({ length: 200 }, (_, i) => i + 1));
        slow.abort();
        await rejectsWith(waiting, "cancelled");
      } finally {
        await s.close();
      }
    });
  });
}

describe("what a TS handler throws", () => {
  /** A method with `throws` and one without, as the generator writes their descriptor. */
  interface Ledger {
    withdraw(amount: number): Promise<number>;
    balance(): Promise<number>;
  }
  const ledgerDescriptor: InterfaceDescriptor<Ledger> = {
    channel: "ledger-v1",
    schemaHash: "ledger-hash",
    name: "Ledger",
    methods: {
      withdraw: { params: [c.u32], required: 1, result: c.u32, throws: echoErrorCodec, throwsName: "EchoError" },
      balance: { params: [], required: 0, result: c.u32 },
    },
  };

  test("only the declared error of a method that declares one is `declared`; anything else is `internal`, an IpcError keeps its code", async () => {
    const host = new IpcHost();
    host.register(ledgerDescriptor, {
      async withdraw(amount: number) {
        if (amount === 1) throw new DeclaredError<EchoError>({ kind: "denied" });
        if (amount === 2) throw new Error("the ledger file is unreadable");
        if (amount === 3) throw new DeclaredError({ kind: "not an EchoError" });
        if (amount === 4) throw new IpcError("timeout", "the ledger did not answer");
        return amount;
      },
      async balance() {
        throw new DeclaredError<EchoError>({ kind: "denied" });
      },
    });
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    const conn = new IpcConnection(frontend, { channels: [ledgerDescriptor] });
    try {
      const ledger = createClient(ledgerDescriptor, conn);
      const declared = await ledger.withdraw(1).catch((e: unknown) => e);
      assert.ok(isDeclaredError(declared, echoErrorCodec) && declared.data.kind === "denied");
      const internal = await rejectsWith(ledger.withdraw(2), "internal");
      assert.match(internal.message, /the ledger file is unreadable/);
      await rejectsWith(ledger.withdraw(3), "internal");
      await rejectsWith(ledger.withdraw(4), "timeout");
      await rejectsWith(ledger.balance(), "internal");
      assert.equal(await ledger.withdraw(5), 5);
    } finally {
      conn.close();
    }
  });
});

describe("WebSocket server specifics", () => {
  test("binds loopback by default and checks Origin against the allow-list", async () => {
    const host = new IpcHost();
    host.register(echoDescriptor, echoImpl(host));
    const backend = await WebSocketBackend.listen({ allowedOrigins: ["http://app.example"] });
    host.serve(backend);
    try {
      assert.equal(backend.host, "127.0.0.1");
      await rejectsWith(connectWebSocket(backend.url, { origin: "http://evil.example" }), "disconnected");
      const ok = new IpcConnection(await connectWebSocket(backend.url, { origin: "http://app.example" }));
      assert.equal(await callMethod(echoDescriptor, "echoString", ["hi"], undefined, ok), "hi");
      ok.close();
    } finally {
      await host.shutdown();
    }
  });

  test("a binary frame is a badRequest and the connection stays open", async () => {
    const host = new IpcHost();
    host.register(echoDescriptor, echoImpl(host));
    const backend = await WebSocketBackend.listen();
    host.serve(backend);
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(backend.url);
    const inbox = new Inbox<any>();
    ws.on("message", (d) => inbox.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ type: "hello", protocol: 1 }));
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify({ type: "call", id: 1, channel: echoDescriptor.channel, method: "add", args: [1, 2] }));
    const messages = await inbox.atLeast(3);
    assert.equal(messages[0].type, "welcome");
    assert.deepEqual([messages[1].code, messages[1].id], ["badRequest", null]);
    assert.deepEqual([messages[2].type, messages[2].value], ["result", 3]);
    ws.close();
    await host.shutdown();
  });

  test("an oversize frame is answered tooLarge (id null), then the connection closes with 1009", async () => {
    const host = new IpcHost();
    host.register(echoDescriptor, echoImpl(host));
    const backend = await WebSocketBackend.listen({ maxMessageBytes: 256 });
    host.serve(backend);
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(backend.url);
    try {
      const inbox = new Inbox<any>();
      const messages = inbox.items;
      ws.on("message", (d) => inbox.push(JSON.parse(d.toString())));
      const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
      await new Promise((r) => ws.once("open", r));
      ws.send(JSON.stringify({ type: "hello", protocol: 1 }));
      await inbox.atLeast(1);
      ws.send(JSON.stringify({ type: "call", id: 1, channel: echoDescriptor.channel, method: "echoString", args: ["x".repeat(300)] }));
      assert.equal(await closed, 1009);
      assert.equal(messages.length, 2, "an answer before the close");
      assert.deepEqual([messages[1].type, messages[1].code, messages[1].id], ["error", "tooLarge", null]);
      // The limit named is the WebSocket's own (the host's is the 64 MiB default).
      assert.equal(messages[1].data?.limit, 256);
    } finally {
      ws.terminate();
      await host.shutdown();
    }
  });
});
