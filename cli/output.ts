import stringWidth from 'string-width';
import { BursarError } from '../shared/domain/errors.ts';

/** How a command reports: one JSON document on stdout with --json, text for people otherwise. */
export interface Output {
  json: boolean;
  /** Print the command's result: `data` as JSON, or what `human` renders. */
  result(data: unknown, human: () => string): void;
  /** A line of progress or commentary for people (stderr, never with --json). */
  info(line: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(data, human) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
    },
    info(line) {
      if (!json) process.stderr.write(`${line}\n`);
    },
  };
}

/** A refused command: JSON error document (with --json) or a message on stderr; exit code 1. */
export function reportError(error: unknown, json: boolean): number {
  const known = error instanceof BursarError;
  const code = known ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const context = known && Object.keys(error.context).length > 0 ? { context: error.context } : {};
    process.stdout.write(`${JSON.stringify({ error: { code, message, ...context } }, null, 2)}\n`);
  } else {
    process.stderr.write(`bursar: ${message}${known ? ` [${code}]` : ''}\n`);
  }
  if (!known && process.env['BURSAR_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  return 1;
}

/**
 * A plain text table for people, the one every human CLI table goes through: columns are padded by
 * display width (string-width: Chinese and other wide characters take two terminal columns,
 * combining marks and zero-width characters none), numbers right-aligned.
 */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => stringWidth(r[i] ?? ''))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^-?[\d,]+(\.\d+)?%?$/.test(String(r[i]))));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i]!, numeric[i] ? 'left' : 'right')).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function pad(s: string, width: number, side: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(s)));
  return side === 'left' ? fill + s : s + fill;
}
