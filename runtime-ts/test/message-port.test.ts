//! The MessagePort transport in Node: a TS host in a `worker_threads` worker (over a `MessageChannel` port, and over
//! `parentPort` / the `Worker` object) and the client in this thread through generated code: calls, a declared error,
//! notifications, binary `bytes`, streams both ways, closing from either side, a worker that dies mid-call; and in one
//! thread: the close handshake on a port that never fires `close`, `tooLarge`, acknowledgements and paused reading.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import {
  connectMessagePort,
  IpcConnection,
  isIpcErrorCode,
  MessagePortBackend,
  type MessagePortLike,
  type SocketMessage,
} from "../src/common/index.js";
import { startEchoHost } from "./fixtures/echo.js";
import { addEchoEventsListener, echoClient, echoDescriptor, echoEventsDescriptor, isEchoError } from "./generated/vectors.js";
import { streamsTestClient, streamsTestDescriptor } from "./generated/streams.js";
import { portWorker } from "./paths.js";

type Mode = "MessageChannel port" | "parentPort and the Worker object";

/** Starts the worker backend; `port` is this thread's end of its connection. */
function startWorker(mode: Mode): { worker: Worker; port: MessagePortLike; exited: Promise<number> } {
  let worker: Worker;
  let port: MessagePortLike;
  if (mode === "MessageChannel port") {
    const { port1, port2 } = new MessageChannel();
    worker = new Worker(portWorker, { workerData: { port: port2 }, transferList: [port2] });
    port = port1;
  } else {
    worker = new Worker(portWorker);
    port = worker;
  }
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  return { worker, port, exited };
}

function connect(port: MessagePortLike): IpcConnection {
  return new IpcConnection(connectMessagePort(port), { channels: [echoDescriptor, echoEventsDescriptor, streamsTestDescriptor] });
}

for (const mode of ["MessageChannel port", "parentPort and the Worker object"] as const) {
  describe(`a TS host in a worker, over ${mode}`, () => {
    test("calls, a declared error, notifications in order, binary bytes, streams both ways; closing lets the worker end", async () => {
      const { port, exited } = startWorker(mode);
      const conn = connect(port);
      const echo = echoClient(conn);
      assert.equal(await echo.echoString("hello"), "hello");
      assert.equal(await echo.add(2, 40), 42);
      assert.equal(await echo.echoI64(-(2n ** 63n)), -(2n ** 63n));

      await assert.rejects(echo.fail("declared"), (e) => isEchoError(e) && e.data.kind === "failed");

      const ticks: number[] = [];
      const remove = addEchoEventsListener({ tick: (n) => ticks.push(n) }, conn);
      await echo.notifyMe(5);
      remove();
      assert.deepEqual(ticks, [1, 2, 3, 4, 5]);

      assert.equal(conn.binaryBytes, true, "binary bytes are negotiated over a port");
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
      assert.deepEqual(await echo.echoBytes(big), big);
      assert.deepEqual(await echo.echoBytes(new Uint8Array(0)), new Uint8Array(0));

      const streams = streamsTestClient(conn);
      const counted: number[] = [];
      for await (const n of streams.count(300)) counted.push(n);
      assert.deepEqual(counted, Array.from({ length: 300 }, (_, i) => i));
      const echoed: string[] = [];
      for await (const s of streams.echo(["a", "b", "c"])) echoed.push(s);
      assert.deepEqual(echoed, ["a", "b", "c"]);
      assert.equal(await streams.sum([1, 2, 3, 4]), 10);

      conn.close();
      assert.equal(await exited, 0, "the worker's host saw the close and the worker ended by itself");
    });

    test("the worker dying mid-call fails the pending call with disconnected", async () => {
      const { worker, port, exited } = startWorker(mode);
      const conn = connect(port);
      const echo = echoClient(conn);
      await conn.ready;
      const pending = echo.wait();
      // `add` answered after `wait` was sent: the worker holds the waiting call.
      assert.equal(await echo.add(1, 1), 2);
      const failed = assert.rejects(pending, (e) => isIpcErrorCode(e, "disconnected"));
      await worker.terminate();
      await failed;
      await assert.rejects(echo.add(1, 2), (e) => isIpcErrorCode(e, "disconnected"));
      await exited;
    });
  });
}

/** A port that shows only what every platform has: no `close` event, so only the transport's own close message tells. */
function withoutCloseEvent(port: MessagePort): MessagePortLike {
  return {
    postMessage: (message: unknown, transfer?: unknown) => port.postMessage(message, transfer as never),
    addEventListener: (type: string, listener: (event: { data: unknown }) => void) => {
      if (type === "message") port.addEventListener("message", listener as never);
    },
    start: () => port.start(),
    close: () => {},
  };
}

describe("MessagePort transport in one thread", () => {
  test("the host closing is noticed by the frontend through the close message alone", async () => {
    const { port1, port2 } = new MessageChannel();
    const host = startEchoHost();
    const backend = new MessagePortBackend();
    host.serve(backend);
    backend.accept(withoutCloseEvent(port2));
    const conn = connect(withoutCloseEvent(port1));
    const echo = echoClient(conn);
    await conn.ready;
    const pending = echo.wait();
    assert.equal(await echo.add(1, 1), 2);
    const failed = assert.rejects(pending, (e) => isIpcErrorCode(e, "disconnected"));
    await host.shutdown();
    await failed;
    port1.close();
  });

  test("the frontend closing is noticed by the host through the close message alone", async () => {
    const { port1, port2 } = new MessageChannel();
    const host = startEchoHost();
    const backend = new MessagePortBackend();
    host.serve(backend);
    let portClosed: () => void = () => {};
    const hostClosedPort = new Promise<void>((resolve) => (portClosed = resolve));
    // The host's side closes its port once its connection ended.
    backend.accept({ ...withoutCloseEvent(port2), close: () => portClosed() });
    const conn = connect(withoutCloseEvent(port1));
    assert.equal(await echoClient(conn).add(2, 3), 5);
    conn.close();
    await hostClosedPort;
    await host.shutdown();
    port1.close();
    port2.close();
  });

  test("a message over the host's maxMessageBytes is answered tooLarge and the connection stays", async () => {
    const { port1, port2 } = new MessageChannel();
    const host = startEchoHost({ maxMessageBytes: 4096 });
    const backend = new MessagePortBackend();
    host.serve(backend);
    backend.accept(port2);
    const conn = connect(port1);
    const echo = echoClient(conn);
    await conn.ready;
    await assert.rejects(echo.echoString("x".repeat(10_000)), (e) => isIpcErrorCode(e, "tooLarge"));
    assert.equal(await echo.echoString("small"), "small");
    conn.close();
    await host.shutdown();
  });

  test("bufferedBytes counts what the peer has not delivered: paused reading holds it, resuming drains it", async () => {
    const { port1, port2 } = new MessageChannel();
    const a = connectMessagePort(port1);
    const b = connectMessagePort(port2);
    const received: SocketMessage[] = [];
    let gotFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => (gotFirst = resolve));
    b.onMessage((m) => {
      received.push(m);
      gotFirst();
    });
    let drained: () => void = () => {};
    a.onDrain(() => {
      if (a.bufferedBytes === 0) drained();
    });
    const drainedOnce = new Promise<void>((resolve) => (drained = resolve));
    a.send("one");
    a.send(new Uint8Array([1, 2, 3]));
    assert.equal(a.bufferedBytes, 6);
    await first;
    await drainedOnce;
    assert.equal(a.bufferedBytes, 0);
    assert.deepEqual(received, ["one", new Uint8Array([1, 2, 3])]);

    // Paused: what arrives is held and not acknowledged; a message from b to a goes after it in b's thread.
    b.pauseReading();
    a.send("held");
    const ping = new Promise<void>((resolve) => a.onMessage(() => resolve()));
    const aSawPing = ping.then(() => a.bufferedBytes);
    // b answers only after it read port2's queue (where "held" sits before this ping's reply is asked for).
    port2.once("message", () => b.send("ping"));
    assert.equal(await aSawPing, 4, "nothing was acknowledged while b was paused");
    assert.deepEqual(received.length, 2);
    const drainedAgain = new Promise<void>((resolve) => (drained = resolve));
    b.resumeReading();
    await drainedAgain;
    assert.deepEqual(received.slice(2), ["held"]);
    a.close();
    b.close();
  });

  test("a view into a larger buffer is sent as its own bytes", async () => {
    const { port1, port2 } = new MessageChannel();
    const a = connectMessagePort(port1);
    const b = connectMessagePort(port2);
    const backing = new Uint8Array(1000).fill(9);
    backing.set([1, 2, 3], 500);
    const got = new Promise<SocketMessage>((resolve) => b.onMessage(resolve));
    a.send(backing.subarray(500, 503));
    const m = await got;
    assert.ok(m instanceof Uint8Array);
    assert.equal(m.buffer.byteLength, 3, "only the view's bytes crossed");
    assert.deepEqual(m, new Uint8Array([1, 2, 3]));
    assert.equal(backing[500], 1, "the sender's buffer is intact (not transferred away)");
    a.close();
    b.close();
  });
});
