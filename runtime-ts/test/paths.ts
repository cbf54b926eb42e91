//! Where the tests find the repository's shared files and the compiled fixtures.

import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

const here = dirname(fileURLToPath(import.meta.url)); // build-test/test
/** runtime-ts/ */
export const packageDir = resolve(here, "..", "..");
/** The repository root. */
export const repoDir = resolve(packageDir, "..");
export const vectorsDir = join(repoDir, "tests", "vectors");
/** The compiled child-process backend fixture. */
export const echoStdioBackend = join(here, "fixtures", "echo-stdio-backend.js");
/** The compiled child-process WebSocket backend (prints its URL). */
export const echoWsBackend = join(here, "fixtures", "echo-ws-backend.js");
/** The compiled child-process backend serving `streams-test-v1`. */
export const streamsStdioBackend = join(here, "fixtures", "streams-stdio-backend.js");
/** The compiled child-process backend serving `bytes-test-v1`. */
export const bytesStdioBackend = join(here, "fixtures", "bytes-stdio-backend.js");
/** The compiled `worker_threads` backend of the MessagePort tests. */
export const portWorker = join(here, "fixtures", "port-worker.js");
