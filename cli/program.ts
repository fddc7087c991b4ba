import './node-warnings.ts';
import { Command, CommanderError } from 'commander';
import { reportError } from './output.ts';
import { registerInit } from './commands/init.ts';
import { registerScheme } from './commands/scheme.ts';
import { registerBudget } from './commands/budget.ts';
import { registerAwards } from './commands/awards.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerReconcile } from './commands/reconcile.ts';
import { registerAlerts } from './commands/alerts.ts';
import { registerRuns } from './commands/runs.ts';
import { registerSummary } from './commands/summary.ts';
import { registerServe } from './commands/serve.ts';
import { registerUsers } from './commands/users.ts';
import type { EventsFactory } from './commands/budget.ts';

/** Budget alerts on the CLI's store, loaded when a command needs them (they bring the AWS SDK). */
const alertEvents: EventsFactory = async (runtime) => (await import('./alert-events.ts')).alertEvents(runtime);
import { registerYear } from './commands/year.ts';
import { registerRecover } from './commands/recover.ts';
import { registerPaymentIntegrity } from './commands/payment-integrity.ts';
import { registerHolds } from './commands/holds.ts';
import { registerCredit } from './commands/credit.ts';

/** The `bursar` command line. Its result goes to stdout; everything else (logs, progress) to stderr. */
export function buildProgram(): Command {
  const program = new Command('bursar')
    .description('Bursar: award intake, budget envelopes and disbursement for 奉政办发〔2025〕2号')
    .option('--json', 'print one JSON document on stdout')
    .option('--data-dir <dir>', 'embedded store location (default .bursar, or BURSAR_DATA_DIR)')
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerScheme(program);
  registerBudget(program, alertEvents);
  registerAwards(program, alertEvents);
  registerDlq(program);
  registerReconcile(program);
  registerAlerts(program);
  registerRuns(program);
  registerPaymentIntegrity(program);
  registerSummary(program);
  registerUsers(program);
  registerServe(program);
  registerYear(program);
  registerRecover(program);
  registerHolds(program, alertEvents);
  registerCredit(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // Logs of the handlers the CLI runs in-process must not mix with the result on stdout.
  process.env['POWERTOOLS_DEV'] ??= 'true';
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
  process.env['POWERTOOLS_LOG_LEVEL'] ??= process.env['BURSAR_LOG_LEVEL'] ?? 'WARN';
  for (const method of ['log', 'info', 'warn', 'debug', 'trace'] as const) console[method] = console.error;

  const json = argv.includes('--json');
  const program = buildProgram();
  if (json) program.configureOutput({ writeErr: () => {}, writeOut: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } }, null, 2)}\n`);
      return 1;
    }
    return reportError(error, json);
  }
}

