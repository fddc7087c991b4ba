import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** The repository root: NodejsFunction's projectRoot, and where entries and the lock file live. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function fromRoot(relative: string): string {
  return path.join(REPO_ROOT, relative);
}
