//! The page's script: connects to the backend that served it (token from the URL), wires the
//! buttons to the generated clients, shows the backend's notifications as they arrive, moves a
//! progress bar as a job's progress streams in, and streams a file to the backend in chunks.

import {
  connectBrowserWebSocket,
  IpcApp,
  IpcConnection,
  isIpcError,
  SocketEvents,
  type IpcSocketFrontend,
} from "ipcc-runtime/browser";
import { callMyInterface, myInterfaceDescriptor } from "./generated/my-interface.js";
import {
  addAppEventsListener,
  appEventsDescriptor,
  callItems,
  isAddItemError,
  isJobError,
  itemsDescriptor,
  jobsDescriptor,
  type AddItemError,
  type Item,
  type Priority,
} from "./generated/web-app.js";
// Each snippet's imports on lines of their own, so that the guide shows them with it.
// guide:start web-app-run-job-ts
import { jobsClient } from "./generated/web-app.js";
// guide:end web-app-run-job-ts
// guide:start web-app-upload-ts
import { callJobs } from "./generated/web-app.js";
// guide:end web-app-upload-ts

/** How many notifications the page keeps on screen. */
const MAX_NOTIFICATIONS = 50;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const status = element<HTMLParagraphElement>("status");
const notifications = element<HTMLOListElement>("notifications");
const itemList = element<HTMLUListElement>("items");
const jobBar = element<HTMLProgressElement>("job-progress");
const jobProgress = element<HTMLSpanElement>("job-percent");

function setStatus(state: "connecting" | "connected" | "error", text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

/** `code: message` for a failed call or connection. */
function describeError(error: unknown): string {
  if (isAddItemError(error)) return `declared AddItemError: ${describeAddItemError(error.data)}`;
  if (isJobError(error)) return `declared JobError: a job has 1 to ${error.data.max} steps`;
  if (isIpcError(error)) return `${error.code}: ${error.message}`;
  return String(error);
}

function describeAddItemError(error: AddItemError): string {
  switch (error.kind) {
    case "emptyText":
      return "the text is empty";
    case "tooLong":
      return `the text is longer than ${error.max} characters`;
    case "listFull":
      return `the list already holds ${error.max} items`;
  }
}

/** Runs a call, showing its result (or its error) in `output`. */
async function showCall(output: HTMLOutputElement, call: () => Promise<string>): Promise<void> {
  output.dataset.state = "pending";
  output.textContent = "…";
  try {
    output.textContent = await call();
    output.dataset.state = "ok";
  } catch (error) {
    output.textContent = `error ${describeError(error)}`;
    output.dataset.state = "error";
  }
}

function describeItem(item: Item): string {
  return `#${item.id} ${JSON.stringify(item.text)} (${item.priority}, ${item.addedAt})`;
}

function showItems(items: readonly Item[]): void {
  itemList.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = describeItem(item);
      return li;
    }),
  );
}

function showNotification(text: string): void {
  const li = document.createElement("li");
  li.textContent = text;
  notifications.prepend(li);
  while (notifications.children.length > MAX_NOTIFICATIONS) notifications.lastElementChild?.remove();
}

/**
 * A socket that is already closed with `reason`: the page's connection when the WebSocket could
 * not be opened (backend down, origin refused), so every call fails with that reason.
 */
function closedSocket(url: string, reason: string): IpcSocketFrontend {
  const events = new SocketEvents();
  events.closed(reason);
  return {
    description: `ws ${url} (not opened)`,
    send: () => {},
    onMessage: (listener) => events.onMessage(listener),
    onClose: (listener) => events.onClose(listener),
    close: () => {},
  };
}

/**
 * Connects the page's default connection to the backend: `/ipc` of the server that served this
 * page unless `?backend=ws://…` names another (a dev server's page talking to a separately
 * started backend), presenting `?token=`.
 */
async function connect(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") ?? undefined;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const url = params.get("backend") ?? `${scheme}//${location.host}/ipc`;
  let socket: IpcSocketFrontend;
  try {
    socket = await connectBrowserWebSocket(url);
  } catch (error) {
    socket = closedSocket(url, error instanceof Error ? error.message : String(error));
  }
  const connection = new IpcConnection(socket, {
    token,
    channels: [myInterfaceDescriptor, itemsDescriptor, jobsDescriptor, appEventsDescriptor],
  });
  addAppEventsListener(
    {
      tick: (n, at) => showNotification(`tick ${n} at ${at}`),
      itemAdded: (item) => {
        showNotification(`itemAdded ${describeItem(item)}`);
        const li = document.createElement("li");
        li.textContent = describeItem(item);
        itemList.append(li);
      },
      jobEnded: (job, outcome, done, steps) => showNotification(`jobEnded #${job} ${outcome} after ${done} of ${steps} steps`),
    },
    connection,
  );
  connection.onClose((error) => setStatus("error", `error: ${describeError(error)}`));
  try {
    await IpcApp.startup(connection);
    setStatus("connected", "connected");
  } catch (error) {
    setStatus("error", `error: ${describeError(error)}`);
  }
}

element<HTMLFormElement>("hello-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const arg1 = element<HTMLInputElement>("arg1").value;
  const arg2 = element<HTMLInputElement>("arg2").valueAsNumber;
  const arg3 = element<HTMLInputElement>("arg3").checked;
  void showCall(element("hello-result"), () => callMyInterface("sayHello", arg1, arg2, arg3));
});

element<HTMLFormElement>("item-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = element<HTMLInputElement>("item-text").value;
  const priority = element<HTMLSelectElement>("item-priority").value as Priority;
  void showCall(element("item-result"), async () => `added ${describeItem(await callItems("addItem", text, priority))}`);
});

element("list-items").addEventListener("click", () => {
  void showCall(element("item-result"), async () => {
    const items = await callItems("listItems");
    showItems(items);
    return `${items.length} item${items.length === 1 ? "" : "s"}`;
  });
});

element("subscribe-ticks").addEventListener("click", () => {
  const interval = element<HTMLInputElement>("tick-interval").valueAsNumber;
  void showCall(element("tick-result"), async () => {
    await callItems("subscribeTicks", Number.isFinite(interval) ? Math.max(0, Math.round(interval)) : 500);
    return "subscribed";
  });
});

element("unsubscribe-ticks").addEventListener("click", () => {
  void showCall(element("tick-result"), async () =>
    (await callItems("unsubscribeTicks")) ? "unsubscribed" : "no ticks were running",
  );
});

// guide:start web-app-run-job-ts
/** Runs a job of `steps` steps on the backend, moving the progress bar as each one is done. */
async function runJob(steps: number, signal: AbortSignal): Promise<string> {
  jobBar.value = 0;
  // Aborting `signal` cancels the call (so does leaving the loop): the backend drops the job.
  const jobs = jobsClient(undefined, { signal });
  let last = "no step";
  for await (const progress of jobs.runJob(steps)) {
    jobBar.value = Math.round((progress.done * 100) / progress.steps);
    last = `job #${progress.job}: ${progress.done} of ${progress.steps} steps`;
    jobProgress.textContent = `${last} (${jobBar.value} %)`;
  }
  return `${last}, done`;
}
// guide:end web-app-run-job-ts

/** The job the page runs, to cancel it. */
let runningJob: AbortController | undefined;

element("run-job").addEventListener("click", () => {
  runningJob?.abort();
  const job = new AbortController();
  runningJob = job;
  const steps = element<HTMLInputElement>("job-steps").valueAsNumber;
  void showCall(element("job-result"), () => runJob(Number.isFinite(steps) ? Math.max(0, Math.round(steps)) : 25, job.signal));
});

element("cancel-job").addEventListener("click", () => runningJob?.abort());

// guide:start web-app-upload-ts
/** Reads `file` in chunks, each only when the upload stream pulls it (the backend's credit). */
async function* chunksOf(file: Blob, chunkBytes = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < file.size; offset += chunkBytes) {
    yield new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
  }
}

async function uploadFile(file: File): Promise<string> {
  const receipt = await callJobs("upload", file.name, chunksOf(file));
  return `${receipt.name}: ${receipt.bytes} bytes in ${receipt.chunks} chunks, sha256 ${receipt.sha256}`;
}
// guide:end web-app-upload-ts

element<HTMLFormElement>("upload-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const file = element<HTMLInputElement>("upload-file").files?.[0];
  void showCall(element("upload-result"), () => (file ? uploadFile(file) : Promise.resolve("choose a file first")));
});

void connect();
