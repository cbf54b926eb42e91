// Replaces each suite's figures in a markdown file: the text between `<!-- bench:NAME -->` and
// `<!-- /bench:NAME -->` becomes the fragment file NAME.md. Usage: splice.mjs DOC FRAGMENT...
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const [doc, ...fragments] = process.argv.slice(2);
let text = readFileSync(doc, "utf8");
for (const file of fragments) {
  const name = basename(file, ".md");
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`splice: ${doc} has no ${begin} … ${end} section for ${file}`);
    process.exit(1);
  }
  const body = readFileSync(file, "utf8").trimEnd();
  text = text.slice(0, from + begin.length) + "\n" + body + "\n" + text.slice(to);
}
writeFileSync(doc, text);
