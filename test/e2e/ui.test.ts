// `osprofiler ui`, the built command as a user runs it: the list, a trace, the JSON API, refusals,
// escaping, a store that appears later, shutdown; then a click-through in Chromium.
import { strict as assert } from 'node:assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

import { defaultConnectionString } from '../../src/drivers/sqlite/default-location.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/types.js';
import { loadFixture } from '../helpers/fixtures.js';
import { bin, ensureBuilt } from '../helpers/built-bin.js';
import { startUi, type RunningUi } from '../helpers/bin-process.js';

const work = mkdtempSync(join(tmpdir(), 'osp-ui-'));
after(() => rmSync(work, { recursive: true, force: true }));

const sql = loadFixture<{
  notifications_sent_in_order: Notification[];
  driver_args: { project: string; service: string; host: string };
  'get_report_3.4.3': Report;
}>('storage/sql.json');
const TRACE_1 = 'c0ffee00-0000-4000-8000-000000000001';
const TRACE_ERR = 'c0ffee00-0000-4000-8000-000000000002';
const XSS_TRACE = 'c0ffee00-0000-4000-8000-0000000000ee';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const UNKNOWN = '00000000-1111-4222-8333-444444444444';

before(ensureBuilt);

/** Stores the fixture traces (one with an error) and one whose service and error are markup. */
async function storeTraces(home: string): Promise<void> {
  mkdirSync(home, { recursive: true });
  const driver = createSqliteDriver(defaultConnectionString({ OSPROFILER_HOME: home }), sql.driver_args);
  await driver.notifyBatch(sql.notifications_sent_in_order);
  const at = (us: number): string => `2024-06-01T10:00:00.${String(us).padStart(6, '0')}`;
  const point = (name: string, us: number, info: Record<string, unknown>): Notification => ({
    name,
    base_id: XSS_TRACE,
    trace_id: 'aaaaaaaa-0000-4000-8000-000000000001',
    parent_id: XSS_TRACE,
    timestamp: at(us),
    info: { host: 'h', ...info },
    project: 'p',
    service: XSS,
  });
  await driver.notifyBatch([point('db-start', 0, {}), point('db-stop', 10, { etype: XSS, message: XSS })]);
  await driver.close();
}

/** The trace ids of the list's table, in order (the scatter plot links to them too). */
function listed(body: string): string[] {
  return [...body.matchAll(/<td class="mono"><a href="\/traces\/([^"]+)"/g)].map((m) => m[1]!);
}

function startUiAt(home: string): Promise<RunningUi> {
  return startUi([], { ...process.env, OSPROFILER_HOME: home, OSPROFILER_CONNECTION_STRING: '' });
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so the test controls the Host header and the method. */
function get(url: string, path: string, options: { method?: string; host?: string } = {}): Promise<Response> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('osprofiler ui', () => {
  const home = join(work, 'home');
  let ui: RunningUi;
  before(async () => {
    await storeTraces(home);
    ui = await startUiAt(home);
  });
  after(async () => {
    if (ui) await stop(ui.child);
  });

  it('lists the traces newest first, with duration, services and errors, under a strict CSP', async () => {
    const r = await get(ui.url, '/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(String(r.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.deepEqual(listed(r.body), [XSS_TRACE, TRACE_ERR, TRACE_1]);
    assert.match(r.body, /3 traces shown, newest first/);
  });

  it('filters by text and by error', async () => {
    const errors = await get(ui.url, '/?errors=1');
    assert.deepEqual(listed(errors.body), [XSS_TRACE, TRACE_ERR]);
    const byId = await get(ui.url, `/?q=${TRACE_1.slice(-6)}`);
    assert.deepEqual(listed(byId.body), [TRACE_1]);
    const none = await get(ui.url, '/?q=no-such-thing');
    assert.match(none.body, /No trace matches\./);
    const limited = await get(ui.url, '/?limit=1');
    assert.deepEqual(listed(limited.body), [XSS_TRACE]);
    const older = /<a id="older" href="([^"]+)"/.exec(limited.body);
    assert.ok(older, 'a link to the next page');
    const next = await get(ui.url, older[1].replace(/&amp;/g, '&'));
    assert.deepEqual(listed(next.body), [TRACE_ERR], 'the next page, of the same size');
  });

  it('shows markup from traces as text', async () => {
    const r = await get(ui.url, '/');
    assert.ok(!r.body.includes('<script>alert'), 'no live script element from trace data');
    assert.ok(!r.body.includes('<img src=x'), 'no live img element from trace data');
    assert.ok(r.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the service name is shown escaped');
  });

  it('opens a trace in the HTML viewer, by any uuid spelling, with a way back', async () => {
    const r = await get(ui.url, `/traces/${TRACE_1.toUpperCase().replace(/-/g, '')}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /id="osp-data"/);
    assert.match(r.body, new RegExp(`<title>Trace ${TRACE_1}</title>`));
    assert.match(r.body, /All traces/);
  });

  it('serves the list and each report as JSON, the report exactly as the Python CLI prints it', async () => {
    const list = JSON.parse((await get(ui.url, '/api/traces')).body) as {
      traces: { base_id: string; operation: string | null }[];
      truncated: boolean;
      next: string | null;
    };
    assert.deepEqual(
      list.traces.map((t) => t.base_id),
      [XSS_TRACE, TRACE_ERR, TRACE_1],
    );
    // why: counting every trace of a big store costs more than the page; `next` says whether more exist.
    assert.deepEqual([list.truncated, list.next], [false, null]);
    const paged = JSON.parse((await get(ui.url, '/api/traces?limit=2')).body) as typeof list;
    assert.match(paged.next ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+~[0-9a-f-]{36}$/, 'a cursor when more exist');
    const rest = JSON.parse(
      (await get(ui.url, `/api/traces?limit=2&before=${encodeURIComponent(paged.next!)}`)).body,
    ) as typeof list;
    assert.deepEqual(
      [...paged.traces, ...rest.traces].map((t) => t.base_id),
      [XSS_TRACE, TRACE_ERR, TRACE_1],
    );
    const report = await get(ui.url, `/api/traces/${TRACE_1}`);
    assert.equal(report.status, 200);
    assert.equal(report.body, `${renderJson(sql['get_report_3.4.3'])}\n`);
  });

  it('answers 404 for an unknown trace or path', async () => {
    const page = await get(ui.url, `/traces/${UNKNOWN}`);
    assert.equal(page.status, 404);
    assert.match(page.body, /not found/);
    const api = await get(ui.url, `/api/traces/${UNKNOWN}`);
    assert.equal(api.status, 404);
    assert.match(JSON.parse(api.body).error, /not found/);
    assert.equal((await get(ui.url, '/traces/not-a-uuid')).status, 404);
    assert.equal((await get(ui.url, '/etc/passwd')).status, 404);
  });

  it('refuses other hosts (DNS rebinding) and anything but GET/HEAD', async () => {
    assert.equal((await get(ui.url, '/', { host: 'evil.example:80' })).status, 403);
    assert.equal((await get(ui.url, '/api/traces', { host: 'attacker.test' })).status, 403);
    assert.equal((await get(ui.url, '/', { host: 'localhost:1234' })).status, 200);
    const post = await get(ui.url, '/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const head = await get(ui.url, '/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });
});

describe('osprofiler ui: store lifecycle and errors', () => {
  it('starts before any trace is stored and shows them once the store exists', async () => {
    const home = join(work, 'later');
    const ui = await startUiAt(home);
    try {
      const empty = await get(ui.url, '/');
      assert.equal(empty.status, 200);
      assert.match(empty.body, /does not exist yet/);
      await storeTraces(home);
      const later = await get(ui.url, '/');
      assert.match(later.body, new RegExp(TRACE_1));
    } finally {
      assert.equal(await stop(ui.child), 0, 'SIGTERM stops the browser cleanly');
    }
  });

  it('a port in use is a clear error and exit code 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = spawnSync(process.execPath, [bin, 'ui', '--port', String(port)], {
      env: { ...process.env, OSPROFILER_HOME: join(work, 'busy') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    blocker.close();
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*in use`));
  });

  it('a bad option is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [bin, 'ui', '--port', 'http'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: osprofiler ui/);
    assert.match(r.stderr, /invalid port: 'http'/);
  });
});

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Debian chromium not installed at ${CHROMIUM}`;

describe('osprofiler ui in Chromium', { skip }, () => {
  it('list → trace → back, without errors or requests elsewhere', async () => {
    const home = join(work, 'browser');
    await storeTraces(home);
    const ui = await startUiAt(home);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(ui.url)) elsewhere.push(r.url());
      });
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        errors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(ui.url);
      assert.equal(await page.locator('tbody tr').count(), 3);
      await page.click(`tbody a[href="/traces/${TRACE_1}"]`);
      await page.waitForSelector('#osp-root[data-ready="true"]');
      assert.ok((await page.locator('.osp-row').count()) > 0, 'the viewer shows the spans');
      await page.click('a.osp-back');
      await page.waitForSelector('tbody tr');
      await page.fill('input[name=q]', 'instancenotfound');
      await page.click('button[type=submit]');
      await page.waitForURL(/q=instancenotfound/);
      assert.equal(await page.locator('tbody tr').count(), 1, 'the filter matches the error type, ignoring case');
      // the search form: service, duration, then a dot of the scatter plot opens its trace
      await page.goto(ui.url);
      await page.fill('input[name=service]', 'nova-api');
      await page.fill('input[name=min]', '0');
      await page.click('button[type=submit]');
      await page.waitForURL(/service=nova-api/);
      assert.equal(await page.locator('tbody tr').count(), 2, 'the two nova-api traces');
      assert.equal(await page.locator('#scatter circle').count(), 2, 'one dot per listed trace');
      await page.click(`#scatter a[href="/traces/${TRACE_1}"] circle`);
      await page.waitForSelector('#osp-root[data-ready="true"]');
      assert.match(page.url(), new RegExp(`/traces/${TRACE_1}$`));
      assert.deepEqual(elsewhere, []);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await stop(ui.child);
    }
  });
});
