//! The Tauri transport: an `IpcSocket` over Tauri v2's own IPC (`window.__TAURI_INTERNALS__`), put back in order both ways:
//! the host's messages come on a `Channel` or in the answers of the page's `send` invokes, merged in the host's order.

import { SocketEvents, messageSize, type IpcSocket, type SocketMessage } from "../../common/transport/socket.js";

/**
 * What the transport uses of `window.__TAURI_INTERNALS__`, the object Tauri v2 injects into every
 * webview (and `@tauri-apps/api/core`'s `invoke` and `Channel` are built on). Declared here
 * structurally, so the package needs no dependency on `@tauri-apps/api`.
 */
export interface TauriInternals {
  invoke(cmd: string, args?: unknown, options?: { headers?: Record<string, string> }): Promise<unknown>;
  transformCallback(callback: (data: never) => void, once?: boolean): number;
  unregisterCallback?(id: number): void;
}

/** What Tauri's `Channel` delivers to the callback: a message or the end, with its index on the channel. */
export interface TauriChannelEvent {
  index: number;
  message?: unknown;
  end?: boolean;
}

/**
 * What a `send` invoke answers (runtime-tauri: `ipcc_tauri::Replies`): `null`, or the messages the host wrote while the
 * plugin handed it this one (a call's result that was ready at once), so they skip a trip through the channel. They come
 * after the first `index` channel messages, and are numbered from `seq` among the messages carried in answers; a number
 * on the channel (a marker) says how many answer-carried messages come before the channel's next messages.
 */
export interface TauriSendAnswer {
  index: number;
  seq: number;
  messages: string[];
}

/** The plugin's name and commands (runtime-tauri: `ipcc_tauri::PLUGIN_NAME`, `COMMANDS`). */
export const TAURI_SEND_COMMAND = "plugin:ipcc|send";
export const TAURI_CLOSE_COMMAND = "plugin:ipcc|close";

/**
 * How many `send` invokes stay unanswered at most (`ipcc_tauri::MAX_UNANSWERED_SENDS`): the
 * plugin answers a send once the host has queued the message, so a host that stops reading
 * stops the page's sends here, and the rest waits in this socket (its `bufferedBytes`).
 */
export const MAX_UNANSWERED_SENDS = 64;

/**
 * Messages received out of order that one connection holds at most (channel messages and
 * answer-carried ones together). Tauri delivers a channel's small messages by evaluating them and
 * large ones by a fetch, and runs invokes in any order, so a later message can overtake an earlier
 * one; more than this many ahead of a missing one means the connection is broken.
 */
export const MAX_HELD_MESSAGES = 4096;

/**
 * The longest JSON text (percent-encoded) that travels in a header beside its attachment; a
 * message with a longer one is sent joined, as one raw body.
 */
export const MAX_HEADER_JSON = 8192;

const encoder = new TextEncoder();

/**
 * One ipcc connection of this webview. Incoming: the plugin's `Channel` events and the messages
 * `send` answers carry, merged in the host's order (channel events by their index, answer-carried
 * messages by their number, markers and answers' `index` saying how the two interleave), whatever
 * order Tauri runs them in. Outgoing: each message is one `send` invoke with a raw body (text as
 * UTF-8, binary messages as they are: no base64, no JSON array) and a sequence number the plugin
 * orders them by, since Tauri may run two invokes in either order.
 */
export class TauriSocket implements IpcSocket {
  readonly binary = true;
  readonly description: string;
  private readonly events = new SocketEvents();
  private connectionId: string | undefined;
  /** Incoming on the channel: the next index to take, and the ones that came early (a number is a marker). */
  private nextIndex = 0;
  private readonly early = new Map<number, SocketMessage | number>();
  private endIndex: number | undefined;
  /** Incoming in `send` answers: the next number to deliver, the ones that came early, and how many must be delivered before the channel's next message. */
  private nextReply = 0;
  private readonly replies = new Map<number, { index: number; message: string }>();
  private requiredReplies = 0;
  /** Outgoing: the next sequence number, messages not yet handed to `invoke`, and the unanswered count. */
  private nextSeq = 0;
  private readonly queue: SocketMessage[] = [];
  private unanswered = 0;
  bufferedBytes = 0;
  private drainListener: (() => void) | undefined;

  constructor(
    private readonly internals: TauriInternals,
    /** The id of the callback the plugin's channel calls (`transformCallback`). */
    readonly callbackId: number,
  ) {
    this.description = `tauri channel ${callbackId}`;
  }

  /** The plugin opened the connection: messages queued before now are sent. */
  opened(connectionId: string): void {
    this.connectionId = connectionId;
    this.pump();
  }

  /** A `Channel` event from the plugin (the callback registered as `callbackId`). */
  receive(event: TauriChannelEvent): void {
    if (this.events.isClosed || typeof event !== "object" || event === null || !Number.isSafeInteger(event.index)) return;
    if (event.end === true) {
      this.endIndex = event.index;
      return this.deliver();
    }
    if (event.index < this.nextIndex || this.early.has(event.index)) return this.fail(`channel message ${event.index} repeated`);
    const message = typeof event.message === "number" ? event.message : asMessage(event.message);
    if (message === undefined || (typeof message === "number" && !Number.isSafeInteger(message))) {
      return this.fail(`channel message ${event.index} is neither text nor bytes`);
    }
    if (this.early.size + this.replies.size >= MAX_HELD_MESSAGES) return this.fail(`more than ${MAX_HELD_MESSAGES} messages ahead of a missing one`);
    this.early.set(event.index, message);
    this.deliver();
  }

  /** A `send` invoke's answer: `null`, or messages of the host that skipped the channel. */
  private receiveAnswer(answer: unknown): void {
    if (this.events.isClosed || answer === null || answer === undefined) return;
    const { index, seq, messages } = answer as Partial<TauriSendAnswer>;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(seq) || !Array.isArray(messages) || messages.some((m) => typeof m !== "string")) {
      return this.fail("a send's answer is not { index, seq, messages }");
    }
    if (seq! < this.nextReply) return this.fail(`answer-carried message ${seq} repeated`);
    if (this.early.size + this.replies.size + messages.length > MAX_HELD_MESSAGES) {
      return this.fail(`more than ${MAX_HELD_MESSAGES} messages ahead of a missing one`);
    }
    for (let i = 0; i < messages.length; i++) {
      if (this.replies.has(seq! + i)) return this.fail(`answer-carried message ${seq! + i} repeated`);
      this.replies.set(seq! + i, { index: index!, message: messages[i]! });
    }
    this.deliver();
  }

  /** Delivers what can go next in the host's order: an answer-carried message once the channel messages before it went, a channel message once the answer-carried ones before it went. */
  private deliver(): void {
    while (!this.events.isClosed) {
      const reply = this.replies.get(this.nextReply);
      if (reply !== undefined && reply.index <= this.nextIndex) {
        this.replies.delete(this.nextReply++);
        this.events.message(reply.message);
        continue;
      }
      const next = this.early.get(this.nextIndex);
      if (next === undefined) break;
      if (typeof next === "number") {
        this.requiredReplies = Math.max(this.requiredReplies, next);
      } else if (this.requiredReplies > this.nextReply) {
        break;
      }
      this.early.delete(this.nextIndex++);
      if (typeof next !== "number") this.events.message(next);
    }
    if (this.endIndex === this.nextIndex && this.nextReply >= this.requiredReplies) this.shut("closed by the backend");
  }

  send(message: SocketMessage): void {
    if (this.events.isClosed) return;
    this.queue.push(message);
    this.bufferedBytes += messageSize(message);
    this.pump();
  }

  /**
   * A binary message with one attachment: sent at once, the attachment is the invoke's body as it
   * is (fetch takes its copy now) and the JSON text goes in the `ipcc-json` header, which saves
   * joining the two into a new buffer; a message that has to wait is joined now (a copy, so the
   * caller's buffer may change afterwards).
   */
  sendBinary(json: string, attachment: Uint8Array): void {
    if (this.events.isClosed) return;
    const id = this.connectionId;
    const head = encodeURIComponent(json);
    if (id === undefined || this.queue.length > 0 || this.unanswered >= MAX_UNANSWERED_SENDS || head.length > MAX_HEADER_JSON) {
      return this.send(joinBinary(json, attachment));
    }
    const size = 8 + json.length + attachment.length;
    this.bufferedBytes += size;
    this.invokeSend(id, attachment, "attachment", size, head);
  }

  private pump(): void {
    const id = this.connectionId;
    if (id === undefined) return;
    while (this.unanswered < MAX_UNANSWERED_SENDS && this.queue.length > 0 && !this.events.isClosed) {
      const message = this.queue.shift()!;
      const text = typeof message === "string";
      this.invokeSend(id, text ? encoder.encode(message) : message, text ? "text" : "binary", messageSize(message));
    }
  }

  /** One `send` invoke; `size` is what it counts for in `bufferedBytes` until it is answered. */
  private invokeSend(id: string, body: Uint8Array, kind: "text" | "binary" | "attachment", size: number, json?: string): void {
    const headers: Record<string, string> = { "ipcc-connection": id, "ipcc-seq": String(this.nextSeq++), "ipcc-kind": kind };
    if (json !== undefined) headers["ipcc-json"] = json;
    this.unanswered++;
    this.internals.invoke(TAURI_SEND_COMMAND, body, { headers }).then(
      (answer) => {
        this.unanswered--;
        this.bufferedBytes -= size;
        this.receiveAnswer(answer);
        this.drainListener?.();
        this.pump();
      },
      (error: unknown) => this.fail(`send refused: ${describe(error)}`),
    );
  }

  onMessage(listener: (message: SocketMessage) => void): void {
    this.events.onMessage(listener);
  }
  onClose(listener: (reason: string) => void): void {
    this.events.onClose(listener);
  }
  onDrain(listener: () => void): void {
    this.drainListener = listener;
  }

  close(): void {
    if (this.events.isClosed) return;
    const id = this.connectionId;
    // The plugin ends the connection (and cancels its calls); nothing waits for its answer.
    if (id !== undefined) this.internals.invoke(TAURI_CLOSE_COMMAND, {}, { headers: { "ipcc-connection": id } }).catch(() => {});
    this.shut("closed locally");
  }

  /** The connection cannot go on: closes it, telling the plugin. */
  private fail(reason: string): void {
    if (this.events.isClosed) return;
    const id = this.connectionId;
    if (id !== undefined) this.internals.invoke(TAURI_CLOSE_COMMAND, {}, { headers: { "ipcc-connection": id } }).catch(() => {});
    this.shut(reason);
  }

  private shut(reason: string): void {
    if (this.events.isClosed) return;
    this.early.clear();
    this.replies.clear();
    this.queue.length = 0;
    this.bufferedBytes = 0;
    this.internals.unregisterCallback?.(this.callbackId);
    this.events.closed(reason);
    this.drainListener?.();
  }
}

/** A binary message with one attachment in one buffer (docs/protocol.md, "Layout"): the JSON text's length and text, the attachment's length and bytes. */
function joinBinary(json: string, attachment: Uint8Array): Uint8Array {
  const text = encoder.encode(json);
  const out = new Uint8Array(8 + text.length + attachment.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.length);
  out.set(text, 4);
  view.setUint32(4 + text.length, attachment.length);
  out.set(attachment, 8 + text.length);
  return out;
}

/** A channel message as the socket carries it: text stays text, bytes become a `Uint8Array` over the same memory. */
function asMessage(message: unknown): SocketMessage | undefined {
  if (typeof message === "string") return message;
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  if (message instanceof Uint8Array) return message;
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
}
