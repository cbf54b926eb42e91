// An app outside the repository: a TS host on a WebSocket port and a client that calls it,
// through the generated code and both entry points of the installed `ipcc-runtime`.
import { strict as assert } from "node:assert";
import { IpcConnection, IpcHost, isIpcError } from "ipcc-runtime";
import { connectWebSocket, WebSocketBackend } from "ipcc-runtime/node";
import { MyInterfaceHandler, myInterfaceClient, myInterfaceDescriptor } from "./generated/my-interface.js";

class Greeter extends MyInterfaceHandler {
  async sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string> {
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
}

const host = new IpcHost();
const backend = await WebSocketBackend.listen({ port: 0 });
host.serve(backend);
Greeter.register(host);

const connection = new IpcConnection(await connectWebSocket(`ws://127.0.0.1:${backend.port}`), {
  channels: [myInterfaceDescriptor],
});
await connection.ready;
const greeting = await myInterfaceClient(connection).sayHello("abc", 10, true);
assert.equal(greeting, "hello: abc 10 true");
assert.equal(isIpcError(new Error("not one")), false);
console.log(greeting);
connection.close();
await backend.close();
