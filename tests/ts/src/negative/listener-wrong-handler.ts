//! Notification handlers are typed by the IDL.
import { addGreeterEventsListener } from "../../../generated/ts/greeter/greeter.js";

export const remove = addGreeterEventsListener({
  progress(percent: string) { // expect-error TS2322: Type '(percent: string) => void' is not assignable to type '(percent: number, message: string) => void'.
    void percent;
  },
});
export const unknown = addGreeterEventsListener({ departed() {} }); // expect-error TS2353: Object literal may only specify known properties, and 'departed' does not exist in type 'Partial<GreeterEvents>'.
