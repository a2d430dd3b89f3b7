// headers.json `server` cases replayed through wrapListener on real port-0 servers (http, and https
// with a throwaway self-signed certificate).
//
// Compared: traced (or port_traced), base_id, parent_id, info, app_saw_profiler,
// profiler_after_request, and the notifications. Deliberate differences, documented here:
// - our wsgi-stop also carries `info.request.status_code` (Python records no status): it is
//   removed before comparing, and checked on its own;
// - where Python lets the app's exception escape the middleware (no status), the error also
//   escapes wrapListener; this test's server then answers 500 itself, as a WSGI server would;
// - `port_traced` cases: a non-ASCII HMAC is simply untraced (Python crashes with a 500) and a
//   header over 8 KiB is refused (Python has no limit).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatTimestamp } from '../../src/propagation/timestamp.js';
import { disableWebTrace, enableWebTrace, resetWebTrace } from '../../src/config/web-trace.js';
import { currentProfiler } from '../../src/core/context.js';
import type { Notification } from '../../src/core/payload.js';
import { wrapListener } from '../../src/instrumentation/http-server/node-http.js';
import { loadHeadersFixture, requestHeaders } from '../helpers/headers-fixture.js';
import { replay } from '../helpers/fixture-world.js';

const cases = loadHeadersFixture().server;

// The generator's frozen clock: starts at 2024-01-02T03:04:05.123456, each read +1234 µs.
const CLOCK_START_US = Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 123456;
const clockReads = Array.from({ length: 8 }, (_, i) => formatTimestamp(CLOCK_START_US + i * 1234));

class ValueError extends Error {}

function withoutStatus(notification: Notification): Notification {
  if (!notification.name.endsWith('-stop')) return notification;
  const { request: _status, ...info } = notification.info;
  return { ...notification, info };
}

let tls: { key: string; cert: string } | undefined;
let tlsSkip: string | undefined;

describe('headers.json server cases through wrapListener', () => {
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'osp-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'k.pem'),
          '-out',
          join(dir, 'c.pem'),
          '-subj',
          '/CN=localhost',
          '-days',
          '1',
        ],
        { stdio: 'ignore' },
      );
      tls = { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
    } catch {
      tlsSkip = 'openssl is not available to make a test certificate';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  after(() => resetWebTrace());

  for (const c of cases) {
    it(c.why, async (t) => {
      if (c.request.scheme === 'https' && tls === undefined) {
        t.skip(tlsSkip);
        return;
      }
      resetWebTrace();
      if (c.web_disable) disableWebTrace();
      if (c.web_enable !== null) enableWebTrace(c.web_enable);

      const seen: Array<Record<string, string | undefined> | null> = [];
      let escaped: unknown;
      let profilerAfter: unknown = 'not run';
      let finished!: () => void;
      const serverDone = new Promise<void>((resolve) => (finished = resolve));
      const app = (req: IncomingMessage, res: ServerResponse): void => {
        const p = currentProfiler();
        seen.push(
          p === undefined
            ? null
            : { base_id: p.getBaseId(), parent_id: p.getParentId(), id: p.getId(), hmac_key: p.hmacKey },
        );
        if (req.url === '/boom') throw new ValueError('boom');
        res.setHeader('Content-Type', 'text/plain');
        res.end('ok');
      };
      const wrapped = wrapListener(app, { hmacKeys: c.middleware.hmac_keys, enabled: c.middleware.enabled });
      // The "WSGI server": answers 500 when the application's error escapes, as Python's would.
      const listener = (req: IncomingMessage, res: ServerResponse): void => {
        try {
          wrapped(req, res);
        } catch (error) {
          escaped = error;
          res.statusCode = 500;
          res.end();
        }
        profilerAfter = currentProfiler() !== undefined;
        // why: added after wrapListener's own listener, so by this 'finish' the stop was sent.
        if (res.writableFinished) finished();
        else res.on('finish', () => finished());
      };
      const server = c.request.scheme === 'https' ? https.createServer(tls!, listener) : http.createServer(listener);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const expectTraced = c.port_traced ?? c.traced;

      let status = 0;
      const notifications = await replay({ ids_generated: c.ids_generated, clock_reads: clockReads }, async () => {
        status = await new Promise<number>((resolve, reject) => {
          const client = c.request.scheme === 'https' ? https : http;
          const target = c.request.query === '' ? c.request.path : `${c.request.path}?${c.request.query}`;
          const req = client.request(
            {
              host: '127.0.0.1',
              port,
              path: target,
              method: c.request.method,
              headers: requestHeaders(c.request),
              agent: false,
              rejectUnauthorized: false,
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end();
        });
        // why: the stop is sent on the server's 'finish', which may come after the client's 'end'.
        await serverDone;
      });
      server.close();

      assert.equal(notifications.length > 0, expectTraced, 'traced');
      assert.equal(profilerAfter, c.profiler_after_request);
      assert.equal(seen.length, 1, 'the application ran once');
      if (c.raises !== undefined && c.port_traced === undefined) {
        assert.ok(escaped instanceof ValueError, 'the application error escapes');
        assert.equal(status, 500);
      } else {
        assert.equal(escaped, undefined);
        assert.equal(status, c.response_status ?? 200);
      }
      if (!expectTraced) {
        assert.equal(seen[0], null);
        return;
      }
      assert.deepEqual(seen[0], c.app_saw_profiler);
      assert.equal(notifications[0].base_id, c.base_id);
      assert.equal(notifications[0].parent_id, c.parent_id);
      assert.deepEqual(notifications[0].info, c.info);
      assert.deepEqual(notifications.map(withoutStatus), c.notifications);
      const stop = notifications[1];
      if (escaped === undefined) assert.deepEqual(stop.info.request, { status_code: 200 });
    });
  }
});
