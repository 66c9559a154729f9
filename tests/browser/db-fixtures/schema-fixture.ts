// A database exactly as one schema version of the app left it, built with raw IndexedDB (never with the current
// code, which only knows the newest schema), and what the current app must read back from it.
import type { SceneReference } from '../../../src/motion/scene.ts';
import type { Slot } from '../../../src/occupancy/types.ts';
import type { Settings } from '../../../src/settings/settings.ts';

export interface SchemaFixture {
  /** The `DB_VERSION` that wrote this database. */
  readonly version: number;
  /** Creates the database `name` at `version`, with its stores and the data below. */
  create(name: string): Promise<void>;
  /** Slots per lot id, in the order the user made them. */
  readonly slots: Readonly<Record<string, readonly Slot[]>>;
  /** Settings the current app must load from it (after repairing what that version stored). */
  readonly settings: Settings;
  /** Ids of the lots stored. */
  readonly lots: readonly string[];
  /** How many history records it holds (schema 2 on); they must all be there after the upgrade. */
  readonly history?: { readonly events: number; readonly snapshots: number };
  /** Scene references per lot id (schema 3 on); a lot not listed has none. */
  readonly scenes?: Readonly<Record<string, SceneReference>>;
}

/** Opens `name` at `version`, runs `upgrade` on a fresh database, then `fill` in one transaction over `stores`. */
export function createRaw(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase) => void,
  stores: string[],
  fill: (tx: IDBTransaction) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = () => upgrade(req.result);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(stores, 'readwrite');
      fill(tx);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
