/** The hostile-input corpus: test/corpus/manifest.json and the files it describes. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CORPUS_DIR = path.resolve(import.meta.dirname, '../../corpus');

export type Kind = 'awards' | 'budgets' | 'schemes' | 'settlements' | 'credits';
export const KINDS: readonly Kind[] = ['awards', 'budgets', 'schemes', 'settlements', 'credits'];

export interface LineExpectation {
  line: number;
  outcome: string;
  reason?: string;
  field?: string;
  /** settlements: the problem's code. */
  code?: string;
  message?: string;
}

export interface Expectation {
  /** The whole command is refused with this error code. */
  error?: string;
  message?: string;
  /** awards, budgets, schemes: exactly these lines get an outcome. */
  lines?: LineExpectation[];
  /** awards: fields of stored awards (by award id); credits: of stored restrictions (by credit code). */
  stored?: Record<string, Record<string, unknown>>;
  /** settlements: lines that must be reported, with their field. */
  errors?: LineExpectation[];
  /** settlements: award statuses afterwards. */
  awards?: Record<string, string>;
}

export interface CorpusCase {
  file: string;
  about: string;
  expect: Expectation;
}

export interface KindSpec {
  command: string[];
  setup: string[][];
  /** Files of which one must exist for the kind's command to be there at all. */
  needs?: string[];
}

export interface Manifest {
  kinds: Record<Kind, KindSpec>;
  cases: CorpusCase[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

export function kindOf(c: CorpusCase): Kind {
  return c.file.split('/')[0] as Kind;
}

/** Every data file in the corpus folder, as `kind/name.csv`. Files starting with `_` are fixtures. */
export function corpusFiles(): string[] {
  return KINDS.flatMap((kind) => readdirSync(path.join(CORPUS_DIR, kind)).filter((f) => !f.startsWith('_')).map((f) => `${kind}/${f}`));
}

/** A command line from the manifest with {file}, {corpus} and {out} filled in. */
export function fill(argv: readonly string[], values: { file?: string; out?: string }): string[] {
  return argv.map((a) => a
    .replaceAll('{corpus}', CORPUS_DIR)
    .replaceAll('{file}', values.file ?? '{file}')
    .replaceAll('{out}', values.out ?? '{out}'));
}
