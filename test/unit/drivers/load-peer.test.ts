// Unit tests of src/drivers/load-peer.ts: the one loader of the drivers' optional peer packages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPeer, peerExport } from '../../../src/drivers/load-peer.js';
import { DriverMissingError } from '../../../src/errors.js';

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/x.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe('loadPeer', () => {
  it('names the package to install when the package itself is missing', async () => {
    await assert.rejects(
      loadPeer('postgresql', 'pg', () => Promise.reject(notFound('pg'))),
      (e: unknown) => e instanceof DriverMissingError && /postgresql:\/\/.*npm install pg/.test(e.message),
    );
  });

  it('passes through a missing module inside an installed package, which no install of it fixes', async () => {
    const inner = notFound('pg-types');
    await assert.rejects(
      loadPeer('postgresql', 'pg', () => Promise.reject(inner)),
      (e) => e === inner,
    );
  });

  it('passes other load errors through unchanged', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      loadPeer('redis', 'ioredis', () => Promise.reject(boom)),
      (e) => e === boom,
    );
  });

  it('loads an installed package', async () => {
    const mod = await loadPeer('postgresql', 'pg', () => import('pg'));
    assert.equal(typeof peerExport(mod, 'postgresql', 'pg', 'Pool'), 'function');
  });
});

describe('peerExport', () => {
  it('finds a named export on a CommonJS default', () => {
    const Pool = class {};
    assert.equal(peerExport({ default: { Pool } }, 'postgresql', 'pg', 'Pool'), Pool);
  });

  it('returns the default export when no name is asked', () => {
    const Redis = class {};
    assert.equal(peerExport({ default: Redis } as never, 'redis', 'ioredis'), Redis);
  });

  it('a package without the expected export is reported as the wrong package', () => {
    assert.throws(
      () => peerExport({ connect: 42 }, 'messaging', 'amqplib', 'connect'),
      (e: unknown) => e instanceof DriverMissingError && /amqplib/.test(e.message),
    );
  });
});
