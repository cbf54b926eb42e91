//! The stdio child-process transport against a real child (test/fixtures/echo-stdio-backend, or a scripted one): calls, crash mid-call, stderr, lines of only whitespace.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { callMethod, createClient, IpcConnection, isIpcErrorCode, addNotificationListener, type IpcError } from "../src/common/index.js";
import { PassThrough, Writable } from "node:stream";
import type { IpcSocket } from "../src/common/index.js";
import { spawnStdioBackend, StdioBackend } from "../src/node/index.js";
import { LineFraming } from "../src/node/transport/line-framing.js";
import { echoDescriptor, echoEventsDescriptor } from "./fixtures/echo.js";
import { echoStdioBackend } from "./paths.js";
import { within } from "./probe.js";
import { matches, RawPeer } from "./raw-peer.js";

test("calls, notifications and a 1 MiB payload over a child's stdin/stdout; its console output stays on stderr", async () => {
  const stderr: string[] = [];
  const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend], { onStderr: (l) => stderr.push(l) });
  const conn = new IpcConnection(socket, { channels: [echoDescriptor, echoEventsDescriptor] });
  const client = createClient(echoDescriptor, conn);
  assert.equal(await client.echoString("über 😀"), "über 😀");
  const big = new Uint8Array(1024 * 1024).map((_, i) => i & 255);
  assert.deepEqual(await client.echoBytes(big), big);
  const ticks: number[] = [];
  addNotificationListener(echoEventsDescriptor, { tick: (n) => ticks.push(n) }, conn);
  await client.notifyMe(5);
  assert.deepEqual(ticks, [1, 2, 3, 4, 5]);
  // The fixture logs with console.log at startup; it must have gone to stderr, not into the protocol.
  assert.ok(stderr.includes("echo backend: ready"), `stderr was ${JSON.stringify(stderr)}`);
  conn.close();
  const exit = await socket.exited;
  assert.equal(exit.code, 0, "the child exits when its stdin closes");
});

test("the child crashing mid-call rejects pending calls with disconnected at once, naming the exit and its last stderr line", async () => {
  let crashing!: () => void;
  const crashLine = new Promise<void>((resolve) => (crashing = resolve));
  const onStderr = (line: string) => {
    if (line === "echo backend: crashing on purpose") crashing();
  };
  const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend, "--crash-on-wait"], { onStderr });
  const conn = new IpcConnection(socket);
  const client = createClient(echoDescriptor, conn);
  assert.equal(await client.add(1, 2), 3);
  // No call has a timeout: only the child's end can reject them.
  const pending = [client.wait(), client.wait()];
  const outcomes = await within(Promise.allSettled(pending), "the pending calls settled", 20_000);
  for (const o of outcomes) {
    assert.equal(o.status, "rejected");
    const e = (o as PromiseRejectedResult).reason;
    assert.ok(isIpcErrorCode(e, "disconnected"), String(e));
    assert.match(e.message, /exited with code 3|closed its stdout/);
  }
  assert.deepEqual(await socket.exited, { code: 3, signal: null });
  // Its stderr may still be on its way when the exit is seen.
  await within(crashLine, "the crash line on stderr", 20_000);
  assert.equal(conn.isValid, false);
  await assert.rejects(callMethod(echoDescriptor, "add", [1, 1], undefined, conn), (e: unknown) => isIpcErrorCode(e, "disconnected"));
});

test("a command that cannot start rejects with disconnected", async () => {
  await assert.rejects(spawnStdioBackend("/nonexistent/backend-binary"), (e: unknown) => isIpcErrorCode(e, "disconnected"));
});

describe("stdio lines of only JSON whitespace are ignored like empty lines", () => {
  test("the framing delivers nothing for spaces, tabs and a \\r; anything else on a line is a message; an oversize blank line is still tooLarge", () => {
    const messages: (string | Uint8Array)[] = [];
    const tooLarge: string[] = [];
    const framing = new LineFraming(8, (m) => messages.push(m), (prefix) => tooLarge.push(prefix));
    framing.push(Buffer.from("\n \n\t\t\n \t \r\n\r\n"));
    assert.deepEqual(messages, []);
    // Split across chunks, too.
    framing.push(Buffer.from("  "));
    framing.push(Buffer.from("\t\r"));
    framing.push(Buffer.from("\n"));
    assert.deepEqual(messages, []);
    // A form feed is not JSON whitespace: the line is a (bad) message for the protocol layer.
    framing.push(Buffer.from("\f\n {} \n"));
    assert.deepEqual(messages, ["\f", " {} "]);
    framing.push(Buffer.from(" ".repeat(20) + "\n"));
    assert.equal(tooLarge.length, 1);
  });

  test("a chunk of many lines reads as the same lines taken one by one: \\r, blanks, UTF-8, a bad line, an oversize one, binary after a line that enables it", () => {
    const read = (chunks: Buffer[], limit: number) => {
      const got: (string | Uint8Array)[] = [];
      const tooLarge: string[] = [];
      const framing: LineFraming = new LineFraming(
        limit,
        (m) => {
          got.push(m);
          if (m === '{"enable":1}') framing.enableBinary();
        },
        (prefix) => tooLarge.push(prefix),
      );
      for (const chunk of chunks) framing.push(chunk);
      return { got, tooLarge };
    };
    const lines = Buffer.from(`{"a":1}\n{"b":"é€😀"}\r\n\n \t\r\n x \n{"long":"${"y".repeat(40)}"}\n{"c":3}\n{"partial":`);
    // A line that is not UTF-8 (delivered as ""), among good ones.
    const bad = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('{"c":3}\n')]);
    const binary = Buffer.concat([Buffer.from('{"enable":1}\n'), Buffer.from([0, 0, 0, 0, 2]), Buffer.from('{}{"after":1}\n')]);
    for (const stream of [lines, bad, binary]) {
      for (const limit of [30, 1000]) {
        const whole = read([stream], limit);
        const oneByOne = read([...stream].map((b) => Buffer.from([b])), limit);
        // (The prefix an oversize line is reported with is its first bytes, as many as were at hand.)
        assert.deepEqual([whole.got, whole.tooLarge.length], [oneByOne.got, oneByOne.tooLarge.length], `limit ${limit}`);
      }
    }
    assert.deepEqual(read([lines], 1000).got, ['{"a":1}', '{"b":"é€😀"}', " x ", `{"long":"${"y".repeat(40)}"}`, '{"c":3}']);
    assert.deepEqual(read([bad], 1000).got, ['{"a":1}', "", '{"c":3}']);
    assert.equal(read([lines], 30).tooLarge.length, 1);
    assert.deepEqual(read([binary], 1000).got, ['{"enable":1}', new TextEncoder().encode("{}"), '{"after":1}']);
  });

  test("a host child: blank lines before the hello and between calls are not answered", async () => {
    const socket = await spawnStdioBackend(process.execPath, [echoStdioBackend], { onStderr: () => {} });
    const peer = new RawPeer(socket);
    try {
      // Each send is one line; these are " ", "\t \t" and " \r" (a \r before the newline).
      for (const blank of [" ", "\t \t", " \r", "\r"]) peer.send(blank);
      peer.send({ type: "hello", protocol: 1 });
      const welcome = await peer.next();
      assert.ok(welcome.kind === "message" && welcome.value.type === "welcome", `expected the welcome first, got ${JSON.stringify(welcome)}`);
      for (const blank of ["  ", "\t", "\t\r"]) peer.send(blank);
      peer.send({ type: "call", id: 1, channel: echoDescriptor.channel, method: "add", args: [2, 3] });
      const result = await peer.next();
      assert.ok(result.kind === "message" && matches(result.value, { type: "result", id: 1, value: 5 }), `expected the result next, got ${JSON.stringify(result)}`);
    } finally {
      socket.close();
      await socket.exited;
    }
  });

  test("a frontend of a child that writes blank lines around its messages reports nothing", async () => {
    // A scripted backend: a blank line (spaces, tabs, a \r) before and after each message it writes.
    const script = `
      const blanks = ["   ", "\\t\\t", " \\t\\r", "\\r"];
      const write = (m) => process.stdout.write(blanks.join("\\n") + "\\n" + JSON.stringify(m) + "\\n" + blanks.join("\\n") + "\\n");
      require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
        const m = JSON.parse(line);
        if (m.type === "hello") write({ type: "welcome", protocol: 1, channels: {}, maxMessageBytes: 1048576, maxInFlight: 8 });
        else if (m.type === "call") write({ type: "result", id: m.id, value: m.args[0] + m.args[1] });
      });`;
    const socket = await spawnStdioBackend(process.execPath, ["-e", script], { onStderr: () => {} });
    const reports: IpcError[] = [];
    const conn = new IpcConnection(socket, { onError: (e) => reports.push(e) });
    try {
      const client = createClient(echoDescriptor, conn);
      assert.equal(await client.add(2, 3), 5);
      assert.equal(await client.add(4, 5), 9);
      assert.deepEqual(reports.map((e) => e.message), []);
    } finally {
      conn.close();
      await socket.exited;
    }
  });
});

test("the first message of a turn of the event loop leaves at once, the rest of the turn's in one write, a later one in its own", async () => {
  // What the pipe would see: each write (or writev) the stream hands down, as one string.
  const writes: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()).join(""));
      done();
    },
  });
  const input = new PassThrough();
  let socket: IpcSocket | undefined;
  new StdioBackend({ input, output, redirectConsole: false, onDisconnect: () => {} }).listen((s) => (socket = s));
  const lines = Array.from({ length: 64 }, (_, i) => `{"n":${i}}`);
  for (const line of lines) socket!.send(line);
  assert.deepEqual(writes, [lines[0] + "\n"], "the first message is written at once, the others wait for the turn's promise jobs");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes, [lines[0] + "\n", lines.slice(1).map((line) => line + "\n").join("")]);
  await Promise.resolve().then(() => socket!.send('{"n":64}'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes.slice(2), ['{"n":64}\n']);
  input.end();
});
