//! Child backends: their output read line by line, and `spawnWebSocketBackend`, which starts a backend that listens on WebSocket and waits for the URL it prints.

import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { IpcError } from "../../common/protocol/errors.js";

/** How a child backend ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Splits a text stream into lines and hands each to `onLine`. */
export function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    // A child that never writes a newline must not grow this without bound.
    if (rest.length > 64 * 1024) {
      parts.push(rest);
      rest = "";
    }
    for (const line of parts) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  });
  stream.on("end", () => {
    if (rest) onLine(rest);
    rest = "";
  });
}

/** Options of `spawnWebSocketBackend`. */
export interface SpawnWebSocketOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line the child writes on stdout or stderr (default: copied to this process's stderr). */
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  /** Milliseconds to wait for the URL before the child is stopped and the promise rejects (default 30000). */
  startupTimeout?: number;
  /** Milliseconds between SIGTERM and SIGKILL when the child is stopped (default 2000). */
  killAfter?: number;
}

/** A child backend that listens on WebSocket: its URL, to pass to `connectWebSocket` (once per frontend). */
export interface WebSocketChild {
  /** The first `ws://` or `wss://` URL the child printed (a bound port, never `:0`). */
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves when the child has exited. */
  readonly exited: Promise<ChildExit>;
  /** The last lines the child wrote (at most 20), for error reports. */
  readonly outputTail: readonly string[];
  /** Stops the child: SIGTERM, then SIGKILL after `killAfter` ms; resolves once it has exited. */
  stop(): Promise<ChildExit>;
}

const OUTPUT_TAIL = 20;
/** A WebSocket URL in a line of output, e.g. `listening on ws://127.0.0.1:41234/`. */
const WS_URL = /\bwss?:\/\/[^\s"'<>]+/;

/**
 * Starts `command` as a backend that serves WebSocket (told by its arguments to listen, e.g.
 * `--ws 127.0.0.1:0`), and resolves once it prints the URL it listens on, on stdout or stderr
 * (the Rust `WsServer::url()` form, `ws://127.0.0.1:41234/`). Rejects with `disconnected` if
 * the child cannot start, exits first, or prints no URL within `startupTimeout` (then it is
 * stopped). Its output is never parsed as protocol.
 */
export function spawnWebSocketBackend(command: string, args: readonly string[] = [], options: SpawnWebSocketOptions = {}): Promise<WebSocketChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"], cwd: options.cwd, env: options.env ?? process.env });
    const tail: string[] = [];
    const onOutput = options.onOutput ?? ((line: string) => process.stderr.write(`[${command}] ${line}\n`));
    const killAfter = options.killAfter ?? 2000;
    let exit: ChildExit | undefined;
    const exited = new Promise<ChildExit>((resolveExit) => {
      child.on("exit", (code, signal) => {
        exit = { code, signal };
        resolveExit(exit);
      });
    });
    const stop = (): Promise<ChildExit> => {
      if (exit === undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), killAfter);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    };
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(startup);
      const last = tail.length ? `; last output: ${tail[tail.length - 1]}` : "";
      reject(new IpcError("disconnected", `backend ${command} ${why}${last}`));
    };
    const startupMs = options.startupTimeout ?? 30_000;
    const startup = setTimeout(() => {
      fail(`printed no ws:// URL within ${startupMs} ms`);
      void stop();
    }, startupMs);
    const scan = (stream: "stdout" | "stderr") => (line: string) => {
      tail.push(line);
      if (tail.length > OUTPUT_TAIL) tail.shift();
      onOutput(line, stream);
      const url = WS_URL.exec(line)?.[0];
      if (settled || url === undefined || /:0(\/|$)/.test(url)) return;
      settled = true;
      clearTimeout(startup);
      resolve({ url, child, exited, outputTail: tail, stop });
    };
    forwardLines(child.stdout!, scan("stdout"));
    forwardLines(child.stderr!, scan("stderr"));
    void exited.then(({ code, signal }) => fail(signal ? `was killed by ${signal} before listening` : `exited with code ${code} before listening`));
    child.once("error", (e) => fail(`cannot start: ${e.message}`));
  });
}
