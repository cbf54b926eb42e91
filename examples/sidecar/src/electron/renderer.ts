//! The Electron renderer's half of a renderer ↔ main ↔ Rust sidecar app: a `MessageChannel` whose one end goes to the
//! main process and whose other end is the app's default connection. `sendToMain` is Electron's
//! `ipcRenderer.postMessage("ipcc-port", null, [port])` (in a preload script); the tests pass a `worker_threads` stand-in.

import { connectMessagePort, IpcApp, type MessagePortLike } from "ipcc-runtime";
import { sidecarDescriptor, sidecarEventsDescriptor } from "../generated/sidecar.js";

// guide:start electron-renderer
/** In the renderer: one end of a channel to the main process, the other the app's connection. */
export async function connectToSidecar(sendToMain: (port: MessagePortLike) => void): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  sendToMain(port2); // Electron: ipcRenderer.postMessage("ipcc-port", null, [port2])
  await IpcApp.startup(connectMessagePort(port1), { channels: [sidecarDescriptor, sidecarEventsDescriptor] });
}
// guide:end electron-renderer
