//! Watching what a host does with its sockets, for the backpressure tests: every pause, resume, drain, send and close is a change a test can wait for, instead of a timer.

import type { IpcSocket, IpcSocketBackend } from "../src/common/index.js";

/**
 * Settles like `p`; rejects if `p` is still pending after `ms` (a hang guard, not a timing
 * assumption). Unlike a test's `timeout`, the rejection reaches the test, so its `finally`
 * closes what it opened and the process can end.
 */
export function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`never happened within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** Changes to wait for: `until` looks at its condition again at each one. */
export class Changes {
  private waiters: (() => void)[] = [];
  private readonly watchers: (() => void)[] = [];
  /** What broke a bound set with `forbid`, at the first change where it did. */
  private broken: Error | undefined;

  /** Runs `watcher` at every change (to keep the worst value of something seen). */
  watch(watcher: () => void): void {
    this.watchers.push(watcher);
  }
  /** From now on, a change after which `broken()` says something fails every `until`, at once. */
  forbid(broken: () => string | undefined): void {
    this.watch(() => {
      const what = broken();
      if (what !== undefined) this.broken ??= new Error(what);
    });
  }
  notify(): void {
    for (const watcher of this.watchers) watcher();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
  /**
   * Resolves at once or at the first change after which `predicate` holds; rejects once a
   * forbidden thing happened. The test's own timeout guards against a hang.
   */
  async until(predicate: () => boolean): Promise<void> {
    for (;;) {
      if (this.broken) throw this.broken;
      if (predicate()) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** What the host did with one socket. */
export interface SocketProbe {
  /** The host asked the socket to stop reading and has not asked it to resume. */
  paused: boolean;
  /** How often the host asked it to stop reading. */
  pauses: number;
  closed: boolean;
  /** The most bytes the socket held right after a send of the host: this connection's worst queue. */
  worst: number;
  /** The socket itself, to close the host's side as a failing transport would. */
  readonly socket: IpcSocket;
}

/**
 * `socket` as a host sees it, reporting to `changes` each pause, resume, drain, close and send
 * (a send a microtask later, once the host has counted it). Everything else is the socket's own.
 */
export function probeSocket(socket: IpcSocket, changes: Changes): { socket: IpcSocket; probe: SocketProbe } {
  const probe: SocketProbe = { paused: false, pauses: 0, closed: false, worst: 0, socket };
  const own: Partial<IpcSocket> = {
    send(message) {
      socket.send(message);
      probe.worst = Math.max(probe.worst, socket.bufferedBytes ?? 0);
      queueMicrotask(() => changes.notify());
    },
    onClose(listener) {
      socket.onClose((reason) => {
        listener(reason);
        probe.closed = true;
        changes.notify();
      });
    },
    onDrain(listener) {
      socket.onDrain!(() => {
        listener();
        changes.notify();
      });
    },
    pauseReading() {
      socket.pauseReading!();
      probe.paused = true;
      probe.pauses++;
      changes.notify();
    },
    resumeReading() {
      socket.resumeReading!();
      probe.paused = false;
      changes.notify();
    },
  };
  const probed = new Proxy(socket, {
    get(target, key) {
      if (Object.prototype.hasOwnProperty.call(own, key)) return own[key as keyof IpcSocket];
      // Getters (`bufferedBytes`) are read on the socket itself, live.
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { socket: probed, probe };
}

/** A backend whose sockets are probed; `probes` in the order the connections came. */
export class ProbedBackend implements IpcSocketBackend {
  readonly probes: SocketProbe[] = [];

  constructor(
    private readonly inner: IpcSocketBackend,
    private readonly changes: Changes,
  ) {}

  listen(onConnection: (socket: IpcSocket) => void): void {
    this.inner.listen((raw) => {
      const { socket, probe } = probeSocket(raw, this.changes);
      this.probes.push(probe);
      onConnection(socket);
      this.changes.notify();
    });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
