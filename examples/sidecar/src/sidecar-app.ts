//! The sidecar app: a Node program in the shape of an Electron main process. It starts the Rust
//! worker (`worker/`, crate `sidecar-worker`) as a child process, talks to it over the child's
//! stdin/stdout with the code generated from `common/sidecar.ipc`, and shuts it down on exit.
//!
//! Run as a program: `node build/src/sidecar-app.js WORKER_BINARY FILE` hashes FILE, computes a
//! sum with progress, prints the results and the worker's exit status, and exits.

import { pathToFileURL } from "node:url";
import { isIpcError } from "ipcc-runtime";
// Each snippet's imports on lines of their own, so that the guide shows them with it.
// guide:start sidecar-startup
import { IpcApp } from "ipcc-runtime";
import { spawnStdioBackend, type ChildExit, type StdioChildSocket } from "ipcc-runtime/node";
import { sidecarDescriptor, sidecarEventsDescriptor } from "./generated/sidecar.js";
// guide:end sidecar-startup
// guide:start sidecar-calls
import { addSidecarEventsListener, callSidecar, isFileError } from "./generated/sidecar.js";
import type { FileDigest, FileError } from "./generated/sidecar.js";
// guide:end sidecar-calls

// guide:start sidecar-startup
/** Starts the Rust worker as a child process and makes it the app's default connection. */
export async function startWorker(workerPath: string, onStderr?: (line: string) => void): Promise<StdioChildSocket> {
  // The worker's stderr is surfaced line by line (default: copied to this process's stderr).
  const socket = await spawnStdioBackend(workerPath, [], onStderr ? { onStderr } : {});
  // Listing the channels sends their schema hashes in the handshake: a worker built from a
  // different sidecar.ipc fails calls with `versionMismatch` instead of garbling them.
  await IpcApp.startup(socket, { channels: [sidecarDescriptor, sidecarEventsDescriptor] });
  return socket;
}

/** The app is quitting: closing the connection closes the worker's stdin, and it exits. */
export async function stopWorker(socket: StdioChildSocket): Promise<ChildExit> {
  IpcApp.shutdown();
  return socket.exited;
}
// guide:end sidecar-startup

/** What `runApp` did, for its caller (and its test) to check. */
export interface AppReport {
  /** The worker's answer for the file, or the declared error it gave. */
  digest: FileDigest | FileError;
  sum: bigint;
  progress: number[];
  workerPid: number | undefined;
  exit: ChildExit;
}

/** The app's whole life: start the worker, use it, shut it down. */
export async function runApp(workerPath: string, file: string): Promise<AppReport> {
  const socket = await startWorker(workerPath);
  try {
    // guide:start sidecar-calls
    const progress: number[] = [];
    const removeListener = addSidecarEventsListener({
      progress: (task, done, total) => {
        progress.push(done);
        console.error(`${task}: ${done}/${total}`);
      },
    });
    let digest: FileDigest | FileError;
    try {
      digest = await callSidecar("hashFile", file);
      console.log(`${digest.path}: ${digest.size} bytes, sha256 ${digest.sha256}`);
    } catch (error) {
      if (!isFileError(error)) throw error;
      // error.data is a FileError: { kind: "notFound", path } | { kind: "unreadable", path, reason }
      digest = error.data;
      console.error(`cannot hash ${error.data.path}: ${error.data.kind}`);
    }
    const sum = await callSidecar("compute", 20, 5); // sum: bigint (u64)
    removeListener();
    // guide:end sidecar-calls
    console.log(`sum of squares 1..=20: ${sum}`);
    return { digest, sum, progress, workerPid: socket.child.pid, exit: await stopWorker(socket) };
  } catch (error) {
    await stopWorker(socket);
    throw error;
  }
}

async function main(args: string[]): Promise<number> {
  const [workerPath, file] = args;
  if (!workerPath || !file || args.length !== 2) {
    console.error("usage: node build/src/sidecar-app.js WORKER_BINARY FILE");
    return 2;
  }
  try {
    const report = await runApp(workerPath, file);
    console.log(`worker pid ${report.workerPid} exited with code ${report.exit.code}`);
    return report.exit.code === 0 ? 0 : 1;
  } catch (error) {
    console.error(isIpcError(error) ? `${error.code}: ${error.message}` : error);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
