import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether the CLI bundle (cli/dist/bursar.mjs, built by scripts/build-cli.mjs) may run: it exists
 * and none of the source files it was built from (listed in bursar.inputs.json beside it) is newer
 * or gone. A few hundred stat calls: about a millisecond, against seconds of tsx transpiling.
 * `root` is the repository root; the bundle's inputs are relative to it.
 */
export function freshBundle(root) {
  const bundle = path.join(root, 'cli', 'dist', 'bursar.mjs');
  try {
    const builtAt = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(path.join(root, 'cli', 'dist', 'bursar.inputs.json'), 'utf8'));
    if (!Array.isArray(inputs) || inputs.length === 0) return undefined;
    for (const input of inputs) {
      if (statSync(path.join(root, input)).mtimeMs > builtAt) return undefined;
    }
    return bundle;
  } catch {
    return undefined; // no bundle, no inputs list, or an input was removed: not fresh
  }
}
