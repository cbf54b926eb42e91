//! Binary `bytes` (protocol v2, docs/protocol.md "Version 2: binary `bytes`") between the TS
//! client and both hosts (Rust `conformance-backend`, TS `build/src/backend.js`), over WebSocket
//! and stdio, with binary offered by both sides, turned off in the client, and turned off in the
//! host (`IPCC_CONFORMANCE_BINARY=0`), through the generated client: `echoBytes`, `echoBlob`,
//! `echoBytesMap` and `echoScalars` (a struct with a `bytes` field).
//!
//! Which form the values took is shown by the size limit: client and host accept messages up to
//! 20 MiB, which a 16 MiB value fits attached (binary) but not as base64 (21.3 MiB). So with both
//! on, 16 MiB round-trips; with either off, the call fails with `tooLarge` and the connection
//! keeps serving. The welcome grants binary exactly when both offer it.

import { strict as assert } from "node:assert";
import { test } from "node:test";
import { isIpcErrorCode } from "ipcc-runtime";
import { conformanceClient, type Scalars } from "../../generated/conformance.js";
import { assertExact } from "../exact.js";
import { emittedSample } from "../fixtures.js";
import { connectWith, type HostKind, type Transport } from "../peers.js";

const LIMIT = 20 << 20;
const SIXTEEN_MIB = 16 << 20;

/** Which side turns binary `bytes` off, if any. */
type Offer = "both on" | "client off" | "host off";

/**
 * `n` bytes of a 32-bit LCG's high bytes (the same sequence as `pattern` in
 * `tests/binary_pairings.rs`): not periodic within 16 MiB, so a shifted, truncated or repeated
 * copy does not compare equal.
 */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const label = (n: number) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n} B`);

/** The sample's `Scalars` with `data` replaced. */
function scalarsWith(data: Uint8Array): Scalars {
  return { ...emittedSample().maybeScalars!, data };
}

for (const host of ["rust", "ts"] as HostKind[]) {
  for (const transport of ["websocket", "stdio"] as Transport[]) {
    for (const offer of ["both on", "client off", "host off"] as Offer[]) {
      test(`binary bytes, TS client → ${host} host over ${transport}, ${offer}: 0 B–16 MiB bit-exact, 16 MiB only attached`, async () => {
        const peer = await connectWith(
          host,
          transport,
          { maxMessageBytes: LIMIT, binary: offer !== "client off" },
          { IPCC_CONFORMANCE_MAX_MESSAGE_BYTES: String(LIMIT), ...(offer === "host off" ? { IPCC_CONFORMANCE_BINARY: "0" } : {}) },
        );
        try {
          const { connection } = peer;
          assert.equal(connection.binaryBytes, offer === "both on", "the welcome granted binary exactly when both offered it");
          const client = conformanceClient(connection);

          // Within the limit in either form: bit-exact whatever form they took.
          const small = [0, 1, 1 << 20].map((n, i) => pattern(n, i + 1));
          for (const v of small) {
            assertExact(`echoBytes(${label(v.length)})`, v, await client.echoBytes(v));
            assertExact(`echoBlob(${label(v.length)})`, v, await client.echoBlob(v));
            assertExact(`echoScalars(data: ${label(v.length)})`, scalarsWith(v), await client.echoScalars(scalarsWith(v)));
          }
          const map = new Map(small.map((v) => [label(v.length), v]));
          assertExact("echoBytesMap(0 B, 1 B, 1 MiB)", map, await client.echoBytesMap(map));

          // 16 MiB: 16 MiB + a few bytes attached, 21.3 MiB as base64.
          const large = pattern(SIXTEEN_MIB, 4);
          const calls: [string, () => Promise<void>][] = [
            ["echoBytes", async () => assertExact("echoBytes(16 MiB)", large, await client.echoBytes(large))],
            ["echoBlob", async () => assertExact("echoBlob(16 MiB)", large, await client.echoBlob(large))],
            [
              "echoBytesMap",
              async () => {
                const big = new Map([["", small[0]!], ["large", large]]);
                assertExact("echoBytesMap(0 B, 16 MiB)", big, await client.echoBytesMap(big));
              },
            ],
            ["echoScalars", async () => assertExact("echoScalars(data: 16 MiB)", scalarsWith(large), await client.echoScalars(scalarsWith(large)))],
          ];
          for (const [method, call] of calls) {
            if (offer === "both on") await call();
            else await assert.rejects(call(), (e: unknown) => isIpcErrorCode(e, "tooLarge"), `${method}(16 MiB) as base64 is over 20 MiB`);
            // Either way the connection still serves.
            assertExact(`echoBytes after ${method}(16 MiB)`, small[1], await client.echoBytes(small[1]!));
          }
        } finally {
          await peer.close();
        }
      });
    }
  }
}
