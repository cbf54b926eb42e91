//! The reference design end to end in TS: `IpcApp` + a generated-shape `callMyInterface`, a handler class with static `register()`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { IpcApp, IpcHost, isIpcErrorCode, MemoryBackend, withOptions } from "../src/common/index.js";
import {
  addGreeterEventsListener,
  callMyInterface,
  greeterEventsSender,
  isLookupError,
  myInterfaceClient,
  myInterfaceDescriptor,
  MyInterfaceHandler,
  greeterEventsDescriptor,
  type Person,
} from "./generated/my-interface.js";
import { DeclaredError, type CallContext } from "../src/common/index.js";
import type { LookupError } from "./generated/my-interface.js";

class MyHandler extends MyInterfaceHandler {
  override get channelName() {
    return "my-interface-v1.2";
  }
  async sayHello(arg1: string, arg2: number, arg3: boolean) {
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
  async findPerson(id: bigint, ctx?: CallContext): Promise<Person | undefined> {
    assert.ok(ctx && typeof ctx.connection === "number" && ctx.signal instanceof AbortSignal);
    if (id === 0n) return undefined;
    if (id < 0n) throw new DeclaredError<LookupError>({ kind: "notFound", id }, "LookupError");
    greeterEventsSender(IpcHost.default, ctx.connection).progress(50, "half way");
    return { id, name: "Ann", tags: ["x"], avatar: new Uint8Array([1]) };
  }
  async rename(_id: bigint, name?: string) {
    if (name !== undefined && name.length === 0) throw new Error("empty name");
  }
}

test("the reference article's example: callMyInterface('sayHello', 'abc', 10, true) over IpcApp", async () => {
  const backend = new MemoryBackend();
  IpcHost.startup(backend);
  const unregister = MyHandler.register();
  await IpcApp.startup(backend.connect(), { channels: [myInterfaceDescriptor, greeterEventsDescriptor] });
  try {
    assert.equal(IpcApp.isValid, true);
    assert.equal(IpcHost.isValid, true);
    const s: string = await callMyInterface("sayHello", "abc", 10, true);
    assert.equal(s, "hello: abc 10 true");

    const progress: string[] = [];
    const remove = addGreeterEventsListener({ progress: (p, m) => progress.push(`${p} ${m}`) });
    const person = await callMyInterface("findPerson", 42n);
    assert.deepEqual(person, { id: 42n, name: "Ann", tags: ["x"], avatar: new Uint8Array([1]) });
    assert.deepEqual(progress, ["50 half way"]);
    remove();
    assert.equal(await callMyInterface("findPerson", 0n), undefined);

    const e = await callMyInterface("findPerson", -7n).catch((x: unknown) => x);
    assert.ok(isLookupError(e));
    assert.deepEqual(e.data, { kind: "notFound", id: -7n });

    // Trailing optional parameters may be left out.
    await callMyInterface("rename", 1n);
    await callMyInterface("rename", 1n, "Bo");
    await assert.rejects(callMyInterface("rename", 1n, ""), (x: unknown) => isIpcErrorCode(x, "internal"));

    // The raw, untyped call of the reference design: wire values in, wire values out.
    assert.equal(await IpcApp.callIpcChannel("my-interface-v1.2", "sayHello", "raw", 1, false), "hello: raw 1 false");

    // The client object on the default connection, with per-call options.
    const client = withOptions(myInterfaceClient(), { timeout: 1000 });
    assert.equal(await client.sayHello("x", 1.5, false), "hello: x 1.5 false");

    unregister();
    await assert.rejects(callMyInterface("sayHello", "abc", 10, true), (x: unknown) => isIpcErrorCode(x, "unknownChannel"));
  } finally {
    IpcApp.shutdown();
    await IpcHost.shutdown();
  }
  assert.equal(IpcApp.isValid, false);
  await assert.rejects(callMyInterface("sayHello", "abc", 10, true), (x: unknown) => isIpcErrorCode(x, "disconnected"));
});
