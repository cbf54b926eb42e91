//! `connectTauri`: opens an ipcc connection to the app's `IpcHost` through the `ipcc-tauri` plugin.

import { IpcError } from "../../common/protocol/errors.js";
import type { IpcSocketFrontend } from "../../common/transport/socket.js";
import { TauriSocket, type TauriChannelEvent, type TauriInternals } from "../transport/tauri-socket.js";

/** The plugin's `connect` command (runtime-tauri). */
export const TAURI_CONNECT_COMMAND = "plugin:ipcc|connect";

/** Options of `connectTauri`. */
export interface TauriConnectOptions {
  /** The object to use instead of `window.__TAURI_INTERNALS__` (tests). */
  internals?: TauriInternals;
}

/**
 * Opens a connection to the app's ipcc host over Tauri's IPC and resolves to a frontend socket;
 * rejects with `disconnected` outside a Tauri webview, and with `unauthorized` when the plugin
 * refuses (the window lacks the capability that grants `ipcc:default`, or the plugin is not
 * installed): Tauri's own message is kept in the error's text.
 *
 * ```ts
 * await IpcApp.startup(await connectTauri());
 * ```
 */
export async function connectTauri(options: TauriConnectOptions = {}): Promise<IpcSocketFrontend> {
  const internals = options.internals ?? (globalThis as { __TAURI_INTERNALS__?: TauriInternals }).__TAURI_INTERNALS__;
  if (!internals || typeof internals.invoke !== "function" || typeof internals.transformCallback !== "function") {
    throw new IpcError("disconnected", "connectTauri: not in a Tauri webview (no window.__TAURI_INTERNALS__)");
  }
  let socket: TauriSocket | undefined;
  // Registered before `connect`, so nothing the host sends first can be missed.
  const held: TauriChannelEvent[] = [];
  const callbackId = internals.transformCallback(((event: TauriChannelEvent) => {
    if (socket) socket.receive(event);
    else held.push(event);
  }) as (data: never) => void);
  socket = new TauriSocket(internals, callbackId);
  for (const event of held.splice(0)) socket.receive(event);
  let connectionId: unknown;
  try {
    connectionId = await internals.invoke(TAURI_CONNECT_COMMAND, { channel: `__CHANNEL__:${callbackId}` });
  } catch (error) {
    internals.unregisterCallback?.(callbackId);
    const text = error instanceof Error ? error.message : String(error);
    throw new IpcError("unauthorized", `connectTauri: the ipcc plugin refused this window: ${text}`);
  }
  if (typeof connectionId !== "number" && typeof connectionId !== "string") {
    internals.unregisterCallback?.(callbackId);
    throw new IpcError("disconnected", "connectTauri: the ipcc plugin answered no connection id");
  }
  socket.opened(String(connectionId));
  return socket;
}
