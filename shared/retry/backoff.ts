/**
 * Full-jitter exponential backoff between attempts of an optimistic write (a few ms at first,
 * never more than about a second), so colliding writers spread out instead of colliding again.
 */
export function backoff(attempt: number): Promise<void> {
  const cap = Math.min(1000, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}
