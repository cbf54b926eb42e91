//! ipcc-runtime/browser: the browser transport, plus everything of the common entry point.

export * from "../common/index.js";
export { connectBrowserWebSocket, type BrowserWebSocketOptions } from "./binding/websocket.js";
