//! `ipcc compat` and the runtime agree: for every pair of the change corpus (compiler/tests/compat/),
//! a TS frontend generated from one version against a TS host generated from the other, in both
//! directions, in memory (and a sample of pairs over WebSocket and stdio). Every member of the
//! frontend does exactly what `ipcc compat --format json` says for that direction: a method it
//! calls compatible reaches the backend and returns; one it calls wire-breaking rejects at once
//! with `versionMismatch` naming the method and the same reason, and nothing is sent; a
//! notification arrives if and only if it is compatible. A frontend's channel the backend does
//! not serve (renamed, removed) gets `unknownChannel`.
//!
//! Arguments, results and notifications are sample values built from the writer's wire schema
//! and encoded by the generated codecs, so every compatible member is decoded for real by the
//! other version's codecs.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  addNotificationListener,
  createClient,
  createMemorySocketPair,
  IpcConnection,
  isIpcError,
  type IpcError,
  type IpcSocket,
} from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend } from "ipcc-runtime/node";
import { loadVersion, sampleArgs, serveVersion, SYNC_CHANNEL } from "../src/corpus.js";

const buildDir = resolve(dirname(fileURLToPath(import.meta.url)), ".."); // build/
const packageDir = resolve(buildDir, "..");
const generatedDir = join(packageDir, "generated");
const hostChild = join(buildDir, "src", "host-child.js");

type Direction = "oldFrontendNewBackend" | "newFrontendOldBackend";
type Transport = "in-memory" | "websocket" | "stdio";

interface CompatChannel {
  kind: "interface" | "notifications";
  oldChannel: string | null;
  newChannel: string | null;
  status: string;
  verdicts?: Record<Direction, Record<string, string | null>> | null;
}


const { pairs } = JSON.parse(readFileSync(join(generatedDir, "manifest.json"), "utf8")) as { pairs: string[] };

/** Every message a frontend sent and received, parsed. */
interface Tap {
  sent: any[];
  received: any[];
}

// The tap does not declare `binary`, so the runtime sends it text only.
function tap(socket: IpcSocket, t: Tap): IpcSocket {
  return {
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
}

/** A socket to a host serving the backend's version over `transport`, the calls that reached it (in-process hosts only), and a cleanup. */
async function open(transport: Transport, backendDir: string) {
  const calls: string[] = [];
  if (transport === "stdio") {
    const socket = await spawnStdioBackend(process.execPath, [hostChild, backendDir], { onStderr: () => {} });
    return {
      socket,
      calls: undefined,
      done: async () => {
        socket.close();
        await socket.exited;
      },
    };
  }
  const host = serveVersion(await loadVersion(backendDir), calls);
  if (transport === "in-memory") {
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    return { socket: frontend, calls, done: () => host.shutdown() };
  }
  const server = await WebSocketBackend.listen({ port: 0 });
  host.serve(server);
  const socket = await connectWebSocket(server.url);
  return {
    socket,
    calls,
    done: async () => {
      socket.close();
      await host.shutdown();
    },
  };
}

async function agree(pair: string, direction: Direction, transport: Transport): Promise<void> {
  const [frontendSide, backendSide] = direction === "oldFrontendNewBackend" ? ["old", "new"] : ["new", "old"];
  const frontend = await loadVersion(join(buildDir, "generated", pair, frontendSide));
  const backend = await loadVersion(join(buildDir, "generated", pair, backendSide));
  const compat = JSON.parse(readFileSync(join(generatedDir, pair, "compat.json"), "utf8")) as { channels: CompatChannel[] };
  const { socket, calls, done } = await open(transport, join(buildDir, "generated", pair, backendSide));
  const t: Tap = { sent: [], received: [] };
  const problems: IpcError[] = [];
  const descriptors = [...frontend.interfaces.values(), ...frontend.notifications.values()].map((e) => e.descriptor);
  const conn = new IpcConnection(tap(socket, t), { channels: descriptors, onError: (e) => problems.push(e) });
  try {
    await conn.ready;
    const delivered: string[] = [];
    for (const [channel, { descriptor, schema }] of frontend.notifications) {
      const handlers = Object.fromEntries(schema.memberNames.map((m) => [m, () => delivered.push(`${channel}.${m}`)]));
      addNotificationListener(descriptor, handlers, conn);
    }

    const expectedNotifications: string[] = [];
    const refused: string[] = [];
    const judgedChannels = new Set<string>();
    for (const entry of compat.channels) {
      const verdicts = entry.verdicts?.[direction];
      const channel = frontendSide === "old" ? entry.oldChannel : entry.newChannel;
      if (!verdicts || channel === null) continue;
      judgedChannels.add(channel);
      const side = entry.kind === "interface" ? frontend.interfaces.get(channel) : frontend.notifications.get(channel);
      assert.ok(side, `${channel}: not in the generated ${frontendSide} version`);
      // The verdicts name exactly the frontend's members.
      assert.deepEqual(Object.keys(verdicts).sort(), [...side.schema.memberNames].sort(), `${channel}: members`);
      if (entry.kind === "notifications") {
        for (const [member, reason] of Object.entries(verdicts)) if (reason === null) expectedNotifications.push(`${channel}.${member}`);
        continue;
      }
      const client = createClient(side.descriptor as never, conn) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const member of side.schema.memberNames) {
        const reason = verdicts[member];
        const call = client[member]!(...sampleArgs(side.schema, member));
        if (reason === null) {
          await call; // decoded by the frontend's codecs: the backend's answer fits
          if (calls) assert.ok(calls.includes(`${channel}.${member}`), `${channel}.${member} did not reach the backend`);
        } else {
          refused.push(`${channel}.${member}`);
          await assert.rejects(call, (e: unknown) => {
            assert.ok(isIpcError(e), String(e));
            assert.equal(e.code, "versionMismatch", e.message);
            assert.equal(e.message, `method ${JSON.stringify(member)} of channel ${JSON.stringify(channel)} does not work with this backend: ${reason}`);
            assert.deepEqual((e.data as { method?: unknown; reason?: unknown }).method, member);
            assert.deepEqual((e.data as { reason?: unknown }).reason, reason);
            return true;
          });
        }
      }
    }
    // A channel the frontend has and the backend does not serve (renamed, removed): the backend answers unknownChannel.
    for (const [channel, { descriptor, schema }] of frontend.interfaces) {
      if (backend.interfaces.has(channel)) continue;
      assert.ok(!judgedChannels.has(channel), `${channel}: judged, yet not served`);
      const member = schema.memberNames[0];
      if (member === undefined) continue;
      const client = createClient(descriptor as never, conn) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      await assert.rejects(client[member]!(...sampleArgs(schema, member)), (e: unknown) => isIpcError(e) && e.code === "unknownChannel");
    }
    // Every notification the backend has, sent to this connection; once the call that sends them is answered, all have arrived.
    await conn.callRaw(SYNC_CHANNEL, "emitAll", []);
    assert.deepEqual(delivered.sort(), expectedNotifications.sort(), "notifications delivered");
    // On the frontend's channels (those it does not list are not checked), only the usable ones went out.
    const notified = t.received.filter((m) => m.type === "notify" && frontend.notifications.has(m.channel)).map((m) => `${m.channel}.${m.method}`);
    assert.deepEqual(notified.sort(), expectedNotifications.sort(), "notifications sent: only the usable ones");
    const refusedSent = t.sent.filter((m) => m.type === "call" && refused.includes(`${m.channel}.${m.method}`));
    assert.deepEqual(refusedSent, [], "a refused call went out");
    assert.deepEqual(problems, []);
  } finally {
    conn.close();
    await done();
  }
}

const directions: Direction[] = ["oldFrontendNewBackend", "newFrontendOldBackend"];

test("the corpus is there", () => assert.ok(pairs.length >= 70, `${pairs.length} pairs`));

describe("in memory", () => {
  for (const pair of pairs) for (const direction of directions) test(`${pair} ${direction}`, { timeout: 30_000 }, () => agree(pair, direction, "in-memory"));
});

/** A sample of the pairs over real transports: every ninth, from the fourth. */
const sampled = pairs.filter((_, i) => i % 9 === 3);
for (const transport of ["websocket", "stdio"] as const) {
  describe(`over ${transport}`, () => {
    for (const pair of sampled) for (const direction of directions) test(`${pair} ${direction}`, { timeout: 30_000 }, () => agree(pair, direction, transport));
  });
}
