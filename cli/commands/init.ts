import type { Command } from 'commander';
import { MEASURES, POLICY } from '../../shared/domain/catalog.ts';
import { withRuntime } from '../context.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the store (embedded DynamoDB Local in the data dir by default) and its table')
    .action(async (_opts, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { manifestSignerOf } = await import('../manifest-signer.ts'); // loads with the command, not at start
        const signer = manifestSignerOf(runtime); // creates the manifest signing key when missing
        const data = {
          initialized: true,
          signing_key: signer.keyId,
          store: runtime.location,
          table: runtime.tableName,
          policy: { document_number: POLICY.documentNumber, issued_on: POLICY.issuedOn, measures: MEASURES.length, default_window: POLICY.defaultWindow },
        };
        out.result(data, () => [
          `Store ready: ${runtime.location.mode === 'embedded' ? runtime.location.dataDir : runtime.location.endpoint ?? 'AWS'} (table ${runtime.tableName})`,
          `Policy ${POLICY.documentNumber}: ${MEASURES.length} measures, awards qualify ${POLICY.defaultWindow.from} .. ${POLICY.defaultWindow.to} unless a scheme says otherwise.`,
        ].join('\n'));
      });
    });
}
