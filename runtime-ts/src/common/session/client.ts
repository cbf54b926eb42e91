//! Typed frontend helpers generated code calls: `callMethod`, `streamMethod`, `createClient`, `withOptions`, `addNotificationListener`.

import { deferBytes, errorAttachments, withAttachments } from "../protocol/binary.js";
import { decodeAt, decodeValue, encodeValue, type WireValue } from "../protocol/codecs.js";
import type { IpcConnection } from "./connection.js";
import { DeclaredError, IpcError } from "../protocol/errors.js";
import type { Codec } from "../protocol/codecs.js";
import { encodeArgs } from "../protocol/args.js";
import { defaultConnection } from "./default-connection.js";
import { lookupOwn, type InterfaceDescriptor, type MethodDescriptor, type NotificationDescriptor, type NotificationsDescriptor } from "../protocol/descriptors.js";
import type { StreamSource } from "../protocol/stream.js";
import type { AsyncMethodsOf, CallOptions, MethodParameters, PromiseReturnType, StreamItemType, StreamMethodsOf } from "../protocol/types.js";

/** The items of a streaming argument, each encoded with the parameter's item codec as it is pulled. */
async function* encodeItems(source: StreamSource<unknown>, codec: Codec<any>): AsyncGenerator<WireValue, void, undefined> {
  let seq = 0;
  // `for await` calls the source's return() when this generator is returned early.
  for await (const item of source as AsyncIterable<unknown>) yield deferBytes(() => encodeValue(codec, item, `input[${seq++}]`));
}

/** The streaming argument of a call, checked to be iterable before anything is sent. */
function streamArgument(m: MethodDescriptor, args: readonly unknown[], what: string): StreamSource<WireValue> | undefined {
  if (m.inputStream === undefined) return undefined;
  const source = args[m.inputStream] as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null | undefined;
  if (source == null || (typeof source[Symbol.asyncIterator] !== "function" && typeof source[Symbol.iterator] !== "function")) {
    throw new IpcError("badRequest", `${what}: args[${m.inputStream}] must be an AsyncIterable or an Iterable`);
  }
  return encodeItems(source as StreamSource<unknown>, m.params[m.inputStream]!);
}

/** Turns an `error` reply into a `DeclaredError` when it is the method's declared error. */
function declaredOrSelf(error: unknown, method: MethodDescriptor): unknown {
  if (!(error instanceof IpcError) || error.code !== "declared" || !method.throws) return error;
  let data: unknown;
  try {
    data = withAttachments(errorAttachments.get(error), () => decodeValue(method.throws!, error.data, "error.data"));
  } catch (e) {
    return e;
  }
  return new DeclaredError(data, error.message, method.throws);
}

/**
 * Calls `method` of the interface `descriptor` describes: encodes `args`, decodes the result,
 * and turns a declared error into a `DeclaredError`. `connection` defaults to `IpcApp`'s.
 */
export function callMethod<T, K extends AsyncMethodsOf<T>>(
  descriptor: InterfaceDescriptor<T>,
  method: K,
  args: MethodParameters<T, K>,
  options?: CallOptions,
  connection?: IpcConnection,
): Promise<PromiseReturnType<T[K]>> {
  // Not an `async` function: the one promise is the connection's, settled from its message
  // handler with the decoded result (an `await` here would add a promise and a turn per call).
  let m: MethodDescriptor | undefined;
  let wireArgs: WireValue[];
  let input: StreamSource<WireValue> | undefined;
  let conn: IpcConnection;
  try {
    m = lookupOwn<MethodDescriptor>(descriptor.methods, method);
    if (!m) throw new IpcError("unknownMethod", `${descriptor.name ?? descriptor.channel} has no method ${JSON.stringify(method)}`);
    wireArgs = encodeCallArgs(descriptor, method, m, args as readonly unknown[]);
    input = m.inputStream === undefined ? undefined : streamArgument(m, args as readonly unknown[], `${descriptor.name ?? descriptor.channel}.${method}`);
    conn = connection ?? defaultConnection();
  } catch (e) {
    return Promise.reject(e);
  }
  const d = m;
  return conn.callDecoded(
    descriptor.channel,
    method,
    wireArgs,
    options,
    descriptor.schemaHash,
    input,
    (value, attachments) => (attachments === undefined ? decodeValue(d.result, value, "result") : withAttachments(attachments, () => decodeValue(d.result, value, "result"))),
    (e) => declaredOrSelf(e, d),
  );
}

/**
 * A call's arguments in wire form; `bytes` stay bytes until the call is serialized for its
 * connection (base64 or binary). The name for messages is made only when one is needed.
 */
function encodeCallArgs(descriptor: InterfaceDescriptor<any>, method: string, m: MethodDescriptor, args: readonly unknown[]): WireValue[] {
  return deferBytes(() => encodeArgs(m.params, m.required, args, () => `${descriptor.name ?? descriptor.channel}.${method}`, m.inputStream));
}

/**
 * Calls `method`, whose result is a stream (protocol v2), of the interface `descriptor`
 * describes: encodes `args` (a streaming parameter's items one by one as they are sent),
 * decodes each item, and ends the iteration with a `DeclaredError` for the method's declared
 * error. Leaving the iteration early (`break`) cancels the call; see `IpcConnection.streamRaw`.
 */
export function streamMethod<T, K extends StreamMethodsOf<T>>(
  descriptor: InterfaceDescriptor<T>,
  method: K,
  args: MethodParameters<T, K>,
  options?: CallOptions,
  connection?: IpcConnection,
): AsyncIterableIterator<StreamItemType<T[K]>> {
  try {
    const m = lookupOwn<MethodDescriptor>(descriptor.methods, method);
    if (!m || !m.outputStream) throw new IpcError("unknownMethod", `${descriptor.name ?? descriptor.channel} has no stream method ${JSON.stringify(method)}`);
    const wireArgs = encodeCallArgs(descriptor, method, m, args as readonly unknown[]);
    const input = streamArgument(m, args as readonly unknown[], `${descriptor.name ?? descriptor.channel}.${method}`);
    const conn = connection ?? defaultConnection();
    const codec = m.result as Codec<StreamItemType<T[K]>>;
    // Each item is decoded as it arrives; the connection's stream is the iterator itself.
    return conn.streamDecoded(
      descriptor.channel,
      method,
      wireArgs,
      { ...options, schemaHash: descriptor.schemaHash, ...(input ? { input } : {}) },
      (value, seq, attachments) => (attachments === undefined ? decodeAt(codec, value, "item", seq) : withAttachments(attachments, () => decodeAt(codec, value, "item", seq))),
      (e) => declaredOrSelf(e, m),
    );
  } catch (e) {
    // Like `callMethod`'s rejection: the failure shows at the first `next()`, and nothing was sent.
    const failed: AsyncIterableIterator<StreamItemType<T[K]>> = {
      next: () => Promise.reject(e),
      return: () => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => failed,
    };
    return failed;
  }
}

interface ClientBinding {
  readonly descriptor: InterfaceDescriptor<any>;
  readonly connection: IpcConnection | undefined;
  readonly options: CallOptions | undefined;
}

/** What `withOptions` needs to rebuild a client; kept off the client object itself. */
const bindings = new WeakMap<object, ClientBinding>();

/**
 * A client object with exactly the interface's methods (a frozen plain object, no Proxy, no
 * `then`: `await client` is not a remote call). Without `connection`, each call goes through
 * `IpcApp`'s connection as it is at call time.
 */
export function createClient<T>(descriptor: InterfaceDescriptor<T>, connection?: IpcConnection, options?: CallOptions): T {
  const client: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of Object.keys(descriptor.methods)) {
    const m = lookupOwn<MethodDescriptor>(descriptor.methods, method)!;
    const call = m.outputStream
      ? (...args: unknown[]) => streamMethod(descriptor, method as never, args as never, options, connection)
      : (...args: unknown[]) => callMethod(descriptor, method as never, args as never, options, connection);
    Object.defineProperty(client, method, { value: call, enumerable: true });
  }
  Object.freeze(client);
  bindings.set(client, { descriptor, connection, options });
  return client as unknown as T;
}

/** The same client with `options` (timeout, `AbortSignal`) applied to every call through it. */
export function withOptions<T extends object>(client: T, options: CallOptions): T {
  const binding = bindings.get(client);
  if (!binding) throw new TypeError("withOptions: not a client made by createClient");
  return createClient(binding.descriptor, binding.connection, { ...binding.options, ...options }) as T;
}

/** A notification's arguments, decoded with its parameters' codecs (`args` has at most one per parameter). */
function decodeArgs(params: readonly Codec<any>[], args: readonly WireValue[]): unknown[] {
  const decoded: unknown[] = [];
  for (let i = 0; i < params.length; i++) decoded.push(decodeAt(params[i]!, args[i], "args", i));
  return decoded;
}

/**
 * Listens to a notifications block with typed handlers (any subset of its notifications).
 * Arguments are decoded; one that does not decode, or a notification that does not work with the
 * backend's version of the channel (its schema hash differs and the backend did not judge the
 * channel, or judged this notification unusable), is dropped and reported to the connection's
 * `onError`.
 * Returns a function that removes exactly this registration.
 */
export function addNotificationListener<T>(
  descriptor: NotificationsDescriptor<T>,
  handlers: Partial<T>,
  connection?: IpcConnection,
): () => void {
  const conn = connection ?? defaultConnection();
  return conn.addWireListener(descriptor.channel, (method, args, attachments) => {
    const n = lookupOwn<NotificationDescriptor>(descriptor.notifications, method);
    if (!n) {
      conn.report(new IpcError("unknownMethod", `notification ${descriptor.channel}.${method} is not in ${descriptor.name ?? "its block"}; dropped`));
      return;
    }
    const handler = (handlers as Record<string, unknown>)[method];
    if (typeof handler !== "function") return;
    const mismatch = conn.checkNotification(descriptor.channel, method, descriptor.schemaHash);
    if (mismatch) {
      conn.report(mismatch);
      return;
    }
    let decoded: unknown[];
    try {
      if (args.length > n.params.length || args.length < n.required) {
        throw new IpcError("badRequest", `notification ${descriptor.channel}.${method} has ${args.length} arguments, expected ${n.required}..${n.params.length}`);
      }
      // One pass over all arguments: an attachment may be taken once in the whole message.
      decoded = attachments === undefined ? decodeArgs(n.params, args) : withAttachments(attachments, () => decodeArgs(n.params, args));
    } catch (e) {
      conn.report(e instanceof IpcError ? e : new IpcError("badRequest", String(e)));
      return;
    }
    handler.apply(handlers, decoded);
  });
}
