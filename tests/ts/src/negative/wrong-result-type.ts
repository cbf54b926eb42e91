//! The result used as a number; it is a string.
import { callMyInterface } from "../../../generated/ts/my-interface/my-interface.js";

export async function use(): Promise<void> {
  const n: number = await callMyInterface("sayHello", "abc", 10, true); // expect-error TS2322: Type 'string' is not assignable to type 'number'.
  void n;
}
