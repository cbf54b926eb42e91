//! The frontend conformance vectors of tests/vectors/messages-frontend.json: a scripted backend
//! (the raw end of an in-memory pair) sends each case's messages to a real `IpcConnection`, and
//! the test checks what the frontend makes of them: its calls' outcomes, the errors it reports,
//! the notifications it delivers, and whether it closes the connection.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addNotificationListener, createMemorySocketPair, decodeValue, encodeValue, IpcConnection, IpcError, type WireValue } from "../src/common/index.js";
import { echoDescriptor, echoEventsDescriptor } from "./fixtures/echo.js";
import { vectorsDir } from "./paths.js";
import { matches, RawPeer } from "./raw-peer.js";
import { codecFor } from "./type-expressions.js";

interface VectorFile {
  schemaHashes: Record<string, string>;
  cases: { name: string; note?: string; steps: Record<string, any>[] }[];
}
const file: VectorFile = JSON.parse(readFileSync(join(vectorsDir, "messages-frontend.json"), "utf8"));

type Outcome = { result: unknown } | { error: IpcError };

/** Whether `error` has the pattern's `code`, `message` and `data` (each only when given). */
function errorMatches(pattern: { code?: string; message?: string; data?: unknown }, error: IpcError): boolean {
  return (
    (pattern.code === undefined || error.code === pattern.code) &&
    (pattern.message === undefined || error.message === pattern.message) &&
    (pattern.data === undefined || matches(error.data, pattern.data))
  );
}

async function replay(steps: Record<string, any>[]): Promise<void> {
  const [frontend, backend] = createMemorySocketPair();
  const peer = new RawPeer(backend);
  const reported: IpcError[] = [];
  const conn = new IpcConnection(frontend, { channels: [echoDescriptor, echoEventsDescriptor], onError: (e) => reported.push(e) });
  const ticks: number[] = [];
  addNotificationListener(echoEventsDescriptor, { tick: (n) => ticks.push(n) }, conn);
  const calls = new Map<string, { outcome: Promise<Outcome>; id?: number }>();
  for (const [index, step] of steps.entries()) {
    const [kind, arg] = Object.entries(step)[0]!;
    const where = `step ${index} ${JSON.stringify(step)}`;
    switch (kind) {
      case "expectHello":
      case "expectMessage": {
        const got = await peer.next();
        assert.ok(got.kind === "message" && matches(got.value, arg), `${where}: the frontend sent ${JSON.stringify(got)}`);
        break;
      }
      case "send":
        peer.send(arg);
        break;
      case "sendText":
        peer.send(arg as string);
        break;
      case "call": {
        // With `decode`, the result is decoded as that type, as generated code does.
        const decode = arg.decode === undefined ? undefined : codecFor(arg.decode);
        const outcome = conn
          .callRaw(arg.channel, arg.method, arg.args as WireValue[])
          .then((value) => (decode ? encodeValue(decode, decodeValue(decode, value, "result"), "result") : value))
          .then((result): Outcome => ({ result }), (error: IpcError): Outcome => ({ error }));
        calls.set(arg.ref, { outcome });
        break;
      }
      case "expectCall": {
        const got = await peer.next();
        assert.ok(got.kind === "message" && matches(got.value, arg.message), `${where}: the frontend sent ${JSON.stringify(got)}`);
        calls.get(arg.ref)!.id = (got as { value: { id: number } }).value.id;
        break;
      }
      case "answer":
        // `text`: a message too deep for the vector file's parsers, given as text; the id goes in first.
        if (arg.text !== undefined) peer.send(`{"id":${calls.get(arg.ref)!.id},${(arg.text as string).slice(1)}`);
        else peer.send({ ...arg.message, id: calls.get(arg.ref)!.id });
        break;
      case "expectOutcome": {
        const outcome = await calls.get(arg.ref)!.outcome;
        calls.delete(arg.ref);
        if ("result" in arg) assert.ok("result" in outcome && matches(outcome.result, arg.result), `${where}: got ${JSON.stringify(outcome)}`);
        else assert.ok("error" in outcome && errorMatches(arg.error, outcome.error), `${where}: got ${"error" in outcome ? `${outcome.error.code}: ${outcome.error.message}` : JSON.stringify(outcome)}`);
        // `absent: ["data"]`: the error has no `data`.
        if (arg.absent?.includes("data")) assert.ok("error" in outcome && outcome.error.data === undefined, `${where}: the error has data`);
        break;
      }
      case "expectReported":
        assert.ok(
          reported.length === arg.length && arg.every((pattern: any, i: number) => errorMatches(pattern, reported[i]!)),
          `${where}: reported ${JSON.stringify(reported.map((e) => [e.code, e.message]))}`,
        );
        break;
      case "expectTicks":
        assert.deepEqual(ticks, arg, where);
        break;
      case "expectClosed": {
        const got = await peer.next();
        assert.equal(got.kind, "closed", `${where}: got ${JSON.stringify(got)}`);
        break;
      }
      default:
        assert.fail(`${where}: unknown step ${kind}`);
    }
  }
  conn.close();
}

test("the vectors' schema hashes are the fixture's", () => {
  assert.equal(file.schemaHashes[echoDescriptor.channel], echoDescriptor.schemaHash);
  assert.equal(file.schemaHashes[echoEventsDescriptor.channel], echoEventsDescriptor.schemaHash);
});

for (const vector of file.cases) {
  test(`frontend vector ${vector.name}`, () => replay(vector.steps));
}
