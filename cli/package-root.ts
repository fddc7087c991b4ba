import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root: the nearest folder above this module whose package.json is Bursar's. Paths
 * into the repository (the console's build, …) are resolved from here, because this module runs
 * both from its source (cli/) and from the CLI bundle (cli/dist/chunks/), at different depths.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bursar') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Bursar package.json above ${from}`);
    dir = parent;
  }
}
