//! The MessagePort relay: forwards a port's connection to a backend over another transport (stdio, WebSocket), both ways, as an Electron main process does between a renderer and a sidecar.

import { connectMessagePort, type MessagePortLike, type MessagePortOptions } from "../transport/message-port.js";
import { BINARY_FEATURE } from "../protocol/messages.js";
import type { IpcSocket, IpcSocketFrontend, SocketMessage } from "../transport/socket.js";

/** Options of `relayMessagePort`. */
export interface MessagePortRelayOptions extends MessagePortOptions {
  /**
   * Bytes one side may hold unsent before the relay stops reading the other side (default
   * 8 MiB); it reads again once they are sent. A side that never reports them (a socket without
   * `bufferedBytes`) is never waited for.
   */
  highWaterBytes?: number;
  /** Problems the relay met (a backend that could not be started), for logs. */
  onError?: (error: unknown) => void;
}

/** A running relay. */
export interface MessagePortRelay {
  /** Resolves once both sides are closed, with the reason of the side that closed first. */
  readonly closed: Promise<string>;
  /** Closes both sides. */
  close(): void;
}

/** Default `highWaterBytes`. */
export const DEFAULT_RELAY_HIGH_WATER_BYTES = 8 * 1024 * 1024;

/**
 * Forwards every message between `port` (the frontend's end, e.g. a renderer's port in
 * Electron's main process) and `backend` (a connected frontend socket to the real backend, or
 * a function that opens one, called at once: `() => spawnStdioBackend(...)`), unchanged, and
 * closes each side when the other closes. The relay takes part in the protocol at two points
 * only: it drops `"binary"` from the `hello` when the backend's transport carries no binary
 * messages, and tells the backend's transport (`enableBinary`) when the `welcome` grants
 * binary. A backend that cannot be opened is reported to the port's frontend as a failed
 * handshake (`disconnected`).
 *
 * Slow sides: when the backend's transport holds more than `highWaterBytes` unsent (a pipe the
 * backend does not read), the relay stops reading the port (its acknowledgements stop, and a
 * host behind it stops reading its peer); when the port's frontend does not keep up, it stops
 * reading the backend (the backend's pipe or socket fills and the backend's own backpressure
 * holds it). Either way the relay itself holds at most what one read delivered.
 */
export function relayMessagePort(
  port: MessagePortLike,
  backend: IpcSocketFrontend | (() => IpcSocketFrontend | Promise<IpcSocketFrontend>),
  options: MessagePortRelayOptions = {},
): MessagePortRelay {
  const front = connectMessagePort(port, options);
  const highWater = options.highWaterBytes ?? DEFAULT_RELAY_HIGH_WATER_BYTES;
  let back: IpcSocketFrontend | undefined;
  let firstReason: string | undefined;
  let resolveClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (resolveClosed = resolve));
  let frontClosed = false;
  let backClosed = false;
  const settle = () => {
    if (frontClosed && (backClosed || back === undefined)) resolveClosed(firstReason ?? "closed");
  };
  front.onClose((reason) => {
    frontClosed = true;
    firstReason ??= reason;
    back?.close();
    settle();
  });

  const start = (socket: IpcSocketFrontend) => {
    back = socket;
    if (frontClosed) {
      socket.close();
      return;
    }
    socket.onClose((reason) => {
      backClosed = true;
      firstReason ??= reason;
      front.close(reason);
      settle();
    });
    let helloSeen = false;
    let welcomeSeen = false;
    front.onMessage((message) => {
      if (!helloSeen) {
        helloSeen = true;
        if (socket.binary !== true) message = withoutBinaryOffer(message);
      }
      socket.send(message);
      if (isFull(socket, highWater)) front.pauseReading();
    });
    socket.onMessage((message) => {
      if (!welcomeSeen && typeof message === "string") {
        welcomeSeen = true;
        if (grantsBinary(message)) socket.enableBinary?.();
      }
      front.send(message);
      if (isFull(front, highWater)) socket.pauseReading?.();
    });
    socket.onDrain?.(() => {
      if (!isFull(socket, highWater)) front.resumeReading();
    });
    front.onDrain(() => {
      if (!isFull(front, highWater)) socket.resumeReading?.();
    });
  };

  const fail = (error: unknown) => {
    options.onError?.(error);
    const message = `cannot open the backend: ${error instanceof Error ? error.message : String(error)}`;
    // The frontend's hello gets this answer: its handshake fails with `disconnected`.
    front.send(JSON.stringify({ type: "error", id: null, code: "disconnected", message }));
    front.close(message);
  };
  if (typeof backend === "function") {
    try {
      Promise.resolve(backend()).then(start, fail);
    } catch (error) {
      fail(error);
    }
  } else start(backend);

  return {
    closed,
    close() {
      front.close("the relay closed");
      back?.close();
    },
  };
}

function isFull(socket: IpcSocket, highWater: number): boolean {
  return (socket.bufferedBytes ?? 0) > highWater;
}

/** The hello without a `binary` offer (the backend's transport carries only text); anything else unchanged. */
function withoutBinaryOffer(message: SocketMessage): SocketMessage {
  if (typeof message !== "string") return message;
  try {
    const hello = JSON.parse(message) as { type?: unknown; features?: unknown };
    if (hello?.type !== "hello" || !Array.isArray(hello.features) || !hello.features.includes(BINARY_FEATURE)) return message;
    return JSON.stringify({ ...hello, features: hello.features.filter((f) => f !== BINARY_FEATURE) });
  } catch {
    return message;
  }
}

/** Whether the backend's first text message is a `welcome` granting binary. */
function grantsBinary(text: string): boolean {
  try {
    const welcome = JSON.parse(text) as { type?: unknown; protocol?: unknown; features?: unknown };
    return welcome?.type === "welcome" && welcome.protocol === 2 && Array.isArray(welcome.features) && welcome.features.includes(BINARY_FEATURE);
  } catch {
    return false;
  }
}
