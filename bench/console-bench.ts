import '../cli/node-warnings.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleJsSize, JS_LIMIT_BYTES } from '../scripts/console-size.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/support/browser.ts';
import { ensureConsoleBuilt } from '../test/e2e/support/bursar-server.ts';
import { startConsoleStage } from './console-stage.ts';

/**
 * The console's speed (issue 12 §4), in headless Chromium against `bursar serve` on DynamoDB Local:
 *  - the gzipped JavaScript of sign-in + overview, from the build manifest and as actually fetched;
 *  - with N stored awards (100,000; `--quick`: 10,000): time from navigation to the overview's
 *    figures (cold: empty cache; warm: scripts cached), target <= 2 s;
 *  - the awards table's next page (50 rows, server-side cursor), target <= 1 s;
 *  - how long after the first overview's figures the day's first forecast was ready (timed apart:
 *    the navigations are timed once it is done, see below).
 * Prints one JSON line and writes bench/out/console.json.
 */
const QUICK = process.argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';
const AWARDS = Number(process.env['BENCH_CONSOLE_AWARDS'] ?? (QUICK ? 10_000 : 100_000));
const ROOT = path.resolve(import.meta.dirname, '..');
const REPEAT = QUICK ? 3 : 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t: number) => Math.round(performance.now() - t);
const say = (line: string) => process.stderr.write(`console-bench: ${line}\n`);

async function main(): Promise<void> {
  ensureConsoleBuilt(); // measure the console the sources build, never a stale web/dist
  const manifest = consoleJsSize();
  let t = performance.now();
  const stage = await startConsoleStage('console-bench', AWARDS);
  say(`seeded ${AWARDS} awards and started bursar serve in ${ms(t)} ms`);
  const url = stage.url;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    // Sign in once; later contexts reuse the session cookies.
    const first = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    const signInPage = await first.newPage();
    const fetched = new Map<string, number>();
    signInPage.on('response', async (r) => {
      if (r.request().resourceType() === 'script') fetched.set(r.url(), gzipSync(await r.body(), { level: 9 }).length);
    });
    await stage.signIn(first);
    await signInPage.goto('/#/?fy=2025');
    await overviewFigures(signInPage);
    // The day's first forecast reads every committed award (about 100,000 here) once; later requests
    // are answered from what it remembered. It is not in the figures' way (the page asks for it after
    // them), but on this 2-core machine it shares the CPU with the browser, so it is timed here on its
    // own and the timed navigations start once it is done.
    t = performance.now();
    await signInPage.getByTestId('forecast-ready').waitFor({ state: 'attached', timeout: 300_000 });
    const forecastFirstMs = ms(t);
    say(`the day's first forecast was ready ${forecastFirstMs} ms after the figures`);
    const fetchedGzip = [...fetched.values()].reduce((a, b) => a + b, 0);
    const cookies = await first.cookies();

    const cold: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
      await context.addCookies(cookies);
      cold.push(await timeOverview(context));
      await context.close();
    }
    const warm: number[] = [];
    for (let i = 0; i < REPEAT; i++) warm.push(await timeOverview(first));
    const profile = await profileOverview(browser, url, cookies);
    say(`profile (one cold navigation): ${JSON.stringify(profile)}`);

    const page = await first.newPage();
    await page.goto('/#/awards?fiscal_year=2025');
    await page.getByTestId('awards-table').locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    const next: number[] = [];
    const nextServer: number[] = [];
    page.on('response', (r) => {
      const timing = /app;dur=([\d.]+)/.exec(r.headers()['server-timing'] ?? '');
      if (r.url().includes('/api/v1/awards?') && r.url().includes('cursor=') && timing) nextServer.push(Math.round(Number(timing[1])));
    });
    for (let i = 0; i < REPEAT; i++) {
      const before = await page.getByTestId('awards-table').locator('tbody tr.ant-table-row td').first().textContent();
      t = performance.now();
      await page.getByRole('button', { name: '下一页' }).click();
      await page.waitForFunction((id) => {
        const cell = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
          .querySelector('[data-testid="awards-table"] tbody tr.ant-table-row td');
        return cell !== null && cell.textContent !== id;
      }, before, { timeout: 30_000 });
      next.push(ms(t));
    }

    const result = {
      measured_at: new Date().toISOString(),
      quick: QUICK,
      awards: AWARDS,
      load_average: os.loadavg().map((x) => Math.round(x * 10) / 10),
      js_gzip_kb_sign_in_overview_manifest: Math.round(manifest.gzip / 102.4) / 10,
      js_gzip_kb_sign_in_overview_fetched: Math.round(fetchedGzip / 102.4) / 10,
      js_limit_kb: JS_LIMIT_BYTES / 1024,
      forecast_first_ms_after_figures: forecastFirstMs,
      overview_figures_ms_cold: { median: median(cold), max: Math.max(...cold), runs: cold },
      overview_figures_ms_warm: { median: median(warm), max: Math.max(...warm), runs: warm },
      awards_next_page_ms: { median: median(next), max: Math.max(...next), runs: next },
      awards_next_page_server_ms: nextServer,
      overview_profile: profile,
      targets: { overview_ms: 2000, next_page_ms: 1000 },
    };
    mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'out', 'console.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await stage.stop();
  }
}

/** Waits until the overview shows its figures (data arrived and the total budget is filled in). */
async function overviewFigures(page: Page): Promise<void> {
  await page.getByTestId('overview-ready').waitFor({ state: 'attached', timeout: 30_000 });
  await page.getByTestId('total-budget_fen').waitFor();
}

async function timeOverview(context: BrowserContext): Promise<number> {
  const page = await context.newPage();
  const t = performance.now();
  await page.goto('/#/?fy=2025');
  await overviewFigures(page);
  const elapsed = ms(t);
  await page.close();
  return elapsed;
}

/**
 * Where one cold navigation to the overview spends its time: each request the page made (start and
 * end relative to navigation, and the server's own time from `Server-Timing`), when the figures
 * appeared, and Chromium's main-thread totals (script, style, layout) from the DevTools protocol.
 */
async function profileOverview(browser: Browser, url: string, cookies: Awaited<ReturnType<BrowserContext['cookies']>>) {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const t = performance.now();
  await page.goto('/#/?fy=2025');
  await overviewFigures(page);
  const figuresMs = ms(t);
  const timeline = await page.evaluate(() => {
    const p = (globalThis as unknown as { performance: {
      now(): number;
      getEntriesByType(type: string): { name: string; startTime: number; responseEnd: number; responseStart: number; domContentLoadedEventEnd?: number; serverTiming?: { name: string; duration: number }[] }[];
    } }).performance;
    const nav = p.getEntriesByType('navigation')[0];
    return {
      seen_at: Math.round(p.now()),
      dom_content_loaded: Math.round(nav?.domContentLoadedEventEnd ?? 0),
      requests: p.getEntriesByType('resource').map((r) => {
        const u = new URL(r.name);
        return {
          path: `${u.pathname}${u.search}`, start: Math.round(r.startTime), ttfb: Math.round(r.responseStart), end: Math.round(r.responseEnd),
          ...(r.serverTiming?.[0] ? { server: Math.round(r.serverTiming[0].duration) } : {}),
        };
      }),
    };
  });
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => Math.round((metrics.find((m) => m.name === name)?.value ?? 0) * 1000);
  await context.close();
  return {
    figures_ms: figuresMs, ...timeline,
    main_thread_ms: { script: metric('ScriptDuration'), style: metric('RecalcStyleDuration'), layout: metric('LayoutDuration'), task: metric('TaskDuration') },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`console bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
