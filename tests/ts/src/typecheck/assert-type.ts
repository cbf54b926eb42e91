//! Compile-time type assertions: `expectType<Expected>()(value)` fails to compile unless the
//! value's type is exactly `Expected` (not merely assignable).

/** True when `A` and `B` are the same type (the usual mutual-conditional-type trick). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Accepts a value only when its type is exactly `Expected`. */
export function expectType<Expected>(): <Actual>(
  value: Actual & (Equal<Actual, Expected> extends true ? unknown : never),
) => void {
  return () => {};
}
