//! `IpcConnection`: the frontend end of one connection — handshake, calls, cancellation, notifications.

import type { WireValue } from "./codecs.js";
import { IpcError } from "./errors.js";
import { lookupOwn } from "./descriptors.js";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  exceedsBytes,
  HELLO_MAX_BYTES,
  methodMismatchMessage,
  mismatchMessage,
  parseMessage,
  PROTOCOL_VERSION,
  readCompat,
  type ErrorMessage,
  type WelcomeMessage,
} from "./protocol.js";
import type { IpcSocketFrontend } from "./socket.js";
import type { CallOptions, ChannelSpec } from "./types.js";
import { channelToJson, embeddedSchema } from "./wire-compat.js";

/** Channels' `hello` texts, by embedded text and channel (generated texts outlive connections). */
const helloTexts = new Map<string, Map<string, string>>();

/**
 * What a channel's `hello` carries as its wire schema (only the types it reaches; see
 * `channelToJson`), or `undefined` when it carries none. A descriptor's text that is not valid (one
 * written by hand) would cost the connection (hello check 5), so it is left out and reported, and
 * its channel is compared by hash; so is a text of another format.
 */
function helloSchema(spec: ChannelSpec, report: (e: IpcError) => void): string | undefined {
  if (spec.wireSchema === undefined) return undefined;
  const known = helloTexts.get(spec.wireSchema)?.get(spec.channel);
  if (known !== undefined) return known;
  const read = embeddedSchema(spec.wireSchema, spec.channel);
  if ("invalid" in read) {
    report(new IpcError("badRequest", `the wire schema of channel ${spec.channel} is invalid (${read.invalid}); the channel is compared by hash`));
    return undefined;
  }
  if (!("schema" in read)) return undefined;
  const text = channelToJson(read.schema);
  let byChannel = helloTexts.get(spec.wireSchema);
  if (byChannel === undefined) {
    // Bounded: a program has as many texts as its generated modules.
    if (helloTexts.size >= 10_000) return text;
    byChannel = new Map();
    helloTexts.set(spec.wireSchema, byChannel);
  }
  byChannel.set(spec.channel, text);
  return text;
}

/** Options of a frontend connection. */
export interface ConnectionOptions {
  /** Sent in `hello`; required when the backend was started with a token. */
  token?: string;
  /**
   * The channels (and schema hashes) this frontend was generated with; listed in `hello`, with
   * the wire schema of each that has one (generated descriptors do), so that a backend of
   * another version tells which methods still work.
   */
  channels?: readonly ChannelSpec[];
  /** Largest message sent or accepted, in UTF-8 bytes (default 64 MiB). */
  maxMessageBytes?: number;
  /** Default per-call timeout in milliseconds (none by default). */
  timeout?: number;
  /**
   * Problems that belong to no call: an `error` with id null, a malformed message, a
   * notification that does not decode, a listener that threw. Default: ignored.
   */
  onError?: (error: IpcError) => void;
}

/** A raw notification listener: the method name and the arguments as they came off the wire. */
export type IpcListener = (method: string, ...args: WireValue[]) => void;

/** Extra per-call options for `callRaw`. */
export interface RawCallOptions extends CallOptions {
  /** The caller's schema hash for `channel`: a mismatch with the backend's fails fast locally. */
  schemaHash?: string;
}

interface PendingCall {
  resolve(value: WireValue): void;
  reject(error: IpcError): void;
  /** Whether `call` was sent (so a cancel must be sent too). */
  sent: boolean;
  cleanup(): void;
}

interface ListenerEntry {
  readonly listener: IpcListener;
}

/**
 * The frontend end of one connection to a backend. Sends `hello` at once; calls made before
 * `welcome` are queued. Every call ends: result, error, timeout, cancellation or disconnect.
 */
export class IpcConnection {
  private readonly socket: IpcSocketFrontend;
  private readonly options: ConnectionOptions;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  /** Sends waiting for `welcome`, in call order. */
  private queue: (() => void)[] = [];
  private welcome: WelcomeMessage | undefined;
  /** The hashes listed in `hello`, by channel. */
  private readonly helloHashes = new Map<string, string>();
  /** Channels whose wire schema went out in `hello`. */
  private readonly sentSchemas = new Set<string>();
  /** The backend's verdicts (`welcome.compat`) on channels whose schema went out: unusable members and why. */
  private compat = new Map<string, ReadonlyMap<string, string>>();
  private closedError: IpcError | undefined;
  private readonly listeners = new Map<string, ListenerEntry[]>();
  private readonly closeListeners = new Set<(error: IpcError) => void>();
  private readyResolve!: () => void;
  private readyReject!: (e: IpcError) => void;
  /** Resolves when the backend's `welcome` arrives; rejects if the handshake fails or the socket closes first. */
  readonly ready: Promise<void>;

  constructor(socket: IpcSocketFrontend, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.options = options;
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    // `ready` is informational; an unobserved handshake failure must not crash the process.
    this.ready.catch(() => {});
    socket.onMessage((text) => this.receive(text));
    socket.onClose((reason) => this.closed(new IpcError("disconnected", `connection closed: ${reason}`)));
    socket.limitMessageBytes?.(this.maxMessageBytes, () =>
      this.report(new IpcError("tooLarge", `an incoming message exceeded ${this.maxMessageBytes} bytes and was dropped`)),
    );
    socket.send(this.hello());
  }

  /** The `hello` text: channels and hashes, and the wire schemas of the channels that have one. */
  private hello(): string {
    const channels: Record<string, string> = {};
    const schemas = new Map<string, string>();
    for (const spec of this.options.channels ?? []) {
      channels[spec.channel] = spec.schemaHash;
      this.helloHashes.set(spec.channel, spec.schemaHash);
      const schema = helloSchema(spec, (e) => this.report(e));
      if (schema !== undefined) schemas.set(spec.channel, schema);
      else schemas.delete(spec.channel);
    }
    const hello = { type: "hello", protocol: PROTOCOL_VERSION, ...(this.options.token !== undefined ? { token: this.options.token } : {}), channels };
    const text = JSON.stringify(hello);
    if (schemas.size === 0) return text;
    // The schemas are JSON texts already (generated code embeds them): spliced in, not re-encoded.
    const parts = [...schemas].map(([channel, schema]) => `${JSON.stringify(channel)}:${schema}`);
    const withSchemas = `${text.slice(0, -1)},"schemas":{${parts.join(",")}}}`;
    // Past the size every backend accepts for a hello, the schemas stay home (docs/protocol.md,
    // Limits): the backend then compares hashes only, which is safe, just less forgiving.
    if (exceedsBytes(withSchemas, HELLO_MAX_BYTES)) return text;
    for (const channel of schemas.keys()) this.sentSchemas.add(channel);
    return withSchemas;
  }


  /** Open and not yet closed (calls may still be waiting for the handshake). */
  get isValid(): boolean {
    return this.closedError === undefined;
  }

  /** The backend's channels and schema hashes, once `welcome` has arrived. */
  get backendChannels(): Readonly<Record<string, string>> | undefined {
    return this.welcome?.channels;
  }

  /** Calls in flight (sent or queued). */
  get pendingCalls(): number {
    return this.pending.size;
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * Calls `method` on `channel` with arguments already in wire form; resolves to the wire
   * result. Generated code calls `callMethod` (typed, through a descriptor) instead.
   */
  callRaw(channel: string, method: string, args: readonly WireValue[], options: RawCallOptions = {}): Promise<WireValue> {
    return new Promise<WireValue>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      const signal = options.signal;
      if (signal?.aborted) return reject(new IpcError("cancelled", "call cancelled before it was sent"));
      const id = this.nextId++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => this.abandon(id, new IpcError("cancelled", `call ${channel}.${method} cancelled`));
      const call: PendingCall = {
        resolve,
        reject,
        sent: false,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.pending.set(id, call);
      signal?.addEventListener("abort", onAbort, { once: true });
      const timeout = options.timeout ?? this.options.timeout;
      if (timeout !== undefined) {
        timer = setTimeout(() => this.abandon(id, new IpcError("timeout", `call ${channel}.${method} timed out after ${timeout} ms`)), timeout);
      }
      const send = () => {
        if (!this.pending.has(id)) return; // cancelled or timed out while queued
        const mismatch = this.checkSchema(channel, options.schemaHash, "method", method);
        if (mismatch) return this.settle(id, mismatch);
        const text = JSON.stringify({ type: "call", id, channel, method, args });
        const limit = Math.min(this.maxMessageBytes, this.welcome?.maxMessageBytes ?? Infinity);
        if (exceedsBytes(text, limit)) {
          return this.settle(id, new IpcError("tooLarge", `call ${channel}.${method} is larger than ${limit} bytes`));
        }
        call.sent = true;
        this.socket.send(text);
      };
      if (this.welcome) send();
      else this.queue.push(send);
    });
  }

  /**
   * A `versionMismatch` error if the backend has `channel` under another schema hash and
   * `member` does not work with it: every member of a channel the backend did not judge, the
   * unusable ones of a judged channel (`welcome.compat`). The verdicts apply to the schema that
   * went out in `hello`, so only to callers with the hash listed there.
   */
  private checkSchema(channel: string, schemaHash: string | undefined, noun: "method" | "notification", member?: string): IpcError | undefined {
    const backendHash = schemaHash === undefined || !this.welcome ? undefined : lookupOwn(this.welcome.channels, channel);
    if (backendHash === undefined || backendHash === schemaHash) return undefined;
    const verdicts = this.compat.get(channel);
    if (verdicts === undefined || member === undefined || this.helloHashes.get(channel) !== schemaHash) {
      return new IpcError(
        "versionMismatch",
        mismatchMessage(channel, schemaHash!, backendHash),
        { channel, frontendHash: schemaHash, backendHash } as unknown as WireValue,
      );
    }
    const reason = verdicts.get(member);
    if (reason === undefined) return undefined;
    const message = noun === "method" ? methodMismatchMessage(channel, member, reason) : `notification ${JSON.stringify(member)} of channel ${JSON.stringify(channel)} dropped: ${reason}`;
    return new IpcError("versionMismatch", message, { channel, [noun]: member, frontendHash: schemaHash, backendHash, reason } as unknown as WireValue);
  }

  /** Whether the backend has `channel` under the schema hash the caller was generated with (or does not list it). */
  schemaMatches(channel: string, schemaHash: string): boolean {
    return this.checkSchema(channel, schemaHash, "method") === undefined;
  }

  /**
   * Why notification `method` of `channel`, from a listener generated with `schemaHash`, must
   * be dropped: the channel's hashes differ and it was not judged, or the backend judged this
   * notification unusable. `undefined` when it may be delivered.
   */
  checkNotification(channel: string, method: string, schemaHash: string): IpcError | undefined {
    return this.checkSchema(channel, schemaHash, "notification", method);
  }

  /** Rejects a call locally and tells the backend to stop it. */
  private abandon(id: number, error: IpcError): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.settle(id, error);
    if (call.sent && !this.closedError) this.socket.send(JSON.stringify({ type: "cancel", id }));
  }

  private settle(id: number, outcome: IpcError | { value: WireValue }): void {
    const call = this.pending.get(id);
    if (!call) return; // a reply for a call no longer tracked (cancelled, timed out): ignored
    this.pending.delete(id);
    call.cleanup();
    if (outcome instanceof IpcError) call.reject(outcome);
    else call.resolve(outcome.value);
  }

  private receive(text: string): void {
    if (exceedsBytes(text, this.maxMessageBytes)) {
      return this.report(new IpcError("tooLarge", `an incoming message exceeded ${this.maxMessageBytes} bytes and was dropped`));
    }
    const m = parseMessage(text);
    switch (m.type) {
      case "welcome":
        if (this.welcome) return this.report(new IpcError("badRequest", "a second welcome was ignored"));
        if (m.protocol !== PROTOCOL_VERSION) {
          this.fail(new IpcError("versionMismatch", `backend speaks protocol ${m.protocol}, this frontend ${PROTOCOL_VERSION}`));
          return;
        }
        this.welcome = m;
        this.acceptVerdicts(m.compat);
        this.readyResolve();
        for (const send of this.queue.splice(0)) send();
        return;
      case "result":
        return this.settle(m.id, { value: m.value });
      case "error":
        if (m.id === null) return this.connectionError(m);
        return this.settle(m.id, new IpcError(m.code, m.message, m.data));
      case "notify":
        return this.deliver(m.channel, m.method, m.args);
      case "malformed":
        return this.report(new IpcError("badRequest", `malformed message from backend: ${m.reason}`));
      default:
        return this.report(new IpcError("badRequest", `unexpected ${m.type} message from backend`));
    }
  }

  /** Keeps the verdicts of `welcome.compat` on channels whose schema went out (others are the backend's mistake). */
  private acceptVerdicts(compat: unknown): void {
    const { verdicts, problem } = readCompat(compat);
    if (problem !== undefined) this.report(new IpcError("badRequest", `${problem}; channels are compared by hash`));
    for (const [channel, unusable] of verdicts) if (this.sentSchemas.has(channel)) this.compat.set(channel, unusable);
  }

  /** An error with id null: fatal during the handshake (unauthorized, versionMismatch), else reported. */
  private connectionError(m: ErrorMessage): void {
    const error = new IpcError(m.code, m.message, m.data);
    if (!this.welcome || m.code === "unauthorized" || m.code === "versionMismatch") this.fail(error);
    else this.report(error);
  }

  /** Ends the connection with `error` as the reason every pending and later call gets. */
  private fail(error: IpcError): void {
    this.closed(error);
    this.socket.close();
  }

  private closed(error: IpcError): void {
    if (this.closedError) return;
    this.closedError = error;
    this.readyReject(error);
    this.queue = [];
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    for (const listener of [...this.closeListeners]) {
      try {
        listener(error);
      } catch (e) {
        this.report(new IpcError("internal", `close listener threw: ${String(e)}`));
      }
    }
  }

  private deliver(channel: string, method: string, args: WireValue[]): void {
    const entries = this.listeners.get(channel);
    if (!entries) return;
    // A snapshot: listeners added or removed during delivery take effect from the next message.
    for (const entry of entries.slice()) {
      try {
        entry.listener(method, ...args);
      } catch (e) {
        this.report(e instanceof IpcError ? e : new IpcError("internal", `listener on ${channel} threw: ${String(e)}`));
      }
    }
  }

  /** Reports a problem that belongs to no call. */
  report(error: IpcError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // An error hook that throws must not break message processing.
    }
  }

  /**
   * Listens to notifications on `channel`. Returns a function that removes exactly this
   * registration (adding the same listener twice gives two independent registrations).
   */
  addListener(channel: string, listener: IpcListener): () => void {
    const entry: ListenerEntry = { listener };
    const entries = this.listeners.get(channel) ?? [];
    entries.push(entry);
    this.listeners.set(channel, entries);
    return () => this.removeEntry(channel, entry);
  }

  /** Removes one registration of `listener` on `channel` (the earliest one still present). */
  removeListener(channel: string, listener: IpcListener): void {
    const entry = this.listeners.get(channel)?.find((e) => e.listener === listener);
    if (entry) this.removeEntry(channel, entry);
  }

  private removeEntry(channel: string, entry: ListenerEntry): void {
    const entries = this.listeners.get(channel);
    const i = entries ? entries.indexOf(entry) : -1;
    if (i < 0) return;
    entries!.splice(i, 1);
    if (entries!.length === 0) this.listeners.delete(channel);
  }

  /** Called once when the connection ends, with the error pending calls got. Returns a remove function. */
  onClose(listener: (error: IpcError) => void): () => void {
    const wrapped = (e: IpcError) => listener(e);
    this.closeListeners.add(wrapped);
    if (this.closedError) queueMicrotask(() => wrapped(this.closedError!));
    return () => this.closeListeners.delete(wrapped);
  }

  /** Closes the connection; pending calls reject with `disconnected`. */
  close(): void {
    this.closed(new IpcError("disconnected", "connection closed by the frontend"));
    this.socket.close();
  }
}
