//! A Node backend serving generated handlers over a real WebSocket on loopback, and a generated
//! client calling it: the reference call, a declared error and a notification, with a token.

import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import { DeclaredError, IpcConnection, IpcHost, isIpcErrorCode } from "ipcc-runtime";
import { connectWebSocket, WebSocketBackend } from "ipcc-runtime/node";
import { myInterfaceClient, myInterfaceDescriptor, MyInterfaceHandler } from "../../../generated/ts/my-interface/my-interface.js";
import {
  addJobEventsListener,
  jobEventsDescriptor,
  jobEventsSender,
  jobsClient,
  jobsDescriptor,
  registerJobs,
} from "../../../generated/ts/notifications/notifications.js";
import { bankClient, bankDescriptor, isTransferError, registerBank } from "../../../generated/ts/errors/errors.js";
import type { TransferError } from "../../../generated/ts/errors/errors.js";

const token = `token-${process.pid}`;
let host: IpcHost;
let backend: WebSocketBackend;
let connection: IpcConnection;

class MyHandler extends MyInterfaceHandler {
  async sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string> {
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
}

before(async () => {
  host = new IpcHost({ token });
  backend = await WebSocketBackend.listen({ port: 0 });
  host.serve(backend);
  MyHandler.register(host);
  const events = jobEventsSender(host);
  registerJobs(host, {
    async start(name) {
      events.started(name);
      events.progress(name, 50);
      events.finished(name, true);
      return `job-${name}`;
    },
    cancel: async () => false,
  });
  registerBank(host, {
    async transfer(_from, _to, amount) {
      throw new DeclaredError<TransferError>({ kind: "insufficientFunds", needed: amount, available: 0n });
    },
    login: async () => "session",
    openAccount: async (owner) => owner,
    balance: async () => 2n ** 64n - 1n,
  });
  const url = `ws://127.0.0.1:${backend.port}`;
  connection = new IpcConnection(await connectWebSocket(url), {
    token,
    channels: [myInterfaceDescriptor, jobsDescriptor, jobEventsDescriptor, bankDescriptor],
  });
  await connection.ready;
});

after(async () => {
  connection.close();
  await host.shutdown();
});

test("the reference call over a Node WebSocket host", async () => {
  assert.equal(await myInterfaceClient(connection).sayHello("abc", 10, true), "hello: abc 10 true");
});

test("notifications arrive in order before the call's result", async () => {
  const seen: string[] = [];
  const remove = addJobEventsListener(
    {
      started: (jobId) => seen.push(`started ${jobId}`),
      progress: (jobId, percent, note) => seen.push(`progress ${jobId} ${percent} ${note ?? "-"}`),
      finished: (jobId, ok) => seen.push(`finished ${jobId} ${ok}`),
    },
    connection,
  );
  assert.equal(await jobsClient(connection).start("j1"), "job-j1");
  remove();
  assert.deepEqual(seen, ["started j1", "progress j1 50 -", "finished j1 true"]);
});

test("declared errors and u64 results over the wire", async () => {
  const bank = bankClient(connection);
  assert.equal(await bank.balance("a"), 2n ** 64n - 1n);
  await assert.rejects(bank.transfer("a", "b", 10n), (error: unknown) => {
    assert.ok(isTransferError(error));
    assert.deepEqual(error.data, { kind: "insufficientFunds", needed: 10n, available: 0n });
    return true;
  });
});

test("a client with the wrong token is refused", async () => {
  const intruder = new IpcConnection(await connectWebSocket(`ws://127.0.0.1:${backend.port}`), { token: "nope" });
  await assert.rejects(intruder.ready, (error: unknown) => isIpcErrorCode(error, "unauthorized"));
  intruder.close();
});
