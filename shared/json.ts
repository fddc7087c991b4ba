/** Parse a message body; undefined when it is not JSON (the caller's schema then rejects it). */
export function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
