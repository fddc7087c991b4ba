import type { Context } from 'hono';
import { BursarError, ValidationError } from '../../domain/errors.ts';

/** A CSV upload's bytes (the body limit has been applied already); text/csv only. */
export async function csvBody(c: Context): Promise<Buffer> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/csv') throw new BursarError('UNSUPPORTED_MEDIA_TYPE', 'send the file as Content-Type: text/csv');
  const body = Buffer.from(await c.req.arrayBuffer());
  if (body.length === 0) throw new ValidationError('EMPTY_FILE', 'the request body is empty; send the CSV file', { field: 'body' });
  return body;
}
