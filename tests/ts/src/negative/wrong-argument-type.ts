//! A string where the IDL says `number`.
import { callMyInterface } from "../../../generated/ts/my-interface/my-interface.js";

export const call = callMyInterface("sayHello", "abc", "10", true); // expect-error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.
