//! One argument more than the IDL declares.
import { callMyInterface } from "../../../generated/ts/my-interface/my-interface.js";

export const call = callMyInterface("sayHello", "abc", 10, true, "extra"); // expect-error TS2554: Expected 4 arguments, but got 5.
