// Schema version 1 (lotwatch 0.1.0): lots, slots (key [lotId, id], index by-lot), settings (one record, key "settings").
// Frozen: this is what phones in the field have. Do not change it when the schema changes; add v2.ts instead.
import { DEFAULT_SETTINGS } from '../../../src/settings/settings.ts';
import { createRaw, type SchemaFixture } from './schema-fixture.ts';

const square = (x: number, y: number) =>
  [
    [x, y],
    [x + 0.1, y],
    [x + 0.1, y + 0.1],
    [x, y + 0.1],
  ] as const;

/** The settings record lotwatch 0.1.0 stored: a probability threshold, no cadence, no sensitivity yet. */
const storedSettings = { backend: 'wasm', minScore: 0.3, maxBoxes: 100, threshold: 0.6, holdFrames: 5, holdMs: 4000, showDetections: false };

export const v1: SchemaFixture = {
  version: 1,
  lots: ['default', 'north'],
  slots: {
    default: [
      { id: '2', name: 'A-02', polygon: square(0.5, 0.5) },
      { id: '1', name: 'A-01', polygon: square(0.1, 0.5) },
      { id: '3', name: 'Disabled bay', polygon: [[0.7, 0.2], [0.9, 0.22], [0.88, 0.4], [0.69, 0.38]] },
    ],
    north: [{ id: '1', name: 'N-01', polygon: square(0.2, 0.2) }],
  },
  // The current app keeps what it still has (holds, boxes, backend), drops the old threshold and fills in the rest.
  settings: { ...DEFAULT_SETTINGS, holdFrames: 5, holdMs: 4000, showDetections: false, backend: 'wasm' },
  create(name) {
    return createRaw(
      name,
      1,
      (db) => {
        db.createObjectStore('lots', { keyPath: 'id' });
        db.createObjectStore('slots', { keyPath: ['lotId', 'id'] }).createIndex('by-lot', 'lotId');
        db.createObjectStore('settings');
      },
      ['lots', 'slots', 'settings'],
      (tx) => {
        tx.objectStore('lots').put({ id: 'default', name: 'My lot', createdAt: 1_700_000_000_000 });
        tx.objectStore('lots').put({ id: 'north', name: 'North lot', createdAt: 1_700_000_100_000 });
        for (const [lotId, slots] of Object.entries(this.slots)) {
          slots.forEach((s, order) =>
            tx.objectStore('slots').put({ lotId, id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y]), order, updatedAt: 1_700_000_200_000 }),
          );
        }
        tx.objectStore('settings').put(storedSettings, 'settings');
      },
    );
  },
};
