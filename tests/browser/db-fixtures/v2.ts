// Schema version 2 (the lot history): v1's stores plus the lot history: events (key [lotId, at, slotId]), snapshots
// (key [lotId, at]) and aggregates (key [lotId, start]). Settings in that release's shape: sensitivity, cadence.
// Frozen like v1.ts: when the schema changes, add v3.ts instead of editing this.
import { createRaw, type SchemaFixture } from './schema-fixture.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 8);

const storedSettings = { backend: 'auto' as const, minScore: 0.35, maxBoxes: 150, sensitivity: -1, holdFrames: 3, holdMs: 2000, showDetections: true, cadenceMs: 5000 };

export const v2: SchemaFixture = {
  version: 2,
  lots: ['default'],
  slots: {
    default: [
      { id: '1', name: 'A-01', polygon: [[0.1, 0.5], [0.2, 0.5], [0.2, 0.6], [0.1, 0.6]] },
      { id: '2', name: 'A-02', polygon: [[0.3, 0.5], [0.4, 0.5], [0.4, 0.6], [0.3, 0.6]] },
    ],
  },
  settings: storedSettings,
  history: { events: 3, snapshots: 2 },
  create(name) {
    return createRaw(
      name,
      2,
      (db) => {
        db.createObjectStore('lots', { keyPath: 'id' });
        db.createObjectStore('slots', { keyPath: ['lotId', 'id'] }).createIndex('by-lot', 'lotId');
        db.createObjectStore('settings');
        db.createObjectStore('events', { keyPath: ['lotId', 'at', 'slotId'] });
        db.createObjectStore('snapshots', { keyPath: ['lotId', 'at'] });
        db.createObjectStore('aggregates', { keyPath: ['lotId', 'start'] });
      },
      ['lots', 'slots', 'settings', 'events', 'snapshots'],
      (tx) => {
        tx.objectStore('lots').put({ id: 'default', name: 'My lot', createdAt: T0 });
        this.slots.default!.forEach((s, order) =>
          tx.objectStore('slots').put({ lotId: 'default', id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y]), order, updatedAt: T0 }),
        );
        tx.objectStore('settings').put(storedSettings, 'settings');
        const slots = [
          { id: '1', occupied: false, since: null, seen: T0 },
          { id: '2', occupied: true, since: null, seen: T0 },
        ];
        tx.objectStore('snapshots').put({ lotId: 'default', at: T0, total: 2, occupied: 1, slots });
        tx.objectStore('snapshots').put({ lotId: 'default', at: T0 + HOUR, total: 2, occupied: 1 });
        tx.objectStore('events').put({ lotId: 'default', at: T0 + 600_000, slotId: '1', state: 'occupied', probability: 0.93 });
        tx.objectStore('events').put({ lotId: 'default', at: T0 + 1_200_000, slotId: '2', state: 'free', probability: 0.08 });
        tx.objectStore('events').put({ lotId: 'default', at: T0 + 1_800_000, slotId: '1', state: 'free', probability: 0.11 });
      },
    );
  },
};
