//! The host's handshake, message by message (docs/protocol.md, hello, Limits): a scripted frontend over in-memory, stdio (a child process) and WebSocket sends `hello`s that break the checks in the documented order, or none at all; and a WebSocket client that never completes its HTTP upgrade.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { createMemorySocketPair, type HostOptions, type IpcSocket } from "../src/common/index.js";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend } from "../src/node/index.js";
import { echoDescriptor, startEchoHost } from "./fixtures/echo.js";
import { echoStdioBackend } from "./paths.js";
import { matches, RawPeer } from "./raw-peer.js";

type Transport = "in-memory" | "stdio" | "websocket";

/** A socket to a fresh Echo host on `transport`, and its cleanup. */
async function open(transport: Transport, options: HostOptions = {}): Promise<{ socket: IpcSocket; done: () => Promise<void> }> {
  if (transport === "in-memory") {
    const host = startEchoHost(options);
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    return { socket: frontend, done: () => host.shutdown() };
  }
  if (transport === "stdio") {
    const args = [echoStdioBackend];
    if (options.token !== undefined) args.push("--token", options.token);
    if (options.helloTimeout !== undefined) args.push("--hello-timeout", String(options.helloTimeout));
    const socket = await spawnStdioBackend(process.execPath, args, { onStderr: () => {} });
    return {
      socket,
      done: async () => {
        socket.close();
        await socket.exited;
      },
    };
  }
  const host = startEchoHost(options);
  const backend = await WebSocketBackend.listen();
  host.serve(backend);
  const socket = await connectWebSocket(backend.url);
  return {
    socket,
    done: async () => {
      socket.close();
      await host.shutdown();
    },
  };
}

/** The host's answer to `hello` as the first message: its one message, then it must close. */
async function refusal(transport: Transport, hello: unknown, options: HostOptions = {}): Promise<any> {
  const { socket, done } = await open(transport, options);
  const peer = new RawPeer(socket);
  try {
    peer.send(hello);
    const answer = await peer.next();
    assert.equal(answer.kind, "message", `expected an error, got ${JSON.stringify(answer)}`);
    const closed = await peer.next();
    assert.equal(closed.kind, "closed", `expected the host to close after ${JSON.stringify(answer)}, got ${JSON.stringify(closed)}`);
    return (answer as { value: unknown }).value;
  } finally {
    await done();
  }
}

function assertError(answer: unknown, code: string, data?: unknown): void {
  const pattern = data === undefined ? { type: "error", id: null, code } : { type: "error", id: null, code, data };
  assert.ok(matches(answer, pattern), `expected ${JSON.stringify(pattern)}, got ${JSON.stringify(answer)}`);
}

const channels = { [echoDescriptor.channel]: echoDescriptor.schemaHash };

for (const transport of ["in-memory", "stdio", "websocket"] as const) {
  describe(`host hello checks, in order, over ${transport}`, () => {
    test("protocol missing or not a non-negative integer (1.5, \"1\", -1, null) is badRequest, then close", async () => {
      for (const protocol of [undefined, 1.5, "1", -1, null, [1], {}]) {
        const answer = await refusal(transport, { type: "hello", protocol, channels });
        assertError(answer, "badRequest");
      }
    });

    test("an integer protocol other than 1 or 2 is versionMismatch with both versions, then close", async () => {
      for (const protocol of [0, 3, 7]) {
        assertError(await refusal(transport, { type: "hello", protocol, channels }), "versionMismatch", { backendProtocol: 2, frontendProtocol: protocol });
      }
    });

    test("protocol is checked first: bad channels or a bad token with protocol 7 is versionMismatch", async () => {
      const mismatch = { backendProtocol: 2, frontendProtocol: 7 };
      assertError(await refusal(transport, { type: "hello", protocol: 7, channels: { [echoDescriptor.channel]: 1 } }), "versionMismatch", mismatch);
      assertError(await refusal(transport, { type: "hello", protocol: 7, channels: "none" }), "versionMismatch", mismatch);
      assertError(await refusal(transport, { type: "hello", protocol: 7, token: 5, channels }), "versionMismatch", mismatch);
      assertError(await refusal(transport, { type: "hello", protocol: 7, channels }, { token: "s3cret" }), "versionMismatch", mismatch);
    });

    test("maxCredit is checked before the token (as the Rust runtime does)", async () => {
      const hello = { type: "hello", protocol: 1, features: ["streams"], maxCredit: 0, channels };
      assertError(await refusal(transport, hello, { token: "s3cret" }), "badRequest");
    });

    test("a token that is not a string is badRequest, then close, with and without a host token", async () => {
      for (const options of [{}, { token: "s3cret" }, { token: "5" }]) {
        for (const token of [5, true, ["s3cret"], { token: "s3cret" }]) {
          assertError(await refusal(transport, { type: "hello", protocol: 1, token, channels }, options), "badRequest");
        }
      }
    });

    test("the token is checked before channels and schemas: a wrong one with bad channels is unauthorized", async () => {
      const options = { token: "s3cret" };
      assertError(await refusal(transport, { type: "hello", protocol: 1, token: "nope", channels: { [echoDescriptor.channel]: 1 } }, options), "unauthorized");
      assertError(await refusal(transport, { type: "hello", protocol: 1, channels: [], schemas: 5 }, options), "unauthorized");
    });

    test("channels not an object of strings is badRequest before schemas are read", async () => {
      assertError(await refusal(transport, { type: "hello", protocol: 1, channels: { [echoDescriptor.channel]: 1 } }), "badRequest");
      assertError(await refusal(transport, { type: "hello", protocol: 1, channels: ["a"] }), "badRequest");
    });

    test("a null token or channels is absent: welcome without a host token", async () => {
      const { socket, done } = await open(transport);
      const peer = new RawPeer(socket);
      try {
        peer.send({ type: "hello", protocol: 1, token: null, channels: null });
        const got = await peer.next();
        assert.ok(got.kind === "message" && got.value.type === "welcome", JSON.stringify(got));
      } finally {
        await done();
      }
    });

    test("no hello within helloTimeout: badRequest with id null, then close", async () => {
      const { socket, done } = await open(transport, { helloTimeout: 50 });
      const peer = new RawPeer(socket);
      try {
        const answer = await peer.next();
        assert.equal(answer.kind, "message", `expected an error, got ${JSON.stringify(answer)}`);
        assertError((answer as { value: unknown }).value, "badRequest");
        assert.equal((await peer.next()).kind, "closed");
      } finally {
        await done();
      }
    });
  });
}

/** Resolves with every byte the server sent once `socket` is closed; rejects after `ms` (a hang guard, not a timing assumption). */
function receivedUntilClosed(socket: Socket, ms = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${ms} ms`));
    }, ms);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(guard);
      resolve(Buffer.concat(chunks));
    });
  });
}

describe("WebSocket upgrade phase", () => {
  test("a client that never completes its HTTP request head is cut off after upgradeTimeout, unanswered", async () => {
    const host = startEchoHost();
    const backend = await WebSocketBackend.listen({ upgradeTimeout: 50 });
    host.serve(backend);
    try {
      const socket = connect(backend.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      const received = receivedUntilClosed(socket);
      // Half a request head: no blank line ever ends it.
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${backend.port}\r\nUpgrade: websocket\r\n`);
      // Node's own headersTimeout (60 s) would answer 408; the upgrade timeout just cuts it off.
      assert.equal((await received).toString("latin1"), "");
    } finally {
      await host.shutdown();
    }
  });

  test("a WebSocket that completes its upgrade within upgradeTimeout is served; plain HTTP still gets 426", async () => {
    const host = startEchoHost();
    const backend = await WebSocketBackend.listen({ upgradeTimeout: 10_000 });
    host.serve(backend);
    try {
      const peer = new RawPeer(await connectWebSocket(backend.url));
      peer.send({ type: "hello", protocol: 1, channels });
      const welcome = await peer.next();
      assert.ok(welcome.kind === "message" && welcome.value.type === "welcome", JSON.stringify(welcome));
      const response = await fetch(`http://127.0.0.1:${backend.port}/`);
      assert.equal(response.status, 426);
      await response.text();
      peer.socket.close();
    } finally {
      await host.shutdown();
    }
  });
});
