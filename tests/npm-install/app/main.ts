// An app outside the repository, using the installed `ipcc-runtime` through both entry points:
// a TS host on a WebSocket port called through a generated client, then the Rust reference
// backend (its path in MY_INTERFACE_BACKEND) started by `spawnWebSocketBackend` and called
// through `IpcApp` and `callMyInterface`.
import { strict as assert } from "node:assert";
import { IpcConnection, IpcHost } from "ipcc-runtime";
import { WebSocketBackend } from "ipcc-runtime/node";
import { MyInterfaceHandler, myInterfaceClient } from "./generated/my-interface.js";
// The imports of the guide's snippet, on lines of their own so that the guide shows them.
// guide:start spawn-websocket-backend
import { IpcApp } from "ipcc-runtime";
import { connectWebSocket, spawnWebSocketBackend } from "ipcc-runtime/node";
import { callMyInterface, myInterfaceDescriptor } from "./generated/my-interface.js";
// guide:end spawn-websocket-backend

class Greeter extends MyInterfaceHandler {
  async sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string> {
    return `hello from TS: ${arg1} ${arg2} ${arg3}`;
  }
}

const host = new IpcHost();
const tsBackend = await WebSocketBackend.listen({ port: 0 });
host.serve(tsBackend);
Greeter.register(host);
const connection = new IpcConnection(await connectWebSocket(`ws://127.0.0.1:${tsBackend.port}`), {
  channels: [myInterfaceDescriptor],
});
await connection.ready;
assert.equal(await myInterfaceClient(connection).sayHello("abc", 10, true), "hello from TS: abc 10 true");
connection.close();
await tsBackend.close();

const command = process.env.MY_INTERFACE_BACKEND;
assert.ok(command, "MY_INTERFACE_BACKEND names the Rust reference backend");
// guide:start spawn-websocket-backend
const backend = await spawnWebSocketBackend(command, ["--ws", "127.0.0.1:0"]);
await IpcApp.startup(await connectWebSocket(backend.url), { channels: [myInterfaceDescriptor] });
const greeting = await callMyInterface("sayHello", "abc", 10, true); // "hello: abc 10 true"
// guide:end spawn-websocket-backend
assert.equal(greeting, "hello: abc 10 true");
IpcApp.shutdown();
const exit = await backend.stop(); // SIGTERM, then SIGKILL after 2 s
assert.ok(exit.code !== null || exit.signal !== null);
console.log(greeting);
