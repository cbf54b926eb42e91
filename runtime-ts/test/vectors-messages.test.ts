//! The protocol conformance vectors of tests/vectors/messages.json, messages-compat.json, messages-streams.json (protocol v2 streams, against the `streams-test-v1` host) and messages-binary.json (protocol v2 binary `bytes`), replayed against the TS host over in-memory, stdio (a child process) and WebSocket.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { channelToJson, createMemorySocketPair, embeddedSchema, type HostOptions, type IpcSocket } from "../src/common/index.js";
import { connectWebSocket, spawnStdioBackend, WebSocketBackend } from "../src/node/index.js";
import { echoDescriptor, echoEventsDescriptor, startEchoHost } from "./fixtures/echo.js";
import { startStreamsHost, streamsTestDescriptor } from "./fixtures/streams.js";
import { echoStdioBackend, streamsStdioBackend, vectorsDir } from "./paths.js";
import { binaryMessage, matches, RawPeer } from "./raw-peer.js";

interface Step {
  send?: unknown;
  sendText?: string;
  expect?: unknown;
  /** With `expect`: fields the message must not have. */
  absent?: string[];
  expectClosed?: boolean;
  /** messages-binary.json: a binary message given as its JSON and its attachments (hex). */
  sendBinary?: { json: unknown; attachments: string[] };
  /** messages-binary.json: a whole binary message in hex (to break its layout). */
  sendBinaryRaw?: string;
  expectBinary?: { json: unknown; attachments: string[] };
}
interface Case {
  name: string;
  note?: string;
  host?: { token?: string; maxMessageBytes?: number; maxInFlight?: number };
  handshake?: boolean;
  transports?: string[];
  steps: Step[];
}
interface VectorFile {
  schemaHashes: Record<string, string>;
  /** messages-compat.json: the backend's wire schemas (those of the fixture's descriptors). */
  wireSchemas?: Record<string, unknown>;
  hello?: Record<string, unknown>;
  /** The welcome the file's `hello` gets (fields of the pattern only). */
  welcome?: Record<string, unknown>;
  cases: Case[];
}
const files: [string, VectorFile][] = ["messages.json", "messages-compat.json", "messages-streams.json", "messages-binary.json"].map((name) => [name, JSON.parse(readFileSync(join(vectorsDir, name), "utf8"))]);
/** messages-streams.json is replayed against the `streams-test-v1` host; the others against `Echo`. */
const streamsFile = "messages-streams.json";

type Transport = "in-memory" | "stdio" | "websocket";

const unhex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Opens a connection to a fresh Echo (or streams) host on `transport`; returns the socket and a cleanup. */
async function open(transport: Transport, options: HostOptions, streams = false): Promise<{ socket: IpcSocket; done: () => Promise<void> }> {
  const startHost = streams ? startStreamsHost : startEchoHost;
  if (transport === "in-memory") {
    const host = startHost(options);
    const [frontend, backend] = createMemorySocketPair();
    host.accept(backend);
    return { socket: frontend, done: () => host.shutdown() };
  }
  if (transport === "stdio") {
    const args = [streams ? streamsStdioBackend : echoStdioBackend];
    if (options.token !== undefined) args.push("--token", options.token);
    if (options.maxMessageBytes !== undefined) args.push("--max-message-bytes", String(options.maxMessageBytes));
    if (options.maxInFlight !== undefined) args.push("--max-in-flight", String(options.maxInFlight));
    if (options.protocol === 1) args.push("--protocol", "1");
    const socket = await spawnStdioBackend(process.execPath, args, { onStderr: () => {} });
    return {
      socket,
      done: async () => {
        socket.close();
        await socket.exited;
      },
    };
  }
  const host = startHost(options);
  const backend = await WebSocketBackend.listen({ port: 0 });
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

test("the Echo fixture is registered as the vector files say", () => {
  for (const [name, file] of files) {
    if (name === streamsFile) {
      assert.deepEqual(file.schemaHashes, { [streamsTestDescriptor.channel]: streamsTestDescriptor.schemaHash });
      continue;
    }
    assert.deepEqual(file.schemaHashes, { [echoDescriptor.channel]: echoDescriptor.schemaHash, [echoEventsDescriptor.channel]: echoEventsDescriptor.schemaHash });
    if (file.wireSchemas) {
      // Generated code embeds one set for its module; the handshake sends each channel's own.
      const own = (wireSchema: string, channel: string) => {
        const read = embeddedSchema(wireSchema, channel);
        assert.ok("schema" in read, `no schema for ${channel}: ${JSON.stringify(read)}`);
        return JSON.parse(channelToJson(read.schema));
      };
      assert.deepEqual(file.wireSchemas, {
        [echoDescriptor.channel]: own(echoDescriptor.wireSchema!, echoDescriptor.channel),
        [echoEventsDescriptor.channel]: own(echoEventsDescriptor.wireSchema!, echoEventsDescriptor.channel),
      });
    }
  }
});

for (const [name, file] of files) {
  for (const transport of ["in-memory", "stdio", "websocket"] as const) {
    describe(`${name} over ${transport}`, () => {
      for (const c of file.cases) {
        if (c.transports && !c.transports.includes(transport)) continue;
        test(c.name, async () => {
          const { socket, done } = await open(transport, c.host ?? {}, name === streamsFile);
          const peer = new RawPeer(socket);
          try {
            if (c.handshake) {
              peer.send({ ...file.hello, ...(c.host?.token !== undefined ? { token: c.host.token } : {}) });
              const welcome = await peer.next();
              assert.equal(welcome.kind, "message");
              const granted = (welcome as { value: { features?: string[] } }).value.features;
              if (granted?.includes("binary")) socket.enableBinary?.();
              assert.equal((welcome as { value: { type: string } }).value.type, "welcome");
              if ((name === streamsFile || name === "messages-binary.json") && file.welcome) assert.ok(matches((welcome as { value: unknown }).value, file.welcome), `welcome ${JSON.stringify(welcome)} does not match ${JSON.stringify(file.welcome)}`);
            }
            const enableBinary = (message: any) => {
              // The welcome granted binary: stdio's framing reads binary messages from now on.
              if (message?.type === "welcome" && Array.isArray(message.features) && message.features.includes("binary")) socket.enableBinary?.();
            };
            for (const [i, step] of c.steps.entries()) {
              if (step.send !== undefined) peer.send(step.send);
              else if (step.sendBinary !== undefined) peer.send(binaryMessage(step.sendBinary.json, ...step.sendBinary.attachments.map(unhex)));
              else if (step.sendBinaryRaw !== undefined) peer.send(unhex(step.sendBinaryRaw));
              else if (step.expectBinary !== undefined) {
                const got = await peer.next();
                assert.ok(
                  got.kind === "binary" && matches(got.value, step.expectBinary.json),
                  `step ${i}: expected a binary ${JSON.stringify(step.expectBinary.json)}, got ${JSON.stringify(got.kind === "binary" ? got.value : got)}`,
                );
                assert.deepEqual(got.attachments.map(hex), step.expectBinary.attachments, `step ${i}: attachments`);
              }
              else if (step.sendText !== undefined) peer.send(step.sendText);
              else if (step.expect !== undefined) {
                const got = await peer.next();
                assert.ok(
                  got.kind === "message" && matches(got.value, step.expect),
                  `step ${i}: expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(got)}`,
                );
                enableBinary(got.value);
                for (const field of step.absent ?? []) {
                  assert.ok(!Object.prototype.hasOwnProperty.call(got.value, field), `step ${i}: ${field} should be absent from ${JSON.stringify(got.value)}`);
                }
              } else if (step.expectClosed) {
                const got = await peer.next();
                assert.equal(got.kind, "closed", `step ${i}: expected the backend to close, got ${JSON.stringify(got)}`);
              }
            }
          } finally {
            await done();
          }
        });
      }
    });
  }
}
