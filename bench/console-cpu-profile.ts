import '../cli/node-warnings.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/support/browser.ts';
import { ensureConsoleBuilt } from '../test/e2e/support/bursar-server.ts';
import { startConsoleStage } from './console-stage.ts';

/**
 * Where the overview's cold load spends the browser's main thread: a V8 CPU profile of one cold
 * navigation (sign-in cookies reused), summed by function (self time) and by script, with the
 * time the figures appeared. `npx tsx bench/console-cpu-profile.ts [awards]`; writes
 * bench/out/overview.cpuprofile (open it in Chromium's DevTools). A diagnosis tool, not a target.
 */
const AWARDS = Number(process.argv[2] ?? 1000);
const ROOT = path.resolve(import.meta.dirname, '..');

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const MARKER = `--bursar-profile-${process.pid}`;

/** CPU seconds (user + system) used so far by the Chromium this script launched, by process type (browser, renderer, gpu-process, utility). */
function chromiumCpuSeconds(): Map<string, number> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const out = new Map<string, number>();
  const root = rows.find((r) => r.slice(2).includes(MARKER))?.[0];
  if (!root) return out;
  const tree = new Set([root]);
  for (let grew = true; grew;) { grew = false; for (const r of rows) if (tree.has(r[1]!) && !tree.has(r[0]!)) { tree.add(r[0]!); grew = true; } }
  for (const r of rows) {
    if (!tree.has(r[0]!)) continue;
    const type = r.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    try { const f = readFileSync(`/proc/${r[0]}/stat`, 'utf8').split(') ')[1]!.split(' '); out.set(type, (out.get(type) ?? 0) + (Number(f[11]) + Number(f[12])) / 100); } catch { /* exited */ }
  }
  return out;
}
const cpuDelta = (a: Map<string, number>, b: Map<string, number>) => new Map([...b].map(([k, v]) => [k, Math.round((v - (a.get(k) ?? 0)) * 1000)]));

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tid: number; pid: number; args?: { data?: { url?: string } } }

/** Top-level main-thread events of the renderer, by name, and the long tasks in time order. */
function summariseTrace({ traceEvents }: { traceEvents: TraceEvent[] }, figuresMs: number, verbose: boolean): number {
  // The renderer's main thread: the one that ran the most script.
  const counts = new Map<string, number>();
  for (const e of traceEvents) if (e.name === 'FunctionCall' || e.name === 'EvaluateScript' || e.name === 'v8.evaluateModule') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + (e.dur ?? 0));
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const main = traceEvents.find((e) => `${e.pid}:${e.tid}` === busiest);
  if (!main) { process.stdout.write(`  trace: no script events (${traceEvents.length} events)\n`); return 0; }
  const onMain = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined);
  const nav = traceEvents.find((e) => e.name === 'navigationStart' && e.pid === main.pid)?.ts ?? onMain[0]!.ts;
  // Top-level slices: events on the main thread not inside another one.
  const sorted = [...onMain].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const top: TraceEvent[] = [];
  for (const e of sorted) { const last = top[top.length - 1]; if (!last || e.ts >= last.ts + last.dur!) top.push(e); }
  const by = new Map<string, number>();
  for (const e of onMain) if (['EvaluateScript', 'v8.compile', 'v8.compileModule', 'FunctionCall', 'v8.evaluateModule', 'ParseHTML', 'UpdateLayoutTree', 'Layout', 'Paint', 'ParseAuthorStyleSheet', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'MajorGC', 'MinorGC'].includes(e.name)) by.set(e.name, (by.get(e.name) ?? 0) + e.dur!);
  const busy = top.filter((e) => e.ts - nav < figuresMs * 1000).reduce((n, e) => n + Math.min(e.dur!, nav + figuresMs * 1000 - e.ts), 0) / 1000;
  if (!verbose) return busy;
  process.stdout.write(`  trace (ms, may nest): ${[...by].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${Math.round(v / 1000)}`).join(', ')}\n`);
  const long = top.filter((e) => e.dur! > 15_000).map((e) => {
    const inner = onMain.filter((x) => x !== e && x.ts >= e.ts && x.ts + x.dur! <= e.ts + e.dur! && x.dur! > 8_000 && !/RunTask|DoWork|ThreadController/.test(x.name))
      .map((x) => `${x.name}${x.args?.data?.url ? `(${x.args.data.url.split('/').pop()})` : ''}:${Math.round(x.dur! / 1000)}`).slice(0, 5);
    return `@${Math.round((e.ts - nav) / 1000)}+${Math.round(e.dur! / 1000)} [${inner.join(' ')}]`;
  });
  process.stdout.write(`  main-thread slices > 15 ms (start+duration):\n    ${long.join('\n    ')}\n`);
  return busy;
}

async function main(): Promise<void> {
  ensureConsoleBuilt();
  const stage = await startConsoleStage('console-prof', AWARDS);
  const url = stage.url;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, MARKER], headless: true });
  try {
    const first = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    const p = await first.newPage();
    await stage.signIn(first);
    await p.goto('/#/?fy=2025');
    await p.getByTestId('overview-ready').waitFor({ state: 'attached', timeout: 60_000 });
    await p.getByTestId('forecast-ready').waitFor({ state: 'attached', timeout: 120_000 });
    const cookies = await first.cookies();
    const RUNS = 8;
    const figuresRuns: number[] = []; const busyRuns: number[] = []; const cpuRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
      await context.addCookies(cookies);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      const profiled = run === RUNS - 1;
      if (profiled) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'] });
      if (profiled) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const cpu0 = chromiumCpuSeconds();
      const t = performance.now();
      await page.goto('/#/?fy=2025');
      await page.getByTestId('overview-ready').waitFor({ state: 'attached', timeout: 30_000 });
      await page.getByTestId('total-budget_fen').waitFor();
      const figures = Math.round(performance.now() - t);
      const used = cpuDelta(cpu0, chromiumCpuSeconds());
      cpuRuns.push([...used.values()].reduce((x, y) => x + y, 0));
      if (run === RUNS - 2) process.stdout.write(`Chromium CPU ms to figures by process: ${JSON.stringify(Object.fromEntries(used))}\n`);
      const marks = await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; startTime: number }[] } }).performance.getEntriesByType('mark').map((m) => `${m.name}@${Math.round(m.startTime)}`));
      figuresRuns.push(figures);
      if (!profiled) { await context.close(); continue; }
      const { profile } = await cdp.send('Profiler.stop') as unknown as { profile: Profile };
      busyRuns.push(summariseTrace(JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }, figures, true));
      await context.close();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      const byFn = new Map<string, number>(); const byUrl = new Map<string, number>();
      for (const [id, us] of self) {
        const f = byId.get(id)!.callFrame;
        const file = f.url.split('/').pop() || '(native)';
        const key = `${f.functionName || '(anon)'} ${file}:${f.lineNumber}:${f.columnNumber}`;
        byFn.set(key, (byFn.get(key) ?? 0) + us);
        byUrl.set(file, (byUrl.get(file) ?? 0) + us);
      }
      const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${Math.round(v / 1000)}ms ${k}`);
      process.stdout.write(`profiled run: figures ${figures} ms; marks ${marks.join(' ')}\n  by script: ${top(byUrl, 12).join(' | ')}\n  by function:\n    ${top(byFn, 25).join('\n    ')}\n`);
      if (run === RUNS - 1) writeFileSync(path.join(ROOT, 'bench', 'out', 'overview.cpuprofile'), JSON.stringify(profile));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    process.stdout.write(`figures ms: median ${median(figuresRuns)} (${figuresRuns.join(' ')}); main thread busy before figures (profiled run) ms: ${Math.round(busyRuns[0] ?? 0)}; Chromium CPU ms to figures: median ${median(cpuRuns)} (${cpuRuns.join(' ')}); load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  } finally {
    await browser.close();
    await stage.stop();
  }
}

main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
