// What only the SQLite store does; what every store does is in store-contract.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../relay/src/auth.ts';
import { DB_FILE, SqliteLotStore } from '../../relay/src/sqlite-lot-store.ts';
import { removeTempDirs, tempDir } from './support.ts';

afterAll(removeTempDirs);

const at = '2025-08-07T14:20:30.000Z';

describe('SqliteLotStore on a damaged or foreign file', () => {
  it('refuses an existing file with no lotwatch schema (0 bytes), unless told to initialise it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, DB_FILE), '');
    expect(() => new SqliteLotStore(dir)).toThrow(/lotwatch\.sqlite exists but holds no lotwatch data.*--init-db/);
    expect(readFileSync(join(dir, DB_FILE))).toHaveLength(0);
    const s = new SqliteLotStore(dir, () => {}, { initialise: true });
    expect(await s.claim('north', hashToken('one-token-0123456789'), at, 10)).toBe('claimed');
    await s.close();
    // Now it is a lotwatch store: opened without the flag, and its lot is there.
    const again = new SqliteLotStore(dir);
    expect(await again.get('north')).not.toBeNull();
    await again.close();
  });

  it('refuses a file that is not a database at all, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, DB_FILE), 'this is not SQLite, it is a text file that was copied over the database');
    expect(() => new SqliteLotStore(dir)).toThrow(/lotwatch\.sqlite: file is not a database/);
  });

  it('reports the quick check and the sync mode', async () => {
    const normal = new SqliteLotStore(tempDir());
    expect(await normal.integrity()).toEqual({ ok: true, detail: expect.stringMatching(/lotwatch\.sqlite: PRAGMA quick_check ok; synchronous=NORMAL$/) });
    await normal.close();
    const full = new SqliteLotStore(tempDir(), () => {}, { synchronous: 'full' });
    expect((await full.integrity()).detail).toMatch(/synchronous=FULL$/);
    await full.close();
  });
});

describe('SqliteLotStore', () => {
  it('runs in memory for throwaway stores', async () => {
    const s = new SqliteLotStore(':memory:');
    await s.ensure('x', '2025-08-07T14:20:30.000Z');
    expect(await s.get('x')).toMatchObject({ lot: 'x', tokenHash: null });
    expect(await s.check()).toBeNull();
    await s.close();
    expect(await s.check()).toBe('the database is closed');
  });
});
