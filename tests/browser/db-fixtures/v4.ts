// Schema version 4 (the camera-moved check): v3's stores plus `scenes` (key lotId): each lot's scene reference, a
// 240 px grey picture taken when its slots were marked, and the key of the layout it was taken with.
// Frozen like v1.ts to v3.ts: when the schema changes, add v5.ts.
import { createRaw, type SchemaFixture } from './schema-fixture.ts';

const T0 = Date.UTC(2026, 11, 1, 9);
const grey = Uint8Array.from({ length: 240 * 135 }, (_, i) => (i * 31) % 251);

const storedSettings = { backend: 'wasm' as const, minScore: 0.3, maxBoxes: 100, sensitivity: 0, holdFrames: 3, holdMs: 3000, showDetections: false, cadenceMs: 2000 };

export const v4: SchemaFixture = {
  version: 4,
  lots: ['default', 'north'],
  slots: {
    default: [{ id: '1', name: 'A-01', polygon: [[0.1, 0.5], [0.2, 0.5], [0.2, 0.6], [0.1, 0.6]], zone: 'North row', kind: 'ev' }],
    north: [{ id: '7', name: 'N-07', polygon: [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6], [0.5, 0.6]] }],
  },
  settings: storedSettings,
  history: { events: 1, snapshots: 1 },
  // The north lot's layout has no scene yet (marked before it was taken): it reads back as none.
  scenes: { default: { width: 240, height: 135, data: grey, takenAt: T0, layout: '1:4be0a6b1' } },
  create(name) {
    return createRaw(
      name,
      4,
      (db) => {
        db.createObjectStore('lots', { keyPath: 'id' });
        db.createObjectStore('slots', { keyPath: ['lotId', 'id'] }).createIndex('by-lot', 'lotId');
        db.createObjectStore('settings');
        db.createObjectStore('events', { keyPath: ['lotId', 'at', 'slotId'] });
        db.createObjectStore('snapshots', { keyPath: ['lotId', 'at'] });
        db.createObjectStore('aggregates', { keyPath: ['lotId', 'start'] });
        db.createObjectStore('scenes', { keyPath: 'lotId' });
      },
      ['lots', 'slots', 'settings', 'events', 'snapshots', 'scenes'],
      (tx) => {
        tx.objectStore('lots').put({ id: 'default', name: 'My lot', createdAt: T0 });
        tx.objectStore('lots').put({ id: 'north', name: 'North lot', createdAt: T0 });
        for (const [lotId, slots] of Object.entries(this.slots)) {
          slots.forEach((s, order) =>
            tx.objectStore('slots').put({
              lotId, id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y]), order, updatedAt: T0,
              zone: s.zone ?? null, kind: s.kind ?? 'standard', closed: s.closed ?? null,
            }),
          );
        }
        tx.objectStore('settings').put(storedSettings, 'settings');
        tx.objectStore('snapshots').put({ lotId: 'default', at: T0, total: 1, occupied: 0 });
        tx.objectStore('events').put({ lotId: 'default', at: T0 + 60_000, slotId: '1', state: 'occupied', probability: 0.9 });
        tx.objectStore('scenes').put({ lotId: 'default', width: 240, height: 135, data: grey, takenAt: T0, layout: '1:4be0a6b1' });
      },
    );
  },
};
