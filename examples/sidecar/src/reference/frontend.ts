//! The reference article's frontend with ipcc: connect to a `MyInterface` backend (the Rust one
//! of `examples/my-interface-backend`, or the TypeScript one in `ts-backend.ts`) and call
//! `sayHello` through the generated `callMyInterface`.

// Each snippet's imports on lines of their own, so that the guide shows them with it.
// guide:start frontend-websocket
import { connectWebSocket } from "ipcc-runtime/node";
// guide:start frontend-stdio
import { IpcApp } from "ipcc-runtime";
import { myInterfaceDescriptor } from "../generated/my-interface/my-interface.js";
// guide:end frontend-websocket
import { spawnStdioBackend } from "ipcc-runtime/node";
// guide:end frontend-stdio
// guide:start frontend-call
import { callMyInterface } from "../generated/my-interface/my-interface.js";
// guide:end frontend-call
import type { StdioChildSocket } from "ipcc-runtime/node";

/** Connects the app's default connection to a backend started as a child process over stdio. */
export async function startupOverStdio(command: string, args: string[]): Promise<StdioChildSocket> {
  // guide:start frontend-stdio
  const socket = await spawnStdioBackend(command, args); // e.g. ("my-interface-backend", ["--stdio"])
  await IpcApp.startup(socket, { channels: [myInterfaceDescriptor] });
  // guide:end frontend-stdio
  return socket;
}

/** Connects the app's default connection to a backend listening on a WebSocket. */
export async function startupOverWebSocket(url: string, token: string): Promise<void> {
  // guide:start frontend-websocket
  await IpcApp.startup(await connectWebSocket(url), { token, channels: [myInterfaceDescriptor] });
  // guide:end frontend-websocket
}

/** The reference article's call. */
export async function greet(): Promise<string> {
  // guide:start frontend-call
  const method1Val = await callMyInterface("sayHello", "abc", 10, true); // method1Val: string
  console.log(method1Val); // "hello: abc 10 true"
  // guide:end frontend-call
  return method1Val;
}
