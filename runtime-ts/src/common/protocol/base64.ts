//! Standard base64 with padding (RFC 4648 §4) without `Buffer` or `btoa`, safe for large arrays.

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const encodeTable = new Uint16Array(64);
const decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  encodeTable[i] = alphabet.charCodeAt(i);
  decodeTable[alphabet.charCodeAt(i)] = i;
}

/** Output characters converted to a string per step; small enough for `fromCharCode.apply`. */
const chunkChars = 8192;

/**
 * The characters being converted, shared by every call: encoding never yields, so no two calls
 * use it at once, and a small value does not pay for zero-filling a fresh 16 KiB buffer.
 */
const chunk = new Uint16Array(chunkChars);

/** The base64 text of each 12 bits: two characters. */
const pairs: string[] = [];
for (let i = 0; i < 4096; i++) pairs.push(alphabet[i >> 6]! + alphabet[i & 63]!);

/** Up to this many bytes, `encodeBase64` appends two characters at a time to a string. */
const shortBytes = 48;

/** Encodes bytes as base64. Linear, and never spreads a large array into call arguments. */
export function encodeBase64(bytes: Uint8Array): string {
  const full = bytes.length - (bytes.length % 3);
  if (bytes.length <= shortBytes) {
    // A short value: no typed-array view and no `fromCharCode` call, which cost more than the
    // few concatenations.
    let text = "";
    for (let i = 0; i < full; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      text += pairs[v >> 12]! + pairs[v & 4095]!;
    }
    if (full < bytes.length) {
      const v = (bytes[full]! << 16) | (full + 1 < bytes.length ? bytes[full + 1]! << 8 : 0);
      text += pairs[v >> 12]! + (full + 1 < bytes.length ? alphabet[(v >> 6) & 63]! + "=" : "==");
    }
    return text;
  }
  let text = "";
  let n = 0;
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk[n++] = encodeTable[v >> 18]!;
    chunk[n++] = encodeTable[(v >> 12) & 63]!;
    chunk[n++] = encodeTable[(v >> 6) & 63]!;
    chunk[n++] = encodeTable[v & 63]!;
    if (n === chunkChars) {
      text += flush(n);
      n = 0;
    }
  }
  const rest = bytes.length - full;
  if (rest > 0) {
    if (n + 4 > chunkChars) {
      text += flush(n);
      n = 0;
    }
    const v = (bytes[full]! << 16) | (rest === 2 ? bytes[full + 1]! << 8 : 0);
    chunk[n++] = encodeTable[v >> 18]!;
    chunk[n++] = encodeTable[(v >> 12) & 63]!;
    chunk[n++] = rest === 2 ? encodeTable[(v >> 6) & 63]! : 61; // '='
    chunk[n++] = 61;
  }
  if (n > 0) text += flush(n);
  return text;
}

/** The first `n` characters of `chunk` as a string. */
function flush(n: number): string {
  return String.fromCharCode.apply(null, chunk.subarray(0, n) as unknown as number[]);
}

/**
 * Decodes canonical base64: length a multiple of 4, padding only at the end, unused bits zero
 * (what Rust's `base64` STANDARD engine accepts). Returns an error message instead of throwing.
 */
export function decodeBase64(text: string): Uint8Array | string {
  if (text.length % 4 !== 0) return "base64 length is not a multiple of 4";
  let pad = 0;
  if (text.length > 0 && text.charCodeAt(text.length - 1) === 61) pad = text.charCodeAt(text.length - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  const quads = text.length / 4 - (pad > 0 ? 1 : 0);
  for (let q = 0; q < quads; q++) {
    const i = q * 4;
    const a = sextet(text, i), b = sextet(text, i + 1), c = sextet(text, i + 2), d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) return `invalid base64 character near offset ${i}`;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (pad > 0) {
    const i = quads * 4;
    const a = sextet(text, i), b = sextet(text, i + 1);
    const c = pad === 1 ? sextet(text, i + 2) : 0;
    if ((a | b | c) < 0) return `invalid base64 character near offset ${i}`;
    const v = (a << 18) | (b << 12) | (c << 6);
    if (pad === 2 ? (v & 0xffff) !== 0 : (v & 0xff) !== 0) return "non-canonical base64 (unused bits set)";
    out[o++] = v >> 16;
    if (pad === 1) out[o++] = (v >> 8) & 255;
  }
  return out;
}

/** The 6 bits of the base64 character at `i` of `text`, or -1 for a character outside the alphabet. */
function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? decodeTable[code]! : -1;
}
