//! The transport interfaces (`IpcSocket`, `IpcSocketFrontend`, `IpcSocketBackend`) and the in-memory transport.

/**
 * One bidirectional message pipe carrying protocol text messages (one JSON message each).
 * Transports implement it; `IpcConnection` and `IpcHost` use it. Listeners are set once, right
 * after construction; a transport buffers what arrives before that.
 */
export interface IpcSocket {
  /** Sends one message. Never throws; after close it is a no-op. */
  send(text: string): void;
  /** Sets the listener for incoming messages (in arrival order). */
  onMessage(listener: (text: string) => void): void;
  /** Sets the listener called once when the pipe is closed (by either side or by a fault). */
  onClose(listener: (reason: string) => void): void;
  /** Closes the pipe; the close listener runs (once). */
  close(): void;
  /**
   * Optional: the transport enforces a message size limit itself before buffering a message
   * and reports each oversize one to `onTooLarge` (with its first bytes, where an id may be
   * read) instead of delivering it. stdio enforces `limit` (UTF-8 bytes) and skips the line;
   * WebSocket enforces the limit it was opened with (`maxMessageBytes`), passes it as
   * `enforced`, and then closes the connection (1009).
   */
  limitMessageBytes?(limit: number, onTooLarge: (prefix: string, enforced?: number) => void): void;
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
  private messageListener: ((text: string) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private inbox: string[] = [];
  closed = false;
  private closeReason: string | undefined;

  constructor(readonly description: string) {}

  send(text: string): void {
    const peer = this.peer;
    if (this.closed || !peer) return;
    // A copy of the text travels; the string is immutable, so nothing is shared by accident.
    queueMicrotask(() => peer.receive(text));
  }
  private receive(text: string): void {
    if (this.closed) return;
    if (this.messageListener) this.messageListener(text);
    else this.inbox.push(text);
  }
  onMessage(listener: (text: string) => void): void {
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

/** Two connected in-memory sockets: what one sends, the other receives, as text, in order. */
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
  private messageListener: ((text: string) => void) | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  private inbox: string[] = [];
  private closeReason: string | undefined;

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }
  /** A message arrived from the peer. */
  message(text: string): void {
    if (this.closeReason !== undefined) return;
    if (this.messageListener) this.messageListener(text);
    else this.inbox.push(text);
  }
  /** The pipe closed; later calls are ignored. */
  closed(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.inbox = [];
    this.closeListener?.(reason);
  }
  onMessage(listener: (text: string) => void): void {
    this.messageListener = listener;
    const pending = this.inbox;
    this.inbox = [];
    for (const text of pending) listener(text);
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
    if (this.closeReason !== undefined) listener(this.closeReason);
  }
}
