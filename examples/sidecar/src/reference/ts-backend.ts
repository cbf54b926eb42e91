//! The reference article's backend written in TypeScript: a handler class extending the
//! generated `MyInterfaceHandler` (an `IpcHandler`), registered on the default host, served on
//! this process's stdin/stdout. Started as a child process by the tests, like the Rust backend.

// guide:start ts-backend
import { IpcHost } from "ipcc-runtime";
import { StdioBackend } from "ipcc-runtime/node";
import { MyInterfaceHandler } from "../generated/my-interface/my-interface.js";

class MyHandler extends MyInterfaceHandler {
  // The inherited `channelName` is "my-interface-v1.2", from the .ipc file's `const myChannel`.
  async sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string> {
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
}

IpcHost.startup(new StdioBackend()); // or: await WebSocketBackend.listen({ port: 8080 })
const unregister = MyHandler.register(); // returns a function that unregisters the handler
// guide:end ts-backend

// Kept registered for the life of the process; named so the guide shows what register() returns.
void unregister;
