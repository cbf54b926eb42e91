//! The default connection typed calls use when given none: a slot the session reads and the binding (`IpcApp`) fills.

import { IpcError } from "../protocol/errors.js";
import type { IpcConnection } from "./connection.js";

let current: IpcConnection | undefined;

/** The default connection; throws `disconnected` before `IpcApp.startup`. */
export function defaultConnection(): IpcConnection {
  if (!current) throw new IpcError("disconnected", "IpcApp.startup has not been called");
  return current;
}

/** The default connection if there is one. */
export function currentDefaultConnection(): IpcConnection | undefined {
  return current;
}

/** Sets (or, with `undefined`, clears) the default connection. */
export function setDefaultConnection(connection: IpcConnection | undefined): void {
  current = connection;
}
