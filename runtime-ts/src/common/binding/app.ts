//! `IpcApp`: the reference design's static frontend facade over one default `IpcConnection`.

import type { WireValue } from "../protocol/codecs.js";
import { IpcConnection, type ConnectionOptions, type IpcListener, type RawCallOptions } from "../session/connection.js";
import { currentDefaultConnection, defaultConnection, setDefaultConnection } from "../session/default-connection.js";
import type { IpcSocketFrontend } from "../transport/socket.js";

/** The frontend's default connection, as a static facade. */
export class IpcApp {
  /**
   * Connects the default connection over `socket` (or adopts an `IpcConnection`). Resolves
   * when the backend's `welcome` arrives; rejects with `unauthorized`, `versionMismatch` or
   * `disconnected`. Calls made before it resolves are queued.
   */
  static startup(socket: IpcSocketFrontend | IpcConnection, options?: ConnectionOptions): Promise<void> {
    if (currentDefaultConnection()?.isValid) return Promise.reject(new Error("IpcApp.startup: already started; call shutdown first"));
    const connection = socket instanceof IpcConnection ? socket : new IpcConnection(socket, options);
    setDefaultConnection(connection);
    return connection.ready;
  }

  /** Closes the default connection; its pending calls reject with `disconnected`. */
  static shutdown(): void {
    const connection = currentDefaultConnection();
    setDefaultConnection(undefined);
    connection?.close();
  }

  /** Started and not disconnected. */
  static get isValid(): boolean {
    return currentDefaultConnection()?.isValid ?? false;
  }

  /** The default connection; throws `disconnected` before `startup`. */
  static get connection(): IpcConnection {
    return defaultConnection();
  }

  /**
   * Calls a method with arguments in wire form (JSON values) and resolves to the wire result;
   * the untyped form of the reference design. Generated `call…` functions encode and decode.
   */
  static async callIpcChannel(channel: string, method: string, ...args: WireValue[]): Promise<WireValue> {
    return IpcApp.connection.callRaw(channel, method, args);
  }

  /** Same as `callIpcChannel`, with per-call options (timeout, signal). */
  static async callIpcChannelWith(options: RawCallOptions, channel: string, method: string, ...args: WireValue[]): Promise<WireValue> {
    return IpcApp.connection.callRaw(channel, method, args, options);
  }

  /** Listens to raw notifications on `channel`; returns a function removing exactly this registration. */
  static addListener(channel: string, listener: IpcListener): () => void {
    return IpcApp.connection.addListener(channel, listener);
  }

  /** Removes one registration of `listener` on `channel`. */
  static removeListener(channel: string, listener: IpcListener): void {
    currentDefaultConnection()?.removeListener(channel, listener);
  }
}
