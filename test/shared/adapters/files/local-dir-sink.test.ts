/**
 * Issue 13, finding 11: local exports are private (0600), exclusive unless overwrite (--force),
 * never written through a symlink, and appear atomically under their name.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDirSink, createLocalFile } from '../../../../shared/adapters/files/local-dir-sink.ts';
import { writeText } from '../../../../shared/files/write-text.ts';

const root = mkdtempSync(path.join(tmpdir(), 'bursar-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `d${++n}`);

async function write(sink: LocalDirSink, name: string, text: string) {
  const file = sink.create(name);
  await writeText(file.stream, text);
  return file.commit();
}

describe('LocalDirSink', () => {
  it('creates files readable and writable by their owner only (0600), whatever the umask', async () => {
    const dir = freshDir();
    const old = process.umask(0);
    try {
      const written = await write(new LocalDirSink(dir), 'a.csv', 'x');
      expect(statSync(written.location).mode & 0o777).toBe(0o600);
      expect(readFileSync(written.location, 'utf8')).toBe('x');
    } finally {
      process.umask(old);
    }
  });

  it('refuses (FILE_EXISTS) to replace an existing file, before writing anything; overwrite replaces it', async () => {
    const dir = freshDir();
    const sink = new LocalDirSink(dir);
    await write(sink, 'a.csv', 'first');
    expect(() => sink.create('a.csv')).toThrow(expect.objectContaining({ code: 'FILE_EXISTS' }));
    expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['a.csv']);
    const replaced = await write(new LocalDirSink(dir, { overwrite: true }), 'a.csv', 'second');
    expect(readFileSync(replaced.location, 'utf8')).toBe('second');
    expect(statSync(replaced.location).mode & 0o777).toBe(0o600);
  });

  it('refuses when the name is taken between create and commit (link, not rename), leaving the other file alone', async () => {
    const dir = freshDir();
    const file = new LocalDirSink(dir).create('a.csv');
    await writeText(file.stream, 'mine');
    writeFileSync(path.join(dir, 'a.csv'), 'theirs');
    await expect(file.commit()).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });

  it('never writes through a symlink at the name: refused, and with overwrite the link itself is replaced', async () => {
    const dir = freshDir();
    const target = path.join(root, `target-${n}.txt`);
    writeFileSync(target, 'precious');
    const sink = new LocalDirSink(dir);
    await write(sink, 'other.csv', '');
    symlinkSync(target, path.join(dir, 'a.csv'));
    expect(() => sink.create('a.csv')).toThrow(expect.objectContaining({ code: 'FILE_EXISTS' }));
    symlinkSync(path.join(root, 'dangling-nowhere'), path.join(dir, 'b.csv'));
    expect(() => sink.create('b.csv')).toThrow(expect.objectContaining({ code: 'FILE_EXISTS' }));
    expect(existsSync(path.join(root, 'dangling-nowhere'))).toBe(false);

    await write(new LocalDirSink(dir, { overwrite: true }), 'a.csv', 'export');
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(lstatSync(path.join(dir, 'a.csv')).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe('export');
  });

  it('shows nothing under the name until commit, and leaves nothing after abort or an unwritten writer', async () => {
    const dir = freshDir();
    const sink = new LocalDirSink(dir);
    const file = sink.create('a.csv');
    await writeText(file.stream, 'half');
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([]);
    await file.abort();
    expect(readdirSync(dir)).toEqual([]);
    sink.create('never-written.csv'); // e.g. a second create in the same export was refused
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('createLocalFile writes one file by path with the same rules (summary --out)', async () => {
    const dir = freshDir();
    const sink = new LocalDirSink(dir);
    await write(sink, 'x', '');
    const file = createLocalFile(path.join(dir, 'summary.json'));
    await writeText(file.stream, '{}');
    await file.commit();
    expect(statSync(path.join(dir, 'summary.json')).mode & 0o777).toBe(0o600);
    expect(() => createLocalFile(path.join(dir, 'summary.json'))).toThrow(expect.objectContaining({ code: 'FILE_EXISTS' }));
  });
});
