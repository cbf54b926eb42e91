//! The MessagePort transport: one connection over any MessagePort-like object (a DOM `MessagePort` or `Worker`, a worker's `self`, Node's `worker_threads` ports, Electron's `MessagePortMain`).

import { messageSize, type IpcSocket, type IpcSocketBackend, type IpcSocketFrontend, type SocketMessage } from "./socket.js";

/**
 * What the transport needs of a port; a DOM `MessagePort`, a `Worker` and a worker's `self`,
 * Node's `worker_threads` `MessagePort`, `parentPort` and `Worker`, and Electron's
 * `MessagePortMain` all fit. Messages are read through `addEventListener("message", e =>
 * e.data)` where the port has it, else through `on("message", ...)`, whose argument is the
 * message itself (Node's `Worker`) or an event with `data` and `ports` (Electron). The port is
 * the connection's alone: nothing else may post on it or read from it.
 */
export interface MessagePortLike {
  // `any`: the platforms type the transfer list each their own way (Electron's takes only ports).
  postMessage(message: any, transfer?: any): void;
  addEventListener?(type: string, listener: (event: any) => void): void;
  removeEventListener?(type: string, listener: (event: any) => void): void;
  on?(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
  /** Called once the listeners are set (DOM ports and Electron's deliver nothing before it). */
  start?(): void;
  /** Called when the connection closes (a `Worker` has none: end it with `terminate()`). */
  close?(): void;
}

/** Options of `connectMessagePort` and `MessagePortBackend.accept`. */
export interface MessagePortOptions {
  /** Who is on the other end, for logs (default `"message port"`). */
  description?: string;
}

/**
 * The transport's own messages beside the protocol's (docs/protocol.md, "Transports and
 * framing"): a protocol message is a string (text) or a `Uint8Array` (binary); these are plain
 * objects, so they cannot be taken for one.
 */
type PortControl = { ipcc: "close"; reason?: string } | { ipcc: "ack"; bytes: number };

/** The receiver acknowledges delivered bytes at least this often, and whenever it goes idle. */
const ACK_EVERY_BYTES = 64 * 1024;

/** What a message listener was given, as one message of the connection or a control message. */
function readPortData(data: unknown): SocketMessage | PortControl {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "object" && data !== null) {
    const control = data as { ipcc?: unknown; bytes?: unknown; reason?: unknown };
    if (control.ipcc === "close") return { ipcc: "close", ...(typeof control.reason === "string" ? { reason: control.reason } : {}) };
    if (control.ipcc === "ack" && typeof control.bytes === "number" && control.bytes >= 0) return { ipcc: "ack", bytes: control.bytes };
  }
  // Anything else is an empty, invalid message: the protocol layer reports or answers it.
  return "";
}

/** An `on("message")` argument: Electron's event (`{ data, ports }`) or the message itself (Node's `Worker`). */
function unwrapEmitted(arg: unknown): unknown {
  if (typeof arg === "object" && arg !== null && !ArrayBuffer.isView(arg) && "data" in arg && Array.isArray((arg as { ports?: unknown }).ports)) {
    return (arg as { data: unknown }).data;
  }
  return arg;
}

/** A socket over a port; `close(reason)` tells the peer why (its close reason, and the `disconnected` error of its pending calls, name it). */
export interface MessagePortSocket extends IpcSocketFrontend {
  close(reason?: string): void;
  readonly bufferedBytes: number;
  onDrain(listener: () => void): void;
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * One connection over a port. Sending posts each message (a string, or a `Uint8Array` that
 * structured cloning copies, so the sender's array stays intact: the host posts one binary
 * notification to several connections). `bufferedBytes` counts what was posted and the peer
 * has not yet handed to its listener, from the peer's acknowledgements; `pauseReading` holds
 * what arrives and withholds the acknowledgements, so the sender's `bufferedBytes` grows and a
 * host sending there stops reading its peer (docs/protocol.md, Limits).
 */
class PortSocket implements MessagePortSocket {
  readonly binary = true;
  readonly description: string;
  bufferedBytes = 0;
  private messageListener: ((message: SocketMessage) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private drainListener: (() => void) | undefined;
  /** Messages that arrived before a listener was set, or while reading is paused. */
  private held: SocketMessage[] = [];
  private paused = false;
  private closeReason: string | undefined;
  /** Bytes handed to the listener and not yet acknowledged to the peer. */
  private unacked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** A transfer list of an `ArrayBuffer` was refused once (Electron's ports take only ports): copy from then on. */
  private transferRefused = false;
  private readonly detach: () => void;

  constructor(
    private readonly port: MessagePortLike,
    options: MessagePortOptions,
    /** Told when the connection closed, before the close listener. */
    private readonly onShut?: () => void,
  ) {
    this.description = options.description ?? "message port";
    const onData = (data: unknown) => this.arrived(readPortData(data));
    const onEvent = (event: { data?: unknown }) => onData(event?.data);
    const onPortClose = () => this.shut("the port closed");
    const onExit = (code: unknown) => this.shut(`the worker exited${typeof code === "number" ? ` with code ${code}` : ""}`);
    const onMessageError = () => onData(undefined);
    if (port.addEventListener) {
      port.addEventListener("message", onEvent);
      port.addEventListener("messageerror", onMessageError);
      port.addEventListener("close", onPortClose);
      this.detach = () => {
        port.removeEventListener?.("message", onEvent);
        port.removeEventListener?.("messageerror", onMessageError);
        port.removeEventListener?.("close", onPortClose);
      };
    } else if (port.on) {
      const onEmitted = (arg: unknown) => onData(unwrapEmitted(arg));
      port.on("message", onEmitted);
      port.on("messageerror", onMessageError);
      port.on("close", onPortClose);
      // Node's `Worker`: it has no close event, but its end is the connection's.
      port.on("exit", onExit);
      this.detach = () => {
        port.off?.("message", onEmitted);
        port.off?.("messageerror", onMessageError);
        port.off?.("close", onPortClose);
        port.off?.("exit", onExit);
      };
    } else {
      throw new TypeError("connectMessagePort: the port has neither addEventListener nor on");
    }
    port.start?.();
  }

  send(message: SocketMessage): void {
    if (this.closeReason !== undefined) return;
    this.bufferedBytes += messageSize(message);
    try {
      if (typeof message === "string" || (message.byteOffset === 0 && message.byteLength === message.buffer.byteLength)) {
        this.port.postMessage(message);
      } else {
        // A view into a larger buffer: cloning it would copy the whole buffer, so only its
        // bytes are copied, into a buffer of its own that can then be moved instead of copied.
        const own = message.slice();
        this.postMoved(own);
      }
    } catch (e) {
      this.shut(`cannot post a message: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  private postMoved(own: Uint8Array): void {
    if (!this.transferRefused) {
      try {
        this.port.postMessage(own, [own.buffer]);
        return;
      } catch {
        this.transferRefused = true;
      }
    }
    this.port.postMessage(own);
  }

  onMessage(listener: (message: SocketMessage) => void): void {
    this.messageListener = listener;
    this.deliverHeld();
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
    if (this.closeReason !== undefined) listener(this.closeReason);
  }
  onDrain(listener: () => void): void {
    this.drainListener = listener;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliverHeld();
  }

  /** Closes the connection and tells the peer why (the peer's close reason names it). */
  close(reason = "closed by the other side"): void {
    if (this.closeReason !== undefined) return;
    try {
      this.port.postMessage({ ipcc: "close", reason } satisfies PortControl);
    } catch {
      // A port that cannot post any more has a peer that is gone already.
    }
    this.shut("closed locally");
  }

  private arrived(data: SocketMessage | PortControl): void {
    if (this.closeReason !== undefined) return;
    if (typeof data === "object" && !(data instanceof Uint8Array)) {
      if (data.ipcc === "close") {
        // Messages posted before the close were read before it (a port keeps order), but some may be held.
        this.shut(data.reason ?? "closed by the other side");
      } else {
        this.bufferedBytes = Math.max(0, this.bufferedBytes - data.bytes);
        this.drainListener?.();
      }
      return;
    }
    if (!this.messageListener || this.paused || this.held.length > 0) this.held.push(data);
    else this.deliver(data);
  }

  private deliverHeld(): void {
    while (this.messageListener && !this.paused && this.closeReason === undefined && this.held.length > 0) this.deliver(this.held.shift()!);
  }

  private deliver(message: SocketMessage): void {
    this.unacked += messageSize(message);
    if (this.unacked >= ACK_EVERY_BYTES) this.ack();
    else if (this.ackTimer === undefined) this.ackTimer = setTimeout(() => this.ack(), 0);
    this.messageListener!(message);
  }

  private ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.unacked === 0 || this.closeReason !== undefined) return;
    const bytes = this.unacked;
    this.unacked = 0;
    try {
      this.port.postMessage({ ipcc: "ack", bytes } satisfies PortControl);
    } catch {
      // The peer is gone; its close comes another way.
    }
  }

  private shut(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.held = [];
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.detach();
    this.onShut?.();
    try {
      // A worker's `self` is the port of its only connection: closing it would end the worker.
      if (this.port !== globalThis) this.port.close?.();
    } catch {
      // Closing twice, or a port the platform closed already.
    }
    if (this.bufferedBytes > 0) {
      this.bufferedBytes = 0;
      this.drainListener?.();
    }
    this.closeListener?.(reason);
  }
}

/**
 * A frontend socket over `port` (docs/guide.md, "Electron and other MessagePorts"). The other
 * end is a `MessagePortBackend` (a TS host) or `relayMessagePort` (a backend behind a relay).
 * Closing it tells the other end; the other end closing, or the platform reporting the port
 * closed (Node, Electron and newer Chromium fire `close`), closes it, and pending calls fail
 * with `disconnected`.
 */
export function connectMessagePort(port: MessagePortLike, options: MessagePortOptions = {}): MessagePortSocket {
  return new PortSocket(port, options);
}

/**
 * An `IpcSocketBackend` whose connections arrive as ports: `accept(port)` hands each to the
 * host that serves this backend (`host.serve(backend)`), e.g. the `parentPort` or `self` of a
 * worker, or a port a renderer sent.
 */
export class MessagePortBackend implements IpcSocketBackend {
  private onConnection: ((socket: IpcSocket) => void) | undefined;
  private readonly early: MessagePortSocket[] = [];
  private readonly open = new Set<MessagePortSocket>();

  listen(onConnection: (socket: IpcSocket) => void): void {
    this.onConnection = onConnection;
    for (const socket of this.early.splice(0)) onConnection(socket);
  }

  /** Serves `port` as one connection (held until a host listens); returns its socket. */
  accept(port: MessagePortLike, options: MessagePortOptions = {}): MessagePortSocket {
    const socket: MessagePortSocket = new PortSocket(port, options, () => this.open.delete(socket));
    this.open.add(socket);
    if (this.onConnection) this.onConnection(socket);
    else this.early.push(socket);
    return socket;
  }

  /** Stops accepting and closes every open connection (each peer is told). */
  async close(): Promise<void> {
    this.onConnection = undefined;
    for (const socket of [...this.open, ...this.early.splice(0)]) socket.close();
    this.open.clear();
  }
}
