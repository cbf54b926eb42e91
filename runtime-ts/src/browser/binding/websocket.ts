//! The browser WebSocket transport: an `IpcSocketFrontend` over the platform's `WebSocket`, no dependencies.

import { IpcError } from "../../common/protocol/errors.js";
import { SocketEvents, type IpcSocketFrontend } from "../../common/transport/socket.js";

/** Options of `connectBrowserWebSocket`. */
export interface BrowserWebSocketOptions {
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /** The `WebSocket` constructor to use (default: `globalThis.WebSocket`). */
  WebSocket?: typeof WebSocket;
}

/**
 * Opens a WebSocket to `url` and resolves to a frontend socket once it is open; rejects with
 * `disconnected` if it cannot be opened. Binary frames (binary messages, protocol v2) are
 * received as `ArrayBuffer`s and handed on as a `Uint8Array` over each, not copied.
 */
export function connectBrowserWebSocket(url: string, options: BrowserWebSocketOptions = {}): Promise<IpcSocketFrontend> {
  const Ctor = options.WebSocket ?? globalThis.WebSocket;
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new Ctor(url, options.protocols);
    } catch (e) {
      reject(new IpcError("disconnected", `cannot open ${url}: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const events = new SocketEvents();
    let opened = false;
    ws.binaryType = "arraybuffer";
    const socket: IpcSocketFrontend = {
      description: `ws ${url}`,
      binary: true,
      send: (message) => {
        // The platform copies what it sends; a Uint8Array goes as one binary frame.
        if (ws.readyState === 1) ws.send(message);
      },
      onMessage: (listener) => events.onMessage(listener),
      onClose: (listener) => events.onClose(listener),
      close: () => {
        ws.close(1000);
        events.closed("closed locally");
      },
    };
    ws.addEventListener("open", () => {
      opened = true;
      resolve(socket);
    });
    // Anything but text or an ArrayBuffer (a Blob from a WebSocket that ignores binaryType) is an empty, invalid message.
    ws.addEventListener("message", (e: MessageEvent) =>
      events.message(typeof e.data === "string" ? e.data : e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : ""),
    );
    ws.addEventListener("close", (e: CloseEvent) => {
      const reason = `websocket closed (${e.code}${e.reason ? ` ${e.reason}` : ""})`;
      events.closed(reason);
      if (!opened) reject(new IpcError("disconnected", `cannot open ${url}: ${reason}`));
    });
    ws.addEventListener("error", () => {
      // A close event follows; it carries the reason.
    });
  });
}
