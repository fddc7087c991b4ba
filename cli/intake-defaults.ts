/**
 * The local stand-ins for the intake event source mapping's settings (infra/ uses the same values):
 * large batches let one transaction reserve many awards of an envelope at once. In a module of their
 * own so the CLI's option defaults do not load the intake handler at start.
 */
export const DEFAULT_INTAKE_BATCH_SIZE = 500;
export const DEFAULT_INTAKE_CONCURRENCY = 2;
