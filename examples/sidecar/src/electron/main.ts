//! The Electron main process's half of a renderer ↔ main ↔ Rust sidecar app: each port a renderer sends is relayed to a
//! sidecar process of its own over stdio. Written against the structural `MessagePortLike` (Electron's `MessagePortMain`
//! fits it) and the one `ipcMain` method it uses, so the tests run it in Node with `worker_threads` ports standing in.

import { relayMessagePort, type IpcSocketFrontend, type MessagePortLike } from "ipcc-runtime";

/** What this file uses of Electron's `ipcMain`: `ipcMain.on(channel, (event) => ...)` with the ports the renderer sent. */
export interface IpcMainLike {
  on(channel: string, listener: (event: { ports: readonly MessagePortLike[] }) => void): unknown;
}

// guide:start electron-main
/**
 * In the main process: every port a renderer sends on "ipcc-port" is relayed to a sidecar of
 * its own (in Electron: `relayRendererPorts(ipcMain, () => spawnStdioBackend(sidecarPath))`).
 * The renderer closing its port, or its window going away, ends that sidecar; the sidecar
 * exiting closes the renderer's connection.
 */
export function relayRendererPorts(ipcMain: IpcMainLike, startSidecar: () => Promise<IpcSocketFrontend>): void {
  ipcMain.on("ipcc-port", (event) => {
    const [port] = event.ports;
    if (port) relayMessagePort(port, startSidecar);
  });
}
// guide:end electron-main
