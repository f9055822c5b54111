import { once } from 'node:events';
import type { WriteStream } from 'node:fs';

const COMMA = 44;
const NEWLINE = 10;

/**
 * A CSV written as bytes into one reusable buffer and flushed to a stream in large writes:
 * no per-cell strings, so converting a workbook makes little garbage.
 */
export class CsvBytes {
  private buffer = Buffer.allocUnsafe(1 << 23);
  private position = 0;

  constructor(private readonly out: WriteStream) {}

  /** Bytes waiting to be flushed. */
  get size(): number {
    return this.position;
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + bytes));
    this.buffer.copy(bigger, 0, 0, this.position);
    this.buffer = bigger;
  }

  /** Copy `source[start, end)` as it is. */
  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const length = end - start;
    this.reserve(length);
    const target = this.buffer;
    let p = this.position;
    for (let i = start; i < end; i++) target[p++] = source[i]!;
    this.position = p;
  }

  /** A non-negative integer in decimal. */
  integer(value: number): void {
    this.reserve(16);
    const digits = String(value);
    for (let i = 0; i < digits.length; i++) this.buffer[this.position++] = digits.charCodeAt(i);
  }

  comma(): void {
    this.reserve(1);
    this.buffer[this.position++] = COMMA;
  }

  newline(): void {
    this.reserve(1);
    this.buffer[this.position++] = NEWLINE;
  }

  /** Write what is buffered, waiting when the stream asks to. */
  async flush(): Promise<void> {
    if (this.position === 0) return;
    const chunk = Buffer.from(this.buffer.subarray(0, this.position));
    this.position = 0;
    // A stream that has failed never drains: report its error instead of waiting.
    if (this.out.errored) throw this.out.errored;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}

/** A CSV field for a text value: quoted when it holds a quote, comma, line break or edge space. */
export function csvField(value: string): string {
  if (value === '' || /[",\r\n]|^\s|\s$/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}
