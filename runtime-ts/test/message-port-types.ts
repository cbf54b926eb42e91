//! Compile-time checks (built by `npm run build:test`, nothing to run): the ports docs/guide.md and the README name fit `MessagePortLike`.

import { MessageChannel as NodeMessageChannel, Worker as NodeWorker, parentPort } from "node:worker_threads";
import type { EventEmitter } from "node:events";
import type { MessagePortLike } from "../src/common/index.js";

/** Electron's `MessagePortMain` as its typings declare it (electron.d.ts), which this package does not depend on. */
interface ElectronMessagePortMain extends EventEmitter {
  close(): void;
  postMessage(message: any, transfer?: ElectronMessagePortMain[]): void;
  start(): void;
  on(event: "close", listener: () => void): this;
  on(event: "message", listener: (messageEvent: { data: any; ports: ElectronMessagePortMain[] }) => void): this;
}

export function portsThatFit(domPort: MessagePort, domWorker: Worker, workerSelf: DedicatedWorkerGlobalScopeLike, electron: ElectronMessagePortMain, nodeWorker: NodeWorker): MessagePortLike[] {
  return [domPort, domWorker, workerSelf, new NodeMessageChannel().port1, parentPort!, nodeWorker, electron];
}

/** A dedicated worker's `self` as lib.webworker.d.ts declares what the transport uses of it (this build uses lib.dom). */
interface DedicatedWorkerGlobalScopeLike {
  postMessage(message: any, transfer: Transferable[]): void;
  postMessage(message: any, options?: StructuredSerializeOptions): void;
  addEventListener(type: "message", listener: (this: DedicatedWorkerGlobalScopeLike, ev: MessageEvent) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  close(): void;
}
