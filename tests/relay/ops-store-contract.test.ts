// The operators' store contract (cameras, alert rules and state, webhooks, the delivery log): the same cases against
// SQLite (a temp folder) and PostgreSQL (a throwaway cluster started here, one schema per case). Cases about relays
// sharing one store open a second store on the same database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertState } from '../../relay/src/alerts.ts';
import { DELIVERY_LOG_SIZE, SqliteOpsStore, type DeliveryRecord, type OpsStore } from '../../relay/src/ops-store.ts';
import { PgOpsStore } from '../../relay/src/pg-ops-store.ts';
import type { Layout, LotMetadata } from '../../src/share/protocol.ts';
import { enginesAvailable, startPostgres, type Postgres } from '../support/engines.ts';
import { removeTempDirs, tempDir } from './support.ts';

interface Kind {
  name: string;
  /** Several relays may share it. */
  shared: boolean;
  available: () => boolean;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** A new, empty database; returns how to open stores on it. */
  fresh(): Promise<(warn?: (m: string) => void) => Promise<OpsStore>>;
}

let pgServer: Postgres | null = null;
let schemas = 0;

const kinds: Kind[] = [
  {
    name: 'SQLite',
    shared: false,
    available: () => true,
    fresh: async () => {
      const dir = tempDir();
      return async (warn) => new SqliteOpsStore(dir, warn);
    },
  },
  {
    name: 'PostgreSQL',
    shared: true,
    available: () => enginesAvailable('postgres'),
    setup: async () => {
      pgServer = await startPostgres();
    },
    teardown: async () => {
      await pgServer?.stop();
    },
    fresh: async () => {
      const url = await pgServer!.schemaUrl(`ops_${++schemas}`);
      return (warn) => PgOpsStore.open(url, warn ? { warn } : {});
    },
  },
];

afterAll(removeTempDirs);

const at = '2026-05-04T08:00:00.000Z';
const later = (s: number) => new Date(Date.parse(at) + s * 1000).toISOString();
const metadata = (occupied: number): LotMetadata => ({ total_slots: 2, occupied_slots: occupied, available_slots: 2 - occupied, last_updated: at, slots: [] });
const layout: Layout = { slots: [{ id: 'a', name: 'A', polygon: [[0, 0], [1, 0], [1, 1]] }] };
const delivery = (n: number): DeliveryRecord => ({
  webhook_id: 'wh_1', event_id: `evt_${n}`, event_type: 'lot_full', attempt: 1, outcome: 'delivered', http_status: 200, error: null, at: later(n), next_at: null,
});

describe.each(kinds)('OpsStore on $name', (kind) => {
  const ready = kind.available();
  const stores: OpsStore[] = [];
  let opener: (warn?: (m: string) => void) => Promise<OpsStore>;
  const open = async (warn?: (m: string) => void) => {
    const s = await opener(warn);
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    if (ready) await kind.setup?.();
  }, 60_000);
  beforeEach(async () => {
    if (ready) opener = await kind.fresh();
  });
  afterAll(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await kind.teardown?.();
  });

  describe.runIf(ready)('cameras', () => {
    it('keeps each camera\'s latest state, its layout unless a new one comes, its token and when it was seen', async () => {
      const s = await open();
      await s.saveCameraState('north', 'gate', { metadata: metadata(1), layout, receivedAt: at });
      await s.saveCameraState('north', 'east', { metadata: metadata(0), receivedAt: at });
      await s.saveCameraState('north', 'gate', { metadata: metadata(2), receivedAt: later(1) });
      await s.setCameraToken('north', 'gate', 'hash-of-gate');
      await s.setCameraToken('north', 'west', 'hash-of-west');
      await s.markCameraSeen('north', 'east', later(2));
      await s.saveCameraState('south', 'gate', { metadata: metadata(0), receivedAt: at });
      expect(await s.cameras('north')).toEqual([
        { camera: 'east', tokenHash: null, metadata: metadata(0), layout: null, receivedAt: at, seenAt: later(2) },
        { camera: 'gate', tokenHash: 'hash-of-gate', metadata: metadata(2), layout, receivedAt: later(1), seenAt: later(1) },
        { camera: 'west', tokenHash: 'hash-of-west', metadata: null, layout: null, receivedAt: null, seenAt: null },
      ]);
      await s.setCameraToken('north', 'gate', null);
      expect(await s.removeCamera('north', 'west')).toBe(true);
      expect(await s.removeCamera('north', 'west')).toBe(false);
      expect((await s.cameras('north')).map((c) => [c.camera, c.tokenHash])).toEqual([['east', null], ['gate', null]]);
      expect((await s.cameras('south')).map((c) => c.camera)).toEqual(['gate']);
    });

    it('keeps everything across a reopen', async () => {
      const a = await open();
      await a.saveCameraState('kept', 'gate', { metadata: metadata(1), layout, receivedAt: at });
      await a.addWebhook('kept', { id: 'wh_k', url: 'https://example.org/hook', events: ['lot_full'], secret: 's', createdAt: at });
      await a.close();
      const b = await open();
      expect((await b.cameras('kept'))[0]).toMatchObject({ camera: 'gate', metadata: metadata(1), layout });
      expect((await b.webhooks('kept')).map((w) => w.id)).toEqual(['wh_k']);
    });
  });

  describe.runIf(ready)('alerts', () => {
    it('keeps rules and state per lot', async () => {
      const s = await open();
      expect(await s.alertRules('north')).toBeNull();
      expect(await s.alertState('north')).toBeNull();
      const rules = { available_below: 3, overstay_minutes: { disabled: 120 }, margin: 1, offline_grace_s: 0 };
      await s.setAlertRules('north', rules);
      const state: AlertState = { full: true, below: null, moved: [], overstays: ['1@x'] };
      await s.setAlertState('north', state);
      expect(await s.alertRules('north')).toEqual(rules);
      expect(await s.alertState('north')).toEqual(state);
      expect(await s.alertRules('south')).toBeNull();
    });

    it('steps the alert state one at a time: concurrent steps (from two relays where shared) lose none', async () => {
      const [a, b] = kind.shared ? [await open(), await open()] : [await open(), null];
      const steps = Array.from({ length: 20 }, (_, i) =>
        (i % 2 && b ? b : a).updateAlertState('busy', (prev) => {
          const before = prev?.overstays ?? [];
          return { state: { full: false, below: null, moved: [], overstays: [...before, String(i)] }, result: before.length };
        }),
      );
      // Each step saw the state every earlier one left: 0, 1, … 19 in some order.
      expect((await Promise.all(steps)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect((await a.alertState('busy'))?.overstays).toHaveLength(20);
    });
  });

  describe.runIf(ready)('webhooks and deliveries', () => {
    it('lists a lot\'s webhooks in the order they were added, and removes one', async () => {
      const s = await open();
      await s.addWebhook('north', { id: 'wh_b', url: 'https://example.org/b', events: ['lot_full', 'counter_offline'], secret: 'sb', createdAt: later(1) });
      await s.addWebhook('north', { id: 'wh_a', url: 'https://example.org/a', events: [], secret: 'sa', createdAt: later(2) });
      await s.addWebhook('south', { id: 'wh_c', url: 'https://example.org/c', events: ['lot_full'], secret: 'sc', createdAt: at });
      expect(await s.webhooks('north')).toEqual([
        { id: 'wh_b', url: 'https://example.org/b', events: ['lot_full', 'counter_offline'], secret: 'sb', createdAt: later(1) },
        { id: 'wh_a', url: 'https://example.org/a', events: [], secret: 'sa', createdAt: later(2) },
      ]);
      expect(await s.removeWebhook('north', 'wh_c')).toBe(false);
      expect(await s.removeWebhook('north', 'wh_b')).toBe(true);
      expect((await s.webhooks('north')).map((w) => w.id)).toEqual(['wh_a']);
    });

    it(`logs deliveries newest first, keeping the newest ${DELIVERY_LOG_SIZE} per lot`, async () => {
      const s = await open();
      const n = DELIVERY_LOG_SIZE + 5;
      for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => s.addDelivery('north', delivery(i + k))));
      await s.addDelivery('south', delivery(0));
      const log = await s.deliveries('north', 1000);
      expect(log).toHaveLength(DELIVERY_LOG_SIZE);
      expect(await s.deliveries('north', 2)).toEqual(log.slice(0, 2));
      expect(await s.deliveries('south', 10)).toEqual([delivery(0)]);
    });
  });

  describe.runIf(ready)('a deleted lot', () => {
    it('leaves nothing of the lot behind, and the other lots as they were', async () => {
      const s = await open();
      for (const lot of ['north', 'south']) {
        await s.saveCameraState(lot, 'gate', { metadata: metadata(1), receivedAt: at });
        await s.setAlertRules(lot, { available_below: 1, overstay_minutes: {}, margin: 2, offline_grace_s: 60 });
        await s.setAlertState(lot, { full: true, below: null, moved: [], overstays: [] });
        await s.addWebhook(lot, { id: `wh_${lot}`, url: 'https://example.org/hook', events: ['lot_full'], secret: 's', createdAt: at });
        await s.addDelivery(lot, delivery(1));
      }
      await s.deleteLot('north');
      expect([await s.cameras('north'), await s.webhooks('north'), await s.deliveries('north', 10)]).toEqual([[], [], []]);
      expect([await s.alertRules('north'), await s.alertState('north')]).toEqual([null, null]);
      expect(await s.cameras('south')).toHaveLength(1);
      expect(await s.webhooks('south')).toHaveLength(1);
      expect(await s.alertState('south')).toMatchObject({ full: true });
    });
  });

  describe.runIf(ready && kind.shared)('work for one lot across relays', () => {
    it('runs one relay\'s work for a lot at a time, and different lots at once', async () => {
      const [a, b] = [await open(), await open()];
      const log: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const first = a.exclusive('lot-x', async () => {
        log.push('a in');
        entered();
        await held;
        log.push('a out');
      });
      await inside;
      const second = b.exclusive('lot-x', async () => void log.push('b in'));
      // Another lot is not held up by lot-x.
      await b.exclusive('lot-y', async () => void log.push('b other lot'));
      release();
      await Promise.all([first, second]);
      expect(log).toEqual(['a in', 'b other lot', 'a out', 'b in']);
      // A failing piece of work releases the lock too.
      await expect(a.exclusive('lot-x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await b.exclusive('lot-x', async () => 'free')).toBe('free');
    });
  });
});
