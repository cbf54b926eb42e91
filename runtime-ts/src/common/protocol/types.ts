//! Type-level helpers of the reference design (`AsyncMethodsOf`, `PromiseReturnType`) and call options.

/** Any function returning a Promise. */
export type AsyncFunction = (...args: any[]) => Promise<any>;

/** The names of `T`'s Promise-returning methods (the reference design's `AsyncMethodsOf`). */
export type AsyncMethodsOf<T> = Extract<
  { [K in keyof T]: T[K] extends AsyncFunction ? K : never }[keyof T],
  string
>;

/** The names of `T`'s methods whose result is a stream, an `AsyncIterable` (protocol v2). */
export type StreamMethodsOf<T> = Extract<
  { [K in keyof T]: T[K] extends (...args: any[]) => AsyncIterable<any> ? K : never }[keyof T],
  string
>;

/** What a Promise-returning function resolves to (the reference design's `PromiseReturnType`). */
export type PromiseReturnType<F> = F extends (...args: any[]) => Promise<infer R> ? R : never;

/** The item type of a stream-returning function (`AsyncIterable<T>` → `T`), as `PromiseReturnType` is of a Promise. */
export type StreamItemType<F> = F extends (...args: any[]) => AsyncIterable<infer I> ? I : never;

/** The parameters of method `K` of `T`. */
export type MethodParameters<T, K extends keyof T> = T[K] extends (...args: infer P) => any ? P : never;

/** Options for one call (or every call through a client made `withOptions`). */
export interface CallOptions {
  /** Milliseconds until the call rejects with `timeout` (and a `cancel` is sent). */
  timeout?: number;
  /** Aborting it rejects the call with `cancelled` and sends `cancel` to the backend. */
  signal?: AbortSignal;
}

/** A channel and the schema hash the compiler emitted for it (what the handshake lists). */
export interface ChannelSpec {
  readonly channel: string;
  readonly schemaHash: string;
  /**
   * The channel's wire schema as JSON text (docs/protocol.md, "Wire schemas"): as generated code
   * embeds it, the schemas of the channels of its whole module over one table of types
   * (`{"format", "types", "channels"}`), or one channel's schema. With it, a peer whose schema
   * hash differs judges the channel member by member instead of refusing all of it.
   */
  readonly wireSchema?: string;
}

/** Identifies one connection on a host (for targeted notifications). */
export type ConnectionId = number;
