//! `IpcHost`: the backend — handshake, dispatch through descriptors, streams (v2), limits, cancellation, notifications.

import { deferBytes, encodeMessage, exceedsLimit, jsonPrefix, parseBinaryMessage, toWire, withAttachments, type Attachments, type EncodedMessage } from "../protocol/binary.js";
import { decodeValue, encodeValue, type WireValue } from "../protocol/codecs.js";
import { encodeArgs } from "../protocol/args.js";
import { DeclaredError, IpcError } from "../protocol/errors.js";
import { lookupOwn, type InterfaceDescriptor, type MethodDescriptor, type NotificationDescriptor, type NotificationsDescriptor } from "../protocol/descriptors.js";
import {
  DEFAULT_HELLO_TIMEOUT,
  DEFAULT_MAX_CREDIT,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_BYTES_TOTAL,
  DEFAULT_MAX_STREAMS,
  DEFAULT_STREAM_WINDOW,
  exceedsBytes,
  HELLO_MAX_BYTES,
  parseMessage,
  PROTOCOL_STREAMS,
  PROTOCOL_VERSION,
  BINARY_FEATURE,
  STREAMS_FEATURE,
  isCallId,
  isChannelMap,
  methodMismatchMessage,
  mismatchMessage,
  type CallMessage,
  type CompatVerdicts,
  type MalformedMessage,
  type Message,
  type StreamMessage,
} from "../protocol/messages.js";
import { flowControl, InboundStream, itemCount, OutboundStream } from "../protocol/stream.js";
import { messageSize, type IpcSocket, type IpcSocketBackend, type SocketMessage } from "../transport/socket.js";
import type { ChannelSpec, ConnectionId } from "../protocol/types.js";
import { DEFAULT_BUDGET, embeddedSchema, judge, readChannelSchema, TooComplex, type ChannelSchema } from "../protocol/wire-compat.js";

/** What a host passes to a handler method after its declared parameters. */
export interface CallContext {
  /** The connection the call came on (target for `notificationSender(host, d, ctx.connection)`). */
  readonly connection: ConnectionId;
  /** Aborted when the caller cancels, times out, or disconnects. */
  readonly signal: AbortSignal;
  readonly channel: string;
  readonly method: string;
  /** The host serving the call (for `notificationSender(ctx.host, descriptor, ctx.connection)`). */
  readonly host: IpcHost;
}

/** Options of a host. */
export interface HostOptions {
  /** When set, a frontend's `hello` must carry this token, or it gets `unauthorized` and is closed. */
  token?: string;
  /** Largest message accepted or sent, in UTF-8 bytes (default 64 MiB). */
  maxMessageBytes?: number;
  /** Most calls in flight per connection (default 1024); past it, `tooManyCalls`. */
  maxInFlight?: number;
  /**
   * Bytes that may wait to be written to one connection (default 256 MiB): what its transport
   * has not handed on yet (`IpcSocket.bufferedBytes`). Past it the host stops reading that
   * connection until they drain, and a notification to it alone fails with `tooLarge`, so a
   * peer that sends calls but does not read the answers cannot make the host grow.
   */
  maxQueuedBytes?: number;
  /**
   * Bytes that may wait in all connections together (default 1 GiB): past it, a connection
   * whose queue is not empty is not read and gets no broadcast until queues drain, while one
   * whose queue is empty still gets its next message (peers that keep up are not starved).
   */
  maxQueuedBytesTotal?: number;
  /**
   * Milliseconds a new connection has to send its `hello` (default 30000); one that has not is
   * answered `badRequest` (id null) and closed, on every transport.
   */
  helloTimeout?: number;
  /**
   * The highest protocol this host speaks (default 2). With 1 it is a v1 backend: it answers
   * every `hello` with protocol 1 and refuses `"protocol": 2` (for tests of v1 peers).
   */
  protocol?: 1 | 2;
  /** v2: most streams open at once per connection, both directions together (default 256); past it, `tooManyStreams`. */
  maxStreams?: number;
  /** v2: the most credit the host holds for one output stream (default 1024); a grant past it is `flowControl`. */
  maxCredit?: number;
  /**
   * v2: the credit the host grants an input stream at once and the most it keeps outstanding:
   * at most this many items of one input stream are buffered (default 64; capped by the
   * frontend's `maxCredit`).
   */
  streamWindow?: number;
  /**
   * v2: grant binary `bytes` to frontends that offer it (default true; only over transports
   * that carry binary messages). On a binary connection a message holding a `bytes` value goes
   * as a binary message, its bytes beside the JSON instead of base64 inside it.
   */
  binary?: boolean;
  /** Problems that belong to no call, and handler failures (logged here, sent as `internal`). */
  onError?: (error: unknown, connection?: ConnectionId) => void;
}

/** A mounted channel: its schema hash, its wire schema if it has one, and how to run each method. */
interface Registration {
  readonly spec: ChannelSpec;
  readonly schema: ChannelSchema | undefined;
  readonly methods: ReadonlyMap<string, MethodDescriptor>;
  readonly impl: object;
}

/** A declared notifications channel (declared once per sender; counted so undoing is exact). */
interface NotificationChannel {
  readonly spec: ChannelSpec;
  readonly schema: ChannelSchema | undefined;
  count: number;
}

/** The verdict on one channel of one connection whose schema hash differs from the backend's. */
interface JudgedChannel {
  /** The backend's hash the frontend's schema was judged against. */
  readonly backendHash: string;
  /** The frontend's members that do not work, with the reason. */
  readonly unusable: ReadonlyMap<string, string>;
  /** Every member the frontend has. */
  readonly members: ReadonlySet<string>;
}

/**
 * The backend's own wire schema of a channel, from generated code: `undefined` when there is
 * none or it is of a format this runtime does not read (the channel is then compared by hash).
 */
function ownSchema(spec: ChannelSpec): ChannelSchema | undefined {
  if (spec.wireSchema === undefined) return undefined;
  const read = embeddedSchema(spec.wireSchema, spec.channel);
  if ("invalid" in read) throw new Error(`the wire schema of channel ${spec.channel} is invalid: ${read.invalid}`);
  return "schema" in read ? read.schema : undefined;
}

/** A call running on a connection: its cancellation and its streams. */
interface RunningCall {
  readonly controller: AbortController;
  /** The input stream handed to the handler (a method with a streaming parameter). */
  input?: InboundStream<unknown>;
  /** Whether the input stream still counts against `maxStreams` (until `end`, `stop` or the answer). */
  inputOpen: boolean;
  /** The output stream, once the handler returned its iterable. */
  output?: OutboundStream<unknown>;
  /** Whether the output stream counts against `maxStreams` (until the answer). */
  outputOpen: boolean;
  /** Credit of the output stream granted before the handler returned its iterable. */
  credit: number;
}

/** One connection's state on the host. */
class HostConnection {
  /** `hello` accepted. */
  welcomed = false;
  /** The frontend's channels and hashes from its `hello`. */
  frontendChannels: ReadonlyMap<string, string> = new Map();
  /** Channels whose hashes differ and whose schemas were compared, by channel. */
  judged: ReadonlyMap<string, JudgedChannel> = new Map();
  /** Calls running, by id. */
  readonly running = new Map<number, RunningCall>();
  /** Protocol 2 (streams) is in force. */
  streams = false;
  /** Binary `bytes` were granted: messages holding bytes go as binary messages, and binary messages are read. */
  binary = false;
  /** The frontend's `maxCredit`: the most credit this host grants one input stream. */
  peerMaxCredit = DEFAULT_MAX_CREDIT;
  /** Streams open on this connection, both directions. */
  openStreams = 0;
  /** Runs out when no `hello` came in time; cleared by the hello and by the close. */
  helloTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;
  /** This connection's part of the host's queued bytes: its socket's `bufferedBytes` when last looked at. */
  queued = 0;
  /** Messages received but not handled yet: they came while the queue was full or a call was starting. */
  held: SocketMessage[] = [];
  /** The socket was asked to stop reading. */
  paused = false;
  /** A call just started: later messages wait until it answered or the event loop turned. */
  starting: RunningCall | undefined;
  /** The call whose turn of the event loop is already awaited. */
  turnFor: RunningCall | undefined;
  /** `readHeld` is running (a drain reported from inside a send must not nest it). */
  reading = false;
  constructor(readonly id: ConnectionId, readonly socket: IpcSocket) {}
}

/**
 * Runs `callback` after the event loop turned (microtasks ran, and other I/O had its turn), in
 * browsers and Node alike: a MessageChannel message, which `setTimeout(0)`'s clamp does not delay.
 */
const nextTurn: (callback: () => void) => void = (() => {
  if (typeof MessageChannel !== "function") return (callback) => void setTimeout(callback, 0);
  /** Node's ports keep the process alive while referenced: only while a turn is awaited. */
  type NodePort = MessagePort & { ref?: () => void; unref?: () => void };
  let channel: MessageChannel | undefined;
  let queue: (() => void)[] = [];
  return (callback) => {
    if (!channel) {
      channel = new MessageChannel();
      const port = channel.port1 as NodePort;
      port.onmessage = () => {
        const due = queue;
        queue = [];
        port.unref?.();
        for (const run of due) run();
      };
      (channel.port2 as NodePort).unref?.();
    }
    if (queue.push(callback) === 1) {
      (channel.port1 as NodePort).ref?.();
      channel.port2.postMessage(null);
    }
  };
})();

/** Constant-time comparison, so a token cannot be guessed character by character from timing. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i % Math.max(a.length, 1)) || 0) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The backend: serves registered interfaces to every connection a transport brings. Instances
 * are independent; the static members are a facade over a default host, as in the reference design.
 */
export class IpcHost {
  private readonly options: HostOptions;
  private readonly channels = new Map<string, Registration>();
  private readonly notificationChannels = new Map<string, NotificationChannel>();
  private readonly connections = new Map<ConnectionId, HostConnection>();
  private readonly backends: IpcSocketBackend[] = [];
  private nextConnection = 1;
  private stopped = false;
  /** Bytes waiting in all connections' queues: the sum of their `queued`. */
  private queuedTotal = 0;
  /** Connections not read because of `maxQueuedBytesTotal`, looked at again when the total goes down. */
  private readonly waitingForTotal = new Set<HostConnection>();

  constructor(options: HostOptions = {}) {
    this.options = options;
  }

  /** The token frontends must present, if any. */
  get token(): string | undefined {
    return this.options.token;
  }
  get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }
  /** The largest `hello` accepted: `maxMessageBytes`, but at least 1 MiB (docs/protocol.md, Limits). */
  get helloMaxBytes(): number {
    return Math.max(this.maxMessageBytes, HELLO_MAX_BYTES);
  }
  get maxInFlight(): number {
    return this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }
  get maxQueuedBytes(): number {
    return this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  }
  get maxQueuedBytesTotal(): number {
    return this.options.maxQueuedBytesTotal ?? DEFAULT_MAX_QUEUED_BYTES_TOTAL;
  }
  /**
   * Bytes waiting to be written to all connections (what their transports report as
   * `bufferedBytes`): at most about `maxQueuedBytesTotal`, plus one message per connection and
   * the answers of calls that were already running.
   */
  get queuedBytes(): number {
    return this.queuedTotal;
  }
  get helloTimeout(): number {
    return this.options.helloTimeout ?? DEFAULT_HELLO_TIMEOUT;
  }
  /** The highest protocol this host speaks. */
  get protocol(): 1 | 2 {
    return this.options.protocol ?? PROTOCOL_STREAMS;
  }
  get maxStreams(): number {
    return itemCount(this.options.maxStreams, DEFAULT_MAX_STREAMS);
  }
  get maxCredit(): number {
    return itemCount(this.options.maxCredit, DEFAULT_MAX_CREDIT);
  }
  get streamWindow(): number {
    return itemCount(this.options.streamWindow, DEFAULT_STREAM_WINDOW);
  }
  /** Serving (not shut down). */
  get isValid(): boolean {
    return !this.stopped;
  }
  /** The connections that completed the handshake. */
  get connectionIds(): ConnectionId[] {
    return [...this.connections.values()].filter((c) => c.welcomed && !c.closed).map((c) => c.id);
  }

  /** Accepts every connection `backend` brings. */
  serve(backend: IpcSocketBackend): void {
    if (this.stopped) throw new Error("IpcHost.serve: the host is shut down");
    this.backends.push(backend);
    backend.listen((socket) => this.accept(socket));
  }

  /** Serves one already-open socket; returns its connection id. */
  accept(socket: IpcSocket): ConnectionId {
    const conn = new HostConnection(this.nextConnection++, socket);
    if (this.stopped) {
      socket.close();
      return conn.id;
    }
    this.connections.set(conn.id, conn);
    // A connection that never says hello must not hold its slot forever (docs/protocol.md,
    // Limits). Armed first: a transport may hand over a buffered hello as the listener is set.
    const timeout = this.helloTimeout;
    conn.helloTimer = setTimeout(() => {
      if (conn.welcomed || conn.closed) return;
      this.sendError(conn, null, "badRequest", `no hello within ${timeout} ms`);
      conn.socket.close();
    }, timeout);
    // It must not keep a process alive on its own.
    (conn.helloTimer as { unref?: () => void }).unref?.();
    socket.onDrain?.(() => this.drained(conn));
    socket.onMessage((message) => this.receive(conn, message));
    socket.onClose(() => this.dropped(conn));
    // The hello may be larger than later messages (it carries the frontend's wire schemas).
    socket.limitMessageBytes?.(this.helloMaxBytes, (prefix, enforced) => this.tooLarge(conn, prefix, enforced));
    return conn.id;
  }

  /**
   * Mounts `impl` on the descriptor's channel. Only the descriptor's methods are callable.
   * Returns a function that unmounts exactly this registration. Throws if the descriptor's
   * `wireSchema` is not a valid schema (generated code's always is).
   */
  register<T>(descriptor: InterfaceDescriptor<T>, impl: T, channel: string = descriptor.channel): () => void {
    if (this.channels.has(channel)) throw new Error(`IpcHost.register: channel ${channel} is already registered`);
    const methods = new Map<string, MethodDescriptor>();
    for (const name of Object.keys(descriptor.methods)) methods.set(name, lookupOwn<MethodDescriptor>(descriptor.methods, name)!);
    const schema = ownSchema(descriptor);
    const spec: ChannelSpec = { channel, schemaHash: descriptor.schemaHash, ...(descriptor.wireSchema !== undefined ? { wireSchema: descriptor.wireSchema } : {}) };
    const registration: Registration = { spec, schema, methods, impl: impl as object };
    this.channels.set(channel, registration);
    return () => {
      if (this.channels.get(channel) === registration) this.channels.delete(channel);
    };
  }

  /** Lists a notifications channel in `welcome` (so frontends can check its schema). Returns an undo function. */
  declareNotifications(spec: ChannelSpec): () => void {
    const entry = this.notificationChannels.get(spec.channel) ?? { spec, schema: ownSchema(spec), count: 0 };
    entry.count++;
    this.notificationChannels.set(spec.channel, entry);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--entry.count === 0) this.notificationChannels.delete(spec.channel);
    };
  }

  /**
   * Sends a notification with arguments already in wire form, to one connection or to every
   * connection that completed the handshake. Sent in call order.
   */
  notify(channel: string, method: string, args: readonly WireValue[], connection?: ConnectionId): void {
    const declared = this.notificationChannels.get(channel)?.spec.schemaHash;
    // Not to connections whose frontend has another schema for this channel (protocol refinement
    // 4), unless that schema was judged and this notification works with it.
    const wanted = (conn: HostConnection | undefined): conn is HostConnection => {
      if (!conn?.welcomed || conn.closed) return false;
      const frontendHash = conn.frontendChannels.get(channel);
      if (declared === undefined || frontendHash === undefined || frontendHash === declared) return true;
      const judged = conn.judged.get(channel);
      return judged !== undefined && judged.backendHash === declared && judged.members.has(method) && !judged.unusable.has(method);
    };
    const targets = connection !== undefined ? [this.connections.get(connection)].filter(wanted) : [...this.connections.values()].filter(wanted);
    // Serialized at most once per form (text, binary), and checked before anything is sent.
    const message = { type: "notify", channel, method, args };
    const forms = new Map<boolean, string | Uint8Array>();
    const needed = targets.length === 0 ? [false] : [...new Set(targets.map((conn) => conn.binary))];
    for (const binary of needed) {
      const encoded = encodeMessage(message, binary);
      if (exceedsLimit(encoded, this.maxMessageBytes)) {
        throw new IpcError("tooLarge", `notification ${channel}.${method} is larger than ${this.maxMessageBytes} bytes`);
      }
      forms.set(binary, toWire(encoded));
    }
    // One binary message serves every binary connection: transports do not modify what they send.
    for (const conn of targets) {
      const form = forms.get(conn.binary)!;
      if (!this.hasRoom(conn, messageSize(form))) {
        // A peer that stopped reading misses broadcasts rather than making this process grow;
        // a notification to it alone says so.
        if (connection === undefined) continue;
        throw new IpcError("tooLarge", `the outgoing queue of connection ${conn.id} is full`);
      }
      conn.socket.send(form);
      this.recount(conn);
    }
  }

  /** Stops serving: closes transports and connections; running handlers see their signal abort. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const conn of [...this.connections.values()]) conn.socket.close();
    await Promise.all(this.backends.splice(0).map((b) => b.close()));
  }

  private dropped(conn: HostConnection): void {
    if (conn.closed) return;
    conn.closed = true;
    clearTimeout(conn.helloTimer);
    this.connections.delete(conn.id);
    // Nothing is kept for a closed connection: its queue leaves the total, what it held is dropped.
    this.queuedTotal -= conn.queued;
    conn.queued = 0;
    conn.held = [];
    this.waitingForTotal.delete(conn);
    const error = new IpcError("disconnected", "the frontend disconnected");
    for (const [id, call] of [...conn.running]) this.endCall(conn, id, call, error);
    this.wakeWaitingForTotal();
  }

  private send(conn: HostConnection, message: object): void {
    if (conn.closed) return;
    conn.socket.send(toWire(encodeMessage(message, conn.binary)));
    this.recount(conn);
  }

  /**
   * Takes `conn`'s socket's `bufferedBytes` as its queue again, and the difference into the
   * total. A socket without `onDrain` would never say that they went down: it counts nothing.
   */
  private recount(conn: HostConnection): void {
    if (conn.closed) return;
    const now = conn.socket.onDrain ? (conn.socket.bufferedBytes ?? 0) : 0;
    this.queuedTotal += now - conn.queued;
    conn.queued = now;
  }

  /**
   * Whether `bytes` more fit in `conn`'s queue: within `maxQueuedBytes`, and within
   * `maxQueuedBytesTotal` unless the queue is empty (a connection that keeps up always gets its
   * next message, so peers that stopped reading cannot starve it).
   */
  private hasRoom(conn: HostConnection, bytes: number): boolean {
    this.recount(conn);
    return conn.queued + bytes <= this.maxQueuedBytes && (conn.queued === 0 || this.queuedTotal + bytes <= this.maxQueuedBytesTotal);
  }

  /** Whether `conn`'s next message may be handled now (docs/protocol.md, Backpressure). */
  private mayRead(conn: HostConnection): boolean {
    if (conn.starting) return false;
    if (this.hasRoom(conn, 0)) return true;
    // Within its own limit, it waits for the total; past it, for its own drain.
    if (conn.queued <= this.maxQueuedBytes) this.waitingForTotal.add(conn);
    return false;
  }

  /** Bytes of `conn` were written: it may read again, and so may those waiting for the total. */
  private drained(conn: HostConnection): void {
    if (conn.closed) return;
    this.recount(conn);
    this.readHeld(conn);
    this.wakeWaitingForTotal();
  }

  private wakeWaitingForTotal(): void {
    if (this.waitingForTotal.size === 0 || this.queuedTotal > this.maxQueuedBytesTotal) return;
    const waiting = [...this.waitingForTotal];
    this.waitingForTotal.clear();
    for (const conn of waiting) this.readHeld(conn);
  }

  /**
   * Holds `data` instead of handling it, and asks the socket to stop reading: the queue is full,
   * or a call just started and its answer is to be counted before anything else is read.
   */
  private hold(conn: HostConnection, data: SocketMessage): void {
    conn.held.push(data);
    this.awaitStarting(conn);
    if (!conn.paused) {
      conn.paused = true;
      conn.socket.pauseReading?.();
    }
  }

  /**
   * A call that has not answered by the next turn of the event loop does not hold up the
   * messages after it any longer (its handler waits for something else).
   */
  private awaitStarting(conn: HostConnection): void {
    const call = conn.starting;
    if (!call || conn.turnFor === call) return;
    conn.turnFor = call;
    nextTurn(() => this.started(conn, call));
  }

  /** `call` answered, or the event loop turned since it started: what `conn` holds may be read. */
  private started(conn: HostConnection, call: RunningCall): void {
    if (conn.starting !== call) return;
    conn.starting = undefined;
    this.readHeld(conn);
  }

  /** Handles what `conn` holds while it may read; once it holds nothing and may, its socket reads again. */
  private readHeld(conn: HostConnection): void {
    if (conn.reading) return;
    conn.reading = true;
    try {
      while (!conn.closed && conn.held.length > 0 && this.mayRead(conn)) this.handle(conn, conn.held.shift()!);
    } finally {
      conn.reading = false;
    }
    if (conn.closed || !conn.paused) return;
    if (conn.held.length === 0 && this.mayRead(conn)) {
      conn.paused = false;
      conn.socket.resumeReading?.();
    } else this.awaitStarting(conn);
  }

  /** Sends an encoded message, or returns a `tooLarge` error (not sent) when it is past `maxMessageBytes`. */
  private sendChecked(conn: HostConnection, encoded: EncodedMessage, what: string): IpcError | undefined {
    if (exceedsLimit(encoded, this.maxMessageBytes)) {
      return new IpcError("tooLarge", `${what} larger than ${this.maxMessageBytes} bytes`, { limit: this.maxMessageBytes });
    }
    if (!conn.closed) {
      conn.socket.send(toWire(encoded));
      this.recount(conn);
    }
    return undefined;
  }

  private sendError(conn: HostConnection, id: number | null, code: string, message: string, data?: WireValue): void {
    this.send(conn, data === undefined ? { type: "error", id, code, message } : { type: "error", id, code, message, data });
  }

  /**
   * Answers an oversize message, with its id when the first bytes show one; `limit` is the one
   * that was enforced (a transport's own, or the host's).
   */
  private tooLarge(conn: HostConnection, prefix: string, limit = this.maxMessageBytes): void {
    const id = /"id"\s*:\s*([1-9][0-9]{0,15})\b/.exec(prefix.slice(0, 256));
    const n = id ? Number(id[1]) : NaN;
    this.sendError(conn, isCallId(n) && conn.welcomed ? n : null, "tooLarge", `message larger than ${limit} bytes`, { limit });
    // The first message must be a hello that is read: past the hello's limit, the handshake fails.
    if (!conn.welcomed) conn.socket.close();
  }

  private report(error: unknown, conn?: HostConnection): void {
    try {
      this.options.onError?.(error, conn?.id);
    } catch {
      // An error hook that throws must not break serving.
    }
  }

  private receive(conn: HostConnection, data: SocketMessage): void {
    if (conn.closed) return;
    // In order: nothing overtakes what is held.
    if (conn.held.length > 0 || !this.mayRead(conn)) return this.hold(conn, data);
    this.handle(conn, data);
  }

  private handle(conn: HostConnection, data: SocketMessage): void {
    if (typeof data !== "string") return this.receiveBinary(conn, data);
    const limit = conn.welcomed ? this.maxMessageBytes : this.helloMaxBytes;
    if (exceedsBytes(data, limit)) return this.tooLarge(conn, data.slice(0, 256), limit);
    this.dispatch(conn, parseMessage(data), undefined);
  }

  /** A binary message: only on a binary connection (elsewhere a binary WebSocket frame keeps its v1 meaning). */
  private receiveBinary(conn: HostConnection, data: Uint8Array): void {
    if (!conn.welcomed) {
      this.sendError(conn, null, "badRequest", "the first message must be hello");
      return conn.socket.close();
    }
    if (!conn.binary) return this.sendError(conn, null, "badRequest", "a binary message on a connection that did not negotiate binary");
    if (data.length > this.maxMessageBytes) return this.tooLarge(conn, jsonPrefix(data), this.maxMessageBytes);
    const { message, attachments } = parseBinaryMessage(data);
    this.dispatch(conn, message, attachments);
  }

  /** Handles one parsed message; `attachments` are those of the binary message it came in. */
  private dispatch(conn: HostConnection, m: Message | MalformedMessage, attachments: Attachments | undefined): void {
    if (!conn.welcomed) return this.handshake(conn, m);
    switch (m.type) {
      case "call":
        return this.call(conn, m, attachments);
      case "cancel": {
        const call = conn.running.get(m.id);
        if (!call) return; // unknown or finished: ignored
        this.endCall(conn, m.id, call, new IpcError("cancelled", "cancelled by the caller"));
        return this.sendError(conn, m.id, "cancelled", `call ${m.id} was cancelled`);
      }
      case "item":
      case "credit":
      case "end":
      case "stop":
        // On a protocol-1 connection these are unknown messages.
        if (!conn.streams) return this.sendError(conn, m.id, "badRequest", `unknown message type ${JSON.stringify(m.type)}`);
        return this.streamMessage(conn, m, attachments);
      case "malformed":
        return this.sendError(conn, m.id, "badRequest", m.reason);
      case "result":
        return this.sendError(conn, m.id, "badRequest", "a result message is not for a backend");
      case "error":
        return this.sendError(conn, m.id, "badRequest", "an error message is not for a backend");
      default:
        return this.sendError(conn, null, "badRequest", m.type === "hello" ? "a second hello is not allowed" : `a ${m.type} message is not for a backend`);
    }
  }

  /**
   * The first message: a `hello`, checked in the documented order (docs/protocol.md, "Backend
   * checks, in this order"; `maxCredit` right after the protocol, as the Rust runtime does). The
   * first check that fails is answered with its error (id null) and the connection is closed;
   * else the `welcome` goes out.
   */
  private handshake(conn: HostConnection, m: Message | MalformedMessage): void {
    const refuse = (code: string, message: string, data?: WireValue) => {
      this.sendError(conn, null, code, message, data);
      conn.socket.close();
    };
    if (m.type !== "hello") return refuse("badRequest", "the first message must be hello");
    const protocol = m.protocol;
    if (typeof protocol !== "number" || !Number.isInteger(protocol) || protocol < 0) {
      return refuse("badRequest", "hello protocol is not a non-negative integer");
    }
    if (protocol !== PROTOCOL_VERSION && !(protocol === PROTOCOL_STREAMS && this.protocol >= PROTOCOL_STREAMS)) {
      return refuse("versionMismatch", `frontend speaks protocol ${protocol}, this backend ${this.protocol}`, {
        backendProtocol: this.protocol,
        frontendProtocol: protocol,
      });
    }
    // Streams: asked for by `"protocol": 2` or the `streams` feature, granted by a v2 host.
    const streams = this.protocol >= PROTOCOL_STREAMS && (protocol === PROTOCOL_STREAMS || m.features.includes(STREAMS_FEATURE));
    if (streams && m.maxCredit !== undefined && Number.isNaN(m.maxCredit)) {
      return refuse("badRequest", "hello maxCredit is not an integer of at least 1");
    }
    // A token of the wrong type is a broken frontend, whether or not this host wants a token.
    if (m.token !== undefined && typeof m.token !== "string") return refuse("badRequest", "hello token is not a string");
    const token = this.options.token;
    if (token !== undefined && (m.token === undefined || !sameToken(m.token, token))) {
      return refuse("unauthorized", m.token === undefined ? "a token is required" : "wrong token");
    }
    if (!isChannelMap(m.channels)) return refuse("badRequest", "hello channels is not an object of strings");
    const schemas = readHelloSchemas(m.schemas);
    if (typeof schemas === "string") return refuse("badRequest", schemas);
    // Binary: offered with streams, granted with them, over a transport that carries it.
    const binary = streams && m.features.includes(BINARY_FEATURE) && this.options.binary !== false && conn.socket.binary === true;
    conn.streams = streams;
    conn.peerMaxCredit = m.maxCredit ?? DEFAULT_MAX_CREDIT;
    conn.welcomed = true;
    clearTimeout(conn.helloTimer);
    conn.socket.limitMessageBytes?.(this.maxMessageBytes, (prefix, enforced) => this.tooLarge(conn, prefix, enforced));
    conn.frontendChannels = new Map(Object.entries(m.channels));
    const channels: Record<string, string> = {};
    const ours = new Map<string, { spec: ChannelSpec; schema: ChannelSchema | undefined }>();
    for (const entry of this.notificationChannels.values()) ours.set(entry.spec.channel, entry);
    for (const entry of this.channels.values()) ours.set(entry.spec.channel, entry);
    for (const { spec } of ours.values()) channels[spec.channel] = spec.schemaHash;
    const compat = this.judgeChannels(conn, schemas, ours);
    const compatField = Object.keys(compat).length > 0 ? { compat } : {};
    // A v1 hello gets exactly the v1 welcome; the v2 one adds the features and stream limits.
    this.send(
      conn,
      streams
        ? {
            type: "welcome",
            protocol: PROTOCOL_STREAMS,
            features: binary ? [STREAMS_FEATURE, BINARY_FEATURE] : [STREAMS_FEATURE],
            channels,
            maxMessageBytes: this.maxMessageBytes,
            maxInFlight: this.maxInFlight,
            maxStreams: this.maxStreams,
            maxCredit: this.maxCredit,
            ...compatField,
          }
        : { type: "welcome", protocol: PROTOCOL_VERSION, channels, maxMessageBytes: this.maxMessageBytes, maxInFlight: this.maxInFlight, ...compatField },
    );
    // From here on (the welcome is out, text) this host sends and reads binary messages.
    if (binary) {
      conn.binary = true;
      conn.socket.enableBinary?.();
    }
  }

  /**
   * Judges each channel the frontend listed with another hash than ours, when both sides have
   * a schema of it: records the verdicts on `conn` and returns them as `welcome.compat`. A
   * channel whose comparison exceeds the budget is left to the hash rule.
   */
  private judgeChannels(
    conn: HostConnection,
    schemas: ReadonlyMap<string, ChannelSchema>,
    ours: ReadonlyMap<string, { spec: ChannelSpec; schema: ChannelSchema | undefined }>,
  ): CompatVerdicts {
    const compat: CompatVerdicts = {};
    const judged = new Map<string, JudgedChannel>();
    for (const [channel, frontendHash] of conn.frontendChannels) {
      const backend = ours.get(channel);
      const frontendSchema = schemas.get(channel);
      if (!backend?.schema || !frontendSchema || frontendHash === backend.spec.schemaHash) continue;
      const judgement = judge(frontendSchema, backend.schema, DEFAULT_BUDGET);
      if (judgement === TooComplex) {
        this.report(new IpcError("versionMismatch", `the schemas of channel ${channel} are too large to compare; compared by hash`), conn);
        continue;
      }
      const unusable = new Map<string, string>();
      for (const [member, verdict] of judgement.members) if (verdict.unusable !== undefined) unusable.set(member, verdict.unusable);
      judged.set(channel, { backendHash: backend.spec.schemaHash, unusable, members: new Set(judgement.members.keys()) });
      compat[channel] = { unusable: Object.fromEntries(unusable) };
    }
    conn.judged = judged;
    return compat;
  }

  /**
   * Ends a running call: forgets it, frees its streams, and, with `reason` (cancel, disconnect,
   * a violation), aborts the handler's signal, closes its output iterator (`return()`) and
   * fails its input stream. Without `reason` the handler finished and answered.
   */
  private endCall(conn: HostConnection, id: number, call: RunningCall, reason?: IpcError): void {
    if (conn.running.get(id) !== call) return;
    conn.running.delete(id);
    if (call.inputOpen) conn.openStreams--;
    if (call.outputOpen) conn.openStreams--;
    call.inputOpen = call.outputOpen = false;
    if (reason) {
      call.controller.abort(reason);
      call.input?.fail(reason, true);
    } else call.input?.close();
    call.output?.stop();
  }

  /** Ends a call with `error` as its answer (a flow-control violation, an item that does not decode). */
  private failCall(conn: HostConnection, id: number, call: RunningCall, error: IpcError): void {
    this.endCall(conn, id, call, error);
    this.sendError(conn, id, error.code, error.message, error.data as WireValue);
  }

  /** `item`, `credit`, `end` (and a misdirected `stop`) on a protocol-2 connection. */
  private streamMessage(conn: HostConnection, m: StreamMessage, attachments: Attachments | undefined): void {
    const call = conn.running.get(m.id);
    if (!call) return; // for a call no longer tracked (answered, cancelled): ignored
    switch (m.type) {
      case "item": {
        if (!call.input) return this.failCall(conn, m.id, call, flowControl(`item ${m.seq} for call ${m.id}, which has no input stream`));
        const error = call.input.receive(m.seq, m.value, attachments);
        return error ? this.failCall(conn, m.id, call, error) : undefined;
      }
      case "end":
        if (!call.input) return this.failCall(conn, m.id, call, flowControl(`end for call ${m.id}, which has no input stream`));
        if (call.input.finished && call.inputOpen) return this.failCall(conn, m.id, call, flowControl(`a second end for call ${m.id}`));
        call.input.end();
        if (call.inputOpen) {
          call.inputOpen = false;
          conn.openStreams--;
        }
        return;
      case "credit": {
        if (!call.outputOpen) return this.failCall(conn, m.id, call, flowControl(`credit for call ${m.id}, which has no output stream`));
        if (call.output) {
          const error = call.output.grant(m.n);
          return error ? this.failCall(conn, m.id, call, error) : undefined;
        }
        if (call.credit + m.n > this.maxCredit) {
          return this.failCall(conn, m.id, call, flowControl(`a grant of ${m.n} takes the credit to ${call.credit + m.n}, past maxCredit ${this.maxCredit}`));
        }
        call.credit += m.n;
        return;
      }
      case "stop":
        return this.sendError(conn, m.id, "badRequest", "a stop message is not for a backend");
    }
  }

  /**
   * Checks a call's stream fields against its method (docs/protocol.md, "Streams of a call"):
   * the error to answer, or undefined.
   */
  private checkStreams(conn: HostConnection, m: CallMessage, method: MethodDescriptor): IpcError | undefined {
    const what = `${m.channel}.${m.method}`;
    const wantsOutput = method.outputStream === true;
    const wantsInput = method.inputStream !== undefined;
    if (wantsOutput && m.credit === undefined) return new IpcError("badRequest", `${what} returns a stream: the call needs credit`);
    if (!wantsOutput && m.credit !== undefined) return new IpcError("badRequest", `${what} does not return a stream: the call must not have credit`);
    if (wantsInput && m.input !== true) return new IpcError("badRequest", `${what} has a streaming parameter: the call needs input: true`);
    if (!wantsInput && m.input === true) return new IpcError("badRequest", `${what} has no streaming parameter: the call must not have input`);
    if (m.credit !== undefined && m.credit > this.maxCredit) return flowControl(`the call's credit ${m.credit} is past maxCredit ${this.maxCredit}`);
    const opening = (wantsInput ? 1 : 0) + (wantsOutput ? 1 : 0);
    if (opening > 0 && conn.openStreams + opening > this.maxStreams) {
      return new IpcError("tooManyStreams", `more than ${this.maxStreams} streams open on this connection`, { limit: this.maxStreams });
    }
    if (wantsInput) {
      const slot = method.inputStream!;
      if (m.args[slot] !== null && m.args[slot] !== undefined) return new IpcError("badRequest", `${what}: args[${slot}] is the streaming parameter and must be null`);
    }
    return undefined;
  }

  private call(conn: HostConnection, m: CallMessage, attachments: Attachments | undefined): void {
    if (conn.running.has(m.id)) return this.sendError(conn, m.id, "badRequest", `call id ${m.id} is already in flight`);
    // On a protocol-1 connection the stream fields are unknown to the protocol in force.
    if (!conn.streams && (m.input !== undefined || m.credit !== undefined)) {
      return this.sendError(conn, m.id, "badRequest", "input and credit of a call need protocol 2 (streams), which this connection did not negotiate");
    }
    if (conn.running.size >= this.maxInFlight) return this.sendError(conn, m.id, "tooManyCalls", `more than ${this.maxInFlight} calls in flight`, { limit: this.maxInFlight });
    const registration = this.channels.get(m.channel);
    if (!registration) return this.sendError(conn, m.id, "unknownChannel", `no interface is registered on channel ${m.channel}`);
    const frontendHash = conn.frontendChannels.get(m.channel);
    const backendHash = registration.spec.schemaHash;
    if (frontendHash !== undefined && frontendHash !== backendHash) {
      const judged = conn.judged.get(m.channel);
      if (judged === undefined || judged.backendHash !== backendHash) {
        return this.sendError(conn, m.id, "versionMismatch", mismatchMessage(m.channel, frontendHash, backendHash), {
          channel: m.channel,
          frontendHash,
          backendHash,
        });
      }
      const reason = judged.unusable.get(m.method);
      if (reason !== undefined) {
        return this.sendError(conn, m.id, "versionMismatch", methodMismatchMessage(m.channel, m.method, reason), {
          channel: m.channel,
          method: m.method,
          frontendHash,
          backendHash,
          reason,
        });
      }
    }
    const method = registration.methods.get(m.method);
    if (!method) return this.sendError(conn, m.id, "unknownMethod", `channel ${m.channel} has no method ${JSON.stringify(m.method)}`);
    const streamError = this.checkStreams(conn, m, method);
    if (streamError) return this.sendError(conn, m.id, streamError.code, streamError.message, streamError.data as WireValue);
    if (m.args.length > method.params.length || m.args.length < method.required) {
      return this.sendError(conn, m.id, "badRequest", `${m.channel}.${m.method} takes ${method.required}..${method.params.length} arguments, got ${m.args.length}`);
    }
    const args = new Array<unknown>(method.params.length);
    try {
      // One pass over all arguments: an attachment may be taken once in the whole message.
      withAttachments(attachments, () => {
        for (let i = 0; i < method.params.length; i++) {
          if (i !== method.inputStream) args[i] = decodeValue(method.params[i]!, m.args[i], `args[${i}]`);
        }
      });
    } catch (e) {
      const error = e as IpcError;
      return this.sendError(conn, m.id, error.code, error.message, error.data as WireValue);
    }
    const controller = new AbortController();
    const call: RunningCall = { controller, inputOpen: false, outputOpen: method.outputStream === true, credit: m.credit ?? 0 };
    conn.running.set(m.id, call);
    if (call.outputOpen) conn.openStreams++;
    if (method.inputStream !== undefined) {
      args[method.inputStream] = this.openInput(conn, m, method, call);
    }
    const ctx: CallContext = { connection: conn.id, signal: controller.signal, channel: m.channel, method: m.method, host: this };
    const fn = (registration.impl as Record<string, unknown>)[m.method];
    const run = async (): Promise<unknown> => {
      if (typeof fn !== "function") throw new Error(`the handler of ${m.channel} does not implement ${m.method}`);
      return fn.apply(registration.impl, [...args, ctx]);
    };
    const answered = run().then(
      (value) => {
        if (conn.running.get(m.id) !== call) return; // cancelled or disconnected meanwhile
        if (method.outputStream) return this.openOutput(conn, m, method, call, value);
        this.endCall(conn, m.id, call);
        let encoded: EncodedMessage;
        try {
          const wire = deferBytes(() => encodeValue(method.result, value, "result"));
          encoded = encodeMessage({ type: "result", id: m.id, value: wire }, conn.binary);
        } catch (e) {
          this.report(e, conn);
          return this.sendError(conn, m.id, "internal", `handler returned a value that does not fit the declared result: ${(e as Error).message}`);
        }
        const tooLarge = this.sendChecked(conn, encoded, "result");
        if (tooLarge) this.sendError(conn, m.id, "tooLarge", tooLarge.message, tooLarge.data as WireValue);
      },
      (e: unknown) => {
        if (conn.running.get(m.id) !== call) return;
        this.endCall(conn, m.id, call);
        this.replyFailure(conn, m, method, e);
      },
    );
    // Later messages wait for the answer, so that it is counted against the queue limits before
    // more is read: a burst of calls starts no more handlers than the queue has room for.
    conn.starting = call;
    void answered.finally(() => this.started(conn, call));
  }

  /**
   * The handler's view of a call's input stream: items decoded with the parameter's codec, at
   * most one window buffered; grants the window at once (the call is accepted), sends `stop`
   * when the handler stops reading before `end`.
   */
  private openInput(conn: HostConnection, m: CallMessage, method: MethodDescriptor, call: RunningCall): InboundStream<unknown> {
    const codec = method.params[method.inputStream!]!;
    const window = Math.max(1, Math.min(this.streamWindow, conn.peerMaxCredit));
    const input = new InboundStream<unknown>(window, {
      grant: (n) => {
        if (conn.running.get(m.id) === call) this.send(conn, { type: "credit", id: m.id, n });
      },
      abandoned: () => {
        if (conn.running.get(m.id) !== call || !call.inputOpen) return;
        call.inputOpen = false;
        conn.openStreams--;
        this.send(conn, { type: "stop", id: m.id });
      },
      decode: (value, seq, attachments) => withAttachments(attachments, () => decodeValue(codec, value, `input[${seq}]`)),
    });
    call.input = input;
    call.inputOpen = true;
    conn.openStreams++;
    this.send(conn, { type: "credit", id: m.id, n: window });
    return input;
  }

  /** Sends the items of the handler's iterable within the frontend's credit; its end answers the call. */
  private openOutput(conn: HostConnection, m: CallMessage, method: MethodDescriptor, call: RunningCall, value: unknown): void {
    call.output = new OutboundStream<unknown>(value as AsyncIterable<unknown>, call.credit, this.maxCredit, {
      send: (seq, item) => {
        let encoded: EncodedMessage;
        try {
          const wire = deferBytes(() => encodeValue(method.result, item, `item[${seq}]`));
          encoded = encodeMessage({ type: "item", id: m.id, seq, value: wire }, conn.binary);
        } catch (e) {
          this.report(e, conn);
          return new IpcError("internal", `handler yielded an item that does not fit the declared type: ${(e as Error).message}`);
        }
        return this.sendChecked(conn, encoded, `stream item ${seq}`);
      },
      done: () => {
        if (conn.running.get(m.id) !== call) return;
        this.endCall(conn, m.id, call);
        this.send(conn, { type: "result", id: m.id, value: null });
      },
      failed: (e) => {
        if (conn.running.get(m.id) !== call) return;
        this.endCall(conn, m.id, call);
        if (e instanceof TypeError && /stream source/.test(e.message)) {
          this.report(e, conn);
          return this.sendError(conn, m.id, "internal", `handler of ${m.channel}.${m.method} did not return an AsyncIterable`);
        }
        this.replyFailure(conn, m, method, e);
      },
    });
  }

  private replyFailure(conn: HostConnection, m: CallMessage, method: MethodDescriptor, e: unknown): void {
    if (e instanceof DeclaredError && method.throws) {
      try {
        const data = deferBytes(() => encodeValue(method.throws!, e.data, "error.data"));
        return this.sendError(conn, m.id, "declared", method.throwsName ?? e.message, data);
      } catch (encodeError) {
        this.report(encodeError, conn);
        return this.sendError(conn, m.id, "internal", `declared error does not fit its type: ${(encodeError as Error).message}`);
      }
    }
    if (e instanceof IpcError && !(e instanceof DeclaredError)) {
      // A handler may answer with a protocol code on purpose (e.g. a call it forwarded failed);
      // a stream's own failures (tooLarge, internal) keep their data.
      return this.sendError(conn, m.id, e.code, e.message, e.code === "tooLarge" ? (e.data as WireValue) : undefined);
    }
    this.report(e, conn);
    const message = e instanceof Error ? e.message : String(e);
    this.sendError(conn, m.id, "internal", `handler of ${m.channel}.${m.method} failed: ${message}`);
  }

  // ---- The static facade over a default host (the reference design's `IpcHost.startup` / `send`).

  private static defaultHost: IpcHost | undefined;

  /** Starts the default host on `backend` (and returns it). */
  static startup(backend?: IpcSocketBackend, options?: HostOptions): IpcHost {
    if (IpcHost.defaultHost?.isValid) throw new Error("IpcHost.startup: already started");
    const host = new IpcHost(options);
    IpcHost.defaultHost = host;
    if (backend) host.serve(backend);
    return host;
  }
  /** The default host (`IpcHost.startup` must have been called). */
  static get default(): IpcHost {
    if (!IpcHost.defaultHost) throw new Error("IpcHost.startup has not been called");
    return IpcHost.defaultHost;
  }
  /** Whether the default host is serving. */
  static get isValid(): boolean {
    return IpcHost.defaultHost?.isValid ?? false;
  }
  /** Sends a raw notification on the default host to every connection. */
  static send(channel: string, method: string, ...args: WireValue[]): void {
    IpcHost.default.notify(channel, method, args);
  }
  /** Shuts the default host down. */
  static async shutdown(): Promise<void> {
    const host = IpcHost.defaultHost;
    IpcHost.defaultHost = undefined;
    await host?.shutdown();
  }
}

/**
 * Reads `hello.schemas` (hello check 5): the frontend's schemas by channel, leaving out those of
 * a format this runtime does not read; or, for a value that is not an object of valid schemas,
 * why (a `badRequest`).
 */
function readHelloSchemas(schemas: unknown): ReadonlyMap<string, ChannelSchema> | string {
  const read = new Map<string, ChannelSchema>();
  if (schemas === undefined) return read;
  if (typeof schemas !== "object" || schemas === null || Array.isArray(schemas)) return "hello schemas is not an object";
  for (const [channel, value] of Object.entries(schemas)) {
    const schema = readChannelSchema(value);
    if ("invalid" in schema) return `hello schemas of channel ${JSON.stringify(channel)}: invalid channel schema: ${schema.invalid}`;
    if ("schema" in schema) read.set(channel, schema.schema);
  }
  return read;
}

/** Mounts `impl` for `descriptor` on `host`; returns an unregister function. What generated `register…` calls. */
export function register<T>(host: IpcHost, descriptor: InterfaceDescriptor<T>, impl: T): () => void {
  return host.register(descriptor, impl);
}

/**
 * A typed notification sender: an object with one method per notification that encodes its
 * arguments and sends them to `connection`, or to every connection when it is omitted. Also
 * lists the channel in the host's `welcome`.
 */
export function notificationSender<T>(host: IpcHost, descriptor: NotificationsDescriptor<T>, connection?: ConnectionId): T {
  host.declareNotifications(descriptor);
  const sender: Record<string, (...args: unknown[]) => void> = {};
  for (const method of Object.keys(descriptor.notifications)) {
    const n = lookupOwn<NotificationDescriptor>(descriptor.notifications, method)!;
    const send = (...args: unknown[]) => {
      const wire = deferBytes(() => encodeArgs(n.params, n.required, args, `${descriptor.name ?? descriptor.channel}.${method}`));
      host.notify(descriptor.channel, method, wire, connection);
    };
    Object.defineProperty(sender, method, { value: send, enumerable: true });
  }
  return Object.freeze(sender) as unknown as T;
}

/**
 * The reference design's handler base class. Generated code extends it per interface
 * (`abstract class MyInterfaceHandler extends IpcHandler implements MyInterface`), passing the
 * descriptor to the constructor; the app subclasses that and calls `MyHandler.register()`.
 */
export abstract class IpcHandler {
  readonly #descriptor: InterfaceDescriptor<any>;

  constructor(descriptor: InterfaceDescriptor<any>) {
    this.#descriptor = descriptor;
  }

  /** The channel this handler serves (the descriptor's channel, with a version in its name). */
  abstract get channelName(): string;

  /** Mounts this handler on `host`; returns an unregister function. */
  registerOn(host: IpcHost): () => void {
    if (this.channelName !== this.#descriptor.channel) {
      throw new Error(`IpcHandler: channelName ${this.channelName} differs from the interface's channel ${this.#descriptor.channel}`);
    }
    return host.register(this.#descriptor, this as any);
  }

  /** Creates the handler (no-argument constructor) and mounts it on `host` (default: `IpcHost.default`). */
  static register<H extends IpcHandler>(this: new () => H, host?: IpcHost): () => void {
    return new this().registerOn(host ?? IpcHost.default);
  }
}
