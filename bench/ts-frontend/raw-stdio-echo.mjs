// The floor of the stdio cases: the echo backend's raw stdio echo as a child process, each line
// of its stdout handed to `onLine` without the newline.
import { spawn } from "node:child_process";

export async function spawnRawStdioEcho(backend, onLine) {
  const child = spawn(backend, ["--raw-stdio-echo"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((resolve) => child.once("spawn", resolve));
  let pending = "";
  child.stdout.on("data", (chunk) => {
    pending += chunk.toString();
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  return child;
}
