//! Bad input never crashes either side: random and mutated messages fed to a host and to a frontend connection, and messages nested far past the depth limit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { addNotificationListener, createMemorySocketPair, IpcConnection, IpcError } from "../src/common/index.js";
import { echoClient } from "./generated/vectors.js";
import { echoDescriptor, echoEventsDescriptor, startEchoHost } from "./fixtures/echo.js";
import { within } from "./probe.js";
import { matches, RawPeer } from "./raw-peer.js";

/** A small deterministic PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

const seeds = [
  '{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"echoPerson","args":[{"id":"1","name":"Ann","tags":["a"],"avatar":"aGk="}]}',
  '{"type":"call","id":2,"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,2]}',
  '{"type":"cancel","id":2}',
  '{"type":"call","id":3,"channel":"ipcc-vectors-echo-v1","method":"echoOptional","args":[null]}',
];
const alphabet = '{}[]":,0123456789-.eE \\u"abcdeftrunl\ud800';

function mutate(text: string, random: () => number): string {
  const chars = [...text];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (chars.length + 1));
    const r = random();
    const ch = alphabet[Math.floor(random() * alphabet.length)]!;
    if (r < 0.4) chars.splice(at, 1);
    else if (r < 0.8) chars.splice(at, 0, ch);
    else chars[at] = ch;
  }
  return chars.join("");
}

test("a host answers or ignores 3000 mutated messages without crashing, and still serves", async () => {
  const host = startEchoHost();
  const [frontend, backend] = createMemorySocketPair();
  host.accept(backend);
  const peer = new RawPeer(frontend);
  peer.send({ type: "hello", protocol: 1 });
  assert.equal(((await peer.next()) as { value: { type: string } }).value.type, "welcome");
  const random = rng(42);
  for (let i = 0; i < 3000; i++) peer.send(mutate(seeds[i % seeds.length]!, random));
  peer.send({ type: "call", id: 999999, channel: "ipcc-vectors-echo-v1", method: "add", args: [20, 22] });
  for (;;) {
    const got = await peer.next();
    assert.equal(got.kind, "message", "the host closed the connection");
    const m = (got as { value: { type: string; id?: number; value?: unknown } }).value;
    if (m.type === "result" && m.id === 999999) {
      assert.equal(m.value, 42);
      break;
    }
  }
  await host.shutdown();
});

test("a frontend survives garbage from its backend and reports it", async () => {
  const [frontend, backend] = createMemorySocketPair();
  const errors: IpcError[] = [];
  const conn = new IpcConnection(frontend, { onError: (e) => errors.push(e) });
  // A notification on a channel of its own, sent after the garbage: messages are handled in
  // order, so when it is delivered every message before it has been.
  const barrier = new Promise<void>((resolve, reject) => {
    conn.addListener("barrier", () => resolve());
    conn.onClose((e) => reject(new Error(`the garbage closed the connection: ${e.message}`)));
  });
  const random = rng(7);
  backend.onMessage(() => {});
  backend.send('{"type":"welcome","protocol":1,"channels":{},"maxMessageBytes":1000,"maxInFlight":10}');
  const replies = ['{"type":"result","id":1,"value":3}', '{"type":"notify","channel":"c","method":"m","args":[1]}', '{"type":"error","id":1,"code":"x","message":"y"}'];
  for (let i = 0; i < 2000; i++) backend.send(mutate(replies[i % replies.length]!, random));
  backend.send('{"type":"notify","channel":"barrier","method":"reached","args":[]}');
  await conn.ready;
  await within(barrier, "the notification sent after the garbage");
  assert.ok(errors.length > 0, "malformed messages were reported");
  assert.equal(conn.isValid, true);
  conn.close();
});

/** The next message's JSON (a hang guard fails the test when none comes). */
const nextValue = async (peer: RawPeer): Promise<any> => ((await peer.next()) as { value: unknown }).value;

/** Arrays nested `depth` deep, as JSON text. */
const arrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const DEEP = 100_000;

test("a host refuses values nested 100,000 deep and skips unknown fields that deep, without exhausting the stack", async () => {
  const host = startEchoHost();
  const [frontend, backend] = createMemorySocketPair();
  host.accept(backend);
  const peer = new RawPeer(frontend);
  peer.send({ type: "hello", protocol: 1 });
  assert.equal(((await peer.next()) as { value: { type: string } }).value.type, "welcome");
  const call = (id: number, method: string, args: string, extra = "") => `{"type":"call","id":${id},"channel":"ipcc-vectors-echo-v1","method":"${method}","args":[${args}]${extra}}`;
  const person = (extra: string) => `{"id":"1","name":"Ann","tags":[],"avatar":"","extra":${extra}}`;
  const answers: unknown[] = [];
  peer.send(call(1, "echoPerson", person(arrays(DEEP))));
  answers.push(await nextValue(peer));
  peer.send(call(2, "add", "1,2", `,"extra":${arrays(DEEP)}`));
  answers.push(await nextValue(peer));
  peer.send(`{"type":${arrays(DEEP)},"id":3}`);
  answers.push(await nextValue(peer));
  assert.ok(matches(answers, [
    { type: "error", id: 1, code: "badRequest" },
    { type: "result", id: 2, value: 3 },
    { type: "error", id: 3, code: "badRequest" },
  ]), JSON.stringify(answers));
  await host.shutdown();
});

test("a frontend refuses values nested 100,000 deep and skips unknown fields that deep, without exhausting the stack", async () => {
  const [frontend, backend] = createMemorySocketPair();
  const peer = new RawPeer(backend);
  const errors: IpcError[] = [];
  const conn = new IpcConnection(frontend, { channels: [echoDescriptor, echoEventsDescriptor], onError: (e) => errors.push(e) });
  const ticks: number[] = [];
  addNotificationListener(echoEventsDescriptor, { tick: (n) => ticks.push(n) }, conn);
  assert.equal((await nextValue(peer)).type, "hello");
  peer.send(`{"type":"welcome","protocol":1,"channels":{},"extra":${arrays(DEEP)}}`);
  const client = echoClient(conn);
  // A result nested past the limit: the typed call fails with badRequest.
  const deep = client.echoPerson({ id: 1n, name: "Ann", tags: [], avatar: new Uint8Array() });
  let id = (await nextValue(peer)).id;
  let tree = '{"kind":"leaf","value":"1"}';
  for (let i = 0; i < DEEP; i++) tree = `{"kind":"node","children":[${tree}]}`;
  peer.send(`{"type":"result","id":${id},"value":${tree}}`);
  await assert.rejects(deep, (e: unknown) => e instanceof IpcError && e.code === "badRequest");
  // An error whose data nests past the limit arrives without it.
  const failing = conn.callRaw("ipcc-vectors-echo-v1", "fail", ["x"]);
  id = (await nextValue(peer)).id;
  peer.send(`{"type":"error","id":${id},"code":"internal","message":"deep","data":${arrays(DEEP)}}`);
  await assert.rejects(failing, (e: unknown) => e instanceof IpcError && e.code === "internal" && e.data === undefined);
  // A notification with a deep argument is reported, one with a deep unknown field delivered,
  // and a message whose type is deep reported.
  peer.send(`{"type":"notify","channel":"ipcc-vectors-events-v1","method":"tick","args":[${arrays(DEEP)}]}`);
  peer.send(`{"type":"notify","channel":"ipcc-vectors-events-v1","method":"tick","args":[7],"extra":${arrays(DEEP)}}`);
  peer.send(`{"type":${arrays(DEEP)}}`);
  const check = conn.callRaw("ipcc-vectors-echo-v1", "echoString", ["ok"]);
  id = (await nextValue(peer)).id;
  peer.send(`{"type":"result","id":${id},"value":"ok"}`);
  assert.equal(await check, "ok");
  assert.deepEqual(ticks, [7]);
  assert.deepEqual(errors.map((e) => e.code), ["badRequest", "badRequest"]);
  conn.close();
});

test("a welcome whose protocol nests 100,000 deep is a version mismatch naming no protocol", async () => {
  const [frontend, backend] = createMemorySocketPair();
  const peer = new RawPeer(backend);
  const conn = new IpcConnection(frontend, { channels: [echoDescriptor] });
  assert.equal((await nextValue(peer)).type, "hello");
  peer.send(`{"type":"welcome","protocol":${arrays(DEEP)}}`);
  await assert.rejects(conn.ready, (e: unknown) => e instanceof IpcError && e.code === "versionMismatch" && (e.data as { backendProtocol: unknown }).backendProtocol === null);
});
