import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Point } from '../occupancy/types.ts';

export interface StoredLot {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface StoredSlot {
  readonly lotId: string;
  readonly id: string;
  readonly name: string;
  /** Normalised to the frame (0..1). */
  readonly polygon: readonly Point[];
  /** Keeps the order the user made them in. */
  readonly order: number;
  readonly updatedAt: number;
}

export interface LotwatchSchema extends DBSchema {
  lots: { key: string; value: StoredLot };
  slots: { key: [string, string]; value: StoredSlot; indexes: { 'by-lot': string } };
  settings: { key: string; value: unknown };
}

export type LotwatchDB = IDBPDatabase<LotwatchSchema>;

export const DB_NAME = 'lotwatch';
/** Bump with a new `if (oldVersion < N)` step below; never edit an old step (devices in the field ran it). */
export const DB_VERSION = 1;
export const DEFAULT_LOT_ID = 'default';

export async function openLotwatchDB(name = DB_NAME): Promise<LotwatchDB> {
  const db = await openDB<LotwatchSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('lots', { keyPath: 'id' });
        const slots = db.createObjectStore('slots', { keyPath: ['lotId', 'id'] });
        slots.createIndex('by-lot', 'lotId');
        db.createObjectStore('settings');
        void tx.objectStore('lots').put({ id: DEFAULT_LOT_ID, name: 'My lot', createdAt: Date.now() });
      }
    },
    blocking() {
      // A newer version of the app (another tab, after an update) wants to upgrade: let it.
      db.close();
    },
  });
  return db;
}
