//! TS client → Rust host (`conformance-backend`, from CONFORMANCE_RUST_BACKEND), over WebSocket
//! (its `WsServer`, and `axum-route`: the host mounted on the axum route) and over stdio: the
//! whole scenario, the property tests TS → Rust → TS, and the generated streams
//! (`../streams-scenario.ts`): every direction, cancellation both ways, flow control, the host dying;
//! and the faults (`../faults.ts`).

import { test } from "node:test";
import * as faults from "../faults.js";
import { connect, type Transport } from "../peers.js";
import { seedFromEnv } from "../prng.js";
import { properties, runAll } from "../scenario.js";
import * as streams from "../streams-scenario.js";

for (const transport of ["websocket", "stdio", "axum-route"] as Transport[]) {
  test(`TS client → Rust host over ${transport}: every method, optionals, void, declared error, notifications`, async () => {
    const peer = await connect("rust", transport);
    try {
      await runAll(peer.connection);
    } finally {
      await peer.close();
    }
  });

  test(`TS → Rust → TS over ${transport}: 1,000+ generated values of every type, exact`, async () => {
    const peer = await connect("rust", transport);
    try {
      await properties(peer.connection, seedFromEnv());
    } finally {
      await peer.close();
    }
  });

  test(`TS client → Rust host over ${transport}: generated streams in every direction (10,000 items, declared errors, cancellation both ways, AbortSignal, interleaving, flow control)`, async () => {
    const peer = await connect("rust", transport);
    try {
      await streams.runAll(peer.connection);
    } finally {
      await peer.close();
    }
  });

  test(`TS → Rust → TS over ${transport}: stream items of 1,000+ generated values of every type, exact`, async () => {
    const peer = await connect("rust", transport);
    try {
      await streams.properties(peer.connection, seedFromEnv());
    } finally {
      await peer.close();
    }
  });

  test(`TS client → Rust host over ${transport}: the host dying mid-stream ends every stream and call with disconnected`, async () => {
    const peer = await connect("rust", transport);
    try {
      await streams.hostDiesMidStream(peer.connection);
    } finally {
      await peer.close();
    }
  });

  test(`TS client → Rust host over ${transport}: faults (a timeout on a handler that never ends, a slow call beside fast ones, a frontend disconnecting mid-call, the host dying mid-call)`, { timeout: 120_000 }, async () => {
    const peer = await connect("rust", transport);
    try {
      const elapsed = await faults.runAll(peer);
      console.log(`# TS client, Rust host, ${transport}: pending calls failed ${elapsed.toFixed(1)} ms after \`die\``);
    } finally {
      await peer.close();
    }
  });
}
