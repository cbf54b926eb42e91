// Hand-written in the shape the TypeScript generator emits for idl-examples/my-interface.ipc
// plus a few more constructs; the runtime's tests use it as "generated" code.
import {
  c,
  callMethod,
  createClient,
  addNotificationListener,
  notificationSender,
  isDeclaredError,
  IpcHandler,
  type AsyncMethodsOf,
  type CallOptions,
  type Codec,
  type ConnectionId,
  type DeclaredError,
  type InterfaceDescriptor,
  type IpcConnection,
  type IpcHost,
  type NotificationsDescriptor,
  type PromiseReturnType,
} from "../../src/common/index.js";

export const myChannel = "my-interface-v1.2";

export interface Person {
  id: bigint;
  name: string;
  age?: number;
  tags: string[];
  avatar: Uint8Array;
}
export const personCodec: Codec<Person> = c.struct<Person>(
  { id: c.i64, name: c.string, age: c.optional(c.u32), tags: c.array(c.string), avatar: c.bytes },
  "Person",
);

export type LookupError = { kind: "notFound"; id: bigint } | { kind: "forbidden" };
export const lookupErrorCodec: Codec<LookupError> = c.union<LookupError>({ notFound: { id: c.i64 }, forbidden: null }, "LookupError");

/** The greeting backend. */
export interface MyInterface {
  /** Says hello. */
  sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string>;
  findPerson(id: bigint): Promise<Person | undefined>;
  rename(id: bigint, name?: string): Promise<void>;
}
export const myInterfaceChannel = "my-interface-v1.2";
export const myInterfaceSchemaHash = "0123456789abcdef";
export const myInterfaceDescriptor: InterfaceDescriptor<MyInterface> = {
  channel: myInterfaceChannel,
  schemaHash: myInterfaceSchemaHash,
  name: "MyInterface",
  methods: {
    sayHello: { params: [c.string, c.f64, c.bool], required: 3, result: c.string },
    findPerson: { params: [c.i64], required: 1, result: c.optional(personCodec), throws: lookupErrorCodec, throwsName: "LookupError" },
    rename: { params: [c.i64, c.optional(c.string)], required: 1, result: c.void },
  },
};

/** Calls `MyInterface` on the default connection (`IpcApp`). */
export function callMyInterface<T extends AsyncMethodsOf<MyInterface>>(
  methodName: T,
  ...args: Parameters<MyInterface[T]>
): Promise<PromiseReturnType<MyInterface[T]>> {
  return callMethod(myInterfaceDescriptor, methodName, args);
}

/** A `MyInterface` client on `connection` (default: `IpcApp`'s). */
export function myInterfaceClient(connection?: IpcConnection, options?: CallOptions): MyInterface {
  return createClient(myInterfaceDescriptor, connection, options);
}

/** Mounts `impl` on `host`; returns an unregister function. */
export function registerMyInterface(host: IpcHost, impl: MyInterface): () => void {
  return host.register(myInterfaceDescriptor, impl);
}

/** Base class for `MyInterface` handlers in the reference design's style. */
export abstract class MyInterfaceHandler extends IpcHandler implements MyInterface {
  constructor() {
    super(myInterfaceDescriptor);
  }
  get channelName(): string {
    return myInterfaceChannel;
  }
  abstract sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string>;
  abstract findPerson(id: bigint): Promise<Person | undefined>;
  abstract rename(id: bigint, name?: string): Promise<void>;
}

/** Whether `e` is the declared `LookupError` of a call. */
export function isLookupError(e: unknown): e is DeclaredError<LookupError> {
  return isDeclaredError(e, lookupErrorCodec);
}

export interface GreeterEvents {
  progress(percent: number, message: string): void;
  personAdded(person: Person): void;
}
export const greeterEventsDescriptor: NotificationsDescriptor<GreeterEvents> = {
  channel: "greeter-events-v1",
  schemaHash: "fedcba9876543210",
  name: "GreeterEvents",
  notifications: {
    progress: { params: [c.f64, c.string], required: 2 },
    personAdded: { params: [personCodec], required: 1 },
  },
};
export function addGreeterEventsListener(handlers: Partial<GreeterEvents>, connection?: IpcConnection): () => void {
  return addNotificationListener(greeterEventsDescriptor, handlers, connection);
}
export function greeterEventsSender(host: IpcHost, connection?: ConnectionId): GreeterEvents {
  return notificationSender(host, greeterEventsDescriptor, connection);
}
