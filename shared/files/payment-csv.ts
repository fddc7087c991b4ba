import type { Writable } from 'node:stream';
import { UTF8_BOM, csvRecord } from '../domain/csv-format.ts';
import { PAYMENT_COLUMNS, paymentRow, type RunPayment } from '../domain/payment-file.ts';
import { writeText } from './write-text.ts';

/** The bank's payment file, streamed: UTF-8 with BOM, CRLF, one row per payment (payment-file.ts). */
export class PaymentCsvWriter {
  rows = 0;

  constructor(private readonly stream: Writable) {}

  async start(): Promise<void> {
    await writeText(this.stream, UTF8_BOM + csvRecord(PAYMENT_COLUMNS));
  }

  async add(payment: RunPayment): Promise<void> {
    await writeText(this.stream, csvRecord(paymentRow(payment)));
    this.rows++;
  }
}
