//! One version of a corpus pair as generated TypeScript: its descriptors, sample values built from their wire schemas, and a host that serves it.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  c,
  embeddedSchema,
  IpcHost,
  notificationSender,
  type CallContext,
  type ChannelSchema,
  type InterfaceDescriptor,
  type NotificationsDescriptor,
  type WireType,
} from "ipcc-runtime";

/** The generated descriptors of one version, by channel, with their wire schemas read. */
export interface Version {
  readonly interfaces: Map<string, { descriptor: InterfaceDescriptor<any>; schema: ChannelSchema }>;
  readonly notifications: Map<string, { descriptor: NotificationsDescriptor<any>; schema: ChannelSchema }>;
}

/** Imports every generated module of `dir` (compiled) and collects its descriptors. */
export async function loadVersion(dir: string): Promise<Version> {
  const version: Version = { interfaces: new Map(), notifications: new Map() };
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value !== "object" || value === null || !("channel" in value) || !("wireSchema" in value)) continue;
      const d = value as { channel: string; wireSchema: string };
      const read = embeddedSchema(d.wireSchema, d.channel);
      if (!("schema" in read)) throw new Error(`the generated wire schema of ${d.channel} does not read: ${JSON.stringify(read)}`);
      if ("methods" in d) version.interfaces.set(d.channel, { descriptor: d as unknown as InterfaceDescriptor<any>, schema: read.schema });
      else if ("notifications" in d) version.notifications.set(d.channel, { descriptor: d as unknown as NotificationsDescriptor<any>, schema: read.schema });
    }
  }
  return version;
}

/**
 * A value of `ty` as generated TS code holds it (bigint for `i64`, `Map` for maps, ...), for the
 * generated codecs to encode: every optional present, one element per array and map, the first
 * enum value and union variant, until `depth` passes 3; past it, the least value that ends
 * (empty arrays and maps, absent optionals, a union variant that ends).
 */
export function sample(schema: ChannelSchema, ty: WireType, depth = 0): unknown {
  const deep = depth > 3;
  if (typeof ty === "string") {
    switch (ty) {
      case "bool":
        return true;
      case "i64":
      case "u64":
        return 7n;
      case "f32":
      case "f64":
        return 1.5;
      case "string":
        return "s";
      case "bytes":
        return new Uint8Array([1, 2, 3]);
      default:
        return 7;
    }
  }
  if ("array" in ty) return deep ? [] : [sample(schema, ty.array, depth + 1)];
  if ("map" in ty) return deep ? new Map() : new Map([[sample(schema, ty.map[0], depth + 1), sample(schema, ty.map[1], depth + 1)]]);
  if ("optional" in ty) return deep ? undefined : sample(schema, ty.optional, depth + 1);
  const named = schema.types[ty.ref]!;
  switch (named.kind) {
    case "enum":
      return named.values[0];
    case "struct":
      return fields(schema, named.fields, depth + 1);
    case "union": {
      const variant = deep ? (named.variants.find((v) => ends(schema, v.fields, new Set())) ?? named.variants[0]!) : named.variants[0]!;
      return { kind: variant.name, ...fields(schema, variant.fields, depth + 1) };
    }
  }
}

function fields(schema: ChannelSchema, list: readonly { name: string; type: WireType }[], depth: number): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of list) {
    const v = sample(schema, field.type, depth);
    if (v !== undefined) value[field.name] = v;
  }
  return value;
}

/** Whether values of these fields end when arrays, maps and optionals are cut (`seen`: types in progress). */
function ends(schema: ChannelSchema, list: readonly { type: WireType }[], seen: Set<number>): boolean {
  return list.every((f) => typeEnds(schema, f.type, seen));
}

function typeEnds(schema: ChannelSchema, ty: WireType, seen: Set<number>): boolean {
  if (typeof ty === "string" || "array" in ty || "map" in ty || "optional" in ty) return true;
  if (seen.has(ty.ref)) return false;
  const named = schema.types[ty.ref]!;
  const inner = new Set(seen).add(ty.ref);
  if (named.kind === "struct") return ends(schema, named.fields, inner);
  if (named.kind === "union") return named.variants.some((v) => ends(schema, v.fields, inner));
  return true;
}

/** Arguments for `member` from `schema` (the writer's), trailing omittable ones included. */
export function sampleArgs(schema: ChannelSchema, member: string): unknown[] {
  return schema.members.get(member)!.params.map((p) => sample(schema, p.type));
}

/** The channel of the host's extra interface: `emitAll` sends every notification the backend has to the caller, then returns. */
export const SYNC_CHANNEL = "compat-agreement-sync";

interface Sync {
  emitAll(): Promise<void>;
}
const syncDescriptor: InterfaceDescriptor<Sync> = {
  channel: SYNC_CHANNEL,
  schemaHash: "sync",
  methods: { emitAll: { params: [], required: 0, result: c.void } },
};

/**
 * A host serving `version`: each method answers a sample of its result (from the backend's
 * wire schema) and records `channel.method` in `calls`; `SYNC_CHANNEL` sends each notification
 * with sample arguments.
 */
export function serveVersion(version: Version, calls: string[] = []): IpcHost {
  const host = new IpcHost();
  for (const [channel, { descriptor, schema }] of version.interfaces) {
    const impl: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of schema.memberNames) {
      impl[method] = async () => {
        calls.push(`${channel}.${method}`);
        const result = schema.members.get(method)!.result;
        return result === undefined ? undefined : sample(schema, result);
      };
    }
    host.register(descriptor, impl);
  }
  for (const { descriptor } of version.notifications.values()) host.declareNotifications(descriptor);
  host.register(syncDescriptor, {
    async emitAll(...rest: unknown[]) {
      const ctx = rest[rest.length - 1] as CallContext;
      for (const { descriptor, schema } of version.notifications.values()) {
        const sender = notificationSender(host, descriptor, ctx.connection) as Record<string, (...args: unknown[]) => void>;
        for (const member of schema.memberNames) sender[member]!(...sampleArgs(schema, member));
      }
    },
  });
  return host;
}
