//! A backend whose method resolves to the wrong type does not implement the interface.
import type { IpcHost } from "ipcc-runtime";
import { registerMyInterface, MyInterfaceHandler } from "../../../generated/ts/my-interface/my-interface.js";

export function mount(host: IpcHost): () => void {
  return registerMyInterface(host, { sayHello: async () => 42 }); // expect-error TS2322: Type 'Promise<number>' is not assignable to type 'Promise<string>'.
}

export class Forgetful extends MyInterfaceHandler {} // expect-error TS2515: Non-abstract class 'Forgetful' does not implement inherited abstract member sayHello from class 'MyInterfaceHandler'.
