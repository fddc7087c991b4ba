/**
 * Caps bytes per physical line and fields per record *before* csv-parse sees them (issue 13,
 * finding 9). csv-parse's `max_record_size` counts only field content, not delimiters, so a line of
 * 50 MB of commas became one record of 50 million empty fields (gigabytes of memory). This guard
 * runs over the normalised bytes (LF line breaks only) with a small CSV state machine that agrees
 * with csv-parse on where records and fields end (RFC 4180 quoting; a quote not at the start of a
 * field is a plain character), and when a record goes over a cap it:
 *
 * - stops forwarding that record's bytes and ends it with `\n` (closing its quote first when it was
 *   inside a quoted value), so csv-parse gets a short, harmless record and a fresh state;
 * - notes the record's start line in `oversized`, which the reader checks for every record it gets
 *   and reports instead of the truncated record;
 * - skips the rest of the record, still following its quotes, but forwards every line break inside
 *   it so that csv-parse's line numbers stay those of the file.
 *
 * Memory is bounded by maxLineBytes (what reaches csv-parse of one line) and maxFields.
 */

export interface RecordLimits {
  maxLineBytes: number;
  maxFields: number;
}

export interface OversizedRecord {
  reason: 'line-bytes' | 'fields';
  /** The physical line that went over (for 'line-bytes' it can be past the record's start). */
  physicalLine: number;
  /** 0-based index of the field the record was in when it went over. */
  fieldIndex: number;
}

/** What the guard has learned; shared with the reader, which runs behind it. */
export class RecordSizeGuard {
  /** Record start line → why it was cut. The reader deletes entries as it reports them. */
  readonly oversized = new Map<number, OversizedRecord>();
  /** Set at end of input when the last record was cut inside a quoted value that never closes. */
  unclosedAt: number | undefined;

  constructor(private readonly limits: RecordLimits) {}

  async *filter(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const { maxLineBytes, maxFields } = this.limits;
    let state = FIELD_START;
    let line = 1; // physical line of the next byte
    let recordLine = 1; // line the current record started on
    let lineBytes = 0;
    let fields = 1;
    let skipping = false;
    for await (const bytes of input) {
      // Every cut injects at most 2 bytes and drops at least the byte that went over.
      const out = Buffer.allocUnsafe(bytes.length * 2 + 2);
      let n = 0;
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i] as number;
        const before = state;
        let endsRecord = false;
        if (byte === LF) {
          if (state === QUOTED) {
            // A line break inside a quoted value: always forwarded, it is a line of the file.
            out[n++] = LF;
            line++;
            lineBytes = 0;
            continue;
          }
          endsRecord = true;
        } else if (state === QUOTED) {
          if (byte === QUOTE) state = QUOTE_PENDING;
        } else if (byte === COMMA) {
          state = FIELD_START;
          fields++;
        } else if (state === QUOTE_PENDING) {
          state = byte === QUOTE ? QUOTED : UNQUOTED;
        } else if (state === FIELD_START) {
          state = byte === QUOTE ? QUOTED : UNQUOTED;
        }
        if (endsRecord) {
          if (!skipping) out[n++] = LF;
          skipping = false;
          state = FIELD_START;
          line++;
          recordLine = line;
          lineBytes = 0;
          fields = 1;
          continue;
        }
        if (skipping) continue;
        lineBytes++;
        const over = lineBytes > maxLineBytes ? 'line-bytes' : fields > maxFields ? 'fields' : undefined;
        if (over === undefined) {
          out[n++] = byte;
          continue;
        }
        this.oversized.set(recordLine, { reason: over, physicalLine: line, fieldIndex: fields - 1 });
        if (before === QUOTED) out[n++] = QUOTE;
        out[n++] = LF;
        skipping = true;
      }
      if (n > 0) yield out.subarray(0, n);
    }
    if (skipping && state === QUOTED) this.unclosedAt = recordLine;
  }
}

const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;

// Parser states, as numbers for a tight loop.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted value: either the first of an escaped pair or the closing quote. */
const QUOTE_PENDING = 3;
