import type { Command } from 'commander';
import { createOutput, type Output } from './output.ts';
import type { Runtime } from './runtime.ts';

/** Global options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
}

/**
 * Run a command body against an open store and close it afterwards, whatever happens. The body
 * returns the exit code (0 unless it says otherwise, e.g. reconcile's 2 for "not clean").
 */
export async function withRuntime(
  command: Command,
  body: (runtime: Runtime, out: Output) => Promise<number | void>,
): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const out = createOutput(globals.json === true);
  // Loaded here, not at start: the store brings the AWS SDK, which `bursar --help` never needs.
  const { openRuntime } = await import('./runtime.ts');
  const runtime = await openRuntime(globals.dataDir ? { dataDir: globals.dataDir } : {});
  try {
    const code = await body(runtime, out);
    if (typeof code === 'number') process.exitCode = code;
  } finally {
    await runtime.close();
  }
}
