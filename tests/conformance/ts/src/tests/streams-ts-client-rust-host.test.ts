//! Protocol v2 streams across the two runtimes: the TS frontend's raw stream API (`streamRaw`,
//! `callRaw` with `input`) against the Rust echo backend's `streams-test-v1` channel
//! (`ipcc-echo-backend --streams`, see tests/vectors/README.md), over stdio and WebSocket. Each
//! runtime's own suite tests its side against itself; this one shows they agree on the wire:
//! order, credit, the end, declared errors, `stop`, and cancellation.

import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { after, describe, test } from "node:test";
import { DEFAULT_STREAM_WINDOW, IpcConnection, isIpcError, type WireValue } from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend } from "ipcc-runtime/node";

const STREAMS = "streams-test-v1";
const ECHO = "ipcc-vectors-echo-v1";
/** The Rust host's default window (docs/protocol.md, "Stream limits"). */
const HOST_WINDOW = DEFAULT_STREAM_WINDOW;
const children: ChildProcess[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

function backendBinary(): string {
  const exe = process.env["ECHO_RUST_BACKEND"] ?? "";
  if (!exe || !existsSync(exe)) throw new Error(`ECHO_RUST_BACKEND (${JSON.stringify(exe)}) is not ipcc-echo-backend: run the tests through \`npm test\``);
  return exe;
}

async function connect(transport: "stdio" | "websocket"): Promise<IpcConnection> {
  if (transport === "stdio") {
    const socket = await spawnStdioBackend(backendBinary(), ["--stdio", "--streams"]);
    children.push(socket.child);
    const connection = new IpcConnection(socket);
    await connection.ready;
    return connection;
  }
  const child = spawn(backendBinary(), ["--ws", "127.0.0.1:0", "--streams"], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = /ws:\/\/\S+/.exec(output)?.[0];
      if (found) resolve(found.replace(/\/$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`ipcc-echo-backend exited (${code}) before listening: ${output}`)));
  });
  const connection = new IpcConnection(await connectWebSocket(url));
  await connection.ready;
  return connection;
}

/** An endless source of `0, 1, 2, …` that counts its pulls, tells when `watch` pulls were made, and when its `return()` ran. */
function countingSource(watch = Infinity): { source: AsyncIterable<WireValue>; pulls: () => number; reached: Promise<void>; returned: Promise<void> } {
  let pulls = 0;
  let markReached!: () => void;
  let markReturned!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const returned = new Promise<void>((resolve) => (markReturned = resolve));
  async function* items(): AsyncGenerator<WireValue> {
    try {
      for (let i = 0; ; i++) {
        pulls++;
        if (pulls === watch) markReached();
        yield i;
      }
    } finally {
      markReturned();
    }
  }
  return { source: items(), pulls: () => pulls, reached, returned };
}

for (const transport of ["stdio", "websocket"] as const) {
  describe(`TS client → Rust host, streams over ${transport}`, () => {
    test("the handshake is protocol 2", async () => {
      const connection = await connect(transport);
      assert.equal(connection.protocol, 2);
      connection.close();
    });

    test("an output stream: 2,000 items in order, then the end", async () => {
      const connection = await connect(transport);
      const got: WireValue[] = [];
      for await (const item of connection.streamRaw(STREAMS, "count", [2000])) got.push(item);
      assert.deepEqual(got, Array.from({ length: 2000 }, (_, i) => i));
      connection.close();
    });

    test("an input stream: the Rust handler sums 1..=1000 pulled from an async generator", async () => {
      const connection = await connect(transport);
      async function* numbers(): AsyncGenerator<WireValue> {
        for (let i = 1; i <= 1000; i++) yield i;
      }
      assert.equal(await connection.callRaw(STREAMS, "sum", [null], { input: numbers() }), 500500);
      connection.close();
    });

    test("both ways at once: echo gives back every item in order", async () => {
      const connection = await connect(transport);
      const sent = Array.from({ length: 3000 }, (_, i) => `item ${i} ✓`);
      const got: WireValue[] = [];
      for await (const item of connection.streamRaw(STREAMS, "echo", [null], { input: sent })) got.push(item);
      assert.deepEqual(got, sent);
      connection.close();
    });

    test("a declared error ends the stream after its items, with its data", async () => {
      const connection = await connect(transport);
      const got: WireValue[] = [];
      await assert.rejects(
        (async () => {
          for await (const item of connection.streamRaw(STREAMS, "failAfter", [3])) got.push(item);
        })(),
        (error: unknown) => {
          assert.ok(isIpcError(error), String(error));
          assert.equal(error.code, "declared");
          assert.deepEqual(error.data, { kind: "failed", after: 3 });
          return true;
        },
      );
      assert.deepEqual(got, [0, 1, 2]);
      connection.close();
    });

    test("the Rust host's credit bounds what the TS source is asked for: one window while the handler reads 5", async () => {
      const connection = await connect(transport);
      const { source, pulls, reached, returned } = countingSource(HOST_WINDOW);
      const abort = new AbortController();
      const call = connection.callRaw(STREAMS, "hold", [5, null], { input: source, signal: abort.signal });
      // The first window is pulled at once; nothing more is granted while the handler holds.
      await reached;
      // A round trip on the same connection: any grant the host sent before it has arrived.
      assert.equal(await connection.callRaw(ECHO, "echoString", ["still serving"]), "still serving");
      assert.equal(pulls(), HOST_WINDOW, "items were pulled beyond the credit the host granted");
      abort.abort();
      await assert.rejects(call, (error: unknown) => isIpcError(error) && error.code === "cancelled");
      await returned;
      connection.close();
    });

    test("the Rust handler dropping its input sends stop: the TS source's return() runs while the call goes on", async () => {
      const connection = await connect(transport);
      const { source, returned } = countingSource();
      const abort = new AbortController();
      const call = connection.callRaw(STREAMS, "take", [3, null], { input: source, signal: abort.signal });
      await returned;
      abort.abort();
      await assert.rejects(call, (error: unknown) => isIpcError(error) && error.code === "cancelled");
      connection.close();
    });

    test("breaking out of for-await cancels the stream; the connection keeps serving streams and calls", async () => {
      const connection = await connect(transport);
      const first: WireValue[] = [];
      for await (const item of connection.streamRaw(STREAMS, "count", [1_000_000])) {
        first.push(item);
        if (first.length === 10) break;
      }
      assert.deepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const again: WireValue[] = [];
      for await (const item of connection.streamRaw(STREAMS, "count", [3])) again.push(item);
      assert.deepEqual(again, [0, 1, 2]);
      assert.equal(await connection.callRaw(ECHO, "echoString", ["after"]), "after");
      connection.close();
    });

    test("an AbortSignal ends a stream that never yields, with cancelled", async () => {
      const connection = await connect(transport);
      const abort = new AbortController();
      const iteration = (async () => {
        for await (const _ of connection.streamRaw(STREAMS, "hang", [], { signal: abort.signal })) assert.fail("hang yields nothing");
      })();
      // A round trip first, so the call is under way at the host when it is aborted.
      assert.equal(await connection.callRaw(ECHO, "echoString", ["x"]), "x");
      abort.abort();
      await assert.rejects(iteration, (error: unknown) => isIpcError(error) && error.code === "cancelled");
      connection.close();
    });
  });
}
