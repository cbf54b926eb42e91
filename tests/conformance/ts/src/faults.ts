//! Faults every pairing survives, the TS client's side of `../../src/faults.rs`, through the
//! generated clients against either host (the `hang` and `hanging` probes of `streams.ipc`): a
//! handler that never ends and the caller's timeout, a slow call beside fast ones, a frontend
//! that disconnects mid-call, and a host that dies mid-call. Nothing waits on a clock: every
//! wait is on an event the host reports (the tests' own timeout only bounds a broken host).

import { strict as assert } from "node:assert";
import { IpcConnection, isIpcErrorCode } from "ipcc-runtime";
import { connectWebSocket } from "ipcc-runtime/node";
import { conformanceClient } from "../generated/conformance.js";
import { conformanceStreamsClient } from "../generated/streams.js";
import { channels, type Peer } from "./peers.js";

/** The caller's timeout on a call that never answers: it only has to fire. */
const TIMEOUT_MS = 50;

/** How many calls a fault catches at once. */
const PENDING = 3;

const failsWith = (code: string) => (error: unknown) => isIpcErrorCode(error, code);

/** Every fault below against `peer`'s host (a frontend disconnecting needs a second connection:
 *  WebSocket only, since a stdio host serves the one connection it was started for). Returns how
 *  many milliseconds the pending calls took to fail once the host died. */
export async function runAll(peer: Peer): Promise<number> {
  await timeoutAndSlowBesideFast(peer.connection);
  if (peer.url !== undefined) await frontendDisconnectsMidCall(peer.connection, peer.url);
  return hostDiesMidCall(peer.connection);
}

/** On one connection: a handler that never ends meets the caller's timeout, then a slow call
 *  runs beside fast ones and is cancelled with its `AbortSignal`. */
export async function timeoutAndSlowBesideFast(connection: IpcConnection): Promise<void> {
  const streams = conformanceStreamsClient(connection);
  const base = await streams.cancellations(0);

  // The caller's timeout fails the call with `timeout`, and the host drops the handler: it
  // counts as cancelled and no longer runs.
  await assert.rejects(conformanceStreamsClient(connection, { timeout: TIMEOUT_MS }).hang(), failsWith("timeout"));
  assert.equal(await streams.cancellations(base + 1), base + 1);
  assert.equal(await streams.hanging(0), 0, "the timed-out handler runs on");

  // A slow call does not hold up the calls after it on the same connection.
  const abort = new AbortController();
  let settled = false;
  const slow = conformanceStreamsClient(connection, { signal: abort.signal }).hang();
  slow.then(
    () => (settled = true),
    () => (settled = true),
  );
  assert.equal(await streams.hanging(1), 1);
  const echo = conformanceClient(connection);
  for (let i = 0; i < 100; i++) assert.equal(await echo.echoString(`fast call ${i}`), `fast call ${i}`);
  assert.equal(settled, false, "the slow call ended on its own");
  abort.abort();
  await assert.rejects(slow, failsWith("cancelled"));
  assert.equal(await streams.cancellations(base + 2), base + 2);
  assert.equal(await streams.hanging(0), 0, "the aborted handler runs on");
}

/** A second frontend of the WebSocket host at `url` disconnects with calls running: each of its
 *  calls fails `disconnected` on its side, and the host drops every handler (all count as
 *  cancelled, none runs on) while it serves `observer` on. */
export async function frontendDisconnectsMidCall(observer: IpcConnection, url: string): Promise<void> {
  const probes = conformanceStreamsClient(observer);
  const base = await probes.cancellations(0);
  const leaving = new IpcConnection(await connectWebSocket(url), { channels });
  await leaving.ready;
  const client = conformanceStreamsClient(leaving);
  const calls = Array.from({ length: PENDING }, () => client.hang());
  assert.equal(await probes.hanging(PENDING), PENDING);
  leaving.close();
  for (const call of calls) await assert.rejects(call, failsWith("disconnected"));
  assert.equal(await probes.cancellations(base + PENDING), base + PENDING);
  assert.equal(await probes.hanging(0), 0, "handlers of the closed connection run on");
}

/** The host dies with calls pending: every one fails `disconnected`, and so does every call
 *  after. Returns how many milliseconds after the host was told to die the last one failed. */
export async function hostDiesMidCall(connection: IpcConnection): Promise<number> {
  const streams = conformanceStreamsClient(connection);
  const calls = Array.from({ length: PENDING }, () => streams.hang());
  for (const call of calls) call.catch(() => {}); // awaited below
  assert.equal(await streams.hanging(PENDING), PENDING);
  const died = performance.now();
  await assert.rejects(streams.die(), failsWith("disconnected"));
  for (const call of calls) await assert.rejects(call, failsWith("disconnected"));
  const elapsed = performance.now() - died;
  await assert.rejects(streams.hanging(0), failsWith("disconnected"), "a call after the death");
  return elapsed;
}
