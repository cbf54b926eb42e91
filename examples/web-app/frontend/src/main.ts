//! The page's script: connects to the backend that served it (token from the URL), wires the
//! buttons to the generated clients and shows the backend's notifications as they arrive.

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
  itemsDescriptor,
  type AddItemError,
  type Item,
  type Priority,
} from "./generated/web-app.js";

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

function setStatus(state: "connecting" | "connected" | "error", text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

/** `code: message` for a failed call or connection. */
function describeError(error: unknown): string {
  if (isAddItemError(error)) return `declared AddItemError: ${describeAddItemError(error.data)}`;
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
 * Connects the page's default connection to the backend: the server that served this page
 * unless `?backend=ws://…` names another (a dev server's page talking to a separately started
 * backend), presenting `?token=`.
 */
async function connect(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const token = params.get("token") ?? undefined;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const url = params.get("backend") ?? `${scheme}//${location.host}/`;
  let socket: IpcSocketFrontend;
  try {
    socket = await connectBrowserWebSocket(url);
  } catch (error) {
    socket = closedSocket(url, error instanceof Error ? error.message : String(error));
  }
  const connection = new IpcConnection(socket, {
    token,
    channels: [myInterfaceDescriptor, itemsDescriptor, appEventsDescriptor],
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

void connect();
