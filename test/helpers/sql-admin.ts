// One-off admin statements (CREATE/DROP DATABASE, probes) on the shared PostgreSQL and MariaDB, each on a connection of its own.
import mysqlPromise from 'mysql2/promise';
import pg from 'pg';

/** Runs `sql` as postgres on 127.0.0.1:5432 in `database`; resolves with the rows. */
export async function pgAdmin(sql: string, database = 'test'): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Runs `sql` as root on 127.0.0.1:3306 (no database selected); resolves with the rows (none for DDL). */
export async function mysqlAdmin(sql: string): Promise<Record<string, unknown>[]> {
  const conn = await mysqlPromise.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    const [rows] = await conn.query(sql);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await conn.end();
  }
}
