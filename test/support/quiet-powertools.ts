/**
 * Jest setupFiles: the handlers' Powertools logs and metrics stay silent in tests (they would
 * otherwise print a JSON line per invocation to stdout) unless BURSAR_TEST_VERBOSE is set. Handler
 * behaviour is unchanged: Powertools reads these variables when a Logger or Metrics is built.
 *
 * Defined non-enumerable, so they apply in this process only: the `{ ...process.env }` that tests hand
 * to a spawned `bursar` does not carry them (the CLI sets its own levels, and secrets.test.ts needs
 * its DEBUG logs). A test that assigns one of them still can.
 */
if (!process.env['BURSAR_TEST_VERBOSE']) {
  for (const [name, value] of [['POWERTOOLS_LOG_LEVEL', 'SILENT'], ['POWERTOOLS_METRICS_DISABLED', 'true']] as const) {
    if (process.env[name] === undefined) {
      Object.defineProperty(process.env, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
}
