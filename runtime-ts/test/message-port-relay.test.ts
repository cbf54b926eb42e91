//! `relayMessagePort`: a client on one end of a `MessageChannel`, the relay on the other, and behind it a stdio child
//! (the TS `Echo` backend) or an in-memory host: calls, notifications, binary `bytes` (the relay turns on stdio's binary
//! framing when the welcome grants it, and drops the offer for a text-only backend), closing from either side, the
//! backend crashing mid-call, a backend that cannot start, and a slow frontend stopping the relay's reads.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel } from "node:worker_threads";
import {
  connectMessagePort,
  createMemorySocketPair,
  IpcConnection,
  isIpcErrorCode,
  relayMessagePort,
  type IpcSocket,
  type MessagePortLike,
  type SocketMessage,
} from "../src/common/index.js";
import { spawnStdioBackend, type StdioChildSocket } from "../src/node/index.js";
import { startEchoHost } from "./fixtures/echo.js";
import { addEchoEventsListener, echoClient, echoDescriptor, echoEventsDescriptor } from "./generated/vectors.js";
import { echoStdioBackend } from "./paths.js";

function client(port: MessagePortLike): IpcConnection {
  return new IpcConnection(connectMessagePort(port), { channels: [echoDescriptor, echoEventsDescriptor] });
}

describe("relayMessagePort to a stdio child", () => {
  test("calls, notifications and binary bytes pass; closing the frontend ends the child", async () => {
    const { port1, port2 } = new MessageChannel();
    let child: StdioChildSocket | undefined;
    const relay = relayMessagePort(port2, async () => (child = await spawnStdioBackend(process.execPath, [echoStdioBackend], { onStderr: () => {} })));
    const conn = client(port1);
    const echo = echoClient(conn);
    assert.equal(await echo.echoString("through the relay"), "through the relay");
    const ticks: number[] = [];
    addEchoEventsListener({ tick: (n) => ticks.push(n) }, conn);
    await echo.notifyMe(3);
    assert.deepEqual(ticks, [1, 2, 3]);
    assert.equal(conn.binaryBytes, true);
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 13) & 0xff);
    assert.deepEqual(await echo.echoBytes(big), big);
    conn.close();
    assert.equal((await child!.exited).code, 0);
    assert.match(await relay.closed, /closed/);
  });

  test("the child crashing mid-call fails the pending call with disconnected, naming its last stderr line", async () => {
    const { port1, port2 } = new MessageChannel();
    relayMessagePort(port2, () => spawnStdioBackend(process.execPath, [echoStdioBackend, "--crash-on-wait"], { onStderr: () => {} }));
    const conn = client(port1);
    const echo = echoClient(conn);
    await conn.ready;
    await assert.rejects(echo.wait(), (e) => isIpcErrorCode(e, "disconnected") && /crashing on purpose/.test((e as Error).message));
    await assert.rejects(echo.add(1, 2), (e) => isIpcErrorCode(e, "disconnected"));
  });

  test("a backend that cannot start fails the handshake with disconnected", async () => {
    const { port1, port2 } = new MessageChannel();
    const errors: unknown[] = [];
    const relay = relayMessagePort(port2, () => spawnStdioBackend("/nonexistent/ipcc-backend"), { onError: (e) => errors.push(e) });
    const conn = client(port1);
    await assert.rejects(echoClient(conn).add(1, 2), (e) => isIpcErrorCode(e, "disconnected") && /cannot open the backend/.test((e as Error).message));
    await relay.closed;
    assert.equal(errors.length, 1);
  });
});

describe("relayMessagePort to an in-memory host", () => {
  test("a backend transport without binary: the relay drops the offer and bytes go as base64", async () => {
    const host = startEchoHost();
    const [front, back] = createMemorySocketPair();
    host.accept(back);
    const sent: SocketMessage[] = [];
    // The same socket, but text only: no `binary`.
    const textOnly: IpcSocket = {
      send: (m) => {
        sent.push(m);
        front.send(m);
      },
      onMessage: (l) => front.onMessage(l),
      onClose: (l) => front.onClose(l),
      close: () => front.close(),
    };
    const { port1, port2 } = new MessageChannel();
    relayMessagePort(port2, textOnly);
    const conn = client(port1);
    const echo = echoClient(conn);
    assert.deepEqual(await echo.echoBytes(new Uint8Array([1, 2, 3])), new Uint8Array([1, 2, 3]));
    assert.equal(conn.binaryBytes, false);
    assert.ok(sent.every((m) => typeof m === "string"));
    assert.doesNotMatch(sent[0] as string, /"binary"/);
    conn.close();
    await host.shutdown();
  });

  test("the host closing closes the frontend; the frontend learns why", async () => {
    const host = startEchoHost();
    const [front, back] = createMemorySocketPair();
    host.accept(back);
    const { port1, port2 } = new MessageChannel();
    const relay = relayMessagePort(port2, front);
    const conn = client(port1);
    const echo = echoClient(conn);
    await conn.ready;
    const pending = assert.rejects(echo.wait(), (e) => isIpcErrorCode(e, "disconnected") && /closed by peer/.test((e as Error).message));
    assert.equal(await echo.add(1, 1), 2);
    await host.shutdown();
    await pending;
    assert.equal(await relay.closed, "closed by peer");
  });

  test("a frontend that does not read stops the relay reading the backend", async () => {
    const host = startEchoHost();
    const [front, back] = createMemorySocketPair();
    host.accept(back);
    let paused: () => void = () => {};
    const relayPaused = new Promise<void>((resolve) => (paused = resolve));
    const pauseReading = front.pauseReading!.bind(front);
    front.pauseReading = () => {
      paused();
      pauseReading();
    };
    const { port1, port2 } = new MessageChannel();
    relayMessagePort(port2, front, { highWaterBytes: 64 * 1024 });
    const frontendSocket = connectMessagePort(port1);
    const conn = new IpcConnection(frontendSocket, { channels: [echoDescriptor] });
    const echo = echoClient(conn);
    await conn.ready;
    // The frontend stops reading; answers of 100 KiB each pile up unacknowledged at the relay's port.
    frontendSocket.pauseReading();
    const answers = Array.from({ length: 8 }, () => echo.big(100 * 1024));
    await relayPaused;
    frontendSocket.resumeReading();
    for (const answer of await Promise.all(answers)) assert.equal(answer.length, 100 * 1024);
    conn.close();
    await host.shutdown();
  });
});
