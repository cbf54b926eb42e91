//! Starting a host (the Rust binary or the TS backend under node) over WebSocket or stdio and
//! connecting a TS client to it.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IpcConnection, type ConnectionOptions } from "ipcc-runtime";
import { connectWebSocket, spawnStdioBackend } from "ipcc-runtime/node";
import { conformanceDescriptor, conformanceEventsDescriptor } from "../generated/conformance.js";
import { conformanceStreamsDescriptor } from "../generated/streams.js";

/** How long a backend may take to print its URL (generous for a loaded machine). */
const STARTUP_MS = 30_000;

export type HostKind = "rust" | "ts";
/** `axum-route`: WebSocket to the Rust host mounted on `ipcc_runtime::axum::ipc_route` (at `/ipc`). */
export type Transport = "websocket" | "stdio" | "axum-route";

/** The command line that starts `host` (plus `--stdio` or `--ws ADDR`). */
export function hostCommand(host: HostKind): [string, string[]] {
  if (host === "ts") return [process.execPath, [join(dirname(fileURLToPath(import.meta.url)), "backend.js")]];
  const exe = process.env["CONFORMANCE_RUST_BACKEND"] ?? "";
  if (!exe || !existsSync(exe)) {
    throw new Error(`CONFORMANCE_RUST_BACKEND (${JSON.stringify(exe)}) is not the conformance-backend binary: run the tests through \`npm test\``);
  }
  return [exe, []];
}

/** A connected client and how to end its host. */
export interface Peer {
  connection: IpcConnection;
  /** The host's URL, for more connections (WebSocket only: a stdio host serves one). */
  url?: string;
  close(): Promise<void>;
}

/** Every channel of the conformance suite, as each client lists it. */
export const channels = [conformanceDescriptor, conformanceStreamsDescriptor, conformanceEventsDescriptor];

function readUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no URL within ${STARTUP_MS} ms; stdout: ${output}`)), STARTUP_MS);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const newline = output.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        const url = output.slice(0, newline).trim();
        if (url.startsWith("ws://")) resolve(url);
        else reject(new Error(`the first stdout line is not a ws:// URL: ${JSON.stringify(url)}`));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code ?? signal}) before printing its URL`));
    });
  });
}

/** Starts `host` and connects over `transport`; the handshake has completed when this resolves. */
export function connect(host: HostKind, transport: Transport): Promise<Peer> {
  return connectWith(host, transport, {}, {});
}

/**
 * `connect` with the client's `options` (its `maxMessageBytes` also limits the WebSocket) and
 * `hostEnv` added to the host process's environment (e.g. `IPCC_CONFORMANCE_BINARY: "0"`).
 */
export async function connectWith(
  host: HostKind,
  transport: Transport,
  options: Omit<ConnectionOptions, "channels">,
  hostEnv: Record<string, string>,
): Promise<Peer> {
  const [command, baseArgs] = hostCommand(host);
  if (transport === "axum-route" && host !== "rust") throw new Error("only the Rust host has an axum route");
  const server = transport === "axum-route" ? { IPCC_CONFORMANCE_SERVER: "axum" } : {};
  const env = { ...process.env, ...hostEnv, ...server };
  if (transport === "stdio") {
    const stderr: string[] = [];
    const socket = await spawnStdioBackend(command, [...baseArgs, "--stdio"], { env, onStderr: (line) => stderr.push(line) });
    const connection = new IpcConnection(socket, { ...options, channels });
    await connection.ready;
    return {
      connection,
      async close() {
        connection.close();
        const exit = await socket.exited;
        if (exit.code !== 0) throw new Error(`the ${host} backend exited with ${JSON.stringify(exit)}; stderr: ${stderr.join("\n")}`);
      },
    };
  }
  const child = spawn(command, [...baseArgs, "--ws", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await readUrl(child);
    const limit = options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes };
    const connection = new IpcConnection(await connectWebSocket(url, limit), { ...options, channels });
    await connection.ready;
    return {
      connection,
      url,
      async close() {
        connection.close();
        child.kill();
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}
