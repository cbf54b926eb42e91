//! Argument encoding: a call's or notification's positional arguments as wire values.

import { encodeValue, type WireValue } from "./codecs.js";
import { IpcError } from "./errors.js";

/**
 * Encodes positional arguments; trailing `undefined` optional arguments are omitted. The
 * argument at `streamSlot` (a method's streaming parameter) is sent as `null`.
 */
export function encodeArgs(
  params: readonly { encode(v: any): WireValue; optional?: true }[],
  required: number,
  args: readonly unknown[],
  what: string,
  streamSlot?: number,
): WireValue[] {
  if (args.length > params.length) throw new IpcError("badRequest", `${what} takes at most ${params.length} arguments, got ${args.length}`);
  let count = args.length;
  while (count > required && args[count - 1] === undefined) count--;
  if (count < required) throw new IpcError("badRequest", `${what} needs ${required} arguments, got ${count}`);
  const out = new Array<WireValue>(count);
  for (let i = 0; i < count; i++) out[i] = i === streamSlot ? null : encodeValue(params[i] as never, args[i], `args[${i}]`);
  return out;
}
