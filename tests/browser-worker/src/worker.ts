// A TS backend in a Web Worker: runtime-ts's `Echo` and `streams-test-v1` fixture hosts served
// through `MessagePortBackend`, over the worker's `self` (`worker.js?over=self`) or over a port the
// page transfers in its first message (`?over=port`; the worker then reports on `self` when that
// connection's port was closed, and shuts its host down when the page posts `{ shutdown: true }`).

import { MessagePortBackend, type MessagePortLike } from "../../../runtime-ts/src/browser/index.js";
import { startEchoHost } from "../../../runtime-ts/test/fixtures/echo.js";
import { registerStreamsTest, streamsImpl, StreamsProbe } from "../../../runtime-ts/test/fixtures/streams.js";

declare const self: MessagePortLike & { location: { href: string }; postMessage(message: unknown): void };

const host = startEchoHost();
registerStreamsTest(host, streamsImpl(new StreamsProbe()));
const backend = new MessagePortBackend();
host.serve(backend);

if (new URL(self.location.href).searchParams.get("over") === "self") {
  backend.accept(self, { description: "page" });
} else {
  let port: MessagePort | undefined;
  self.addEventListener!("message", (event: { data: { port?: MessagePort; shutdown?: true } }) => {
    if (event.data.shutdown) {
      void host.shutdown();
      return;
    }
    if (port || !event.data.port) return;
    port = event.data.port;
    const own = port;
    backend.accept({
      postMessage: (message: unknown, transfer?: Transferable[]) => own.postMessage(message, transfer ?? []),
      addEventListener: (type: string, listener: (event: MessageEvent) => void) => own.addEventListener(type, listener as EventListener),
      removeEventListener: (type: string, listener: (event: MessageEvent) => void) => own.removeEventListener(type, listener as EventListener),
      start: () => own.start(),
      close: () => {
        own.close();
        self.postMessage({ portClosed: true });
      },
    });
  });
}
