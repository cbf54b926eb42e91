//! Interface and notification descriptors: what generated code declares per channel (codecs per method).

import type { Codec } from "./codecs.js";
import type { AsyncMethodsOf, ChannelSpec, StreamMethodsOf } from "./types.js";

/**
 * One interface method: its parameter codecs, how many are required, result and `throws` codecs,
 * and (protocol v2) which of its values are streams.
 */
export interface MethodDescriptor {
  /**
   * One codec per declared parameter, in order. For the streaming parameter (`inputStream`),
   * the codec of one item (`c.bytes` for `chunks: AsyncIterable<bytes>`).
   */
  readonly params: readonly Codec<any>[];
  /** How many leading parameters are required; the rest are trailing `name?: T` parameters. */
  readonly required: number;
  /**
   * The result's codec (`c.void` for `Promise<void>`); when `outputStream` is set, the codec of
   * one item of the result stream (`AsyncIterable<LogLine>` → `logLineCodec`).
   */
  readonly result: Codec<any>;
  /**
   * v2: the position of the parameter that is an `AsyncIterable<T>` (at most one). Its slot in
   * the call's `args` is `null`; the items travel as `item` messages. A host hands the handler
   * an `AsyncIterable<T>` there (see `IpcHost.register`).
   */
  readonly inputStream?: number;
  /**
   * v2: the result is an `AsyncIterable<T>`: the handler returns one (an `async function*`
   * works), the host sends its items within the frontend's credit and answers `null` at its end.
   */
  readonly outputStream?: true;
  /** The `throws` type's codec, if the method declares one. */
  readonly throws?: Codec<any>;
  /** The `throws` type's IDL name (the `declared` error's message), e.g. `"LookupError"`. */
  readonly throwsName?: string;
}

/** An interface bound to its channel: what `call`, `createClient` and `register` dispatch through. */
export interface InterfaceDescriptor<T> extends ChannelSpec {
  /** The IDL interface name, for messages. */
  readonly name?: string;
  /** Exactly the interface's methods (those returning a stream too): the closed table dispatch uses. */
  readonly methods: { readonly [K in AsyncMethodsOf<T> | StreamMethodsOf<T>]: MethodDescriptor };
}

/** One notification: its parameter codecs and how many are required. */
export interface NotificationDescriptor {
  readonly params: readonly Codec<any>[];
  readonly required: number;
}

/** A notifications block bound to its channel. `T` has one `void` method per notification. */
export interface NotificationsDescriptor<T> extends ChannelSpec {
  readonly name?: string;
  readonly notifications: { readonly [K in keyof T & string]: NotificationDescriptor };
}

/** Whether a method has a stream in either direction (needs protocol 2). */
export function usesStreams(method: MethodDescriptor): boolean {
  return method.inputStream !== undefined || method.outputStream === true;
}

/** Own-property lookup in a descriptor's table: `__proto__`, `toString` and friends never match. */
export function lookupOwn<V>(table: { readonly [key: string]: V }, name: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
