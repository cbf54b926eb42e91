//! ipcc-runtime/tauri: the Tauri v2 transport (a webview of an app with the `ipcc-tauri` plugin), plus everything of the common entry point.

export * from "../common/index.js";
export { connectTauri, TAURI_CONNECT_COMMAND, type TauriConnectOptions } from "./binding/connect.js";
export {
  TauriSocket,
  MAX_UNANSWERED_SENDS,
  MAX_HELD_MESSAGES,
  MAX_HEADER_JSON,
  type TauriInternals,
  type TauriChannelEvent,
  type TauriSendAnswer,
} from "./transport/tauri-socket.js";
