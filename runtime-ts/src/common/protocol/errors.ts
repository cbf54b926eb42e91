//! Errors as values with stable codes: `IpcError`, `DeclaredError` and their type guards.

/** The error codes of wire protocol versions 1 and 2 (docs/protocol.md). */
export const IpcErrorCodes = [
  "unknownChannel",
  "unknownMethod",
  "badRequest",
  "declared",
  "internal",
  "cancelled",
  "timeout",
  "tooLarge",
  "tooManyCalls",
  "versionMismatch",
  "unauthorized",
  "disconnected",
  "tooManyStreams",
  "flowControl",
] as const;

/** A code this runtime knows. */
export type KnownIpcErrorCode = (typeof IpcErrorCodes)[number];

/**
 * An error code. Codes this runtime does not know are kept as they arrived (forward
 * compatibility), hence `string & {}` beside the known ones (keeps editor completion).
 */
export type IpcErrorCode = KnownIpcErrorCode | (string & {});

/** Every failure of a call, a decode or a transport, with a stable `code`. */
export class IpcError<D = unknown> extends Error {
  /** A stable code, e.g. `"timeout"`; see `IpcErrorCodes`. */
  readonly code: IpcErrorCode;
  /** Extra information: the declared error value for `declared`, details for others. */
  readonly data: D | undefined;

  constructor(code: IpcErrorCode, message: string, data?: D) {
    super(message);
    this.name = "IpcError";
    this.code = code;
    this.data = data;
  }
}

/**
 * A declared (`throws`) error of a method: `data` holds the decoded error value.
 * Hosts throw it from a handler to answer with a `declared` error; clients receive it.
 */
export class DeclaredError<T> extends IpcError<T> {
  declare readonly code: "declared";
  declare readonly data: T;
  /** The codec that decoded (client side) `data`; what `isDeclaredError` compares. */
  readonly codec: object | undefined;

  /**
   * @param data the error value, of the method's `throws` type
   * @param typeName the IDL name of that type (the wire message), e.g. `"LookupError"`
   */
  constructor(data: T, typeName = "declared error", codec?: object) {
    super("declared", typeName, data);
    this.name = "DeclaredError";
    this.codec = codec;
  }
}

/** True for every `IpcError` (and so every `DeclaredError`). */
export function isIpcError(e: unknown): e is IpcError {
  return e instanceof IpcError;
}

/** True for an `IpcError` with exactly this code. */
export function isIpcErrorCode<C extends IpcErrorCode>(e: unknown, code: C): e is IpcError & { readonly code: C } {
  return e instanceof IpcError && e.code === code;
}

/**
 * True for a `DeclaredError` decoded with `codec` (the method's `throws` codec). Generated
 * guards (`isLookupError`) call this, so the data's type is the one the guard promises.
 */
export function isDeclaredError<T>(e: unknown, codec: { decode(wire: unknown): T }): e is DeclaredError<T> {
  return e instanceof DeclaredError && e.codec === codec;
}
