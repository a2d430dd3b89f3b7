// HTML report benchmark (issue 4): a 100,000-span trace rendered and loaded in Chromium; time to
// interactive, click, scroll, search and collapse, as ratios to the 2 s interactivity target.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { buildReport } from '../src/report/build.js';
import { renderHtml } from '../src/report/html.js';
import { generateNotifications } from './html-report-trace.js';
import { row } from './harness.js';

const SPANS = Number(process.env.OSP_BENCH_SPANS ?? 100_000);
const RUNS = Number(process.env.OSP_BENCH_RUNS ?? 3);
const TARGET_MS = 2000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface LoadFigures {
  viewerStart: number;
  dataParsed: number;
  viewerReady: number;
  domInteractive: number;
  payloadsReady: number;
  firstPaint: number;
  /** Page clock: a click queued as soon as rows exist has shown the span's stored payloads. */
  interactive: number;
  /** Test-driver clock (includes Playwright round trips, which wait for an idle page). */
  driverRows: number;
  driverInteractive: number;
}

// why: runs before the report's own script. Plain JS text (not a function) so tsx's __name()
// helper does not leak into the page; it also defines __name for the evaluate() callbacks below.
const PROBE = `
globalThis.__name = (f) => f;
(() => {
  const marks = (globalThis.__ospBench = {});
  const obs = new MutationObserver(() => {
    if (marks.rows === undefined && document.querySelectorAll('.osp-row .osp-name').length > 3) {
      marks.rows = performance.now();
      // Like a user: the click is a new task, run whenever the page lets it.
      setTimeout(() => document.querySelectorAll('.osp-row .osp-name')[3].click(), 0);
    }
    if (marks.rows !== undefined && marks.raw === undefined && document.querySelector('.osp-raw')) {
      marks.raw = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { childList: true, subtree: true });
})();`;

/** Loads the report once and returns its timings (ms since navigation start unless noted). */
async function load(page: Page, url: string): Promise<LoadFigures> {
  await page.addInitScript({ content: PROBE });
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  await page.waitForSelector('#osp-root[data-ready="true"] .osp-row', { timeout: 60_000 });
  const driverRows = performance.now() - t0;
  await page.waitForSelector('.osp-raw', { timeout: 60_000 });
  const driverInteractive = performance.now() - t0;
  await page.waitForFunction(() => performance.getEntriesByName('osp-payloads-ready').length > 0, null, {
    timeout: 60_000,
  });
  const marks = await page.evaluate(() => {
    const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const mark = (name: string): number => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
    const probe = (globalThis as unknown as { __ospBench: { raw?: number } }).__ospBench;
    return {
      domInteractive: e.domInteractive,
      viewerStart: mark('osp-viewer-start'),
      dataParsed: mark('osp-data-parsed'),
      viewerReady: mark('osp-viewer-ready'),
      payloadsReady: mark('osp-payloads-ready'),
      firstPaint: mark('first-contentful-paint'),
      interactive: probe.raw ?? Number.NaN,
    };
  });
  return { ...marks, driverRows, driverInteractive };
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
    return;
  }
  const notifications = generateNotifications(SPANS);
  let t = performance.now();
  const report = buildReport(notifications);
  const buildMs = performance.now() - t;
  t = performance.now();
  const html = renderHtml(report);
  const renderMs = performance.now() - t;
  const dir = mkdtempSync(join(tmpdir(), 'osp-bench-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const sizeMb = statSync(file).size / 1e6;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const network: string[] = [];
    const loads: LoadFigures[] = [];
    let page: Page | undefined;
    for (let run = 0; run < RUNS; run++) {
      await page?.close();
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('request', (r) => {
        if (!/^(file|data):/.test(r.url())) network.push(r.url());
      });
      loads.push(await load(page, pathToFileURL(file).href));
    }
    page = page as Page;
    const median = (pick: (l: LoadFigures) => number): number =>
      loads.map(pick).sort((a, b) => a - b)[loads.length >> 1];
    const nav = {
      viewerStart: median((l) => l.viewerStart),
      dataParsed: median((l) => l.dataParsed),
      viewerReady: median((l) => l.viewerReady),
      domInteractive: median((l) => l.domInteractive),
      payloadsReady: median((l) => l.payloadsReady),
      firstPaint: median((l) => l.firstPaint),
      interactive: median((l) => l.interactive),
    };
    const firstRowsMs = median((l) => l.driverRows);
    const interactiveMs = median((l) => l.driverInteractive);

    // Click → details rendered and painted (next frame), in the page clock.
    const click = await page.evaluate(async () => {
      const handler: number[] = [];
      const painted: number[] = [];
      for (let k = 0; k < 11; k++) {
        const name = document.querySelectorAll<HTMLElement>('.osp-row .osp-name')[k + 5];
        const t = performance.now();
        name.click();
        handler.push(performance.now() - t);
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        painted.push(performance.now() - t);
      }
      const mid = (a: number[]): number => a.sort((x, y) => x - y)[a.length >> 1];
      return { handler: mid(handler), painted: mid(painted) };
    });

    // Scroll: jump to random positions; time until a frame has been produced with the rows for
    // that position (checked after the frame's callbacks, so it is not quantised to extra frames).
    const scroll = await page.evaluate(async () => {
      const viewport = document.getElementById('osp-rows') as HTMLElement;
      const nextFrame = (): Promise<unknown> => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const mid = (a: number[]): number => a.sort((x, y) => x - y)[a.length >> 1];
      const jumps: number[] = [];
      let seed = 7;
      for (let k = 0; k < 40; k++) {
        seed = (seed * 48271) % 2147483647;
        const y = (seed / 2147483647) * (viewport.scrollHeight - viewport.clientHeight);
        const pos = Math.floor(y / 24) + 2;
        const t = performance.now();
        viewport.scrollTop = y;
        while (!document.querySelector(`.osp-row[data-pos="${pos}"]`)) await nextFrame();
        jumps.push(performance.now() - t);
      }
      // Continuous scrolling, one page per frame, for 120 frames.
      viewport.scrollTop = 0;
      await nextFrame();
      const t = performance.now();
      let late = 0;
      for (let k = 1; k <= 120; k++) {
        viewport.scrollTop = k * viewport.clientHeight;
        await nextFrame();
        if (!document.querySelector(`.osp-row[data-pos="${Math.floor((k * viewport.clientHeight) / 24) + 1}"]`)) late++;
      }
      const perFrame = (performance.now() - t) / 120;
      return {
        median: mid(jumps),
        max: Math.max(...jumps),
        perFrame,
        late,
        rows: document.querySelectorAll('.osp-row').length,
      };
    });

    // Search over every payload, service filter, collapse/expand all (synchronous work, page clock).
    const ops = await page.evaluate(() => {
      const time = (fn: () => void): number => {
        const t = performance.now();
        fn();
        return performance.now() - t;
      };
      const search = document.getElementById('osp-search') as HTMLInputElement;
      const enter = (): boolean => search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      const searchFirst = time(() => ((search.value = 'instances.uuid'), enter()));
      const searchAgain = time(() => ((search.value = 'method_7'), enter()));
      const count = document.getElementById('osp-count')?.textContent ?? '';
      const clear = time(() => ((search.value = ''), enter()));
      const collapse = time(() => (document.getElementById('osp-collapse-all') as HTMLElement).click());
      const expand = time(() => (document.getElementById('osp-expand-all') as HTMLElement).click());
      return { searchFirst, searchAgain, clear, collapse, expand, count };
    });

    console.log(
      `HTML report, ${SPANS.toLocaleString('en-US')} spans, median of ${RUNS} loads (Chromium ${browser.version()})`,
    );
    row('buildReport (Node)', `${buildMs.toFixed(0)} ms`);
    row('renderHtml (Node)', `${renderMs.toFixed(0)} ms`, `${sizeMb.toFixed(1)} MB file`);
    row('page: viewer script starts', `${nav.viewerStart.toFixed(0)} ms`, 'navigation clock');
    row('page: columns parsed / tree drawn', `${nav.dataParsed.toFixed(0)} / ${nav.viewerReady.toFixed(0)} ms`);
    row(
      'page: HTML parsed / payloads inflated',
      `${nav.domInteractive.toFixed(0)} / ${nav.payloadsReady.toFixed(0)} ms`,
    );
    row(
      'page: first contentful paint (rows on screen)',
      `${nav.firstPaint.toFixed(0)} ms`,
      `${(nav.firstPaint / TARGET_MS).toFixed(2)}x of 2 s target`,
    );
    row(
      'page: time to interactive (click → payloads)',
      `${nav.interactive.toFixed(0)} ms`,
      `${(nav.interactive / TARGET_MS).toFixed(2)}x of 2 s target`,
    );
    row(
      'driver: rows seen / payloads seen',
      `${firstRowsMs.toFixed(0)} / ${interactiveMs.toFixed(0)} ms`,
      'Playwright polls wait for an idle page',
    );
    row('click → handler done / next frame (median)', `${click.handler.toFixed(1)} / ${click.painted.toFixed(1)} ms`);
    row(
      'scroll jump → frame with its rows (median / max)',
      `${scroll.median.toFixed(1)} / ${scroll.max.toFixed(1)} ms`,
      `${scroll.rows} rows in DOM`,
    );
    row(
      'continuous scroll, a page per frame',
      `${scroll.perFrame.toFixed(1)} ms/frame`,
      `${scroll.late} of 120 frames without their rows`,
    );
    row('search all payloads (first, builds index)', `${ops.searchFirst.toFixed(0)} ms`, ops.count);
    row('search all payloads (again)', `${ops.searchAgain.toFixed(0)} ms`);
    row('clear search', `${ops.clear.toFixed(0)} ms`);
    row('collapse all / expand all', `${ops.collapse.toFixed(0)} / ${ops.expand.toFixed(0)} ms`);
    row('network requests', String(network.length));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
