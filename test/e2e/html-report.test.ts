import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildReport } from '../../src/report/build.js';
import { renderHtml, type RenderHtmlOptions } from '../../src/report/html.js';
import type { Report, StoredNotification } from '../../src/report/types.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import { loadFixture } from '../helpers/fixtures.js';
import { SERVERS_SELECT, storeServersTrace } from '../helpers/servers-trace.js';
import { XSS, wideReport, xssReport } from './html-report-traces.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Debian chromium not installed at ${CHROMIUM}`;

interface Opened {
  page: Page;
  /** Requests to anything but file: / data: / about: URLs. */
  network: string[];
  /** Console errors (CSP violations show up here) and uncaught page errors. */
  errors: string[];
  dialogs: string[];
}

function reportFromFixture(name: string): Report {
  const fixture = loadFixture<{ notifications: StoredNotification[] }>(`reports/${name}.json`);
  return buildReport(fixture.notifications);
}

describe('HTML report in Chromium', { skip }, () => {
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osp-html-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: Report, name: string, options: RenderHtmlOptions = {}): Promise<Opened> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtml(report, options));
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const opened: Opened = { page, network: [], errors: [], dialogs: [] };
    page.on('request', (r) => {
      if (!/^(file|data|about):/.test(r.url())) opened.network.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') opened.errors.push(m.text());
    });
    page.on('pageerror', (e) => opened.errors.push(e.message));
    page.on('dialog', (d) => {
      opened.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#osp-root[data-ready="true"]', { timeout: 10_000 });
    return opened;
  }

  const rowCount = (page: Page): Promise<number> => page.locator('.osp-row:visible').count();
  // The span type of each row shown, read from its chip ("db · nova-api").
  const names = (page: Page): Promise<string[]> =>
    page.$$eval('.osp-row', (rows) =>
      rows
        .filter((r) => (r as HTMLElement).style.display !== 'none')
        .sort((a, b) => Number((a as HTMLElement).dataset.pos) - Number((b as HTMLElement).dataset.pos))
        .map((r) => (r.querySelector('.osp-svc')?.textContent ?? '').split(' \u00b7 ')[0]),
    );

  it('shows every span of the trace without any network request or console error', async () => {
    const { page, network, errors } = await open(reportFromFixture('02_nested_services'), 'nested');
    assert.equal(await rowCount(page), 6);
    assert.deepEqual(await names(page), ['wsgi', 'db', 'rpc', 'compute', 'db', 'driver']);
    assert.match((await page.textContent('#osp-summary')) ?? '', /6 spans/);
    assert.equal(await page.textContent('#osp-count'), '6 of 6 spans shown');
    assert.deepEqual(network, []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('opens the details of a clicked row: SQL statement, params and raw payloads', async () => {
    const { page } = await open(reportFromFixture('02_nested_services'), 'details');
    await page.click('.osp-row[data-index="1"] .osp-name');
    assert.match((await page.textContent('.osp-details-sub')) ?? '', /^db \u00b7 /);
    assert.equal(
      await page.textContent('.osp-sql'),
      'SELECT instances.id FROM instances WHERE instances.uuid = %(uuid_1)s',
    );
    assert.match((await page.textContent('#osp-details')) ?? '', /uuid_1/);
    assert.deepEqual(await page.$$eval('.osp-raw summary', (s) => s.map((x) => x.textContent)), [
      'db-stop',
      'db-start',
    ]);
    assert.equal(await page.locator('.osp-row.osp-selected').count(), 1);
    await page.click('.osp-row[data-index="0"] .osp-name');
    assert.match(
      (await page.textContent('.osp-request')) ?? '',
      /^POST \/v2\.1\/servers\/detail\/with\/a\/very\/long\/path\/segment\?limit=10$/,
    );
    await page.close();
  });

  it('zooms the waterfall to a span and back', async () => {
    const { page } = await open(reportFromFixture('02_nested_services'), 'zoom');
    const barWidth = (index: number): Promise<number> =>
      page.$eval(`.osp-row[data-index="${index}"] .osp-bar`, (b) => (b as HTMLElement).getBoundingClientRect().width);
    const before = await barWidth(1);
    assert.equal(await page.isVisible('#osp-reset-zoom'), false);
    await page.click('.osp-row[data-index="1"] .osp-name');
    await page.click('text=Zoom timeline to this span');
    assert.ok((await barWidth(1)) > before * 20, 'db bar widened');
    assert.ok(await page.isVisible('#osp-reset-zoom'));
    assert.equal(
      await page.isVisible('.osp-row[data-index="5"] .osp-bar'),
      false,
      'a span after the window has no bar',
    );
    assert.match((await page.textContent('.osp-row[data-index="5"] .osp-bar-label')) ?? '', /\u25b8$/);
    await page.click('#osp-reset-zoom');
    assert.equal(Math.round(await barWidth(1)), Math.round(before));
    assert.equal(await page.isVisible('#osp-reset-zoom'), false);
    await page.close();
  });

  it('highlights errors in rows and details', async () => {
    const { page } = await open(reportFromFixture('07_errors'), 'errors');
    assert.equal(await page.locator('.osp-row.osp-has-error').count(), 2);
    await page.click('.osp-row.osp-has-error >> nth=0');
    assert.match(
      (await page.textContent('.osp-error-box')) ?? '',
      /InstanceNotFound.*Instance 42 could not be found\./s,
    );
    await page.close();
  });

  it('keeps XSS payloads inert: shown as text, nothing injected, no dialog', async () => {
    const { page, dialogs, errors, network } = await open(xssReport(), 'xss', { title: XSS });
    assert.equal(await page.textContent('.osp-title'), XSS);
    assert.equal(await page.title(), XSS);
    await page.click('.osp-row[data-index="1"] .osp-name');
    assert.equal(await page.textContent('.osp-sql'), XSS);
    assert.match(
      (await page.textContent('.osp-error-box')) ?? '',
      /<img src=x onerror=alert\(4\)>.*<\/script><script>alert\(5\)/s,
    );
    assert.equal(
      await page.textContent('.osp-row[data-index="1"] .osp-svc'),
      'db \u00b7 nova-<img src=x onerror=alert(6)>',
    );
    assert.match((await page.textContent('.osp-legend')) ?? '', /<img src=x onerror=alert\(6\)>/);
    await page.fill('#osp-search', '</script>');
    await page.press('#osp-search', 'Enter');
    assert.deepEqual(await names(page), ['wsgi', 'db']);
    await page.click('.osp-row[data-index="0"] .osp-name');
    assert.match((await page.textContent('.osp-request')) ?? '', /onerror=alert\(2\)/);
    await page.waitForTimeout(200);
    assert.equal(await page.locator('img, svg, iframe, object, embed').count(), 0);
    assert.equal(await page.locator('script').count(), 3);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    assert.deepEqual(network, []);
    await page.close();
  });

  it("filters rows by search text, service and errors, keeping matched spans' ancestors", async () => {
    const { page } = await open(reportFromFixture('02_nested_services'), 'search');
    await page.fill('#osp-search', 'driver');
    await page.press('#osp-search', 'Enter');
    assert.deepEqual(await names(page), ['wsgi', 'rpc', 'compute', 'driver']);
    assert.equal(await page.textContent('#osp-count'), '1 of 6 spans match');
    assert.equal(await page.locator('.osp-row.osp-hit').count(), 1);
    await page.fill('#osp-search', 'instances.uuid');
    await page.press('#osp-search', 'Enter');
    assert.deepEqual(await names(page), ['wsgi', 'db']);
    await page.fill('#osp-search', '');
    await page.press('#osp-search', 'Enter');
    assert.equal(await rowCount(page), 6);
    await page.click('.osp-chip:has-text("compute")');
    assert.deepEqual(await names(page), ['wsgi', 'rpc', 'compute', 'db', 'driver']);
    await page.selectOption('#osp-service', '-1');
    await page.fill('#osp-search', 'nothing-matches-this');
    await page.press('#osp-search', 'Enter');
    assert.equal(await rowCount(page), 0);
    await page.close();
  });

  it('expands and collapses subtrees with the toggle and the toolbar buttons', async () => {
    const { page } = await open(reportFromFixture('02_nested_services'), 'collapse');
    await page.click('.osp-row[data-index="2"] .osp-toggle');
    assert.deepEqual(await names(page), ['wsgi', 'db', 'rpc']);
    assert.equal(await page.getAttribute('.osp-row[data-index="2"]', 'aria-expanded'), 'false');
    await page.click('.osp-row[data-index="2"] .osp-toggle');
    assert.equal(await rowCount(page), 6);
    await page.click('#osp-collapse-all');
    assert.deepEqual(await names(page), ['wsgi']);
    await page.click('#osp-expand-all');
    assert.equal(await rowCount(page), 6);
    await page.click('.osp-row[data-index="0"] .osp-name');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await names(page), ['wsgi']);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.match((await page.textContent('.osp-details-sub')) ?? '', /^db \u00b7 /);
    await page.close();
  });

  it('inflates gzipped payload blocks on demand and searches all of them once loaded', async () => {
    const { page, errors } = await open(wideReport(5000), 'gzip', { compressPayloads: true });
    assert.equal(await page.getAttribute('#osp-payloads', 'data-encoding'), 'gzip-base64');
    await page.$eval('#osp-rows', (v) => (v.scrollTop = v.scrollHeight));
    await page.waitForSelector('.osp-row[data-index="5000"]');
    await page.click('.osp-row[data-index="5000"] .osp-name');
    await page.waitForSelector('.osp-sql');
    assert.match((await page.textContent('.osp-sql')) ?? '', /^SELECT 4999 FROM t4999 /);
    await page.fill('#osp-search', 'from t4321 ');
    await page.press('#osp-search', 'Enter');
    await page.waitForFunction(() => document.getElementById('osp-count')?.textContent === '1 of 5,001 spans match');
    assert.deepEqual(await names(page), ['wsgi', 'db']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('renders only the rows in view for a 1,000-span trace and reaches the last span by scrolling', async () => {
    const { page, errors } = await open(reportFromFixture('10_generated_1000'), 'big');
    assert.equal(await page.textContent('#osp-count'), '1,000 of 1,000 spans shown');
    const inDom = await page.locator('.osp-row').count();
    assert.ok(inDom > 10 && inDom < 120, `rows in DOM: ${inDom}`);
    await page.$eval('#osp-rows', (v) => (v.scrollTop = v.scrollHeight));
    await page.waitForFunction(() => document.querySelector('.osp-row[data-index="999"]') !== null);
    assert.ok((await page.locator('.osp-row').count()) < 120);
    await page.click('#osp-tab-stats');
    assert.match((await page.textContent('#osp-stats')) ?? '', /Time per span type/);
    assert.deepEqual(errors, []);
    await page.close();
  });
  it('draws the whole trace in the overview, frames the rows in view and takes you where you click', async () => {
    const { page, errors } = await open(wideReport(2000), 'minimap');
    // Painted pixels in the top and bottom fifth of the canvas (the first and the last spans), and
    // orange ones: the db service's colour (#f28e2b; the api service is blue).
    const painted = (): Promise<{ top: number; bottom: number; db: number }> =>
      page.$eval('.osp-minimap-canvas', (c) => {
        const canvas = c as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const band = Math.floor(canvas.height / 5);
        const out = { top: 0, bottom: 0, db: 0 };
        for (let y = 0; y < canvas.height; y++)
          for (let x = 0; x < canvas.width; x++) {
            const p = (y * canvas.width + x) * 4;
            if (pixels[p + 3] === 0) continue;
            if (y < band) out.top++;
            if (y >= canvas.height - band) out.bottom++;
            if (pixels[p] > pixels[p + 1] && pixels[p + 1] > pixels[p + 2] && pixels[p] - pixels[p + 2] > 100) out.db++;
          }
        return out;
      });
    const before = await painted();
    assert.ok(before.top > 0 && before.bottom > 0 && before.db > 0, `painted: ${JSON.stringify(before)}`);
    const frameTop = (): Promise<number> =>
      page.$eval('.osp-minimap-frame', (f) => parseFloat((f as HTMLElement).style.top));
    assert.equal(await frameTop(), 0, 'the frame starts at the first row');
    const box = (await page.locator('#osp-minimap').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.9);
    await page.waitForFunction(() => document.querySelector('.osp-row[data-index="1800"]') !== null);
    assert.ok((await page.$eval('#osp-rows', (v) => v.scrollTop)) > 0, 'the rows scrolled');
    assert.ok((await frameTop()) > 80, `the frame followed (${await frameTop()} %)`);
    // Filtered to the one wsgi span, the overview shows that row only: no db span is left.
    await page.fill('#osp-search', 'name:wsgi');
    await page.press('#osp-search', 'Enter');
    const after = await painted();
    assert.equal(after.db, 0, `no db pixel after filtering: ${JSON.stringify(after)}`);
    assert.ok(after.top > 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('names each row by its operation, shows the UTC start and wall-clock times of a SQLite-stored trace, and highlights the critical path', async () => {
    const baseId = 'c0ffee00-0000-4000-8000-00000000e2e1';
    const connectionString = `sqlite:///${join(dir, 'acceptance.db')}`;
    await storeServersTrace(connectionString, baseId);
    const driver = createSqliteDriver(connectionString, { readonly: true });
    const report = await driver.getReport(baseId);
    await driver.close();
    const { page, network, errors } = await open(report, 'acceptance', { title: `Trace ${baseId}` });
    const rows = await page.$$eval('.osp-row', (list) =>
      list
        .filter((r) => (r as HTMLElement).style.display !== 'none')
        .sort((a, b) => Number((a as HTMLElement).dataset.pos) - Number((b as HTMLElement).dataset.pos))
        .map((r) => r.querySelector('.osp-name')?.textContent ?? ''),
    );
    assert.equal(rows[0], 'GET /servers');
    assert.ok(rows.some((r) => r.includes('/servers')));
    assert.ok(rows.includes('compute.Manager.list'));
    assert.ok(
      rows.some((r) => r.startsWith('SELECT * FROM instances') && SERVERS_SELECT.startsWith(r.replace(/ …$/, ''))),
      rows.join(' | '),
    );
    assert.ok(rows.includes('GET glance:9292/v2/images'));
    assert.equal(await page.textContent('.osp-row[data-index="0"] .osp-svc'), 'wsgi \u00b7 nova-api');
    assert.equal(await page.textContent('#osp-started'), 'Started 2026-12-04 14:30:05.000 UTC');
    // the SELECT: wall-clock start in the details although SQL stores keep no timestamp in the payload
    await page.click('.osp-row[data-index="2"] .osp-name');
    const facts = (await page.textContent('#osp-details')) ?? '';
    assert.match(facts, /Start\+10 ms \u00b7 2026-12-04 14:30:05\.010 UTC/);
    assert.match(facts, new RegExp(SERVERS_SELECT.replace(/[*?]/g, '\\$&')));
    // errors are marked; the axis ends at the trace's end
    assert.match((await page.textContent('.osp-row[data-index="4"] .osp-errtag')) ?? '', /OperationalError/);
    const ticks = await page.$$eval('.osp-tick', (t) => t.map((x) => x.textContent));
    assert.equal(ticks[ticks.length - 1], '120 ms');
    // critical path: wsgi → rpc → SELECT, then the HTTP call (sequential) and its db; toggled off and on
    const critical = (): Promise<string[]> =>
      page.$$eval('.osp-row.osp-critical', (r) => r.map((x) => (x as HTMLElement).dataset.index ?? '').sort());
    assert.deepEqual(await critical(), ['0', '1', '2', '3', '4']);
    await page.uncheck('#osp-critical');
    assert.deepEqual(await critical(), []);
    await page.check('#osp-critical');
    assert.equal((await critical()).length, 5);
    assert.deepEqual(network, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
