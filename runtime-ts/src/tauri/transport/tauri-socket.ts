//! The Tauri transport: an `IpcSocket` over Tauri v2's own IPC (`window.__TAURI_INTERNALS__`), put back in order both ways.

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
 * Messages received out of order that one connection holds at most. Tauri delivers a channel's
 * small messages by evaluating them and large ones by a fetch, so a later message can overtake
 * an earlier large one; more than this many ahead of a missing one means the channel is broken.
 */
export const MAX_HELD_MESSAGES = 4096;

const encoder = new TextEncoder();

/**
 * One ipcc connection of this webview. Incoming: the plugin's `Channel` events, delivered in
 * their index order whatever order Tauri runs them in. Outgoing: each message is one `send`
 * invoke with a raw body (text as UTF-8, binary messages as they are: no base64, no JSON array)
 * and a sequence number the plugin orders them by, since Tauri may run two invokes in either
 * order.
 */
export class TauriSocket implements IpcSocket {
  readonly binary = true;
  readonly description: string;
  private readonly events = new SocketEvents();
  private connectionId: string | undefined;
  /** Incoming: the next index to deliver, and the ones that came early. */
  private nextIndex = 0;
  private readonly early = new Map<number, SocketMessage>();
  private endIndex: number | undefined;
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
      if (event.index === this.nextIndex) this.shut("closed by the backend");
      return;
    }
    if (event.index < this.nextIndex || this.early.has(event.index)) return this.fail(`channel message ${event.index} repeated`);
    const message = asMessage(event.message);
    if (message === undefined) return this.fail(`channel message ${event.index} is neither text nor bytes`);
    if (event.index !== this.nextIndex) {
      if (this.early.size >= MAX_HELD_MESSAGES) return this.fail(`more than ${MAX_HELD_MESSAGES} channel messages ahead of a missing one`);
      this.early.set(event.index, message);
      return;
    }
    this.events.message(message);
    this.nextIndex++;
    for (let next = this.early.get(this.nextIndex); next !== undefined; next = this.early.get(this.nextIndex)) {
      this.early.delete(this.nextIndex);
      if (this.events.isClosed) return;
      this.events.message(next);
      this.nextIndex++;
    }
    if (this.endIndex === this.nextIndex) this.shut("closed by the backend");
  }

  send(message: SocketMessage): void {
    if (this.events.isClosed) return;
    this.queue.push(message);
    this.bufferedBytes += messageSize(message);
    this.pump();
  }

  private pump(): void {
    const id = this.connectionId;
    if (id === undefined) return;
    while (this.unanswered < MAX_UNANSWERED_SENDS && this.queue.length > 0 && !this.events.isClosed) {
      const message = this.queue.shift()!;
      const text = typeof message === "string";
      const headers = { "ipcc-connection": id, "ipcc-seq": String(this.nextSeq++), "ipcc-kind": text ? "text" : "binary" };
      this.unanswered++;
      this.internals.invoke(TAURI_SEND_COMMAND, text ? encoder.encode(message) : message, { headers }).then(
        () => {
          this.unanswered--;
          this.bufferedBytes -= messageSize(message);
          this.drainListener?.();
          this.pump();
        },
        (error: unknown) => this.fail(`send refused: ${describe(error)}`),
      );
    }
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
    this.queue.length = 0;
    this.bufferedBytes = 0;
    this.internals.unregisterCallback?.(this.callbackId);
    this.events.closed(reason);
    this.drainListener?.();
  }
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
