//! A struct value without a required field, and an enum value that does not exist.
import type { Person } from "../../../generated/ts/greeter/people.js";
import type { Shape } from "../../../generated/ts/unions/unions.js";

export const person: Person = { id: 1n, name: "Ann", tags: [] }; // expect-error TS2741: Property 'mood' is missing in type
export const shape: Shape = { kind: "triangle" }; // expect-error TS2322: Type '"triangle"' is not assignable to type '"circle" | "rect" | "polygon" | "empty"'.
