//! The transport interfaces (`IpcSocket`, `IpcSocketFrontend`, `IpcSocketBackend`) and the in-memory transport.

/**
 * One message as it travels: a text message (one JSON message), or a binary message (protocol
 * v2 binary `bytes`: docs/protocol.md, Layout) on a connection that negotiated them.
 */
export type SocketMessage = string | Uint8Array;

/**
 * One bidirectional message pipe carrying protocol messages. Transports implement it;
 * `IpcConnection` and `IpcHost` use it. Listeners are set once, right after construction; a
 * transport buffers what arrives before that. A transport that carries only text leaves
 * `binary` unset: it is then never handed a `Uint8Array`, and binary is not negotiated over it.
 */
export interface IpcSocket {
  /**
   * Sends one message. Never throws; after close it is a no-op. A `Uint8Array` (only when
   * `binary` is set) is one binary message; the caller does not touch it afterwards, so the
   * transport may keep it without copying.
   */
  send(message: SocketMessage): void;
  /**
   * Sets the listener for incoming messages (in arrival order). A transport with `binary` set
   * delivers a binary message (a binary WebSocket frame, a stdio binary frame once
   * `enableBinary` was called) as a `Uint8Array` it does not use again; the protocol layer
   * answers one on a connection that did not negotiate binary.
   */
  onMessage(listener: (message: SocketMessage) => void): void;
  /** Sets the listener called once when the pipe is closed (by either side or by a fault). */
  onClose(listener: (reason: string) => void): void;
  /** Closes the pipe; the close listener runs (once). */
  close(): void;
  /**
   * Optional: the transport enforces a message size limit itself before buffering a message
   * and reports each oversize one to `onTooLarge` (with its first bytes, where an id may be
   * read) instead of delivering it. stdio enforces `limit` (UTF-8 bytes; a binary message's
   * whole length) and skips the message; WebSocket enforces the limit it was opened with
   * (`maxMessageBytes`), passes it as `enforced`, and then closes the connection (1009).
   */
  limitMessageBytes?(limit: number, onTooLarge: (prefix: string, enforced?: number) => void): void;
  /** Optional: the transport carries binary messages both ways, so binary `bytes` may be negotiated over it. */
  readonly binary?: boolean;
  /**
   * Optional: the handshake granted binary; called at once, while the `welcome` is handled
   * (before any later message is read). A framing that tells binary messages apart only on a
   * binary connection (stdio) starts doing so here.
   */
  enableBinary?(): void;
  /** Optional: who is on the other end, for logs (`"ws 127.0.0.1:53211"`, `"stdio pid 4242"`). */
  readonly description?: string;
}

/** The frontend's transport: one connection to a backend (the reference design's name). */
export type IpcSocketFrontend = IpcSocket;

/** The backend's transport: it accepts connections and hands each to the host. */
export interface IpcSocketBackend {
  /** Starts accepting; called once by `IpcHost.serve`. */
  listen(onConnection: (socket: IpcSocket) => void): void;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** Delivers messages asynchronously and in order; buffers them until a listener is set. */
class MemorySocket implements IpcSocket {
  peer: MemorySocket | undefined;
  private messageListener: ((message: SocketMessage) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private inbox: SocketMessage[] = [];
  readonly binary = true;
  closed = false;
  private closeReason: string | undefined;

  constructor(readonly description: string) {}

  send(message: SocketMessage): void {
    const peer = this.peer;
    if (this.closed || !peer) return;
    // Text is immutable; a binary message is handed over as is (one byte array per message,
    // no copy): its sender built it for this send and does not touch it again.
    queueMicrotask(() => peer.receive(message));
  }
  private receive(message: SocketMessage): void {
    if (this.closed) return;
    if (this.messageListener) this.messageListener(message);
    else this.inbox.push(message);
  }
  onMessage(listener: (message: SocketMessage) => void): void {
    this.messageListener = listener;
    const pending = this.inbox;
    this.inbox = [];
    for (const text of pending) listener(text);
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
    if (this.closeReason !== undefined) listener(this.closeReason);
  }
  close(): void {
    this.shut("closed locally");
    const peer = this.peer;
    // Messages already sent are delivered before the peer learns of the close.
    if (peer) queueMicrotask(() => queueMicrotask(() => peer.shut("closed by peer")));
  }
  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.closeListener?.(reason);
  }
}

/** Two connected in-memory sockets: what one sends, the other receives, in order. */
export function createMemorySocketPair(): [IpcSocket, IpcSocket] {
  const a = new MemorySocket("memory frontend");
  const b = new MemorySocket("memory backend");
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** An in-memory `IpcSocketBackend`: `connect()` opens a connection to the host it serves. */
export class MemoryBackend implements IpcSocketBackend {
  private onConnection: ((socket: IpcSocket) => void) | undefined;
  private readonly open = new Set<MemorySocket>();

  listen(onConnection: (socket: IpcSocket) => void): void {
    this.onConnection = onConnection;
  }
  /** A new frontend socket connected to the listening host. */
  connect(): IpcSocketFrontend {
    const frontend = new MemorySocket("memory frontend");
    const backend = new MemorySocket("memory backend");
    frontend.peer = backend;
    backend.peer = frontend;
    if (!this.onConnection) throw new Error("MemoryBackend.connect: no host is serving this backend");
    for (const s of this.open) if (s.closed) this.open.delete(s);
    this.open.add(backend);
    this.onConnection(backend);
    return frontend;
  }
  async close(): Promise<void> {
    this.onConnection = undefined;
    for (const s of [...this.open]) s.close();
  }
}

/**
 * The listener bookkeeping every transport needs: buffers messages until `onMessage` is set,
 * runs the close listener exactly once (even if set after the close), drops messages after close.
 */
export class SocketEvents {
  private messageListener: ((message: SocketMessage) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private inbox: SocketMessage[] = [];
  private closeReason: string | undefined;

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }
  /** A message arrived from the peer. */
  message(message: SocketMessage): void {
    if (this.closeReason !== undefined) return;
    if (this.messageListener) this.messageListener(message);
    else this.inbox.push(message);
  }
  /** The pipe closed; later calls are ignored. */
  closed(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.inbox = [];
    this.closeListener?.(reason);
  }
  onMessage(listener: (message: SocketMessage) => void): void {
    this.messageListener = listener;
    const pending = this.inbox;
    this.inbox = [];
    for (const message of pending) listener(message);
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
    if (this.closeReason !== undefined) listener(this.closeReason);
  }
}
