// Prints the language-server fragment. Usage: table.mjs OUT RUNS LOAD_BEFORE
import { estimate, load, readEstimates, time } from "../lib/criterion.mjs";

const [out, runs, loadBefore] = process.argv.slice(2);
const cell = (e) => `${time(e.median)} (${time(e.low).replace(/ .*/, "")}–${time(e.high)})`;
console.log(`Last run: ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.split(" ").join(" / ")} before, ${load()} after; criterion medians with their 95 % intervals, the front end's bench right before each keystroke run.`);
console.log("");
console.log("| run | `front_end/large` | `lsp/keystroke_large` | ratio |");
console.log("| --- | --- | --- | --- |");
for (let run = 1; run <= Number(runs); run++) {
  const front = estimate(readEstimates(`${out}/front-end-${run}`), "front_end/large");
  const key = estimate(readEstimates(`${out}/lsp-${run}`), "lsp/keystroke_large");
  console.log(`| ${run} | ${cell(front)} | ${cell(key)} | ${(key.median / front.median).toFixed(2)}× |`);
}
