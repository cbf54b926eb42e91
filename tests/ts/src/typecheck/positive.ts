//! What must type-check: the reference article's call as written, and the typed surface of the
//! other examples. Never run; `tsc` compiling this file is the test.

import { IpcHost, type CallContext } from "ipcc-runtime";
import {
  callMyInterface,
  myChannel,
  myInterfaceClient,
  MyInterfaceHandler,
  registerMyInterface,
  type MyInterface,
} from "../../../generated/ts/my-interface/my-interface.js";
import { callGreeter, greeterClient, isLookupError, addGreeterEventsListener } from "../../../generated/ts/greeter/greeter.js";
import { Mood, type LookupError, type Person } from "../../../generated/ts/greeter/people.js";
import { callBank, isTransferError, isAuthError, AuthError } from "../../../generated/ts/errors/errors.js";
import type { Shape, Drawing } from "../../../generated/ts/unions/unions.js";
import type { Containers } from "../../../generated/ts/primitives-and-containers/primitives-and-containers.js";
import { callEcho } from "../../../generated/ts/primitives-and-containers/primitives-and-containers.js";
import { callStaffing, isHireError } from "../../../generated/ts/dotted/dotted.js";
import { Level, type Assignment, type HireError } from "../../../generated/ts/dotted/jobs.js";
import type { Person as StaffMember, PersonId } from "../../../generated/ts/dotted/people.js";
import {
  isStreamError,
  registerStreams,
  streamsClient,
  streamStreams,
  StreamsHandler,
  type Sample,
  type StreamError,
  type Streams,
  type StreamsImpl,
} from "../../../generated/ts/fixtures/streams/streams.js";
import { expectType } from "./assert-type.js";

export async function referenceArticle(): Promise<void> {
  // The article's call, exactly: `s` is a string.
  const s = await callMyInterface("sayHello", "abc", 10, true);
  expectType<string>()(s);
  expectType<"my-interface-v1.2">()(myChannel);

  const client: MyInterface = myInterfaceClient();
  expectType<Promise<string>>()(client.sayHello("abc", 10, true));
}

// A backend in the reference article's style, with the optional call context after the params.
export class MyHandler extends MyInterfaceHandler {
  async sayHello(arg1: string, arg2: number, arg3: boolean, ctx?: CallContext): Promise<string> {
    void ctx?.signal;
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
}

export function backends(host: IpcHost): Array<() => void> {
  return [
    MyHandler.register(host),
    registerMyInterface(host, { sayHello: async (a, b, c) => `${a}${b}${c}` }),
  ];
}

export async function otherExamples(): Promise<void> {
  // i64 is bigint; optional results are `T | undefined`; optional params may be omitted.
  const person = await callGreeter("findPerson", 1n);
  expectType<Person>()(person);
  expectType<Person[]>()(await callGreeter("list"));
  expectType<Person[]>()(await callGreeter("list", "A"));
  expectType<void>()(await callGreeter("setMood", 1n, Mood.happy));
  expectType<bigint>()(await callEcho("sum", [1n, 2n]));
  expectType<Promise<string>>()(greeterClient().greet("x"));

  // Declared errors arrive typed through their guards.
  try {
    await callGreeter("findPerson", 2n);
  } catch (error) {
    if (isLookupError(error)) {
      expectType<LookupError>()(error.data);
      if (error.data.kind === "notFound") expectType<bigint>()(error.data.id);
    }
  }
  try {
    await callBank("login", "user", "secret");
  } catch (error) {
    if (isAuthError(error)) expectType<AuthError>()(error.data);
    if (isTransferError(error) && error.data.kind === "insufficientFunds") {
      expectType<bigint>()(error.data.needed);
    }
  }
  expectType<"expired">()(AuthError.expired);

  // Listeners take any subset of the notifications and return a remove function.
  const remove = addGreeterEventsListener({
    progress(percent, message) {
      expectType<number>()(percent);
      expectType<string>()(message);
    },
  });
  expectType<() => void>()(remove);
}

export async function dottedPackages(person: StaffMember): Promise<void> {
  // Types of `acme.people` and `acme.jobs` are those of their files' modules.
  const assignment = await callStaffing("hire", person, { id: 1, title: "t", level: Level.junior });
  expectType<Assignment>()(assignment);
  expectType<StaffMember>()(assignment.person);
  expectType<PersonId>()(assignment.person.id);
  expectType<bigint>()(assignment.person.id);
  try {
    await callStaffing("roster", Level.lead);
  } catch (error) {
    if (isHireError(error)) expectType<HireError>()(error.data);
  }
}

export function unionsAndContainers(shape: Shape, drawing: Drawing, containers: Containers): number {
  if (drawing.kind === "group") expectType<Drawing[]>()(drawing.children);
  expectType<Map<string, bigint>>()(containers.byName);
  expectType<Map<number, string>>()(containers.byId);
  expectType<string | undefined>()(containers.maybe);
  expectType<(number | undefined)[]>()(containers.listOfMaybes);
  expectType<Uint8Array[] | undefined>()(containers.maybeList);
  switch (shape.kind) {
    case "circle":
      return Math.PI * shape.radius ** 2;
    case "rect":
      return shape.w * shape.h;
    case "polygon":
      return shape.points.length;
    case "empty":
      return 0;
  }
}

export async function streams(host: IpcHost): Promise<void> {
  const client: Streams = streamsClient();
  // A streaming result is an `AsyncIterable` of the item type.
  expectType<AsyncIterable<number>>()(client.count(3));
  for await (const n of client.count(3)) expectType<number>()(n);
  expectType<AsyncIterable<Sample | undefined>>()(client.echoSamples([undefined]));
  // A streaming parameter takes an `AsyncIterable` or an `Iterable` of the item type.
  expectType<Promise<bigint>>()(client.sum([1n, 2n]));
  await client.sum(new Set([1n]));
  await client.sum(
    (async function* () {
      yield 1n;
    })(),
  );
  await client.upload(10n, [new Uint8Array(1)]);
  // The `stream…` helper: only stream-returning methods, items typed.
  expectType<AsyncIterableIterator<string>>()(streamStreams("echo", "> ", ["a"]));
  expectType<AsyncIterableIterator<Uint8Array>>()(streamStreams("echoBytes", []));
  try {
    for await (const n of streamStreams("failAfter", 2)) expectType<number>()(n);
  } catch (error) {
    if (isStreamError(error)) expectType<StreamError>()(error.data);
  }
  // A host receives a streaming parameter as an `AsyncIterable`; async generators serve results.
  const impl: StreamsImpl = {
    async *count(n) {
      expectType<number>()(n);
      yield n;
    },
    async sum(values) {
      expectType<AsyncIterable<bigint>>()(values);
      return 0n;
    },
    async *echo(prefix, values) {
      for await (const v of values) yield prefix + v;
    },
    failAfter: () => [][Symbol.iterator]() as never,
    echoSamples: (samples) => samples,
    echoBytes: (chunks) => chunks,
    upload: async () => 0n,
    ping: async () => "pong",
  };
  registerStreams(host, impl);
  class Handler extends StreamsHandler {
    async *count(n: number): AsyncIterable<number> {
      yield n;
    }
    async sum(): Promise<bigint> {
      return 0n;
    }
    echo(_prefix: string, values: AsyncIterable<string>): AsyncIterable<string> {
      return values;
    }
    async *failAfter(): AsyncIterable<number> {}
    echoSamples(samples: AsyncIterable<Sample | undefined>): AsyncIterable<Sample | undefined> {
      return samples;
    }
    echoBytes(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
      return chunks;
    }
    async upload(): Promise<bigint> {
      return 0n;
    }
    async ping(): Promise<string> {
      return "";
    }
  }
  new Handler().registerOn(host);
}
