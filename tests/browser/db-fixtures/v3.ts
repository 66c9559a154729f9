// Schema version 3 (zones, kinds and closed slots): v2's stores; every slot row has `zone` (text or null), `kind`
// and `closed` ({reason, until epoch ms or null} or null). Frozen like v1.ts and v2.ts: add v4.ts instead of editing this.
import { createRaw, type SchemaFixture } from './schema-fixture.ts';

const T0 = Date.UTC(2026, 11, 1, 8);

const storedSettings = { backend: 'auto' as const, minScore: 0.35, maxBoxes: 150, sensitivity: 0, holdFrames: 3, holdMs: 2000, showDetections: false, cadenceMs: 2000 };

export const v3: SchemaFixture = {
  version: 3,
  lots: ['default'],
  slots: {
    default: [
      { id: '1', name: 'L1-01', polygon: [[0.1, 0.5], [0.2, 0.5], [0.2, 0.6], [0.1, 0.6]], zone: 'Level 1', kind: 'disabled' },
      { id: '2', name: 'L1-02', polygon: [[0.3, 0.5], [0.4, 0.5], [0.4, 0.6], [0.3, 0.6]], zone: 'Level 1', closed: { reason: 'works', until: T0 + 86_400_000 } },
      { id: '3', name: 'EV', polygon: [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6], [0.5, 0.6]], kind: 'ev', closed: { reason: 'event', until: null } },
      { id: '4', name: 'plain', polygon: [[0.7, 0.5], [0.8, 0.5], [0.8, 0.6], [0.7, 0.6]] },
    ],
  },
  settings: storedSettings,
  history: { events: 1, snapshots: 1 },
  create(name) {
    return createRaw(
      name,
      3,
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
          tx.objectStore('slots').put({
            lotId: 'default', id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y]), order, updatedAt: T0,
            zone: s.zone ?? null, kind: s.kind ?? 'standard', closed: s.closed ?? null,
          }),
        );
        tx.objectStore('settings').put(storedSettings, 'settings');
        tx.objectStore('snapshots').put({ lotId: 'default', at: T0, total: 2, occupied: 1 });
        tx.objectStore('events').put({ lotId: 'default', at: T0 + 600_000, slotId: '1', state: 'occupied', probability: 0.93 });
      },
    );
  },
};
