import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadConnectionStringError } from '../../../../src/errors.js';
import {
  describeSqlTarget,
  mysqlConnectionSettings,
  parseSqlUrl,
  pgPoolSettings,
  SQL_SCHEMES,
} from '../../../../src/drivers/sql/url.js';
import { loadFixture } from '../../../helpers/fixtures.js';

describe('parseSqlUrl', () => {
  it("accepts exactly the schemes Python's get_driver routes to its SQL driver", () => {
    const fixture = loadFixture('storage/sql.json');
    assert.deepEqual([...SQL_SCHEMES].sort(), [...fixture.connection_string.get_driver_schemes].sort());
    for (const scheme of SQL_SCHEMES) {
      const target = parseSqlUrl(`${scheme}://u@h/db`);
      assert.equal(target.dialect, scheme.startsWith('mysql') ? 'mysql' : 'postgresql', scheme);
    }
  });

  it('reads user, password, host, port and database, percent-decoded', () => {
    assert.deepEqual(parseSqlUrl('postgresql+psycopg2://os%40p:p%2Fw%3Ad@db.example:6432/osp%20db?sslmode=require'), {
      dialect: 'postgresql',
      driverName: 'psycopg2',
      user: 'os@p',
      password: 'p/w:d',
      host: 'db.example',
      port: 6432,
      database: 'osp db',
      query: { sslmode: 'require' },
    });
  });

  it('keeps an empty password as given and leaves out what is absent', () => {
    assert.deepEqual(parseSqlUrl('mysql://root:@127.0.0.1/test'), {
      dialect: 'mysql',
      user: 'root',
      password: '',
      host: '127.0.0.1',
      database: 'test',
      query: {},
    });
    assert.deepEqual(parseSqlUrl('postgresql://'), { dialect: 'postgresql', query: {} });
  });

  it('reads bracketed IPv6 hosts', () => {
    const target = parseSqlUrl('postgresql://u@[::1]:5432/d');
    assert.equal(target.host, '::1');
    assert.equal(target.port, 5432);
  });

  it('takes unix sockets from ?host= (PostgreSQL) and ?unix_socket= (MySQL)', () => {
    assert.equal(parseSqlUrl('postgresql://u@/d?host=/var/run/postgresql').socketPath, '/var/run/postgresql');
    assert.equal(
      parseSqlUrl('mysql+pymysql://u@/d?unix_socket=/run/mysqld/mysqld.sock').socketPath,
      '/run/mysqld/mysqld.sock',
    );
  });

  it('rejects other dialects, bad ports and a MySQL URL without a database', () => {
    for (const bad of [
      'sqlite:///x.db',
      'oracle://u@h/d',
      'postgresql://u@h:99999/d',
      'postgresql://u@h:x/d',
      'mysql://root@h',
      'nonsense',
    ]) {
      assert.throws(() => parseSqlUrl(bad), BadConnectionStringError, bad);
    }
  });

  it('never puts the password in its error messages', () => {
    assert.throws(
      () => parseSqlUrl('mysql://root:topsecret@h'),
      (error: Error) => !error.message.includes('topsecret'),
    );
  });
});

describe('pgPoolSettings', () => {
  it('builds a small pool whose idle connections let the process exit', () => {
    assert.deepEqual(pgPoolSettings(parseSqlUrl('postgresql://postgres:pw@127.0.0.1:5432/test')), {
      application_name: 'osprofiler',
      max: 4,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: 'pw',
      database: 'test',
    });
  });

  it('maps sslmode, connect_timeout and a socket folder', () => {
    assert.equal(pgPoolSettings(parseSqlUrl('postgresql://h/d?sslmode=disable')).ssl, false);
    assert.deepEqual(pgPoolSettings(parseSqlUrl('postgresql://h/d?sslmode=require')).ssl, {
      rejectUnauthorized: false,
    });
    assert.deepEqual(pgPoolSettings(parseSqlUrl('postgresql://h/d?sslmode=verify-full')).ssl, {
      rejectUnauthorized: true,
    });
    assert.equal(pgPoolSettings(parseSqlUrl('postgresql://h/d?sslmode=prefer')).ssl, undefined);
    assert.equal(pgPoolSettings(parseSqlUrl('postgresql://h/d?connect_timeout=2.5')).connectionTimeoutMillis, 2500);
    assert.equal(pgPoolSettings(parseSqlUrl('postgresql://u@h/d?host=/tmp')).host, '/tmp');
  });
});

describe('mysqlConnectionSettings', () => {
  it('uses utf8mb4 (also for "utf8") and a bounded connect timeout', () => {
    assert.deepEqual(mysqlConnectionSettings(parseSqlUrl('mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8')), {
      database: 'test',
      charset: 'utf8mb4',
      connectTimeout: 5000,
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
    });
  });

  it('prefers the unix socket over the host and asks for TLS with ?ssl=true', () => {
    const settings = mysqlConnectionSettings(
      parseSqlUrl('mysql://u:p@h/d?unix_socket=/s.sock&ssl=true&connect_timeout=1'),
    );
    assert.equal(settings.socketPath, '/s.sock');
    assert.equal(settings.host, undefined);
    assert.deepEqual(settings.ssl, {});
    assert.equal(settings.connectTimeout, 1000);
    assert.equal(settings.password, 'p');
  });
});

describe('describeSqlTarget', () => {
  it('names the server without the password', () => {
    assert.equal(
      describeSqlTarget(parseSqlUrl('postgresql://postgres:pw@127.0.0.1:5432/test')),
      'PostgreSQL postgres@127.0.0.1:5432/test',
    );
    assert.equal(describeSqlTarget(parseSqlUrl('mysql://root:pw@db/osp')), 'MySQL root@db/osp');
  });
});
