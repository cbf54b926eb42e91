//! ipcc-runtime/node: Node transports (WebSocket client and server, stdio child and parent), plus everything of the common entry point.

export * from "../common/index.js";
export { connectWebSocket, WebSocketBackend, type NodeWebSocketOptions, type WebSocketBackendOptions } from "./binding/websocket.js";
export { spawnWebSocketBackend, type ChildExit, type SpawnWebSocketOptions, type WebSocketChild } from "./binding/child.js";
export { spawnStdioBackend, StdioBackend, type SpawnStdioOptions, type StdioBackendOptions, type StdioChildSocket } from "./binding/stdio.js";
