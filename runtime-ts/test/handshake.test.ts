//! The host's handshake, message by message (docs/protocol.md, hello, Limits): a scripted frontend over in-memory, stdio (a child process) and WebSocket sends `hello`s that break the checks in the documented order.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
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

  });
}
