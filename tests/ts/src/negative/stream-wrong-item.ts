//! A streaming parameter's items and a streaming result's items have the IDL's item type.
import type { IpcHost } from "ipcc-runtime";
import { registerStreams, streamsClient, streamStreams } from "../../../generated/ts/fixtures/streams/streams.js";

export async function use(host: IpcHost): Promise<void> {
  const client = streamsClient();
  await client.sum([1, 2]); // expect-error TS2345: Argument of type 'number[]' is not assignable to parameter of type 'StreamSource<bigint>'.
  for await (const s of client.count(3)) {
    const text: string = s; // expect-error TS2322: Type 'number' is not assignable to type 'string'.
    void text;
  }
  streamStreams("ping"); // expect-error TS2345: Argument of type '"ping"' is not assignable to parameter of type 'StreamMethodsOf<Streams>'.
  registerStreams(host, {
    async *count() { yield "x"; }, // expect-error TS2322: Type '() => AsyncGenerator<string, void, any>' is not assignable to type '(n: number) => AsyncIterable<number>'.
    sum: async () => 0n,
    echo: (_prefix, values) => values,
    failAfter: (n) => [n][Symbol.iterator]() as never,
    echoSamples: (samples) => samples,
    echoBytes: (chunks) => chunks,
    upload: async () => 0n,
    ping: async () => "pong",
  });
}
