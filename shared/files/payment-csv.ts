import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvStream } from '../domain/csv-format.ts';
import { PAYMENT_COLUMNS, paymentRow, type RunPayment } from '../domain/payment-file.ts';

/**
 * The bank's payment file, streamed through csv-stringify: UTF-8 with BOM, CRLF, one row per
 * payment (payment-file.ts). `end()` flushes it; the caller owns and ends the stream.
 */
export class PaymentCsvWriter {
  rows = 0;
  private readonly csv = csvStream({ bom: true });
  private readonly piped: Promise<void>;

  constructor(stream: Writable) {
    this.piped = pipeline(this.csv, stream, { end: false });
    this.piped.catch(() => {}); // observed by end(); a failing stream also fails the next write
  }

  async start(): Promise<void> {
    await this.write(PAYMENT_COLUMNS);
  }

  async add(payment: RunPayment): Promise<void> {
    await this.write(paymentRow(payment));
    this.rows++;
  }

  /** Every record has reached the stream. */
  async end(): Promise<void> {
    this.csv.end();
    await this.piped;
  }

  private async write(record: readonly string[]): Promise<void> {
    if (!this.csv.write(record)) await once(this.csv, 'drain');
  }
}
