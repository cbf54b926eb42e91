//! Exact comparison of a sent and a received value: numbers with `Object.is` (so -0 ≠ 0 and
//! NaN = NaN), bigints by value, `Uint8Array`s byte by byte, `Map`s entry by entry (order
//! ignored: the wire sorts keys), objects by their own keys — an absent property differs from
//! one present with `undefined`.

/** The first difference between `a` and `b` as `path: detail`, or undefined when equal. */
export function difference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${describe(a)} vs ${describe(b)}`;
  if (typeof a === "number" || typeof a === "bigint" || typeof a === "string" || typeof a === "boolean" || a === undefined || a === null) {
    return Object.is(a, b) ? undefined : `${path}: ${describe(a)} vs ${describe(b)}`;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.length !== b.length) return `${path}: ${a.length} bytes vs ${b.length} bytes`;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${path}[${i}]: byte ${a[i]} vs ${b[i]}`;
    return undefined;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map)) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.size !== b.size) return `${path}: Map of ${a.size} vs ${b.size} entries`;
    for (const [key, value] of a) {
      if (!b.has(key)) return `${path}: key ${describe(key)} missing`;
      const d = difference(value, b.get(key), `${path}.get(${describe(key)})`);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b))) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in b) return `${path}[${i}]: a hole on one side`;
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ak = Object.keys(a as object).sort();
  const bk = Object.keys(b as object).sort();
  if (ak.join("\u0000") !== bk.join("\u0000")) return `${path}: keys [${ak.join(", ")}] vs [${bk.join(", ")}]`;
  for (const key of ak) {
    const d = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (d) return d;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return value === null ? "null" : typeof value;
}

/** Throws with the first difference unless `sent` and `received` are exactly the same. */
export function assertExact(what: string, sent: unknown, received: unknown): void {
  const d = difference(sent, received);
  if (d !== undefined) throw new Error(`${what}: sent and received values differ at ${d}`);
}
