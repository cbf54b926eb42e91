//! Newline-delimited message framing for stdio: bounded buffering, oversize lines skipped, UTF-8 checked.

/** Bytes of an oversize line kept so its id can still be read (docs/protocol.md, Limits). */
const PREFIX_BYTES = 256;

/**
 * Splits a byte stream into lines. A line longer than `limit` bytes is not buffered: its first
 * bytes are kept, the rest skipped up to the next newline, and `onTooLarge` gets the prefix.
 * A line that is not valid UTF-8 is delivered as `""` (which the protocol layer rejects).
 */
export class LineFraming {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private skipping = false;
  private prefix = "";
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private limit: number,
    private readonly onLine: (text: string) => void,
    private onTooLarge: (prefix: string) => void,
  ) {}

  setLimit(limit: number, onTooLarge: (prefix: string) => void): void {
    this.limit = limit;
    this.onTooLarge = onTooLarge;
  }

  push(data: Buffer): void {
    let start = 0;
    while (start < data.length) {
      const nl = data.indexOf(10, start);
      const end = nl < 0 ? data.length : nl;
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

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false;
      const prefix = this.prefix;
      this.prefix = "";
      this.onTooLarge(prefix);
      return;
    }
    let line = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (line.length === 0) return; // empty lines are ignored
    if (line.length > this.limit) {
      this.onTooLarge(line.subarray(0, PREFIX_BYTES).toString("latin1"));
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(line);
    } catch {
      text = "";
    }
    this.onLine(text);
  }
}
