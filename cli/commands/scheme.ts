import type { Command } from 'commander';
import type { FieldError } from '../../shared/domain/award.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';

export function registerScheme(program: Command): void {
  const scheme = program.command('scheme').description('special schemes (专项政策方案) and their own award windows');

  scheme
    .command('load <file>')
    .description('load schemes from CSV: scheme_id,name,measures,valid_from,valid_to (measures separated by ;)')
    .action(async (file: string, _opts, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const loaded: { line: number; scheme_id: string; change: string }[] = [];
        const errors: ({ line: number } & FieldError)[] = [];
        const seen = new Map<string, number>();
        // The CSV reader and the record schema (zod) load with the command, not at every start.
        const [{ readCsvFile }, { OPTIONAL_SCHEME_COLUMNS, SCHEME_COLUMNS, validateSchemeRecord }] = await Promise.all([
          import('../../shared/csv/read-csv-records.ts'), import('../../shared/domain/scheme.ts'),
        ]);
        for await (const row of readCsvFile(file, { columns: SCHEME_COLUMNS.filter((c) => c !== 'enterprise_cap_yuan'), optional: OPTIONAL_SCHEME_COLUMNS })) {
          if (row.kind === 'error') { errors.push({ line: row.line, field: row.field ?? 'record', message: row.message }); continue; }
          const checked = validateSchemeRecord(row.fields);
          if (!checked.ok) { errors.push(...checked.errors.map((e) => ({ line: row.line, ...e }))); continue; }
          const earlier = seen.get(checked.scheme.scheme_id);
          if (earlier !== undefined) {
            errors.push({ line: row.line, field: 'scheme_id', message: `scheme ${checked.scheme.scheme_id} already appears on line ${earlier}; line ${earlier} counts` });
            continue;
          }
          seen.set(checked.scheme.scheme_id, row.line);
          loaded.push({ line: row.line, scheme_id: checked.scheme.scheme_id, change: await runtime.ledger.putScheme(checked.scheme) });
        }
        out.result({ loaded, errors }, () => [
          `${loaded.length} scheme(s) loaded (${loaded.filter((l) => l.change !== 'unchanged').length} new or changed).`,
          ...errors.map((e) => `line ${e.line}, ${e.field}: ${e.message}`),
        ].join('\n'));
      });
    });

  scheme
    .command('list')
    .description('list loaded schemes')
    .action(async (_opts, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const schemes = await runtime.ledger.listSchemes();
        out.result({ schemes }, () => schemes.length === 0 ? 'No schemes loaded.'
          : table(['scheme', 'name', 'measures', 'from', 'to'], schemes.map((s) => [s.scheme_id, s.name, s.measures.join(';'), s.valid_from, s.valid_to])));
      });
    });
}
