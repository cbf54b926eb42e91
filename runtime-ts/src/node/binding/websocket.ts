//! Node WebSocket transports over `ws`: a client (`connectWebSocket`) and a server (`WebSocketBackend`).

import { createServer, STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { IpcError } from "../../common/protocol/errors.js";
import { DEFAULT_MAX_MESSAGE_BYTES, HELLO_MAX_BYTES } from "../../common/protocol/messages.js";
import { SocketEvents, type IpcSocket, type IpcSocketBackend, type IpcSocketFrontend } from "../../common/transport/socket.js";

/**
 * Wraps an open `ws` socket. A binary frame is handed on as a `Uint8Array` (a view of what `ws`
 * received, not a copy); the protocol layer reads it on a binary connection and answers
 * `badRequest` elsewhere. `maxPayload` is the limit (a binary message counts whole); a backend's socket is opened with a
 * larger one for the first message (`firstPayload`: a hello may be 1 MiB whatever the limit),
 * and a later text frame over `maxPayload` is refused as ws refuses a frame over its own.
 */
function wrap(ws: WebSocket, description: string, maxPayload: number, firstPayload = maxPayload, coalesce = false): IpcSocket {
  const events = new SocketEvents();
  // A frame over `maxPayload` cannot be skipped: the protocol answers `tooLarge` (id null) and
  // then closes with 1009 (docs/protocol.md, refinement 1). ws closes with 1009 itself, before
  // it emits `error` and with no hook in between, so this socket's `close` reports the oversize
  // frame first while the socket is still open to carry the answer.
  let onTooLarge: ((prefix: string, enforced?: number) => void) | undefined;
  const closeSocket = ws.close.bind(ws);
  let first = true;
  ws.close = (code?: number, reason?: string | Buffer) => {
    if (code === 1009 && ws.readyState === WebSocket.OPEN) onTooLarge?.("", first ? firstPayload : maxPayload);
    closeSocket(code, reason);
  };
  ws.on("message", (data: RawData, isBinary: boolean) => {
    const wasFirst = first;
    first = false;
    if (!wasFirst && byteLength(data) > maxPayload) {
      ws.close(1009);
      return;
    }
    events.message(isBinary ? bytesOf(data) : data.toString());
  });
  ws.on("close", (code: number, reason: Buffer) => events.closed(`websocket closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`));
  ws.on("error", (e: Error) => {
    // ws closes the socket after an error (e.g. 1009 for an oversize frame); the close event follows.
    events.closed(`websocket error: ${e.message}`);
  });
  let onDrain: (() => void) | undefined;
  // Called by ws once the frame was written to the socket (or failed to be).
  const written = () => onDrain?.();
  // With `coalesce` (a frontend's socket), the frames sent in one turn of the event loop go out
  // in one write: ws writes each frame to its TCP socket at once (a `writev` each), so from the
  // second frame of a turn the socket is corked, and uncorked once the turn's synchronous code
  // and promise jobs have run (cork nests, so ws's own cork per frame keeps working). The first
  // frame of a turn is written at once: a lone call does not wait for the end of the turn. ws
  // does not export its socket; `_socket` is where it has kept it since 1.x, and without it
  // frames are written one by one as before. A host's sockets write at once: its backpressure
  // tests what the kernel took right after each answer.
  const tcp = coalesce ? (ws as unknown as { _socket?: Duplex })._socket : undefined;
  const batching = typeof tcp?.cork === "function";
  let sentThisTurn = false;
  let corked = false;
  const endTurn = () => {
    sentThisTurn = false;
    if (corked) {
      corked = false;
      tcp!.uncork();
    }
  };
  return {
    description,
    binary: true,
    // A string goes as a text frame, a Uint8Array as one binary frame (ws sends it as is on a
    // server; a client masks it into a new buffer, as RFC 6455 requires).
    send(message) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (batching) {
        if (!sentThisTurn) {
          sentThisTurn = true;
          process.nextTick(endTurn);
        } else if (!corked) {
          corked = true;
          tcp!.cork();
        }
      }
      ws.send(message, written);
    },
    onMessage: (listener) => events.onMessage(listener),
    onClose: (listener) => events.onClose(listener),
    // What ws and the TCP socket hold, not yet handed to the OS.
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
    onDrain(listener) {
      onDrain = listener;
    },
    // Stops reading the TCP socket; ws may still deliver the messages of what it already read.
    pauseReading() {
      ws.pause();
    },
    resumeReading() {
      ws.resume();
    },
    close() {
      events.closed("closed locally");
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    },
    // The limit itself is `maxPayload`, fixed when the socket is made; this only takes the report.
    limitMessageBytes(_limit, report) {
      onTooLarge = report;
    },
  };
}

/** A binary frame's bytes as a plain `Uint8Array` view (a `Buffer` would compare unequal to one). */
function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Options of `connectWebSocket`. */
export interface NodeWebSocketOptions {
  /** Extra HTTP headers of the upgrade request. */
  headers?: Record<string, string>;
  /** The `Origin` header to send (browsers send their page's origin; Node sends none by default). */
  origin?: string;
  /** Largest incoming frame, in bytes (default 64 MiB); a larger one is reported `tooLarge` and closes the connection (1009). */
  maxMessageBytes?: number;
}

/** Opens a WebSocket to `url`; resolves once open, rejects with `disconnected` if it cannot be opened. */
export function connectWebSocket(url: string, options: NodeWebSocketOptions = {}): Promise<IpcSocketFrontend> {
  return new Promise((resolve, reject) => {
    const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const ws = new WebSocket(url, {
      headers: options.headers,
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      maxPayload,
    });
    const fail = (e: Error) => reject(new IpcError("disconnected", `cannot open ${url}: ${e.message}`));
    ws.once("error", fail);
    ws.once("unexpected-response", (_req, res) => {
      reject(new IpcError("disconnected", `cannot open ${url}: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once("open", () => {
      ws.off("error", fail);
      resolve(wrap(ws, `ws ${url}`, maxPayload, maxPayload, true));
    });
  });
}

/** Options of `WebSocketBackend.listen`. */
export interface WebSocketBackendOptions {
  /** Interface to bind (default `127.0.0.1`: loopback only). */
  host?: string;
  /** Port (default 0: the system picks one; see `backend.port`). */
  port?: number;
  /** Only upgrade requests on this path (default: any path). */
  path?: string;
  /**
   * Origins allowed to connect (`"http://localhost:5173"`); `"*"` allows any. A request with an
   * `Origin` header not in the list gets HTTP 403. Requests without `Origin` (non-browser
   * clients) are allowed; the token is what authenticates them. Default: no browser origin.
   */
  allowedOrigins?: readonly string[];
  /**
   * Largest incoming frame in bytes (default 64 MiB); a larger one is answered `tooLarge` (id
   * null), then the connection is closed with 1009. The first message (the hello) may be up to
   * 1 MiB even when this is lower.
   */
  maxMessageBytes?: number;
  /**
   * Milliseconds a client has, from opening its TCP connection, to complete the HTTP upgrade
   * (default 10000); one that has not (a request head that never ends, or comes a byte at a
   * time) is cut off. The `hello` then has its own limit (`HostOptions.helloTimeout`).
   */
  upgradeTimeout?: number;
}

/** Default milliseconds from TCP connect to a completed WebSocket upgrade. */
const DEFAULT_UPGRADE_TIMEOUT = 10_000;

/** A WebSocket server: each accepted connection becomes one host connection. */
export class WebSocketBackend implements IpcSocketBackend {
  private onConnection: ((socket: IpcSocket) => void) | undefined;
  private readonly early: IpcSocket[] = [];

  private constructor(
    private readonly http: Server,
    private readonly server: WebSocketServer,
    /** The upgrade deadline of each TCP connection that has not completed its upgrade. */
    upgrading: Map<Socket, ReturnType<typeof setTimeout>>,
    readonly host: string,
    readonly port: number,
    maxPayload: number,
  ) {
    server.on("connection", (ws: WebSocket, req: IncomingMessage) => {
      clearTimeout(upgrading.get(req.socket));
      upgrading.delete(req.socket);
      const socket = wrap(ws, `ws ${req.socket.remoteAddress}:${req.socket.remotePort}`, maxPayload, Math.max(maxPayload, HELLO_MAX_BYTES));
      if (this.onConnection) this.onConnection(socket);
      else this.early.push(socket);
    });
  }

  /** Binds and listens; resolves once the port is bound. */
  static listen(options: WebSocketBackendOptions = {}): Promise<WebSocketBackend> {
    const host = options.host ?? "127.0.0.1";
    const allowed = options.allowedOrigins ?? [];
    const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const upgradeTimeout = options.upgradeTimeout ?? DEFAULT_UPGRADE_TIMEOUT;
    // The HTTP server ws would make (plain requests get 426), made here so that the upgrade
    // phase can be bounded: Node's own headersTimeout is 60 s, checked every 30 s.
    const http = createServer((_req, res) => {
      const body = STATUS_CODES[426]!;
      res.writeHead(426, { "Content-Length": body.length, "Content-Type": "text/plain" });
      res.end(body);
    });
    const upgrading = new Map<Socket, ReturnType<typeof setTimeout>>();
    http.on("connection", (socket: Socket) => {
      upgrading.set(socket, setTimeout(() => socket.destroy(), upgradeTimeout));
      socket.once("close", () => {
        clearTimeout(upgrading.get(socket));
        upgrading.delete(socket);
      });
    });
    const server = new WebSocketServer({
      server: http,
      ...(options.path !== undefined ? { path: options.path } : {}),
      maxPayload: Math.max(maxPayload, HELLO_MAX_BYTES),
      verifyClient: (info: { origin?: string; req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
        const origin = info.req.headers.origin;
        if (origin === undefined || allowed.includes("*") || allowed.includes(origin)) done(true);
        else done(false, 403, "Origin not allowed");
      },
    });
    return new Promise((resolve, reject) => {
      // ws passes the HTTP server's errors on to `server`.
      server.once("error", reject);
      http.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        const address = http.address() as AddressInfo;
        resolve(new WebSocketBackend(http, server, upgrading, host, address.port, maxPayload));
      });
    });
  }

  /** `ws://host:port` of this server. */
  get url(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `ws://${host}:${this.port}`;
  }

  listen(onConnection: (socket: IpcSocket) => void): void {
    this.onConnection = onConnection;
    for (const socket of this.early.splice(0)) onConnection(socket);
  }

  async close(): Promise<void> {
    this.onConnection = undefined;
    for (const ws of this.server.clients) ws.terminate();
    // ws only lets go of a server it was given (it would wait for its terminated clients' close
    // events, which closing the HTTP server does not).
    this.server.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      // Connections still in the upgrade phase (or idle after a 426) go too.
      this.http.closeAllConnections();
    });
  }
}
