//! stdio transports: spawn a backend as a child process (frontend side), or serve on this process's stdin/stdout (backend side).

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { IpcError } from "../../common/protocol/errors.js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../../common/protocol/messages.js";
import { SocketEvents, type IpcSocket, type IpcSocketBackend, type IpcSocketFrontend } from "../../common/transport/socket.js";
import { forwardLines, type ChildExit } from "./child.js";
import { LineFraming } from "../transport/line-framing.js";
import type { Readable, Writable } from "node:stream";

/** Options of `spawnStdioBackend`. */
export interface SpawnStdioOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line the child writes on stderr (default: copied to this process's stderr). */
  onStderr?: (line: string) => void;
  /** Milliseconds between closing the child's stdin and killing it (default 2000). */
  killAfter?: number;
}

/** A frontend socket to a child backend, with the child's process and how it ended. */
export interface StdioChildSocket extends IpcSocketFrontend {
  readonly child: ChildProcess;
  /** Resolves when the child has exited. */
  readonly exited: Promise<ChildExit>;
  /** The last lines the child wrote on stderr (at most 20), for error reports. */
  readonly stderrTail: readonly string[];
}

/** Keeps the last stderr lines for the disconnect message. */
const STDERR_TAIL = 20;

/**
 * Frames messages onto a writable stream and reads them off a readable one: text as one line,
 * a binary message as `0x00`, its length (u32 big-endian), then the message (read only after
 * `enableBinary`: docs/protocol.md, Framing). `close` is the socket's own close.
 */
function pipeSocket(input: Readable, output: Writable, description: string, events: SocketEvents, onEnd: () => void, close: () => void): IpcSocket & { framing: LineFraming } {
  const framing = new LineFraming(DEFAULT_MAX_MESSAGE_BYTES, (message) => events.message(message), () => {});
  input.on("data", (chunk: Buffer) => framing.push(chunk));
  input.on("end", onEnd);
  input.on("close", onEnd);
  input.on("error", onEnd);
  output.on("error", onEnd);
  let onDrain: (() => void) | undefined;
  // Called by the stream once the chunk was handed to the OS (or failed to be).
  const written = () => onDrain?.();
  // The messages sent in one turn of the event loop go out in one write: from the second
  // message of a turn the stream is corked, and uncorked once the turn's synchronous code and
  // promise jobs have run, so 64 calls started together are two writes (one wake-up of the
  // backend, perhaps two), not 64. The first message of a turn is written at once: a lone call
  // does not wait for the end of the turn, nor go through the stream's corked path.
  let sentThisTurn = false;
  let corked = false;
  const endTurn = () => {
    sentThisTurn = false;
    if (corked) {
      corked = false;
      output.uncork();
    }
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    output.cork();
  };
  /** Corks the stream unless this is the turn's first message. */
  const batch = () => {
    if (sentThisTurn) return cork();
    sentThisTurn = true;
    process.nextTick(endTurn);
  };
  return {
    description,
    framing,
    binary: true,
    send(message) {
      if (events.isClosed || !output.writable) return;
      batch();
      if (typeof message === "string") {
        // Encoded here so that the stream counts bytes (it counts a string's UTF-16 units).
        output.write(Buffer.from(message + "\n"), written);
        return;
      }
      const header = Buffer.allocUnsafe(5);
      header[0] = 0;
      header.writeUInt32BE(message.length, 1);
      // The message itself is written from its own memory, not copied; header and message in
      // one write.
      cork();
      output.write(header);
      output.write(message, written);
    },
    enableBinary() {
      framing.enableBinary();
    },
    onMessage: (listener) => events.onMessage(listener),
    onClose: (listener) => events.onClose(listener),
    close,
    limitMessageBytes(limit, onTooLarge) {
      framing.setLimit(limit, onTooLarge);
    },
    // What the stream holds, not yet handed to the OS (a pipe the peer does not read fills up).
    get bufferedBytes() {
      return output.writableLength;
    },
    onDrain(listener) {
      onDrain = listener;
    },
    // The chunk being framed is still delivered; no more is read from the pipe until resumed.
    pauseReading() {
      input.pause();
    },
    resumeReading() {
      input.resume();
    },
  };
}

/**
 * Starts `command` as a child backend and speaks the protocol over its stdin/stdout. Its stderr
 * is surfaced line by line (never parsed as protocol). When the child exits or its stdout
 * ends, the socket closes at once (pending calls reject with `disconnected`, and the reason
 * names the exit status and the last stderr line). Resolves once the child has started.
 */
export function spawnStdioBackend(command: string, args: readonly string[] = [], options: SpawnStdioOptions = {}): Promise<StdioChildSocket> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { stdio: ["pipe", "pipe", "pipe"], cwd: options.cwd, env: options.env ?? process.env };
    const child = spawn(command, [...args], spawnOptions);
    const events = new SocketEvents();
    const tail: string[] = [];
    const onStderr = options.onStderr ?? ((line: string) => process.stderr.write(`[${command}] ${line}\n`));
    forwardLines(child.stderr!, (line) => {
      tail.push(line);
      if (tail.length > STDERR_TAIL) tail.shift();
      onStderr(line);
    });
    let exit: ChildExit | undefined;
    const exited = new Promise<ChildExit>((resolveExit) => {
      child.on("exit", (code, signal) => {
        exit = { code, signal };
        resolveExit(exit);
        ended();
      });
    });
    const ended = () => {
      if (events.isClosed) return;
      const status = exit ? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`) : "closed its stdout";
      const last = tail.length ? `: ${tail[tail.length - 1]}` : "";
      events.closed(`backend ${command} ${status}${last}`);
    };
    const killAfter = options.killAfter ?? 2000;
    const close = () => {
      events.closed("closed locally");
      child.stdin!.end();
      if (exit === undefined) {
        const timer = setTimeout(() => child.kill("SIGKILL"), killAfter);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      }
    };
    // Assigned onto the pipe socket, not spread: its `bufferedBytes` is a getter.
    const socket: StdioChildSocket = Object.assign(pipeSocket(child.stdout!, child.stdin!, `stdio pid ${child.pid ?? "?"}`, events, ended, close), {
      child,
      exited,
      stderrTail: tail,
    });
    child.stdin!.on("error", () => {}); // EPIPE after the child died; the exit path reports it
    child.once("spawn", () => resolve(socket));
    child.once("error", (e) => {
      events.closed(`backend ${command} failed: ${e.message}`);
      reject(new IpcError("disconnected", `cannot start ${command}: ${e.message}`));
    });
  });
}

/** Options of `StdioBackend`. */
export interface StdioBackendOptions {
  /**
   * Send `console.log`/`info`/`debug` to stderr, since stdout carries only protocol (default
   * true). Set false if the app already keeps stdout clean.
   */
  redirectConsole?: boolean;
  /** Called when the frontend closes stdin (default: `process.exit(0)` once stdout is flushed). */
  onDisconnect?: () => void;
  input?: Readable;
  output?: Writable;
}

/** Serves this process's stdin/stdout as one connection: the backend is the child process. */
export class StdioBackend implements IpcSocketBackend {
  private socket: IpcSocket | undefined;
  /** Takes over stdout for the protocol at once (console output moves to stderr from here on). */
  constructor(private readonly options: StdioBackendOptions = {}) {
    if (options.redirectConsole ?? true) {
      const toStderr = (...args: unknown[]) => console.error(...args);
      console.log = toStderr;
      console.info = toStderr;
      console.debug = toStderr;
    }
  }

  listen(onConnection: (socket: IpcSocket) => void): void {
    const input = this.options.input ?? process.stdin;
    const output = this.options.output ?? process.stdout;
    const events = new SocketEvents();
    const onDisconnect =
      this.options.onDisconnect ?? (() => output.write("", () => process.exit(0)));
    const ended = () => {
      if (events.isClosed) return;
      events.closed("stdin closed");
      onDisconnect();
    };
    // The only connection of a stdio backend: when the host closes it (a failed handshake,
    // shutdown), the process ends, which is how the parent sees the close.
    const socket: IpcSocket = pipeSocket(input, output, "stdio parent", events, ended, () => {
      if (events.isClosed) return;
      events.closed("closed by the backend");
      onDisconnect();
    });
    this.socket = socket;
    onConnection(socket);
  }

  async close(): Promise<void> {
    this.socket?.close();
  }
}
