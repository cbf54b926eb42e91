//! Message framing for stdio: newline-delimited text, and (on a binary connection) `0x00`-prefixed binary messages; bounded buffering, oversize messages skipped, UTF-8 checked.

import { isUtf8 } from "node:buffer";

/** Bytes of an oversize message kept so its id can still be read (docs/protocol.md, Limits). */
const PREFIX_BYTES = 256;
/** The byte that starts a binary frame on stdio; no JSON line starts with it. */
const BINARY_MARK = 0;
/** A binary frame: the mark, then the binary message's length (u32 big-endian). */
const BINARY_HEADER = 5;

/** Whether `line` holds only JSON whitespace that a line can hold: spaces, tabs, `\r` (or nothing). */
function isBlank(line: Uint8Array): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

/** Whether `text[from..to]` holds only spaces, tabs and `\r` (see `isBlank`). */
function isBlankText(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Where the framing is inside a binary frame. */
interface BinaryFrame {
  /** Header bytes read so far (mark included), up to 5. */
  header: Uint8Array;
  headerRead: number;
  /** The message's length, once the header is complete. */
  length: number;
  /** The message being filled (one allocation of its announced length), or undefined while skipping an oversize one. */
  body: Uint8Array | undefined;
  /** Bytes of the message read (or skipped) so far. */
  read: number;
  /** While skipping: the first bytes of its JSON (after the four-byte length), for the id. */
  prefix: number[];
}

/**
 * Splits a byte stream into messages. A line longer than `limit` bytes is not buffered: its
 * first bytes are kept, the rest skipped up to the next newline, and `onTooLarge` gets the
 * prefix. A line of only spaces, tabs and `\r` is ignored like an empty one. A line that is
 * not valid UTF-8 is delivered as `""` (which the protocol layer rejects). Once `enableBinary`
 * was called, a message starting with `0x00` is a binary frame (docs/protocol.md, "Version 2:
 * binary `bytes`", Framing): its announced length is read into one allocation and delivered as
 * a `Uint8Array`, or, past `limit`, skipped without buffering.
 */
export class LineFraming {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private skipping = false;
  private prefix = "";
  private binary = false;
  private frame: BinaryFrame | undefined;

  constructor(
    private limit: number,
    private readonly onMessage: (message: string | Uint8Array) => void,
    private onTooLarge: (prefix: string) => void,
  ) {}

  setLimit(limit: number, onTooLarge: (prefix: string) => void): void {
    this.limit = limit;
    this.onTooLarge = onTooLarge;
  }

  /**
   * The handshake granted binary: from the next message on, `0x00` starts a binary frame. Called
   * while the welcome is being handled, so the bytes after it are read the new way.
   */
  enableBinary(): void {
    this.binary = true;
  }

  push(data: Buffer): void {
    let start = 0;
    let whole = true;
    while (start < data.length) {
      if (this.frame) {
        start = this.pushBinary(data, start);
        continue;
      }
      // Nothing of a line is pending: this byte starts the next message.
      if (this.binary && this.buffered === 0 && !this.skipping && data[start] === BINARY_MARK) {
        this.frame = { header: new Uint8Array(BINARY_HEADER), headerRead: 0, length: 0, body: undefined, read: 0, prefix: [] };
        continue;
      }
      // Tried once per chunk: when it does not apply, the lines are read one by one.
      if (whole && this.buffered === 0 && !this.skipping) {
        whole = false;
        const next = this.deliverLines(data, start);
        if (next > start) {
          start = next;
          continue;
        }
      }
      const nl = data.indexOf(10, start);
      const end = nl < 0 ? data.length : nl;
      if (nl >= 0 && this.buffered === 0 && !this.skipping && nl - start <= this.limit + 1) {
        // The common case, a whole line inside this chunk: read where it lies, not copied.
        this.deliver(data.subarray(start, nl));
        start = nl + 1;
        continue;
      }
      if (!this.skipping) {
        const piece = data.subarray(start, end);
        // +1 allows a '\r' before the newline without counting it against the limit.
        if (this.buffered + piece.length > this.limit + 1) {
          const head = Buffer.concat([...this.chunks, piece.subarray(0, Math.max(0, PREFIX_BYTES - this.buffered))]);
          this.prefix = head.subarray(0, PREFIX_BYTES).toString("latin1");
          this.chunks = [];
          this.buffered = 0;
          this.skipping = true;
        } else if (piece.length > 0) {
          // Copy: the stream may reuse its buffer.
          this.chunks.push(Buffer.from(piece));
          this.buffered += piece.length;
        }
      }
      if (nl < 0) return;
      this.endLine();
      start = nl + 1;
    }
  }

  /**
   * The common case, whole lines of text and nothing else from `data[start..]` to its last
   * newline: decoded in one piece and split as text, which costs a fraction of a `subarray`,
   * `isUtf8` and `toString` per line (stream items and notifications come many to a chunk).
   * Only when the piece holds no `0x00` (so no binary frame, even if a line enables them), is
   * valid UTF-8 (else each line is checked on its own) and is within the limit (so each line
   * is). Returns where it stopped: `start` when it delivered nothing.
   */
  private deliverLines(data: Buffer, start: number): number {
    const last = data.lastIndexOf(10);
    if (last <= start) return start;
    const piece = data.subarray(start, last);
    if (piece.length > this.limit || piece.indexOf(BINARY_MARK) >= 0 || !isUtf8(piece)) return start;
    const text = piece.toString("utf8");
    let at = 0;
    for (;;) {
      const nl = text.indexOf("\n", at);
      let end = nl < 0 ? text.length : nl;
      if (end > at && text.charCodeAt(end - 1) === 13) end--;
      // A message starts with `{`; anything else is checked for being blank (ignored) first.
      if (end > at && (text.charCodeAt(at) === 123 || !isBlankText(text, at, end))) this.onMessage(text.slice(at, end));
      if (nl < 0) return last + 1;
      at = nl + 1;
    }
  }

  /** Consumes the bytes of the current binary frame from `data[start..]`; returns where it stopped. */
  private pushBinary(data: Buffer, start: number): number {
    const f = this.frame!;
    if (f.headerRead < BINARY_HEADER) {
      const n = Math.min(BINARY_HEADER - f.headerRead, data.length - start);
      f.header.set(data.subarray(start, start + n), f.headerRead);
      f.headerRead += n;
      start += n;
      if (f.headerRead < BINARY_HEADER) return start;
      f.length = new DataView(f.header.buffer).getUint32(1);
      // Past the limit: skipped as it streams by, only the start of its JSON kept for the id.
      // Else one allocation of the announced length, each chunk copied into it once.
      f.body = f.length > this.limit ? undefined : new Uint8Array(f.length);
    }
    const n = Math.min(f.length - f.read, data.length - start);
    if (f.body) f.body.set(data.subarray(start, start + n), f.read);
    else {
      for (let i = 0; i < n && f.prefix.length < PREFIX_BYTES; i++) {
        if (f.read + i >= 4) f.prefix.push(data[start + i]!);
      }
    }
    f.read += n;
    start += n;
    if (f.read === f.length) {
      this.frame = undefined;
      if (f.body) this.onMessage(f.body);
      else this.onTooLarge(String.fromCharCode(...f.prefix));
    }
    return start;
  }

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false;
      const prefix = this.prefix;
      this.prefix = "";
      this.onTooLarge(prefix);
      return;
    }
    const line = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    this.deliver(line);
  }

  /** Hands on one complete line (without its newline), decoded, unless it carries nothing. */
  private deliver(line: Buffer): void {
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (line.length > this.limit) {
      this.onTooLarge(line.subarray(0, PREFIX_BYTES).toString("latin1"));
      return;
    }
    // Empty lines, and lines of only JSON whitespace, carry no message (as in the Rust runtime).
    if (isBlank(line)) return;
    // `isUtf8` (simdutf) then `toString` costs a fraction of a fatal `TextDecoder` per line.
    this.onMessage(isUtf8(line) ? line.toString("utf8") : "");
  }
}
