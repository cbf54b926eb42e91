//! `IpcConnection`: the frontend end of one connection — handshake, calls, streams (v2), cancellation, notifications.

import { encodeMessage, errorAttachments, exceedsLimit, parseBinaryMessage, toWire, type Attachments } from "../protocol/binary.js";
import { MAX_VALUE_DEPTH, nestsDeeper, type WireValue } from "../protocol/codecs.js";
import { IpcError } from "../protocol/errors.js";
import { lookupOwn } from "../protocol/descriptors.js";
import {
  DEFAULT_MAX_CREDIT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_STREAM_WINDOW,
  exceedsBytes,
  HELLO_MAX_BYTES,
  isChannelMap,
  methodMismatchMessage,
  mismatchMessage,
  parseMessage,
  asItem,
  asNotify,
  asResult,
  readMessage,
  PROTOCOL_STREAMS,
  PROTOCOL_VERSION,
  BINARY_FEATURE,
  readCompat,
  STREAMS_FEATURE,
  streamsNeedV2Message,
  type ErrorMessage,
  type MalformedMessage,
  type Message,
  type StreamMessage,
  type WelcomeMessage,
} from "../protocol/messages.js";
import { flowControl, InboundStream, itemCount, OutboundStream, type StreamSource } from "../protocol/stream.js";
import type { IpcSocketFrontend, SocketMessage } from "../transport/socket.js";
import type { CallOptions, ChannelSpec } from "../protocol/types.js";
import { channelToJson, embeddedSchema } from "../protocol/wire-compat.js";

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
  /** Default per-call timeout in milliseconds (none by default); for a stream call it covers the whole call, streams included. */
  timeout?: number;
  /**
   * v2: the most credit this frontend holds for one input stream, announced in `hello`
   * (default 1024); a backend granting more fails the call with `flowControl`.
   */
  maxCredit?: number;
  /**
   * v2: the credit granted to an output stream at once and the most kept outstanding, so at
   * most this many items of one stream wait in this frontend (default 256; capped by the
   * backend's `maxCredit`).
   */
  streamWindow?: number;
  /**
   * v2: offer binary `bytes` in `hello` (default true; only over transports that carry binary
   * messages). When the backend grants it, a message holding a `bytes` value goes as a binary
   * message, its bytes beside the JSON instead of base64 inside it. The raw APIs (`callRaw`,
   * `streamRaw`, `addListener`) then see such a value as the integer index of its attachment;
   * the typed ones (generated code, `callMethod`, `createClient`, `addNotificationListener`)
   * decode it. Turn it off for raw use of `bytes` values.
   */
  binary?: boolean;
  /**
   * Problems that belong to no call: an `error` with id null, a malformed message, a
   * notification that does not decode, a listener that threw. Default: ignored.
   */
  onError?: (error: IpcError) => void;
}

/** A raw notification listener: the method name and the arguments as they came off the wire. */
export type IpcListener = (method: string, ...args: WireValue[]) => void;

/** A notification listener that decodes: the arguments with their message's attachments. */
export type WireListener = (method: string, args: WireValue[], attachments: Attachments | undefined) => void;

/** Extra per-call options for `callRaw` and `streamRaw`. */
export interface RawCallOptions extends CallOptions {
  /** The caller's schema hash for `channel`: a mismatch with the backend's fails fast locally. */
  schemaHash?: string;
  /**
   * v2: the items of the method's streaming parameter (whose slot in `args` is `null`): any
   * `AsyncIterable` or `Iterable` of wire values. It is pulled only while the backend's credit
   * lasts, `end` is sent when it is exhausted, and its `return()` is called when the backend
   * sends `stop`, when the call is answered or cancelled. If it throws, the call is cancelled
   * and fails with what it threw.
   */
  input?: StreamSource<WireValue>;
}

/** Options of `streamRaw`. */
export interface RawStreamOptions extends RawCallOptions {
  /** The window of this output stream (default: the connection's `streamWindow`). */
  window?: number;
}

/** A `welcome` this frontend accepted: its protocol one this frontend speaks, its channels readable. */
type AcceptedWelcome = WelcomeMessage & { protocol: typeof PROTOCOL_VERSION | typeof PROTOCOL_STREAMS; channels: Record<string, string> };

/** The options of a call made without any. */
const NO_OPTIONS: CallOptions = Object.freeze({});

/** How a call ends, for whoever made it: its answer, or its failure. */
interface CallOutcome {
  /** The call's answer: the result's value (and the attachments of its message). */
  resolve(value: WireValue, attachments: Attachments | undefined): void;
  /**
   * The call failed: `immediate` for local failures (cancellation, timeout, a violation), which
   * drop an output stream's buffered items; not for the backend's error or a disconnect, which
   * come after the items received before them.
   */
  reject(error: unknown, immediate: boolean): void;
  /** v2: the output stream (a `streamRaw` call). */
  readonly output?: InboundStream<unknown>;
}

/**
 * One call in flight: every field set in the constructor, so all calls share one object shape;
 * the timer and the abort listener exist only for a call with a timeout or a signal.
 */
class PendingCall {
  /** Whether `call` was sent (so a cancel must be sent too). */
  sent = false;
  /** v2: the source of the input stream, once the call is sent. */
  input: OutboundStream<WireValue> | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** v2: the output stream (a `streamRaw` call). */
  readonly output: InboundStream<unknown> | undefined;

  constructor(readonly outcome: CallOutcome) {
    this.output = outcome.output;
  }

  /** Disarms the timeout and the abort listener. */
  cleanup(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal!.removeEventListener("abort", this.onAbort);
  }
}

/** One registration: a raw listener, or a decoding one (`addWireListener`). */
type ListenerEntry = { readonly listener: IpcListener; readonly wire?: undefined } | { readonly listener?: undefined; readonly wire: WireListener };

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
  private welcome: AcceptedWelcome | undefined;
  /** The hashes listed in `hello`, by channel. */
  private readonly helloHashes = new Map<string, string>();
  /** Channels whose wire schema went out in `hello`. */
  private readonly sentSchemas = new Set<string>();
  /** The backend's verdicts (`welcome.compat`) on channels whose schema went out: unusable members and why. */
  private compat = new Map<string, ReadonlyMap<string, string>>();
  private closedError: IpcError | undefined;
  /** `binary` was offered in `hello` (the option allows it and the transport carries binary messages). */
  private readonly offersBinary: boolean;
  /** The backend granted binary: messages holding bytes go binary, binary messages are read. */
  private binary = false;
  private readonly listeners = new Map<string, readonly ListenerEntry[]>();
  private readonly closeListeners = new Set<(error: IpcError) => void>();
  private readyResolve!: () => void;
  private readyReject!: (e: IpcError) => void;
  /** Resolves when the backend's `welcome` arrives; rejects if the handshake fails or the socket closes first. */
  readonly ready: Promise<void>;

  constructor(socket: IpcSocketFrontend, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.options = options;
    this.offersBinary = options.binary !== false && socket.binary === true;
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    // `ready` is informational; an unobserved handshake failure must not crash the process.
    this.ready.catch(() => {});
    socket.onMessage((message) => this.receive(message));
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
    // Streams are offered with protocol 1 + the feature, so that a v1 backend still accepts the hello.
    const hello = {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      ...(this.options.token !== undefined ? { token: this.options.token } : {}),
      features: this.offersBinary ? [STREAMS_FEATURE, BINARY_FEATURE] : [STREAMS_FEATURE],
      maxCredit: this.maxCredit,
      channels,
    };
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

  private get maxCredit(): number {
    return itemCount(this.options.maxCredit, DEFAULT_MAX_CREDIT);
  }

  /** The protocol in force (the `welcome`'s: 1 or 2), once `welcome` has arrived. */
  get protocol(): number | undefined {
    return this.welcome?.protocol;
  }

  /** Whether binary `bytes` are in force: offered in `hello` and granted in `welcome`. */
  get binaryBytes(): boolean {
    return this.binary;
  }

  /** Whether streams can be used: the backend answered protocol 2. */
  private get streams(): boolean {
    return this.welcome?.protocol === PROTOCOL_STREAMS;
  }

  /** The largest message the backend takes and this frontend sends. */
  private get sendLimit(): number {
    return Math.min(this.maxMessageBytes, this.welcome?.maxMessageBytes ?? Infinity);
  }

  /**
   * Calls `method` on `channel` with arguments already in wire form; resolves to the wire
   * result. Generated code calls `callMethod` (typed, through a descriptor) instead. With
   * `options.input` (protocol v2) the method's streaming parameter is sent as a stream; on a
   * protocol-1 connection such a call fails at once with `versionMismatch`.
   */
  callRaw(channel: string, method: string, args: readonly WireValue[], options: RawCallOptions = {}): Promise<WireValue> {
    return new Promise<WireValue>((resolve, reject) => {
      this.begin(channel, method, args, options, options.schemaHash, options.input, { resolve: (value) => resolve(value), reject: (e) => reject(e) });
    });
  }

  /**
   * `callRaw` for typed calls (`callMethod`): the promise resolves to what `decode` makes of the
   * result and its message's attachments (or rejects with what it throws), and rejects with what
   * `failure` makes of a failure. One promise per call, settled from the message handler.
   * Runtime-internal.
   */
  callDecoded<T>(
    channel: string,
    method: string,
    args: readonly WireValue[],
    options: CallOptions | undefined,
    schemaHash: string | undefined,
    input: StreamSource<WireValue> | undefined,
    decode: (value: WireValue, attachments: Attachments | undefined) => T,
    failure: (error: unknown) => unknown,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.begin(channel, method, args, options ?? NO_OPTIONS, schemaHash, input, {
        resolve: (value, attachments) => {
          let decoded: T;
          try {
            decoded = decode(value, attachments);
          } catch (e) {
            return reject(e);
          }
          resolve(decoded);
        },
        reject: (e) => reject(failure(e)),
      });
    });
  }

  /**
   * Calls a method whose result is a stream (protocol v2) with arguments in wire form; returns
   * its items as an async iterator. The call is sent at once with `credit` of one window; more
   * credit is granted as the items are consumed, so at most one window waits here. The
   * iteration ends at the call's `result`, throws the call's error after the items sent before
   * it (a declared error is the same `IpcError` `callRaw` rejects with: code `declared`, the
   * error value in `data`), and throws `disconnected` when the connection drops. Leaving the
   * iteration early (`break`, `return()`), the `AbortSignal` or the timeout cancels the call
   * (`cancel` is sent; the latter two throw `cancelled` / `timeout`). With `options.input`, the
   * call streams both ways. On a protocol-1 connection the iteration throws `versionMismatch`.
   *
   * @example
   * for await (const line of connection.streamRaw("files-v1", "tail", ["app.log"])) console.log(line);
   */
  streamRaw(channel: string, method: string, args: readonly WireValue[], options: RawStreamOptions = {}): AsyncIterableIterator<WireValue> {
    return this.openStream(channel, method, args, options, (value) => value);
  }

  /**
   * `streamRaw` for typed streams (`streamMethod`): each item is what `decode` makes of it and
   * its message's attachments, as it arrives (so an item that does not decode fails the call
   * after the items before it, and the backend stops at once), and the iteration throws what
   * `failure` makes of the call's error. The iterator is the stream itself: one promise per
   * item. Runtime-internal.
   */
  streamDecoded<T>(
    channel: string,
    method: string,
    args: readonly WireValue[],
    options: RawStreamOptions,
    decode: (value: WireValue, seq: number, attachments: Attachments | undefined) => T,
    failure: (error: unknown) => unknown,
  ): AsyncIterableIterator<T> {
    return this.openStream<T>(channel, method, args, options, decode, failure);
  }

  private openStream<T>(
    channel: string,
    method: string,
    args: readonly WireValue[],
    options: RawStreamOptions,
    decode: (value: WireValue, seq: number, attachments: Attachments | undefined) => T,
    failure?: (error: unknown) => unknown,
  ): AsyncIterableIterator<T> {
    let id = 0;
    const window = itemCount(options.window, itemCount(this.options.streamWindow, DEFAULT_STREAM_WINDOW));
    const output: InboundStream<T> = new InboundStream<T>(window, {
      grant: (n) => {
        if (this.pending.get(id)?.output === output && !this.closedError) this.socket.send(`{"type":"credit","id":${id},"n":${n}}`);
      },
      abandoned: () => this.abandon(id, new IpcError("cancelled", `stream ${channel}.${method} cancelled by its consumer`)),
      decode,
    });
    id = this.begin(channel, method, args, options, options.schemaHash, options.input, {
      resolve: () => output.end(),
      reject: failure === undefined ? (e, immediate) => output.fail(e, immediate) : (e, immediate) => output.fail(failure(e), immediate),
      output,
    });
    return output;
  }

  /**
   * Starts a call: tracks it, arms its signal and timeout, and sends it (at once or after
   * `welcome`). Returns its id (0 when it failed before getting one).
   */
  private begin(
    channel: string,
    method: string,
    args: readonly WireValue[],
    options: CallOptions,
    schemaHash: string | undefined,
    input: StreamSource<WireValue> | undefined,
    outcome: CallOutcome,
  ): number {
    if (this.closedError) {
      outcome.reject(this.closedError, true);
      return 0;
    }
    const signal = options.signal;
    if (signal?.aborted) {
      outcome.reject(new IpcError("cancelled", "call cancelled before it was sent"), true);
      return 0;
    }
    const id = this.nextId++;
    const call = new PendingCall(outcome);
    this.pending.set(id, call);
    if (signal !== undefined) {
      const onAbort = () => this.abandon(id, new IpcError("cancelled", `call ${channel}.${method} cancelled`));
      call.signal = signal;
      call.onAbort = onAbort;
      signal.addEventListener("abort", onAbort, { once: true });
    }
    const timeout = options.timeout ?? this.options.timeout;
    if (timeout !== undefined) {
      call.timer = setTimeout(() => this.abandon(id, new IpcError("timeout", `call ${channel}.${method} timed out after ${timeout} ms`)), timeout);
    }
    if (this.welcome) this.sendCall(id, call, channel, method, args, schemaHash, input);
    else this.queue.push(() => this.sendCall(id, call, channel, method, args, schemaHash, input));
    return id;
  }

  /** Sends a tracked call's `call` message (and opens its input stream), or fails it locally. */
  private sendCall(
    id: number,
    call: PendingCall,
    channel: string,
    method: string,
    args: readonly WireValue[],
    schemaHash: string | undefined,
    input: StreamSource<WireValue> | undefined,
  ): void {
    if (this.pending.get(id) !== call) return; // cancelled or timed out while queued
    const mismatch = this.checkSchema(channel, schemaHash, "method", method);
    if (mismatch) return this.settle(id, mismatch, true);
    const output = call.output;
    if ((input !== undefined || output !== undefined) && !this.streams) {
      const error = new IpcError("versionMismatch", streamsNeedV2Message(channel, method), { channel, method, backendProtocol: this.welcome?.protocol ?? PROTOCOL_VERSION });
      return this.settle(id, error, true);
    }
    if (output) output.limitWindow(this.welcome?.maxCredit ?? DEFAULT_MAX_CREDIT);
    // The text `JSON.stringify` makes of `{type, id, channel, method, args, input?, credit?}`,
    // built around the arguments' own text (the one part that is not known ahead).
    const encoded = encodeMessage(args, this.binary);
    const head = `{"type":"call","id":${id},"channel":${JSON.stringify(channel)},"method":${JSON.stringify(method)},"args":`;
    const tail = input !== undefined ? (output !== undefined ? `,"input":true,"credit":${output.window}}` : `,"input":true}`) : output !== undefined ? `,"credit":${output.window}}` : "}";
    const message = { json: head + encoded.json + tail, attachments: encoded.attachments };
    const limit = this.sendLimit;
    if (exceedsLimit(message, limit)) {
      return this.settle(id, new IpcError("tooLarge", `call ${channel}.${method} is larger than ${limit} bytes`), true);
    }
    call.sent = true;
    if (message.attachments.length === 1 && this.socket.sendBinary) this.socket.sendBinary(message.json, message.attachments[0]!);
    else this.socket.send(toWire(message));
    if (input !== undefined) call.input = this.openInput(id, call, input);
  }

  /** The sending end of a call's input stream: pulls `source` only within the backend's credit. */
  private openInput(id: number, call: PendingCall, source: StreamSource<WireValue>): OutboundStream<WireValue> {
    const live = () => this.pending.get(id) === call && !this.closedError;
    return new OutboundStream<WireValue>(source, 0, this.maxCredit, {
      send: (seq, value) => {
        if (!live()) return undefined;
        let encoded;
        try {
          encoded = encodeMessage({ type: "item", id, seq, value }, this.binary);
        } catch (e) {
          return new IpcError("badRequest", `input item ${seq} is not a wire value: ${String(e)}`);
        }
        const limit = this.sendLimit;
        if (exceedsLimit(encoded, limit)) return new IpcError("tooLarge", `input item ${seq} is larger than ${limit} bytes`, { limit });
        if (encoded.attachments.length === 1 && this.socket.sendBinary) this.socket.sendBinary(encoded.json, encoded.attachments[0]!);
        else this.socket.send(toWire(encoded));
        return undefined;
      },
      done: () => {
        if (live()) this.socket.send(JSON.stringify({ type: "end", id }));
      },
      // The source threw (the call fails with what it threw) or an item could not be sent.
      failed: (e) => this.abandon(id, e),
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
  private abandon(id: number, error: unknown): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.settle(id, error, true);
    if (call.sent && !this.closedError) this.socket.send(JSON.stringify({ type: "cancel", id }));
  }

  /** Ends a call with the backend's result. The input stream's source is stopped (its `return()` runs). */
  private answer(id: number, value: WireValue, attachments: Attachments | undefined): void {
    const call = this.pending.get(id);
    if (call === undefined) return; // a reply for a call no longer tracked (cancelled, timed out): ignored
    this.pending.delete(id);
    call.cleanup();
    call.input?.stop();
    call.outcome.resolve(value, attachments);
  }

  /**
   * Ends a call with an error (`immediate` for local ones). The input stream's source is stopped
   * (its `return()` runs).
   */
  private settle(id: number, error: unknown, immediate = false): void {
    const call = this.pending.get(id);
    if (call === undefined) return; // a reply for a call no longer tracked (cancelled, timed out): ignored
    this.pending.delete(id);
    call.cleanup();
    call.input?.stop();
    call.outcome.reject(error, immediate);
  }

  /** `item`, `credit`, `stop` (and a misdirected `end`) from the backend. */
  private streamMessage(m: StreamMessage, attachments: Attachments | undefined): void {
    if (!this.streams) return this.report(new IpcError("badRequest", `a ${m.type} message on a protocol-1 connection was ignored`));
    const call = this.pending.get(m.id);
    if (!call) return; // for a call no longer tracked (answered, cancelled): ignored
    switch (m.type) {
      case "item": {
        if (!call.output) return this.abandon(m.id, flowControl(`item ${m.seq} for call ${m.id}, which has no output stream`));
        const error = call.output.receive(m.seq, m.value, attachments);
        if (error) this.abandon(m.id, error);
        return;
      }
      case "credit": {
        // Credit may only come for an input stream that was sent.
        if (!call.input) return this.abandon(m.id, flowControl(`credit for call ${m.id}, which has no input stream`));
        const error = call.input.grant(m.n);
        if (error) this.abandon(m.id, error);
        return;
      }
      case "stop":
        call.input?.stop();
        return;
      case "end":
        return this.report(new IpcError("badRequest", "an end message is not for a frontend"));
    }
  }

  private receive(data: SocketMessage): void {
    if (typeof data !== "string") return this.receiveBinary(data);
    if (exceedsBytes(data, this.maxMessageBytes)) {
      return this.report(new IpcError("tooLarge", `an incoming message exceeded ${this.maxMessageBytes} bytes and was dropped`));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return this.dispatch(parseMessage(data), undefined);
    }
    // A result, an item or a notification, most of what a frontend receives, goes straight to
    // its call, stream or listeners, as `JSON.parse` made it.
    const result = asResult(parsed);
    if (result !== undefined) return this.answer(result.id, (result.value ?? null) as WireValue, undefined);
    const item = asItem(parsed);
    if (item !== undefined) return this.streamMessage(item, undefined);
    const notify = asNotify(parsed);
    if (notify !== undefined) return this.deliver(notify.channel, notify.method, notify.args, undefined);
    this.dispatch(readMessage(parsed), undefined);
  }

  /** A binary message: read only on a binary connection (the backend may send them once its welcome granted binary). */
  private receiveBinary(data: Uint8Array): void {
    if (!this.binary) return this.report(new IpcError("badRequest", "a binary message on a connection that did not negotiate binary was ignored"));
    if (data.length > this.maxMessageBytes) {
      return this.report(new IpcError("tooLarge", `an incoming message exceeded ${this.maxMessageBytes} bytes and was dropped`));
    }
    const { message, attachments } = parseBinaryMessage(data);
    this.dispatch(message, attachments);
  }

  /** Handles one parsed message; `attachments` are those of the binary message it came in. */
  private dispatch(m: Message | MalformedMessage, attachments: Attachments | undefined): void {
    switch (m.type) {
      case "welcome": {
        // Only the first welcome counts: a later one changes nothing, whatever it holds.
        if (this.welcome) return this.report(new IpcError("badRequest", "a second welcome was ignored"));
        // This frontend always offers streams, so it speaks 1 and 2. Anything else (missing or
        // not an integer included) is a backend it cannot talk to: every call waiting for the
        // welcome, and every later one, fails with `versionMismatch` (as in the Rust runtime).
        const protocol = m.protocol;
        if (protocol !== PROTOCOL_VERSION && protocol !== PROTOCOL_STREAMS) {
          // Reported as it was sent, unless it nests deeper than a value may (then `null`, as
          // the Rust runtime reads it; and `JSON.stringify` would exhaust its recursion).
          const said = nestsDeeper(protocol, MAX_VALUE_DEPTH) ? null : (protocol as WireValue);
          this.fail(
            new IpcError("versionMismatch", `the backend speaks protocol ${JSON.stringify(said)}, this frontend ${PROTOCOL_VERSION} or ${PROTOCOL_STREAMS}`, {
              backendProtocol: said,
              frontendProtocol: PROTOCOL_VERSION,
            }),
          );
          return;
        }
        if (protocol === PROTOCOL_STREAMS && (Number.isNaN(m.maxCredit) || Number.isNaN(m.maxStreams))) {
          this.fail(new IpcError("badRequest", "welcome maxCredit or maxStreams is not an integer of at least 1"));
          return;
        }
        // Channels that cannot be read are taken as none (as the Rust runtime reads them): no
        // hash is checked here, and the backend still refuses calls on mismatched channels.
        if (!isChannelMap(m.channels)) this.report(new IpcError("badRequest", "welcome channels is not an object of strings; no channel is checked"));
        this.welcome = { ...m, protocol, channels: isChannelMap(m.channels) ? m.channels : {} };
        if (protocol === PROTOCOL_STREAMS && m.features.includes(BINARY_FEATURE)) {
          // Told to the transport at once: the backend may send binary right after the welcome.
          if (this.offersBinary) {
            this.binary = true;
            this.socket.enableBinary?.();
          } else this.report(new IpcError("badRequest", "the welcome grants binary, which this frontend did not offer; it is not used"));
        }
        this.acceptVerdicts(m.compat);
        this.readyResolve();
        for (const send of this.queue.splice(0)) send();
        return;
      }
      case "result":
        return this.answer(m.id, m.value, attachments);
      case "error": {
        if (m.id === null) return this.connectionError(m);
        const error = new IpcError(m.code, m.message, m.data);
        // A declared error's value may refer to attachments; it is decoded after the rejection.
        if (attachments !== undefined) errorAttachments.set(error, attachments);
        return this.settle(m.id, error);
      }
      case "notify":
        return this.deliver(m.channel, m.method, m.args, attachments);
      case "item":
      case "credit":
      case "stop":
      case "end":
        return this.streamMessage(m, attachments);
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

  /**
   * An error with id null: before the welcome it is the handshake's failure (the backend closes
   * next); after it, it belongs to no call, so it is reported and the connection stays
   * (docs/protocol.md, refinement 3), whatever its code.
   */
  private connectionError(m: ErrorMessage): void {
    const error = new IpcError(m.code, m.message, m.data);
    if (!this.welcome) this.fail(error);
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
    // Output streams end with `error` after the items already received.
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    for (const listener of [...this.closeListeners]) {
      try {
        listener(error);
      } catch (e) {
        this.report(new IpcError("internal", `close listener threw: ${String(e)}`));
      }
    }
  }

  private deliver(channel: string, method: string, args: WireValue[], attachments: Attachments | undefined): void {
    const entries = this.listeners.get(channel);
    if (!entries) return;
    // A snapshot: the arrays are never changed in place (see `addEntry`), so listeners added or
    // removed during delivery take effect from the next message.
    for (const entry of entries) {
      try {
        if (entry.wire) entry.wire(method, args, attachments);
        else entry.listener(method, ...args);
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
    return this.addEntry(channel, { listener });
  }

  /**
   * Listens to notifications on `channel` with their message's attachments, for typed decoding
   * (`addNotificationListener`). Runtime-internal. Returns a remove function.
   */
  addWireListener(channel: string, wire: WireListener): () => void {
    return this.addEntry(channel, { wire });
  }

  private addEntry(channel: string, entry: ListenerEntry): () => void {
    // A new array each time (and on removal): delivery iterates the one it found, no copy per message.
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), entry]);
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
    if (entries!.length === 1) this.listeners.delete(channel);
    else this.listeners.set(channel, entries!.filter((_, k) => k !== i));
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
