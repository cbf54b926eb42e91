//! Argument encoding: a call's or notification's positional arguments as wire values.

import { encodeValue, type WireValue } from "./codecs.js";
import { IpcError } from "./errors.js";

/**
 * Encodes positional arguments; trailing `undefined` optional arguments are omitted. The
 * argument at `streamSlot` (a method's streaming parameter) is sent as `null`. `what` names the
 * call in errors (a function: made only for an error).
 */
export function encodeArgs(
  params: readonly { encode(v: any): WireValue; optional?: true }[],
  required: number,
  args: readonly unknown[],
  what: string | (() => string),
  streamSlot?: number,
): WireValue[] {
  if (args.length > params.length) throw new IpcError("badRequest", `${nameOf(what)} takes at most ${params.length} arguments, got ${args.length}`);
  let count = args.length;
  while (count > required && args[count - 1] === undefined) count--;
  if (count < required) throw new IpcError("badRequest", `${nameOf(what)} needs ${required} arguments, got ${count}`);
  // Packed (filled by `push`): `JSON.stringify` serializes a holey array on its slow path.
  const out: WireValue[] = [];
  for (let i = 0; i < count; i++) out.push(i === streamSlot ? null : encodeValue(params[i] as never, args[i], argPath(i)));
  return out;
}

const nameOf = (what: string | (() => string)): string => (typeof what === "string" ? what : what());

/** `args[i]`, the root path of argument `i` in errors; the first few made once. */
const ARG_PATHS = Array.from({ length: 16 }, (_, i) => `args[${i}]`);
const argPath = (i: number): string => ARG_PATHS[i] ?? `args[${i}]`;
