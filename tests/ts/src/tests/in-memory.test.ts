//! A TS client against a TS host over the in-memory transport, both sides generated code:
//! the reference call, handlers in both styles, declared errors, notifications, every
//! primitive and container, recursive unions, and names that are keywords elsewhere.

import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import {
  DeclaredError,
  IpcApp,
  IpcConnection,
  IpcHost,
  MemoryBackend,
  isIpcErrorCode,
  withOptions,
  type CallContext,
} from "ipcc-runtime";
import {
  callMyInterface,
  myInterfaceClient,
  myInterfaceDescriptor,
  MyInterfaceHandler,
} from "../../../generated/ts/my-interface/my-interface.js";
import {
  addGreeterEventsListener,
  greeterClient,
  greeterDescriptor,
  greeterEventsDescriptor,
  greeterEventsSender,
  isLookupError,
  registerGreeter,
  type Greeter,
} from "../../../generated/ts/greeter/greeter.js";
import { Mood, type LookupError, type Person } from "../../../generated/ts/greeter/people.js";
import {
  addStaffingEventsListener,
  isHireError,
  registerStaffing,
  staffingClient,
  staffingDescriptor,
  staffingEventsDescriptor,
  staffingEventsSender,
} from "../../../generated/ts/dotted/dotted.js";
import { Level, jobCodec, type Assignment, type HireError, type Job } from "../../../generated/ts/dotted/jobs.js";
import type { Person as StaffMember } from "../../../generated/ts/dotted/people.js";
import {
  echoClient,
  echoDescriptor,
  registerEcho,
  type Containers,
  type Primitives,
} from "../../../generated/ts/primitives-and-containers/primitives-and-containers.js";
import { canvasClient, canvasDescriptor, registerCanvas, type Drawing, type Shape } from "../../../generated/ts/unions/unions.js";
import {
  keywordyClient,
  keywordyDescriptor,
  registerKeywordy,
  type Keywords,
} from "../../../generated/ts/keywords/keywords.js";
import { jobsClient, jobsDescriptor, registerJobs } from "../../../generated/ts/notifications/notifications.js";
import {
  big,
  callT,
  nodeCodec,
  tDescriptor,
  uint8ArrayCodec,
  type Node,
} from "../../../generated/ts/fixtures/shadowing/shadowing.js";

class MyHandler extends MyInterfaceHandler {
  async sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string> {
    return `hello: ${arg1} ${arg2} ${arg3}`;
  }
}

const people = new Map<bigint, Person>([
  [1n, { id: 1n, name: "Ann", age: 41, tags: ["admin"], mood: Mood.happy }],
  [2n, { id: 2n, name: "Bob", tags: [], mood: Mood.indifferent }],
]);

class GreeterImpl implements Greeter {
  constructor(private readonly host: IpcHost) {}
  async greet(name: string, ctx?: CallContext): Promise<string> {
    // Tell the caller's connection, and only it, that someone arrived.
    greeterEventsSender(this.host, ctx?.connection).progress(50, `greeting ${name}`);
    return `hello, ${name}`;
  }
  async findPerson(id: bigint): Promise<Person> {
    const person = people.get(id);
    if (id === 13n) throw new DeclaredError<LookupError>({ kind: "forbidden" });
    if (!person) throw new DeclaredError<LookupError>({ kind: "notFound", id });
    return person;
  }
  async list(prefix?: string): Promise<Person[]> {
    return [...people.values()].filter((p) => prefix === undefined || p.name.startsWith(prefix));
  }
  async setMood(id: bigint, mood: Mood): Promise<void> {
    const person = people.get(id);
    if (!person) throw new Error(`no person ${id}`);
    person.mood = mood;
  }
}

/** Calls of `Jobs.start` whose handler is running, and those whose handler saw its signal abort. */
const startedJobs: string[] = [];
const abortedJobs: string[] = [];
/** Wakes `jobsWhere` at each change of those lists. */
let jobsChanged: () => void = () => {};

/** Resolves once `predicate` holds, looked at again at each change of the jobs; fails after 5 s (a hang guard, not a timing assumption). */
async function jobsWhere(predicate: () => boolean, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), 5000);
  });
  try {
    while (!predicate()) await Promise.race([new Promise<void>((resolve) => (jobsChanged = resolve)), hang]);
  } finally {
    clearTimeout(timer);
  }
}

let host: IpcHost;
let backend: MemoryBackend;
let connection: IpcConnection;
const unregister: Array<() => void> = [];

before(async () => {
  host = new IpcHost();
  backend = new MemoryBackend();
  host.serve(backend);
  unregister.push(
    MyHandler.register(host),
    registerGreeter(host, new GreeterImpl(host)),
    registerStaffing(host, {
      hire: async (person: StaffMember, job: Job, ctx?: CallContext): Promise<Assignment> => {
        if (job.id === 0) throw new DeclaredError<HireError>({ kind: "unknownJob", id: 0 });
        const assignment: Assignment = { person, job };
        staffingEventsSender(host, ctx?.connection).hired(assignment);
        return assignment;
      },
      roster: async (level) => ({ level, people: [] }),
    }),
    registerEcho(host, {
      echoPrimitives: async (value) => value,
      echoContainers: async (value) => value,
      sum: async (values, start) => values.reduce((a, b) => a + b, start ?? 0n),
    }),
    registerCanvas(host, {
      area: async (shape) => area(shape),
      draw: async () => {},
      largest: async (shapes) => [...shapes.values()].sort((a, b) => area(b) - area(a))[0],
    }),
    registerJobs(host, {
      // Never finishes by itself: ends when the caller times out or cancels.
      start: (name: string, ctx?: CallContext) =>
        new Promise<string>((resolve) => {
          ctx?.signal.addEventListener("abort", () => {
            abortedJobs.push(name);
            jobsChanged();
            resolve(name);
          });
          startedJobs.push(name);
          jobsChanged();
        }),
      cancel: async () => true,
    }),
    registerKeywordy(host, {
      type: async (self, fn, async_) => new Map([["self", String(self.ok)], ["fn", String(fn)], ["async", async_?.message ?? "-"]]) as never,
      match: async () => ({ data: new Uint8Array([1, 2, 3]) }),
      delete: async (new_, default_) => ({ key: `${new_.kind}:${default_.then}:${default_.constructor}` }),
      constructor: async () => "minus",
      toString: async (array) => `array of ${array.items.length}`,
    }),
  );
  const channels = [myInterfaceDescriptor, greeterDescriptor, greeterEventsDescriptor, staffingDescriptor, staffingEventsDescriptor, echoDescriptor, canvasDescriptor, keywordyDescriptor, jobsDescriptor];
  await IpcApp.startup(backend.connect(), { channels });
  connection = new IpcConnection(backend.connect(), { channels });
  await connection.ready;
});

after(async () => {
  for (const f of unregister) f();
  IpcApp.shutdown();
  connection.close();
  await host.shutdown();
});

function area(shape: Shape): number {
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

test("the reference article's call returns hello: abc 10 true", async () => {
  const s = await callMyInterface("sayHello", "abc", 10, true);
  assert.equal(s, "hello: abc 10 true");
  assert.equal(await myInterfaceClient(connection).sayHello("x", 1.5, false), "hello: x 1.5 false");
});

test("the client object has exactly the interface's methods and is not thenable", async () => {
  const client = myInterfaceClient(connection);
  assert.deepEqual(Object.keys(client), ["sayHello"]);
  assert.equal((client as unknown as { then?: unknown }).then, undefined);
  assert.equal(await Promise.resolve(client), client);
});

test("declared errors arrive typed; other failures are internal", async () => {
  const greeter = greeterClient(connection);
  assert.deepEqual(await greeter.findPerson(1n), people.get(1n));
  await assert.rejects(greeter.findPerson(7n), (error: unknown) => {
    assert.ok(isLookupError(error), `not a LookupError: ${String(error)}`);
    assert.deepEqual(error.data, { kind: "notFound", id: 7n });
    return true;
  });
  await assert.rejects(greeter.findPerson(13n), (error: unknown) => isLookupError(error) && error.data.kind === "forbidden");
  await assert.rejects(greeter.setMood(99n, Mood.sad), (error: unknown) => isIpcErrorCode(error, "internal") && !isLookupError(error));
});

test("optional parameters may be omitted", async () => {
  const greeter = greeterClient(connection);
  assert.deepEqual((await greeter.list()).map((p) => p.name), ["Ann", "Bob"]);
  assert.deepEqual((await greeter.list("B")).map((p) => p.name), ["Bob"]);
  const echo = echoClient(connection);
  assert.equal(await echo.sum([1n, 2n, 2n ** 62n]), 3n + 2n ** 62n);
  assert.equal(await echo.sum([1n], -10n), -9n);
});

test("notifications reach the listener of the calling connection, typed", async () => {
  const seen: Array<[number, string]> = [];
  const seenByOther: unknown[] = [];
  const remove = addGreeterEventsListener({ progress: (percent, message) => seen.push([percent, message]) }, connection);
  const removeOther = addGreeterEventsListener({ progress: (...args) => seenByOther.push(args) });
  assert.equal(await greeterClient(connection).greet("Cy"), "hello, Cy");
  assert.deepEqual(seen, [[50, "greeting Cy"]]);
  assert.deepEqual(seenByOther, []);
  remove();
  removeOther();
  await greeterClient(connection).greet("Di");
  assert.equal(seen.length, 1);
});

test("types of dotted packages (acme.people, acme.jobs) round-trip as plain values", async () => {
  const staffing = staffingClient(connection);
  const hired: Assignment[] = [];
  const remove = addStaffingEventsListener({ hired: (assignment) => hired.push(assignment) }, connection);
  const grace: StaffMember = { id: 9223372036854775807n, name: "Grace", skills: ["navy"] };
  const job: Job = { id: 42, title: "admiral", level: Level.lead };
  assert.deepEqual(await staffing.hire(grace, job), { person: grace, job });
  assert.deepEqual(hired, [{ person: grace, job }]);
  await assert.rejects(
    staffing.hire(grace, { ...job, id: 0 }),
    (error: unknown) => isHireError(error) && error.data.kind === "unknownJob" && error.data.id === 0,
  );
  assert.deepEqual(await staffing.roster(Level.senior), { level: "senior", people: [] });
  // Package names are not on the wire.
  assert.deepEqual(JSON.parse(JSON.stringify(jobCodec.encode(job))), { id: 42, title: "admiral", level: "lead" });
  remove();
});

test("every primitive round-trips exactly, edge values included", async () => {
  const echo = echoClient(connection);
  const value: Primitives = {
    flag: true,
    flag2: false,
    tiny: -128,
    small: 32767,
    medium: -2147483648,
    large: -(2n ** 63n),
    utiny: 255,
    usmall: 65535,
    umedium: 4294967295,
    ularge: 2n ** 64n - 1n,
    single: Math.fround(1.1),
    double: -0,
    num: Number.NaN,
    text: "héllo \u{1F600} \n \"quoted\"",
    data: new Uint8Array([0, 255, 1, 254]),
  };
  const back = await echo.echoPrimitives(value);
  assert.deepEqual(back, value);
  assert.ok(Object.is(back.double, -0));
  for (const special of [Infinity, -Infinity]) {
    assert.equal((await echo.echoPrimitives({ ...value, double: special })).double, special);
  }
  await assert.rejects(echo.echoPrimitives({ ...value, tiny: 128 }), (error: unknown) => isIpcErrorCode(error, "badRequest"));
});

test("containers round-trip: maps, nested optionals, arrays of maps", async () => {
  const value: Containers = {
    list: ["a", ""],
    grid: [[1, 2], [], [3]],
    byName: new Map([["x", 1n], ["__proto__", -5n]]),
    byId: new Map([[0, "zero"], [4294967295, "max"]]),
    maybe: "here",
    listOfMaybes: [1, undefined, 3],
    mapOfLists: new Map(),
    listOfMaps: [new Map([[-(2n ** 63n), true]]), new Map()],
    nested: new Map([["n", new Map([[7, ["s", undefined]]])]]),
  };
  assert.deepEqual(await echoClient(connection).echoContainers(value), value);
  const withAbsent = await echoClient(connection).echoContainers({ ...value, maybeList: [new Uint8Array()] });
  assert.deepEqual(withAbsent.maybeList, [new Uint8Array()]);
});

test("recursive unions and optional results", async () => {
  const canvas = canvasClient(connection);
  const drawing: Drawing = {
    kind: "group",
    children: [
      { kind: "leaf", shape: { kind: "rect", w: 2, h: 3 } },
      { kind: "transformed", dx: 1, dy: -1, inner: { kind: "group", children: [] } },
    ],
  };
  await canvas.draw(drawing);
  assert.equal(await canvas.area({ kind: "rect", w: 2, h: 3 }), 6);
  assert.deepEqual(await canvas.largest(new Map([["a", { kind: "empty" }], ["b", { kind: "circle", radius: 1 }]])), {
    kind: "circle",
    radius: 1,
  });
  assert.equal(await canvas.largest(new Map()), undefined);
});

test("names that are keywords or built-ins elsewhere work end to end", async () => {
  const client = keywordyClient(connection);
  const keywords: Keywords = {
    type: "type", fn: 1, self: true, super: true, crate: false, async: true, await: false, let: "let",
    mod: "mod", match: "match", move: "move", ref: "ref", use: "use", where: "where", gen: "gen", try: "try",
    yield: "yield", delete: "delete", default: "default", new: "new", function: "function", class: "class",
    interface: "interface", package: "package", null: "null", undefined: "undefined", this: "this",
    typeof: "typeof", instanceof: "instanceof", constructor: "ctor", prototype: "prototype",
    toString: "toString", then: "then",
  };
  const result = await client.delete({ kind: "default" }, keywords);
  assert.deepEqual(result, { key: "default:then:ctor" });
  assert.equal(await client.constructor("today"), "minus");
  assert.equal(await client.toString({ items: [{ items: [] }] }), "array of 1");
  assert.deepEqual(await client.match({ text: "t" }, { items: [1] }, { items: [] }), { data: new Uint8Array([1, 2, 3]) });
});

test("a module whose names shadow globals and derived names loads and encodes recursion", () => {
  const node: Node = { next: { children: new Map() }, children: new Map([[7, { children: new Map() }]]) };
  const wire = nodeCodec.encode(node);
  assert.deepEqual(JSON.parse(JSON.stringify(wire)), { next: { children: {} }, children: { "7": { children: {} } } });
  assert.deepEqual(nodeCodec.decode(JSON.parse(JSON.stringify(wire))), node);
  assert.deepEqual(uint8ArrayCodec.decode({ data: "AAE=" }), { data: new Uint8Array([0, 1]) });
  assert.equal(big, 9007199254740993n);
  assert.equal(callT, 1);
  assert.equal(tDescriptor.channel, "shadowing-t-v1");
});

test("per-call options: a timeout and an AbortSignal end the call and reach the handler", async () => {
  await assert.rejects(jobsClient(connection, { timeout: 30 }).start("slow"), (error: unknown) => isIpcErrorCode(error, "timeout"));
  const controller = new AbortController();
  const call = withOptions(jobsClient(connection), { signal: controller.signal }).start("aborted");
  // Aborted once its handler runs, so that the abort has a handler to reach.
  await jobsWhere(() => startedJobs.includes("aborted"), "the handler of `aborted` running");
  controller.abort();
  await assert.rejects(call, (error: unknown) => isIpcErrorCode(error, "cancelled"));
  await jobsWhere(() => abortedJobs.length === 2, "both handlers aborted");
  assert.deepEqual(abortedJobs.sort(), ["aborted", "slow"]);
});
