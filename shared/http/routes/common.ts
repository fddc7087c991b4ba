import { errorSchema } from '../schemas.ts';
import type { ZodType } from 'zod';

/** OpenAPI helpers: a JSON body, and the error responses every protected route may give. */
export const jsonContent = <T extends ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

const err = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
export const errors = {
  400: err('invalid input ({"error": {"code", "message"}})'),
  401: err('UNAUTHENTICATED: not signed in, or the session expired'),
  403: err('FORBIDDEN (the message names the role needed) or CSRF'),
  404: err('NOT_FOUND'),
} as const;
