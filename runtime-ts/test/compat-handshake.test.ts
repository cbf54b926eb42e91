//! The handshake with wire schemas (docs/protocol.md, "Compatible changes"): a frontend built from version 1 of a contract against a backend of version 2, over in-memory and a real WebSocket; peers without schemas; hostile `hello.schemas`.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addNotificationListener,
  createClient,
  createMemorySocketPair,
  HELLO_MAX_BYTES,
  IpcConnection,
  IpcError,
  IpcHost,
  isIpcError,
  notificationSender,
  type HostOptions,
  type IpcSocket,
} from "../src/common/index.js";
import { connectWebSocket, WebSocketBackend } from "../src/node/index.js";
import {
  SHOP,
  SHOP_EVENTS,
  shopEventsV1Descriptor,
  shopEventsV2Descriptor,
  shopV1Descriptor,
  shopV2Descriptor,
  shopV2Impl,
  V1_AGAINST_V2,
  type ShopEventsV1,
} from "./fixtures/shop.js";
import { RawPeer } from "./raw-peer.js";

/** Every message a frontend socket sends and receives, parsed. */
interface Tap {
  readonly sent: any[];
  readonly received: any[];
}

function tap(socket: IpcSocket): { socket: IpcSocket; tap: Tap } {
  const t: Tap = { sent: [], received: [] };
  const tapped: IpcSocket = {
    // Not `binary`: only text travels through this tap.
    send: (text) => {
      t.sent.push(JSON.parse(text as string));
      socket.send(text);
    },
    onMessage: (listener) =>
      socket.onMessage((text) => {
        t.received.push(JSON.parse(text as string));
        listener(text);
      }),
    onClose: (listener) => socket.onClose(listener),
    close: () => socket.close(),
  };
  return { socket: tapped, tap: t };
}

const callsOn = (t: Tap, channel: string) => t.sent.filter((m) => m.type === "call" && m.channel === channel).map((m) => m.method);
const notifiesOn = (t: Tap, channel: string) => t.received.filter((m) => m.type === "notify" && m.channel === channel).map((m) => m.method);

type Transport = "in-memory" | "websocket";

/** A version 2 backend (`Shop` served, `ShopEvents` declared) and a socket connected to it. */
async function v2Backend(transport: Transport, options: HostOptions = {}) {
  const calls: string[] = [];
  const host = new IpcHost(options);
  host.register(shopV2Descriptor, shopV2Impl(calls));
  host.declareNotifications(shopEventsV2Descriptor);
  if (transport === "in-memory") {
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    return { host, calls, socket: frontend, done: () => host.shutdown() };
  }
  const server = await WebSocketBackend.listen({ port: 0 });
  host.serve(server);
  const socket = await connectWebSocket(server.url);
  return {
    host,
    calls,
    socket,
    done: async () => {
      socket.close();
      await host.shutdown();
    },
  };
}

/** A rejection with the method form of `versionMismatch` for a version 1 member against version 2. */
function methodMismatch(channel: typeof SHOP, method: keyof (typeof V1_AGAINST_V2)[typeof SHOP]) {
  const reason = V1_AGAINST_V2[channel][method];
  return (error: unknown) => {
    assert.ok(isIpcError(error), String(error));
    assert.equal(error.code, "versionMismatch");
    assert.equal(error.message, `method "${method}" of channel "${channel}" does not work with this backend: ${reason}`);
    assert.deepEqual(error.data, { channel, method, frontendHash: "shop-hash-1", backendHash: "shop-hash-2", reason });
    return true;
  };
}

/** A rejection with the whole-channel form of `versionMismatch` (the rule without schemas). */
function channelMismatch(error: unknown): boolean {
  assert.ok(isIpcError(error), String(error));
  assert.equal(error.code, "versionMismatch");
  assert.equal(error.message, `channel "shop" has schema hash shop-hash-1 in the frontend but shop-hash-2 in the backend`);
  assert.deepEqual(error.data, { channel: SHOP, frontendHash: "shop-hash-1", backendHash: "shop-hash-2" });
  return true;
}

/** Descriptors as an older generator (or a hand-written one) makes them: no wire schema. */
const withoutSchema = <T extends { wireSchema?: string }>(d: T): T => {
  const { wireSchema: _, ...rest } = d;
  return rest as T;
};

for (const transport of ["in-memory", "websocket"] as const) {
  describe(`a version 1 frontend against a version 2 backend over ${transport}`, () => {
    test("usable methods work; unusable ones fail at once, naming the method, and nothing is sent", async () => {
      const backend = await v2Backend(transport);
      const { socket, tap: t } = tap(backend.socket);
      const conn = new IpcConnection(socket, { channels: [shopV1Descriptor, shopEventsV1Descriptor] });
      try {
        await conn.ready;
        const hello = t.sent[0];
        assert.equal(hello.type, "hello");
        assert.deepEqual(hello.schemas, { [SHOP]: JSON.parse(shopV1Descriptor.wireSchema!), [SHOP_EVENTS]: JSON.parse(shopEventsV1Descriptor.wireSchema!) });
        // The backend's verdict, exactly: what version 1 has and version 2 breaks.
        const welcome = t.received[0];
        assert.deepEqual(welcome.compat, { [SHOP]: { unusable: V1_AGAINST_V2[SHOP] }, [SHOP_EVENTS]: { unusable: V1_AGAINST_V2[SHOP_EVENTS] } });

        const shop = createClient(shopV1Descriptor, conn);
        assert.deepEqual(await shop.find(7), { id: 7, name: "item 7" });
        assert.equal(await shop.order(1, "large"), "ordered 1 (large)");
        await assert.rejects(shop.sizes(), methodMismatch(SHOP, "sizes"));
        await assert.rejects(shop.price(1), methodMismatch(SHOP, "price"));
        await assert.rejects(shop.legacy(), methodMismatch(SHOP, "legacy"));
        // Still usable after the refusals, on the same connection.
        assert.deepEqual(await shop.find(8), { id: 8, name: "item 8" });
        assert.deepEqual(callsOn(t, SHOP), ["find", "order", "find"]);
        assert.deepEqual(backend.calls, ["find", "order", "find"]);
        // The verdicts are about the schema that went out: a caller with another hash gets the whole-channel rule.
        await assert.rejects(conn.callRaw(SHOP, "find", [1], { schemaHash: "shop-hash-0" }), (e: unknown) => isIpcError(e) && e.message.startsWith(`channel "shop" has schema hash shop-hash-0`));
        assert.equal(callsOn(t, SHOP).length, 3);
      } finally {
        conn.close();
        await backend.done();
      }
    });

    test("notifications: usable ones arrive; unusable and backend-only ones are not sent", async () => {
      const backend = await v2Backend(transport);
      const { socket, tap: t } = tap(backend.socket);
      const problems: IpcError[] = [];
      const conn = new IpcConnection(socket, { channels: [shopV1Descriptor, shopEventsV1Descriptor], onError: (e) => problems.push(e) });
      try {
        await conn.ready;
        const got: string[] = [];
        const handlers: ShopEventsV1 = { restocked: (id) => got.push(`restocked ${id}`), priced: (id, price) => got.push(`priced ${id} ${price}`) };
        addNotificationListener(shopEventsV1Descriptor, handlers, conn);
        const [id] = backend.host.connectionIds;
        const toOne = notificationSender(backend.host, shopEventsV2Descriptor, id);
        const toAll = notificationSender(backend.host, shopEventsV2Descriptor);
        for (const events of [toOne, toAll]) {
          events.opened();
          events.priced(1, 2.5);
          events.restocked(5);
        }
        // Messages arrive in order: once a later call is answered, every notification sent before it is in.
        assert.deepEqual(await createClient(shopV1Descriptor, conn).find(1), { id: 1, name: "item 1" });
        assert.deepEqual(notifiesOn(t, SHOP_EVENTS), ["restocked", "restocked"]);
        assert.deepEqual(got, ["restocked 5", "restocked 5"]);
        assert.deepEqual(problems, []);
      } finally {
        conn.close();
        await backend.done();
      }
    });

    test("a frontend that sends no schemas gets the whole-channel rule", async () => {
      const backend = await v2Backend(transport);
      const { socket, tap: t } = tap(backend.socket);
      const conn = new IpcConnection(socket, { channels: [withoutSchema(shopV1Descriptor), withoutSchema(shopEventsV1Descriptor)] });
      try {
        await conn.ready;
        assert.equal("schemas" in t.sent[0], false);
        assert.equal("compat" in t.received[0], false);
        const shop = createClient(shopV1Descriptor, conn);
        await assert.rejects(shop.find(1), channelMismatch);
        await assert.rejects(shop.price(1), channelMismatch);
        notificationSender(backend.host, shopEventsV2Descriptor).restocked(1);
        // A call on the channel the backend serves as it is answered (with an error): the notification, sent before it, is not there.
        await assert.rejects(conn.callRaw(SHOP, "find", [1]), channelMismatch);
        assert.deepEqual(notifiesOn(t, SHOP_EVENTS), []);
        assert.deepEqual(backend.calls, []);
        assert.deepEqual(callsOn(t, SHOP), ["find"]);
      } finally {
        conn.close();
        await backend.done();
      }
    });
  });
}

/** A frontend connection to a scripted backend (an older or a misbehaving runtime). */
function rawBackend(options: ConstructorParameters<typeof IpcConnection>[1]) {
  const [frontend, backend] = createMemorySocketPair();
  const { socket, tap: t } = tap(frontend);
  const peer = new RawPeer(backend);
  const conn = new IpcConnection(socket, options);
  return { conn, peer, tap: t };
}

const v2Channels = { [SHOP]: "shop-hash-2", [SHOP_EVENTS]: "shop-events-hash-2" };

describe("the frontend against backends that judge differently", () => {
  test("a backend whose welcome has no compat (an older runtime): the whole-channel rule", async () => {
    const problems: IpcError[] = [];
    const { conn, peer, tap: t } = rawBackend({ channels: [shopV1Descriptor, shopEventsV1Descriptor], onError: (e) => problems.push(e) });
    const hello = await peer.next();
    assert.equal(hello.kind === "message" && hello.value.type, "hello");
    peer.send({ type: "welcome", protocol: 1, channels: v2Channels, maxMessageBytes: 1 << 20, maxInFlight: 8 });
    await conn.ready;
    const got: string[] = [];
    addNotificationListener(shopEventsV1Descriptor, { restocked: (id) => got.push(`restocked ${id}`) }, conn);
    await assert.rejects(createClient(shopV1Descriptor, conn).find(1), channelMismatch);
    await assert.rejects(createClient(shopV1Descriptor, conn).order(1, "small"), channelMismatch);
    assert.deepEqual(callsOn(t, SHOP), []);
    // A notification on the mismatched channel is dropped and reported; the close ends the test.
    peer.send({ type: "notify", channel: SHOP_EVENTS, method: "restocked", args: [1] });
    const closed = new Promise((resolve) => conn.onClose(resolve));
    peer.socket.close();
    await closed;
    assert.deepEqual(got, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, "versionMismatch");
    assert.match(problems[0]!.message, /^channel "shop-events" has schema hash shop-events-hash-1 in the frontend but shop-events-hash-2 in the backend$/);
  });

  test("an unusable notification that arrives anyway is dropped and reported; usable ones are delivered", async () => {
    const problems: IpcError[] = [];
    const { conn, peer } = rawBackend({ channels: [shopV1Descriptor, shopEventsV1Descriptor], onError: (e) => problems.push(e) });
    await peer.next();
    const compat = { [SHOP_EVENTS]: { unusable: V1_AGAINST_V2[SHOP_EVENTS] } };
    peer.send({ type: "welcome", protocol: 1, channels: v2Channels, maxMessageBytes: 1 << 20, maxInFlight: 8, compat });
    await conn.ready;
    const got: string[] = [];
    addNotificationListener(shopEventsV1Descriptor, { restocked: (id) => got.push(`restocked ${id}`), priced: (id) => got.push(`priced ${id}`) }, conn);
    peer.send({ type: "notify", channel: SHOP_EVENTS, method: "priced", args: [1, 2.5] });
    peer.send({ type: "notify", channel: SHOP_EVENTS, method: "restocked", args: [2] });
    const closed = new Promise((resolve) => conn.onClose(resolve));
    peer.socket.close();
    await closed;
    assert.deepEqual(got, ["restocked 2"]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, "versionMismatch");
    assert.equal(problems[0]!.message, `notification "priced" of channel "shop-events" dropped: ${V1_AGAINST_V2[SHOP_EVENTS].priced}`);
    assert.deepEqual(problems[0]!.data, {
      channel: SHOP_EVENTS,
      notification: "priced",
      frontendHash: "shop-events-hash-1",
      backendHash: "shop-events-hash-2",
      reason: V1_AGAINST_V2[SHOP_EVENTS].priced,
    });
    // `shop` is not in compat: not judged, so the whole channel is mismatched.
    await assert.rejects(createClient(shopV1Descriptor, conn).find(1), (e: unknown) => isIpcError(e) && e.code === "disconnected");
  });

  test("a malformed compat is reported and no channel counts as judged", async () => {
    const problems: IpcError[] = [];
    const { conn, peer, tap: t } = rawBackend({ channels: [shopV1Descriptor, shopEventsV1Descriptor], onError: (e) => problems.push(e) });
    await peer.next();
    const compat = { [SHOP_EVENTS]: { unusable: {} }, [SHOP]: { unusable: { price: 5 } } };
    peer.send({ type: "welcome", protocol: 1, channels: v2Channels, maxMessageBytes: 1 << 20, maxInFlight: 8, compat });
    await conn.ready;
    await assert.rejects(createClient(shopV1Descriptor, conn).find(1), channelMismatch);
    assert.ok(conn.checkNotification(SHOP_EVENTS, "restocked", shopEventsV1Descriptor.schemaHash), "shop-events is not judged either");
    assert.deepEqual(callsOn(t, SHOP), []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /welcome compat of channel "shop" is not/);
    conn.close();
  });

  test("a verdict on a channel whose schema did not go out is not taken", async () => {
    const { conn, peer } = rawBackend({ channels: [withoutSchema(shopV1Descriptor)] });
    await peer.next();
    peer.send({ type: "welcome", protocol: 1, channels: v2Channels, maxMessageBytes: 1 << 20, maxInFlight: 8, compat: { [SHOP]: { unusable: {} } } });
    await conn.ready;
    await assert.rejects(createClient(shopV1Descriptor, conn).find(1), channelMismatch);
    conn.close();
  });

  test("a descriptor whose wire schema is invalid sends none (reported), so its channel is compared by hash", async () => {
    const problems: IpcError[] = [];
    const broken = { ...shopV1Descriptor, wireSchema: `{"format":1,"kind":"interface"}` };
    const { conn, peer } = rawBackend({ channels: [broken], onError: (e) => problems.push(e) });
    const hello = await peer.next();
    assert.ok(hello.kind === "message" && !("schemas" in hello.value));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /the wire schema of channel shop is invalid/);
    conn.close();
  });
});

/** A scripted frontend against a version 2 backend in memory. */
function rawFrontend(options: HostOptions = {}) {
  const calls: string[] = [];
  const problems: unknown[] = [];
  const host = new IpcHost({ ...options, onError: (e) => problems.push(e) });
  host.register(shopV2Descriptor, shopV2Impl(calls));
  host.declareNotifications(shopEventsV2Descriptor);
  const [frontend, backend] = createMemorySocketPair();
  host.accept(backend);
  return { host, calls, problems, peer: new RawPeer(frontend) };
}

const v1Hello = (extra: object = {}) => ({
  type: "hello",
  protocol: 1,
  channels: { [SHOP]: "shop-hash-1", [SHOP_EVENTS]: "shop-events-hash-1" },
  schemas: { [SHOP]: JSON.parse(shopV1Descriptor.wireSchema!), [SHOP_EVENTS]: JSON.parse(shopEventsV1Descriptor.wireSchema!) },
  ...extra,
});

async function expectMessage(peer: RawPeer): Promise<any> {
  const got = await peer.next();
  assert.equal(got.kind, "message", JSON.stringify(got));
  return (got as { value: unknown }).value;
}

async function expectBadHello(hello: unknown, why: RegExp): Promise<void> {
  const { host, peer } = rawFrontend();
  peer.send(hello);
  const error = await expectMessage(peer);
  assert.deepEqual({ type: error.type, id: error.id, code: error.code }, { type: "error", id: null, code: "badRequest" });
  assert.match(error.message, why);
  assert.equal((await peer.next()).kind, "closed");
  await host.shutdown();
}

describe("the backend's side of the handshake", () => {
  test("calls of unusable methods are refused with the method form; the others dispatch", async () => {
    const { host, calls, peer } = rawFrontend();
    peer.send(v1Hello());
    const welcome = await expectMessage(peer);
    assert.deepEqual(welcome.compat, { [SHOP]: { unusable: V1_AGAINST_V2[SHOP] }, [SHOP_EVENTS]: { unusable: V1_AGAINST_V2[SHOP_EVENTS] } });
    const call = (id: number, method: string, args: unknown[]) => peer.send({ type: "call", id, channel: SHOP, method, args });
    call(1, "price", [1]);
    assert.deepEqual(await expectMessage(peer), {
      type: "error",
      id: 1,
      code: "versionMismatch",
      message: `method "price" of channel "shop" does not work with this backend: ${V1_AGAINST_V2[SHOP].price}`,
      data: { channel: SHOP, method: "price", frontendHash: "shop-hash-1", backendHash: "shop-hash-2", reason: V1_AGAINST_V2[SHOP].price },
    });
    call(2, "legacy", []);
    assert.equal((await expectMessage(peer)).code, "versionMismatch");
    call(3, "find", [4]);
    assert.deepEqual(await expectMessage(peer), { type: "result", id: 3, value: { id: 4, name: "item 4", note: "new in v2" } });
    // A method the frontend does not have is not in the verdict: it dispatches as usual.
    call(4, "count", []);
    assert.deepEqual(await expectMessage(peer), { type: "result", id: 4, value: 3 });
    call(5, "nope", []);
    assert.equal((await expectMessage(peer)).code, "unknownMethod");
    assert.deepEqual(calls, ["find", "count"]);
    await host.shutdown();
  });

  test("a channel with the same hash is not judged, whatever schema comes with it", async () => {
    const { host, peer } = rawFrontend();
    peer.send(v1Hello({ channels: { [SHOP]: "shop-hash-2" } }));
    const welcome = await expectMessage(peer);
    assert.equal(welcome.type, "welcome");
    assert.equal("compat" in welcome, false);
    peer.send({ type: "call", id: 1, channel: SHOP, method: "price", args: ["abc"] });
    assert.deepEqual(await expectMessage(peer), { type: "result", id: 1, value: 3 });
    await host.shutdown();
  });

  test("a schema of another format: that channel is compared by hash", async () => {
    const { host, peer } = rawFrontend();
    peer.send(v1Hello({ schemas: { [SHOP]: { format: 3, anything: [1, 2, 3] } } }));
    const welcome = await expectMessage(peer);
    assert.equal("compat" in welcome, false);
    peer.send({ type: "call", id: 1, channel: SHOP, method: "find", args: [1] });
    const error = await expectMessage(peer);
    assert.equal(error.code, "versionMismatch");
    assert.deepEqual(error.data, { channel: SHOP, frontendHash: "shop-hash-1", backendHash: "shop-hash-2" });
    await host.shutdown();
  });

  test("schemas null counts as absent", async () => {
    const { host, peer } = rawFrontend();
    peer.send(v1Hello({ schemas: null }));
    const welcome = await expectMessage(peer);
    assert.equal(welcome.type, "welcome");
    assert.equal("compat" in welcome, false);
    await host.shutdown();
  });

  test("hostile schemas: not an object, invalid, deeply nested → badRequest and close", async () => {
    for (const schemas of [[], "x", 5, true]) await expectBadHello(v1Hello({ schemas }), /hello schemas is not an object/);
    await expectBadHello(v1Hello({ schemas: { [SHOP]: { format: 1, kind: "interface" } } }), /channel "shop": invalid channel schema: missing field `members`/);
    // A channel the frontend does not list, or the backend does not serve: checked all the same.
    await expectBadHello(v1Hello({ schemas: { elsewhere: null } }), /channel "elsewhere": invalid channel schema/);
    await expectBadHello(v1Hello({ schemas: { [SHOP]: { format: 1, kind: "interface", members: { m: [[]] } } } }), /invalid channel schema/);
    let deep = `"i64"`;
    for (let i = 0; i < 200_000; i++) deep = `{"array":${deep}}`;
    const text = JSON.stringify(v1Hello({ schemas: { [SHOP]: "DEEP" } })).replace(`"DEEP"`, `{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"a","type":${deep}}]}}}`);
    await expectBadHello(text, /recursion limit exceeded/);
  });

  test("schemas too large to compare within the budget: compared by hash, reported, no hang", async () => {
    // Version 1's `Size` with a million more values: each costs a step of the comparison.
    const values = Array.from({ length: 1_000_001 }, (_, i) => `"${i}"`).join(",");
    const schema = shopV1Descriptor.wireSchema!.replace(`"values":["small","large"]`, `"values":["small","large",${values}]`);
    assert.notEqual(schema, shopV1Descriptor.wireSchema);
    const { host, problems, peer } = rawFrontend();
    peer.send(JSON.stringify(v1Hello({ schemas: { [SHOP]: "SCHEMA" } })).replace(`"SCHEMA"`, schema));
    const welcome = await expectMessage(peer);
    assert.equal(welcome.type, "welcome");
    assert.equal("compat" in welcome, false);
    assert.equal(problems.length, 1);
    assert.match(String((problems[0] as Error).message), /too large to compare/);
    peer.send({ type: "call", id: 1, channel: SHOP, method: "find", args: [1] });
    assert.deepEqual((await expectMessage(peer)).data, { channel: SHOP, frontendHash: "shop-hash-1", backendHash: "shop-hash-2" });
    await host.shutdown();
  });

  test("a backend channel without a wire schema is compared by hash", async () => {
    const host = new IpcHost();
    host.register(withoutSchema(shopV2Descriptor), shopV2Impl([]));
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    const peer = new RawPeer(frontend);
    peer.send(v1Hello());
    const welcome = await expectMessage(peer);
    assert.equal("compat" in welcome, false);
    await host.shutdown();
  });

  test("a hello may be 1 MiB whatever maxMessageBytes; past that: tooLarge and close", async () => {
    // In memory, the host checks sizes itself.
    const small = rawFrontend({ maxMessageBytes: 256 });
    const hello = JSON.stringify(v1Hello());
    assert.ok(hello.length > 256);
    small.peer.send(hello);
    const welcome = await expectMessage(small.peer);
    assert.equal(welcome.type, "welcome");
    assert.equal(welcome.maxMessageBytes, 256);
    small.peer.send({ type: "call", id: 1, channel: SHOP, method: "find", args: [1], padding: "x".repeat(300) });
    assert.deepEqual(await expectMessage(small.peer), { type: "error", id: 1, code: "tooLarge", message: "message larger than 256 bytes", data: { limit: 256 } });
    await small.host.shutdown();

    const big = rawFrontend({ maxMessageBytes: 256 });
    big.peer.send(JSON.stringify(v1Hello({ padding: "x".repeat(HELLO_MAX_BYTES) })));
    const error = await expectMessage(big.peer);
    assert.deepEqual({ type: error.type, id: error.id, code: error.code, data: error.data }, { type: "error", id: null, code: "tooLarge", data: { limit: HELLO_MAX_BYTES } });
    assert.equal((await big.peer.next()).kind, "closed");
    await big.host.shutdown();
  });

  test("over WebSocket too: the first frame may be 1 MiB, later ones keep the limit (tooLarge, then 1009)", async () => {
    const host = new IpcHost({ maxMessageBytes: 256 });
    host.register(shopV2Descriptor, shopV2Impl([]));
    const server = await WebSocketBackend.listen({ port: 0, maxMessageBytes: 256 });
    host.serve(server);
    const peer = new RawPeer(await connectWebSocket(server.url));
    try {
      peer.send(v1Hello({ padding: "x".repeat(100_000) }));
      assert.equal((await expectMessage(peer)).type, "welcome");
      peer.send({ type: "call", id: 1, channel: SHOP, method: "find", args: [1], padding: "x".repeat(300) });
      assert.deepEqual(await expectMessage(peer), { type: "error", id: null, code: "tooLarge", message: "message larger than 256 bytes", data: { limit: 256 } });
      const closed = await peer.next();
      assert.ok(closed.kind === "closed" && closed.reason.includes("1009"), JSON.stringify(closed));
    } finally {
      peer.socket.close();
      await host.shutdown();
    }
  });

  test("a frontend whose hello would pass 1 MiB with its schemas leaves them out", async () => {
    const huge = { ...shopV1Descriptor, wireSchema: shopV1Descriptor.wireSchema!.replace(`"values":["small","large"]`, `"values":["small","large",${Array.from({ length: 200_000 }, (_, i) => `"v${i}"`).join(",")}]`) };
    const { conn, peer } = rawBackend({ channels: [huge, shopEventsV1Descriptor] });
    const hello = await peer.next();
    assert.ok(hello.kind === "message");
    assert.equal("schemas" in hello.value, false);
    assert.deepEqual(hello.value.channels, { [SHOP]: "shop-hash-1", [SHOP_EVENTS]: "shop-events-hash-1" });
    // So a verdict the backend sends anyway is not taken: the whole channel is mismatched.
    peer.send({ type: "welcome", protocol: 1, channels: v2Channels, maxMessageBytes: 1 << 20, maxInFlight: 8, compat: { [SHOP]: { unusable: {} } } });
    await conn.ready;
    await assert.rejects(createClient(shopV1Descriptor, conn).find(1), channelMismatch);
    conn.close();
  });

  test("registering a descriptor whose wire schema is invalid fails at once", () => {
    const host = new IpcHost();
    assert.throws(() => host.register({ ...shopV2Descriptor, wireSchema: "{}" }, shopV2Impl([])), /wire schema of channel shop is invalid/);
  });
});
