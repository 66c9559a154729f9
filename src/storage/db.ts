import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredAggregate } from '../history/aggregate-codec.ts';
import type { LotSnapshot, SlotEvent } from '../history/types.ts';
import type { SceneReference } from '../motion/scene.ts';
import type { Point, SlotClosure, SlotKind } from '../occupancy/types.ts';

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
  /** v3: every row has these (v1 and v2 rows get them from the migration). */
  readonly zone: string | null;
  readonly kind: SlotKind;
  readonly closed: SlotClosure | null;
}

/** A lot's scene reference (motion/scene.ts): what the camera saw when the slots were marked or last confirmed. */
export interface StoredScene extends SceneReference {
  readonly lotId: string;
}

export interface LotwatchSchema extends DBSchema {
  lots: { key: string; value: StoredLot };
  slots: { key: [string, string]; value: StoredSlot; indexes: { 'by-lot': string } };
  settings: { key: string; value: unknown };
  // History (v2). Keys lead with the lot and the time, so a lot's range is one key range, in time order.
  events: { key: [string, number, string]; value: SlotEvent };
  snapshots: { key: [string, number]; value: LotSnapshot };
  aggregates: { key: [string, number]; value: StoredAggregate };
  // Scene references (v3), one per lot, beside its slots.
  scenes: { key: string; value: StoredScene };
}

export type LotwatchDB = IDBPDatabase<LotwatchSchema>;

export const DB_NAME = 'lotwatch';
/** Bump with a new `if (oldVersion < N)` step below; never edit an old step (devices in the field ran it). */
export const DB_VERSION = 4;
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
      if (oldVersion < 2) {
        // Lot history: append-only events and snapshots, hourly aggregates once compacted. v1 stores stay as they are.
        db.createObjectStore('events', { keyPath: ['lotId', 'at', 'slotId'] });
        db.createObjectStore('snapshots', { keyPath: ['lotId', 'at'] });
        db.createObjectStore('aggregates', { keyPath: ['lotId', 'start'] });
      }
      if (oldVersion < 3) {
        // Zones, kinds and closures: every stored slot becomes a standard, open slot in no zone.
        void (async () => {
          const slots = tx.objectStore('slots');
          for (let c = await slots.openCursor(); c; c = await c.continue()) {
            const row = c.value as Partial<StoredSlot> & Omit<StoredSlot, 'zone' | 'kind' | 'closed'>;
            void c.update({ ...row, zone: row.zone ?? null, kind: row.kind ?? 'standard', closed: row.closed ?? null });
          }
        })();
      }
      if (oldVersion < 4) {
        // The scene reference of each lot's layout (the camera-moved check). A layout from before has none: the next
        // frame analysed with its slots becomes it.
        db.createObjectStore('scenes', { keyPath: 'lotId' });
      }
    },
    blocking() {
      // A newer version of the app (another tab, after an update) wants to upgrade: let it.
      db.close();
    },
  });
  return db;
}
