// The page: the client of a TS host in a Web Worker, through runtime-ts's browser entry point
// and the code `ipcc` generates (runtime-ts's test fixtures). Each scenario is a function on
// `window` that the test calls through playwright and that resolves to what it saw.

import { connectMessagePort, IpcConnection, isIpcError } from "../../../runtime-ts/src/browser/index.js";
import { addEchoEventsListener, echoClient, echoDescriptor, echoEventsDescriptor, isEchoError } from "../../../runtime-ts/test/generated/vectors.js";
import { streamsTestClient, streamsTestDescriptor } from "../../../runtime-ts/test/generated/streams.js";
import type { MessagePortLike } from "../../../runtime-ts/src/browser/index.js";

const channels = [echoDescriptor, echoEventsDescriptor, streamsTestDescriptor];

function connect(port: MessagePortLike): IpcConnection {
  return new IpcConnection(connectMessagePort(port, { description: "worker" }), { channels });
}

function codeOf(error: unknown): string {
  return isIpcError(error) ? error.code : `not an IpcError: ${String(error)}`;
}

/** A worker serving over `?over=port`, with the page's end of the transferred port. */
function workerOverPort(): { worker: Worker; port: MessagePort; reports: Promise<unknown> } {
  const worker = new Worker("./worker.js?over=port", { type: "module" });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ port: port2 }, [port2]);
  const reports = new Promise<unknown>((resolve) => worker.addEventListener("message", (e) => resolve(e.data), { once: true }));
  return { worker, port: port1, reports };
}

/** Everything over the Worker object and the worker's `self`. */
async function overSelf(): Promise<Record<string, unknown>> {
  const worker = new Worker("./worker.js?over=self", { type: "module" });
  const conn = connect(worker);
  const echo = echoClient(conn);
  const seen: Record<string, unknown> = {};
  seen["hello"] = await echo.echoString("hello from the page");
  seen["add"] = await echo.add(2, 40);
  seen["i64"] = String(await echo.echoI64(-(2n ** 63n)));
  const ticks: number[] = [];
  const remove = addEchoEventsListener({ tick: (n) => ticks.push(n) }, conn);
  await echo.notifyMe(4);
  remove();
  seen["ticks"] = ticks;
  try {
    await echo.fail("declared");
    seen["declared"] = "no error";
  } catch (error) {
    seen["declared"] = isEchoError(error) ? error.data.kind : codeOf(error);
  }
  seen["binary"] = conn.binaryBytes;
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
  const back = await echo.echoBytes(big);
  seen["bytesEqual"] = back.length === big.length && back.every((b, i) => b === big[i]);
  const streams = streamsTestClient(conn);
  const counted: number[] = [];
  for await (const n of streams.count(200)) counted.push(n);
  seen["counted"] = [counted.length, counted[199]];
  const echoed: string[] = [];
  for await (const s of streams.echo(["x", "y"])) echoed.push(s);
  seen["echoed"] = echoed;
  conn.close();
  worker.terminate();
  return seen;
}

/** The page closing its connection: the worker's side learns it from the transport's close message. */
async function pageCloses(): Promise<Record<string, unknown>> {
  const { worker, port, reports } = workerOverPort();
  const conn = connect(port);
  const sum = await echoClient(conn).add(1, 2);
  conn.close();
  const report = await reports;
  worker.terminate();
  return { sum, report };
}

/**
 * The worker's host shutting down mid-call: the page learns it from the transport's close message
 * (a browser fires no `close` event on the port of a terminated worker, so a page that terminates
 * its worker closes the connection itself: docs/guide.md).
 */
async function hostShutsDown(): Promise<Record<string, unknown>> {
  const { worker, port } = workerOverPort();
  const conn = connect(port);
  const echo = echoClient(conn);
  const pending = echo.wait().then(
    () => "resolved",
    (error: unknown) => codeOf(error),
  );
  const sum = await echo.add(1, 1);
  worker.postMessage({ shutdown: true });
  const waited = await pending;
  const later = await echo.add(1, 2).then(
    () => "resolved",
    (error: unknown) => codeOf(error),
  );
  worker.terminate();
  return { sum, waited, later };
}

Object.assign(window, { overSelf, pageCloses, hostShutsDown });
