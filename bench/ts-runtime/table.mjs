// Prints the ts-runtime fragment from bench/decode.mjs's output. Usage: table.mjs FILE LOAD_BEFORE
import { readFileSync } from "node:fs";
import { load } from "../lib/criterion.mjs";

const [file, loadBefore] = process.argv.slice(2);
const rows = [];
for (const line of readFileSync(file, "utf8").split("\n")) {
  const m = line.match(/^(\S.*?)\s{2,}([\d.]+ (?:ns|µs|ms))\s*$/);
  if (m) rows.push([m[1].replace(/^parse \+ decode: /, ""), m[2]]);
}
if (rows.length === 0) {
  console.error(`bench: no figures in ${file}`);
  process.exit(1);
}
console.log(`Last run: ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.split(" ").join(" / ")} before, ${load()} after; CPU time per message (parse + decode) or per call, medians of the rounds.`);
console.log("");
console.log("| case | time |");
console.log("| --- | --- |");
for (const [name, time] of rows) console.log(`| ${name} | ${time} |`);
