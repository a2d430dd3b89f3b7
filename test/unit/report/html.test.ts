import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonForScript } from '../../../src/report/html-escape.js';
import { renderHtml } from '../../../src/report/html.js';
import { toViewerData } from '../../../src/report/viewer-data.js';
import type { Report } from '../../../src/report/types.js';
import type { ViewerData } from '../../../src/report/ui/types.js';
import { loadFixture } from '../../helpers/fixtures.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

function fixtureReport(name: string): Report {
  return loadFixture<{ report: Report }>(`reports/${name}.json`).report;
}

function hostileReport(): Report {
  const start = {
    name: 'db-start',
    base_id: 'b',
    trace_id: 't1',
    parent_id: 'b',
    timestamp: '2024-01-01T00:00:00.000000',
    info: { db: { statement: HOSTILE, params: { p: '<!-- \u2028 & \u2029 -->' } }, host: '<svg onload=alert(2)>' },
  };
  return {
    info: { name: 'total', started: 0, finished: 5, last_trace_started: 0 },
    children: [
      {
        info: {
          name: 'db<b>',
          project: '"><script>alert(3)</script>',
          service: '<img src=x onerror=alert(4)>',
          host: '<svg onload=alert(2)>',
          'meta.raw_payload.db-start': start,
          started: 0,
          finished: 5,
          exception: '</style><script>alert(5)</script>',
        },
        trace_id: 't1',
        parent_id: 'b',
        children: [],
      },
    ],
    stats: { 'db<b>': { count: 1, duration: 5 } },
  };
}

function flatReport(spans: number): Report {
  const children = Array.from({ length: spans }, (_, i) => ({
    info: {
      name: 'db',
      project: 'p',
      service: 's',
      host: 'h',
      started: i,
      finished: i + 1,
      'meta.raw_payload.db-start': { info: { db: { statement: `SELECT ${i} /* ${'x'.repeat(200)} */` } } },
    },
    trace_id: `span-${i}`,
    parent_id: 'base',
    children: [],
  }));
  return {
    info: { name: 'total', started: 0, finished: spans + 1, last_trace_started: spans },
    children,
    stats: { db: { count: spans, duration: spans } },
  };
}

function inlineBlocks(html: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(html); m; m = re.exec(html)) out.push(m[2]);
  return out;
}

function embeddedData(html: string): unknown {
  const m = /<script type="application\/json" id="osp-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'data element present');
  return JSON.parse(m[1]);
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('renderHtml', () => {
  it('produces one complete HTML document with the data, the viewer script and the stylesheet inline', () => {
    const html = renderHtml(fixtureReport('02_nested_services'));
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(html, /<\/html>\n$/);
    assert.equal(inlineBlocks(html, 'style').length, 1);
    assert.equal(inlineBlocks(html, 'script').length, 3);
    assert.match(html, /<title>Trace c5e2de39-5b08-5119-8f36-aadb9ebae3b7<\/title>/);
    assert.match(html, /<div id="osp-root">/);
  });

  it('embeds the report flattened in pre-order, one entry per span, payloads as JSON lines after the viewer', () => {
    const report = fixtureReport('02_nested_services');
    const html = renderHtml(report);
    const data = embeddedData(html) as ViewerData;
    const flat = toViewerData(report, data.title);
    assert.deepEqual(data, flat.data);
    const block = /<script type="text\/plain" id="osp-payloads">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(block && html.indexOf(block[0]) > html.indexOf('<script>'), 'payload block after the viewer script');
    assert.deepEqual(
      block[1].split('\n').map((line) => JSON.parse(line)),
      flat.payloads.map((line) => JSON.parse(line)),
    );
    assert.equal(data.depth.length, 6);
    assert.deepEqual(data.depth, [0, 1, 1, 2, 3, 3]);
    assert.deepEqual(data.size, [5, 0, 3, 2, 0, 0]);
    assert.deepEqual(
      data.name.map((i) => data.names[i]),
      ['wsgi', 'db', 'rpc', 'compute', 'db', 'driver'],
    );
  });

  it('uses the given title, escaped in <title> and shown as text by the viewer', () => {
    const html = renderHtml(fixtureReport('01_single_span'), { title: '<b>"Boot" & co</b>' });
    assert.match(html, /<title>&lt;b&gt;&quot;Boot&quot; &amp; co&lt;\/b&gt;<\/title>/);
    assert.equal((embeddedData(html) as { title: string }).title, '<b>"Boot" & co</b>');
  });

  it('keeps hostile statements, names, services and exceptions inert: no markup from the data reaches the page source', () => {
    const html = renderHtml(hostileReport(), { title: HOSTILE });
    assert.equal(html.match(/<\/script/gi)?.length, 3, 'only the three real script elements close');
    assert.ok(!/<img/i.test(html), 'no img tag');
    assert.ok(!/<svg/i.test(html), 'no svg tag');
    assert.ok(!/<!--/.test(html), 'no comment opener');
    assert.ok(!/<\/style><script/i.test(html));
    assert.ok(!/[\u2028\u2029]/.test(html), 'U+2028/9 escaped');
    const data = embeddedData(html) as { services: string[]; error: string[] };
    assert.equal(data.services[0], '"><script>alert(3)</script>-<img src=x onerror=alert(4)>');
    assert.equal(data.error[0], '</style><script>alert(5)</script>');
    const block = /<script type="text\/plain" id="osp-payloads">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(block);
    assert.equal(JSON.parse(block[1])[2]['meta.raw_payload.db-start'].info.db.statement, HOSTILE);
  });

  it('escapes <, >, &, U+2028 and U+2029 as \\u escapes in embedded JSON', () => {
    assert.equal(jsonForScript({ s: '</script>&\u2028\u2029' }), '{"s":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}');
    assert.deepEqual(JSON.parse(jsonForScript({ s: '</script>&\u2028' })), { s: '</script>&\u2028' });
  });

  it('references no network resource: no http(s) URL, src, href, url() or @import', () => {
    const html = renderHtml(fixtureReport('10_generated_1000'), { compressPayloads: false });
    assert.ok(!/https?:\/\//i.test(html), 'no http:// or https://');
    assert.ok(!/\s(src|href|action|srcset)\s*=/i.test(html), 'no resource attribute');
    assert.ok(!/url\(|@import/i.test(inlineBlocks(html, 'style')[0]));
    assert.ok(
      !/\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(
        inlineBlocks(html, 'script')[1],
      ),
    );
  });

  it('gzips big payload blocks (or on request) as base64 blocks of 2048 lines that inflate back to the same lines', () => {
    const report = fixtureReport('10_generated_1000');
    assert.match(renderHtml(report), /<script type="text\/plain" id="osp-payloads">/, 'under 1 MB: plain');
    const auto = renderHtml(flatReport(5000));
    assert.match(
      auto,
      /<script type="application\/octet-stream" id="osp-payloads" data-encoding="gzip-base64" data-block="2048">[A-Za-z0-9+/=\n]+<\/script>/,
    );
    const small = renderHtml(fixtureReport('02_nested_services'), { compressPayloads: true });
    const m = /data-block="2048">([A-Za-z0-9+/=\n]+)<\/script>/.exec(small);
    assert.ok(m);
    const lines = gunzipSync(Buffer.from(m[1], 'base64')).toString('utf8').split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      toViewerData(fixtureReport('02_nested_services'), '').payloads.map((l) => JSON.parse(l)),
    );
    assert.match(renderHtml(report, { compressPayloads: false }), /<script type="text\/plain" id="osp-payloads">\[/);
    const blocks = /data-block="2048">([A-Za-z0-9+/=\n]+)<\/script>/.exec(auto)![1].split('\n');
    assert.equal(blocks.length, 3);
    const inflated = blocks.map((b) => gunzipSync(Buffer.from(b, 'base64')).toString('utf8').split('\n'));
    assert.deepEqual(
      inflated.map((lines) => lines.length),
      [2048, 2048, 904],
    );
    assert.equal(JSON.parse(inflated[2][903])[0], 'span-4999');
  });

  it('declares a strict Content-Security-Policy that allows exactly the inline script and style by hash', () => {
    const html = renderHtml(fixtureReport('02_nested_services'));
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(m, 'CSP meta present');
    const csp = m[1].replace(/&#39;/g, "'");
    assert.ok(html.indexOf(m[0]) < html.indexOf('<style>'), 'CSP comes before any style or script');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v.join(' ')]),
    );
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), hash(inlineBlocks(html, 'script')[1]));
    assert.equal(directives.get('style-src'), hash(inlineBlocks(html, 'style')[0]));
    assert.equal(directives.get('base-uri'), "'none'");
    assert.ok(!/unsafe-eval|unsafe-inline|\*|https?:/.test(csp));
  });

  it('ships a viewer script that parses as JavaScript', () => {
    const script = inlineBlocks(renderHtml(fixtureReport('01_single_span')), 'script')[1];
    assert.doesNotThrow(() => new Script(script));
  });

  it('renders an empty report and a report without timing', () => {
    const empty = {
      info: { name: 'total', started: 0, finished: null, last_trace_started: null },
      children: [],
      stats: {},
    };
    const html = renderHtml(empty as unknown as Report);
    const data = embeddedData(html) as { depth: number[]; totalMs: number; title: string };
    assert.deepEqual(data.depth, []);
    assert.equal(data.totalMs, 0);
    assert.equal(data.title, 'OSProfiler trace');
  });

  it('renders every report fixture, one embedded span per report node', () => {
    const index = loadFixture<{ scenarios: Array<{ scenario: string; report: string }> }>('reports/index.json');
    const countNodes = (nodes: Report['children']): number =>
      nodes.reduce((n, node) => n + 1 + countNodes(node.children), 0);
    let rendered = 0;
    for (const { scenario, report: status } of index.scenarios) {
      if (status !== 'ok') continue;
      const report = fixtureReport(scenario);
      const data = embeddedData(renderHtml(report)) as { depth: number[] };
      assert.equal(data.depth.length, countNodes(report.children), scenario);
      rendered++;
    }
    assert.ok(rendered >= 12);
  });
});
