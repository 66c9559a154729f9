// What the PostgreSQL stores share (lots in pg-lot-store.ts, operators' data in pg-ops-store.ts): the pool with its
// type parsing, transactions, and versioned migrations under an advisory lock.
import pg from 'pg';
import type { StoreWarn } from './sqlite-lot-store.ts';

// bigint (int8) columns come back as numbers: epoch ms, revisions and sequence numbers stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A pool for one store; an idle connection that breaks (a database restart) is replaced on next use, not fatal. */
export function openPool(url: string, max: number, warn: StoreWarn): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, types });
  pool.on('error', (e) => warn(`PostgreSQL connection lost: ${e.message}`));
  return pool;
}

export async function transaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    const result = await work(c);
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/** Any fixed number: the advisory locks of this application. */
export const LOCKS = { migrate: 0x10_7a_77_01, claim: 0x10_7a_77_02, lot: 0x10_7a_77_03, deliveries: 0x10_7a_77_04 } as const;

/**
 * Brings a schema up to date: `versionTable` records how many of `migrations` ran, all in one transaction. Refuses a
 * database from a newer relay. Safe when several relays start at once.
 */
export async function migrateSchema(pool: pg.Pool, migrations: readonly string[], versionTable: string): Promise<number> {
  return transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.migrate]);
    await c.query(`CREATE TABLE IF NOT EXISTS ${versionTable} (version integer NOT NULL)`);
    const r = await c.query<{ version: number }>(`SELECT version FROM ${versionTable}`);
    const current = r.rows[0]?.version ?? 0;
    if (r.rows.length === 0) await c.query(`INSERT INTO ${versionTable} (version) VALUES (0)`);
    if (current > migrations.length) {
      throw new Error(`database schema version ${current} is newer than this relay knows (${migrations.length}); upgrade the relay`);
    }
    for (let v = current; v < migrations.length; v++) await c.query(migrations[v] as string);
    await c.query(`UPDATE ${versionTable} SET version = $1`, [migrations.length]);
    return migrations.length;
  });
}

/** Where a URL points, without its password, for logs. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
