//! The TS host of `Conformance`, with the behaviour of the Rust host (`../../src/backend.rs`), of
//! its streaming methods `ConformanceStreams` (`streams-host.ts`), and the hand-written stream
//! channel `streams-test-v1` (`streams-backend.ts`):
//!
//!   node build/src/backend.js --stdio            # this process is the child; stdout is protocol only
//!   node build/src/backend.js --ws 127.0.0.1:0   # first stdout line: the ws:// URL

import { DeclaredError, IpcHost, type CallContext, type HostOptions } from "ipcc-runtime";
import { StdioBackend, WebSocketBackend } from "ipcc-runtime/node";
import {
  conformanceEventsSender,
  registerConformance,
  type ArgsSeen,
  type Batch,
  type Blob,
  type Color,
  type Conformance,
  type Expr,
  type Id,
  type ManyArgs,
  type MathError,
  type Nested,
  type Optionals,
  type Point,
  type Scalars,
  type Shape,
  type Tags,
  type Tree,
} from "../generated/conformance.js";
import { emittedSample, emittedShape, I64_MIN } from "./fixtures.js";
import { registerConformanceStreams } from "../generated/streams.js";
import { registerStreamsTest } from "./streams-backend.js";
import { StreamsHost } from "./streams-host.js";

/** Echoes every value; `record`/`recorded` keep a list; `divide` throws `MathError`; `emit` notifies. */
export class ConformanceBackend implements Conformance {
  private readonly entries: string[] = [];

  async echoBool(value: boolean) { return value; }
  async echoBoolean(value: boolean) { return value; }
  async echoI8(value: number) { return value; }
  async echoI16(value: number) { return value; }
  async echoI32(value: number) { return value; }
  async echoI64(value: bigint) { return value; }
  async echoU8(value: number) { return value; }
  async echoU16(value: number) { return value; }
  async echoU32(value: number) { return value; }
  async echoU64(value: bigint) { return value; }
  async echoF32(value: number) { return value; }
  async echoF64(value: number) { return value; }
  async echoNumber(value: number) { return value; }
  async echoString(value: string) { return value; }
  async echoBytes(value: Uint8Array) { return value; }
  async echoColor(value: Color) { return value; }
  async echoId(value: Id) { return value; }
  async echoTags(value: Tags) { return value; }
  async echoBlob(value: Blob) { return value; }
  async echoMaybeString(value: string | undefined) { return value; }
  async echoMaybeShape(value: Shape | undefined) { return value; }
  async echoStringMap(value: Map<string, bigint>) { return value; }
  async echoIntMap(value: Map<number, string>) { return value; }
  async echoBytesMap(value: Map<string, Uint8Array>) { return value; }
  async echoMatrix(value: number[][]) { return value; }
  async echoScalars(value: Scalars) { return value; }
  async echoPoint(value: Point) { return value; }
  async echoShape(value: Shape) { return value; }
  async echoTree(value: Tree) { return value; }
  async echoExpr(value: Expr) { return value; }
  async echoOptionals(value: Optionals) { return value; }
  async echoNested(value: Nested) { return value; }
  async echoBatch(batch: Batch) { return batch; }
  async echoMany(flag: boolean, count: bigint, ratio: number, name: string, color: Color, shape: Shape): Promise<ManyArgs> {
    return { flag, count, ratio, name, color, shape };
  }
  async optionalArgs(required: bigint, text?: string, shape?: Shape): Promise<ArgsSeen> {
    // Absent stays absent: no `text: undefined` property.
    const seen: ArgsSeen = { required };
    if (text !== undefined) seen.text = text;
    if (shape !== undefined) seen.shape = shape;
    return seen;
  }
  async record(entry: string): Promise<void> {
    this.entries.push(entry);
  }
  async recorded(): Promise<string[]> {
    return [...this.entries];
  }
  async divide(dividend: bigint, divisor: bigint): Promise<bigint> {
    if (divisor === 0n) throw new DeclaredError<MathError>({ kind: "divideByZero" });
    if (dividend === I64_MIN && divisor === -1n) throw new DeclaredError<MathError>({ kind: "overflow", dividend, divisor });
    return dividend / divisor; // bigint division truncates toward zero, as Rust's
  }
  async emit(count: number, label: string, ctx?: CallContext): Promise<number> {
    if (!ctx) throw new Error("emit needs its call context");
    // To the caller only; all sent before the result, so the caller sees them first.
    const events = conformanceEventsSender(ctx.host, ctx.connection);
    for (let index = 0; index < count; index++) events.tick(index, label);
    events.shape(emittedShape(), label);
    events.shape({ kind: "empty" });
    events.sample(emittedSample());
    events.done(count);
    return count;
  }
}

const USAGE = "usage: node build/src/backend.js (--stdio | --ws HOST:PORT)";

/** What the binary `bytes` pairings set: `IPCC_CONFORMANCE_MAX_MESSAGE_BYTES=<n>` (host and WebSocket), `IPCC_CONFORMANCE_BINARY=0`. */
const limit = process.env["IPCC_CONFORMANCE_MAX_MESSAGE_BYTES"] ? { maxMessageBytes: Number(process.env["IPCC_CONFORMANCE_MAX_MESSAGE_BYTES"]) } : {};
const hostOptions: HostOptions = { ...limit, binary: process.env["IPCC_CONFORMANCE_BINARY"] !== "0" };

async function main(argv: string[]): Promise<number> {
  const host = new IpcHost(hostOptions);
  registerConformance(host, new ConformanceBackend());
  registerConformanceStreams(host, new StreamsHost());
  registerStreamsTest(host);
  if (argv.length === 1 && argv[0] === "--stdio") {
    host.serve(new StdioBackend());
    return -1;
  }
  const address = argv[0] === "--ws" && argv.length === 2 ? /^(.+):(\d+)$/.exec(argv[1]!) : null;
  if (!address) {
    console.error(USAGE);
    return 2;
  }
  const backend = await WebSocketBackend.listen({ host: address[1]!, port: Number(address[2]), ...limit });
  host.serve(backend);
  // The first stdout line is the URL (the tests read it).
  process.stdout.write(`${backend.url}\n`);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(`conformance backend: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
