//! The client object is as strict as `call…`.
import { myInterfaceClient } from "../../../generated/ts/my-interface/my-interface.js";

export const call = myInterfaceClient().sayHello("abc", 10, "yes"); // expect-error TS2345: Argument of type 'string' is not assignable to parameter of type 'boolean'.
export const unknown = myInterfaceClient().sayGoodbye(); // expect-error TS2339: Property 'sayGoodbye' does not exist on type 'MyInterface'.
