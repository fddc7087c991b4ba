import * as z from 'zod';
import { ValidationError } from './domain/errors.ts';

/** Configuration every function reads from its environment, parsed once at cold start. */
const baseSchema = z.object({
  BURSAR_TABLE_NAME: z.string().min(1),
  BURSAR_DYNAMODB_ENDPOINT: z.url().optional(),
  /** AWS allows 100 items per transaction; the bundled DynamoDB Local only 10. */
  BURSAR_TRANSACTION_MAX_ITEMS: z.coerce.number().int().min(3).max(100).default(100),
});

export type BaseConfig = z.infer<typeof baseSchema>;

export function parseConfig<S extends z.ZodObject>(env: NodeJS.ProcessEnv, extra?: S): BaseConfig & z.infer<S> {
  const schema = extra ? baseSchema.extend(extra.shape) : baseSchema;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ValidationError('BAD_CONFIG', `invalid configuration: ${detail}`);
  }
  return parsed.data as BaseConfig & z.infer<S>;
}
