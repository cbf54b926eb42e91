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
  /**
   * Optional: sends one binary message given as its JSON text and its one attachment (laid out as
   * `toWire` lays them out), so a transport that carries the two apart needs no joined copy (Tauri:
   * the attachment is the invoke's raw body). `attachment` may be the caller's own buffer: the
   * transport copies it, or hands it to something that does, before it returns.
   */
  sendBinary?(json: string, attachment: Uint8Array): void;
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
  /**
   * Optional, with `onDrain` (backpressure, docs/protocol.md, Limits): bytes handed to `send`
   * that the transport has not passed on yet (to the OS, or to the peer). A host counts them
   * against `maxQueuedBytes` and `maxQueuedBytesTotal`; without both members it counts nothing.
   */
  readonly bufferedBytes?: number;
  /**
   * Optional, with `bufferedBytes`: sets the listener called when `bufferedBytes` went down (after
   * each write the transport completed, or at the latest when it reaches 0). A host that stopped
   * reading a connection because its queue was full reads it again only from here.
   */
  onDrain?(listener: () => void): void;
  /**
   * Optional, with `resumeReading`: stop taking messages from the peer (the OS or the peer then
   * holds what it sends, and a peer that keeps sending stalls). Messages the transport already
   * read may still be delivered; the host holds them. Without it a host that stops reading holds
   * every message that arrives meanwhile itself.
   */
  pauseReading?(): void;
  /** Optional, with `pauseReading`: take messages from the peer again. */
  resumeReading?(): void;
}

/** The size of a message as `bufferedBytes` counts it: a binary message's bytes, a text's UTF-16 units (its UTF-8 bytes when it is ASCII). */
export function messageSize(message: SocketMessage): number {
  return message.length;
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

/**
 * Delivers messages asynchronously and in order; holds them until a listener is set, and while
 * reading is paused. What one side sent and the other has not delivered yet is the sender's
 * `bufferedBytes`, so the in-memory transport has backpressure like the others.
 */
class MemorySocket implements IpcSocket {
  peer: MemorySocket | undefined;
  private messageListener: ((message: SocketMessage) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private drainListener: (() => void) | undefined;
  /** Messages from the peer not delivered yet, in order. */
  private inbox: SocketMessage[] = [];
  private paused = false;
  /** The peer closed while this side was paused with its messages unread: closes once they are delivered. */
  private closeWhenRead = false;
  /** Bytes this side sent that the peer has not delivered yet. */
  bufferedBytes = 0;
  readonly binary = true;
  closed = false;
  private closeReason: string | undefined;

  constructor(readonly description: string) {}

  send(message: SocketMessage): void {
    const peer = this.peer;
    if (this.closed || !peer || peer.closed) return;
    // Text is immutable; a binary message is handed over as is (one byte array per message,
    // no copy): its sender built it for this send and does not touch it again.
    this.bufferedBytes += messageSize(message);
    peer.inbox.push(message);
    queueMicrotask(() => peer.deliverOne());
  }
  /** Delivers the oldest message, unless reading is paused or nobody listens yet. */
  private deliverOne(): void {
    if (this.closed || this.paused || !this.messageListener) return;
    const message = this.inbox.shift();
    if (message === undefined) return;
    const peer = this.peer!;
    peer.bufferedBytes -= messageSize(message);
    peer.drainListener?.();
    this.messageListener(message);
    if (this.closeWhenRead && this.inbox.length === 0) this.shut("closed by peer");
  }
  onMessage(listener: (message: SocketMessage) => void): void {
    this.messageListener = listener;
    if (this.paused) return;
    const pending = this.inbox;
    this.inbox = [];
    const peer = this.peer;
    if (peer && !this.closed) {
      for (const message of pending) peer.bufferedBytes -= messageSize(message);
      if (pending.length > 0) peer.drainListener?.();
    }
    for (const text of pending) listener(text);
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
    // One delivery per message, each in its own microtask, as when they were sent.
    for (let i = 0; i < this.inbox.length; i++) queueMicrotask(() => this.deliverOne());
  }
  close(): void {
    this.shut("closed locally");
    const peer = this.peer;
    // Messages already sent are delivered before the peer learns of the close; a peer that
    // paused reading learns of it after reading them, as over a real pipe.
    if (peer) queueMicrotask(() => queueMicrotask(() => peer.peerClosed()));
  }
  private peerClosed(): void {
    if (this.paused && this.messageListener && this.inbox.length > 0) this.closeWhenRead = true;
    else this.shut("closed by peer");
  }
  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    // What the peer sent and this side will not deliver is no longer the peer's to count. With no
    // listener yet the messages stay, for one set later (as before the close).
    if (this.messageListener) this.inbox = [];
    const peer = this.peer;
    if (peer && peer.bufferedBytes > 0) {
      peer.bufferedBytes = 0;
      peer.drainListener?.();
    }
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
