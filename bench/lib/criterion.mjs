// Reads criterion's results for the suites that wrap `cargo bench`: every
// `<dir>/**/new/benchmark.json` (its `full_id`) with the `estimates.json` beside it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Median and its 95 % interval (nanoseconds) of every benchmark under `dir`, by full id. */
export function readEstimates(dir) {
  const found = new Map();
  const walk = (at) => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(at, entry.name);
      if (entry.name === "new" && existsSync(join(path, "benchmark.json"))) {
        const { full_id } = JSON.parse(readFileSync(join(path, "benchmark.json"), "utf8"));
        const { median } = JSON.parse(readFileSync(join(path, "estimates.json"), "utf8"));
        found.set(full_id, {
          median: median.point_estimate,
          low: median.confidence_interval.lower_bound,
          high: median.confidence_interval.upper_bound,
        });
      } else if (entry.name !== "base" && entry.name !== "report") {
        walk(path);
      }
    }
  };
  walk(dir);
  return found;
}

/** The estimate of `id`; a missing one is an error that names what was found. */
export function estimate(found, id) {
  const value = found.get(id);
  if (!value) {
    console.error(`bench: no criterion result for "${id}" (found: ${[...found.keys()].join(", ")})`);
    process.exit(1);
  }
  return value;
}

/** A time in the unit that suits it, three significant digits or so. */
export function time(ns) {
  const fixed = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (ns >= 1e9) return `${fixed(ns / 1e9)} s`;
  if (ns >= 1e6) return `${fixed(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${fixed(ns / 1e3)} µs`;
  return `${fixed(ns)} ns`;
}

/** `a / b` as a ratio cell. */
export function ratio(a, b) {
  return `${(a / b).toFixed(2)}×`;
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The load average now, as the figures' note prints it. */
export function load() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" / ");
}
