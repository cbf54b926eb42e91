//! A method the interface does not have.
import { callMyInterface } from "../../../generated/ts/my-interface/my-interface.js";

export const call = callMyInterface("sayGoodbye", "abc", 10, true); // expect-error TS2345: Argument of type '"sayGoodbye"' is not assignable to parameter of type '"sayHello"'.
