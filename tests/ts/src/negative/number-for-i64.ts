//! `i64` is a bigint in TypeScript; a number does not pass.
import { callGreeter } from "../../../generated/ts/greeter/greeter.js";

export const call = callGreeter("findPerson", 5); // expect-error TS2345: Argument of type 'number' is not assignable to parameter of type 'bigint'.
