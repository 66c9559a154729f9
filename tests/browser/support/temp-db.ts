// Throwaway databases for browser tests: each test gets fresh, uniquely named databases, closed and deleted after it.
import { afterEach } from 'vitest';
import { openLotwatchDB, type LotwatchDB } from '../../../src/storage/db.ts';

/** Registers the clean-up with `afterEach`; call once per test file. */
export function tempDatabases(prefix: string): { fresh(): string; open(name: string): Promise<LotwatchDB> } {
  const names: string[] = [];
  const opened: LotwatchDB[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) db.close();
    await Promise.all(
      names.splice(0).map(
        (n) =>
          new Promise((r) => {
            const req = indexedDB.deleteDatabase(n);
            req.onsuccess = req.onerror = r;
          }),
      ),
    );
  });
  return {
    fresh() {
      const name = `${prefix}-${crypto.randomUUID()}`;
      names.push(name);
      return name;
    },
    async open(name) {
      const db = await openLotwatchDB(name);
      opened.push(db);
      return db;
    },
  };
}
