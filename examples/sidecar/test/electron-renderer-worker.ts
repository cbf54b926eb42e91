//! A renderer stand-in for electron.test.ts, in a `worker_threads` worker: it connects with `connectToSidecar`, sending
//! its port to the main thread as Electron's `ipcRenderer.postMessage` would, and does the task the test gives it.

import { parentPort, workerData, type Transferable } from "node:worker_threads";
import { IpcApp, isIpcError } from "ipcc-runtime";
import { connectToSidecar } from "../src/electron/renderer.js";
import { addSidecarEventsListener, callSidecar } from "../src/generated/sidecar.js";

const { task, file } = workerData as { task: "use" | "crash" | "idle"; file: string };
const post = (message: unknown) => parentPort!.postMessage(message);

await connectToSidecar((port) => parentPort!.postMessage({ channel: "ipcc-port", port }, [port as unknown as Transferable]));
const digest = await callSidecar("hashFile", file);
if (task === "use") {
  const progress: number[] = [];
  const remove = addSidecarEventsListener({ progress: (_task, done) => progress.push(done) });
  const sum = await callSidecar("compute", 5, 1);
  remove();
  post({ digest, sum: String(sum), progress });
  // The window closes its connection: the main process's relay ends the sidecar, and this worker has nothing left to do.
  IpcApp.shutdown();
} else if (task === "crash") {
  try {
    await callSidecar("crash");
    post({ error: "crash() returned" });
  } catch (error) {
    post({ error: isIpcError(error) ? `${error.code}: ${error.message}` : String(error) });
  }
  IpcApp.shutdown();
} else {
  // Stays connected until the test terminates this worker, as a window that is closed.
  post({ digest });
}
