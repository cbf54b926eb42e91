// The peer's backend: vscode-jsonrpc over this process's stdin/stdout, answering `echo` with
// its argument (the peer of the ipcc small call and of the payload sweep).
import * as rpc from "vscode-jsonrpc/node.js";

const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(process.stdin), new rpc.StreamMessageWriter(process.stdout));
conn.onRequest("echo", (value) => value);
process.stdin.on("end", () => process.exit(0));
conn.listen();
