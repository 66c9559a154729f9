// What the relay publishes to MQTT for a lot, as pure data: slugs, retained values, discovery configs.
import { describe, expect, it } from 'vitest';
import { discoveryConfigs, slugsOf, stateMessages, topicSlug } from '../../relay/src/mqtt-topics.ts';
import type { LotMetadata } from '../../src/share/metadata.ts';

const cfg = { prefix: 'lotwatch', discoveryPrefix: 'homeassistant', slots: true };
const m: LotMetadata = {
  total_slots: 1, occupied_slots: 1, available_slots: 0, last_updated: '2026-05-04T08:00:00.000Z',
  slots: [
    { id: 'north/1', name: 'A1', occupied: true, probability: 0.9, since: '2026-05-04T08:00:00.000Z', zone: 'Étage 1' },
    { id: 'north/2', name: 'A2', occupied: false, probability: 0.1, since: '2026-05-04T08:00:00.000Z', closed: { reason: 'works', until: null } },
  ],
  zones: { 'Étage 1': { total: 1, occupied: 1, available: 0 } },
};

describe('MQTT topics', () => {
  it('turns zone names and slot ids into one safe topic level; colliding names get a hash each', () => {
    expect(topicSlug('Level 1 / North+#')).toBe('level_1_north');
    expect(topicSlug('Étage 1')).toBe('etage_1');
    expect(topicSlug('///')).toMatch(/^x[0-9a-f]{8}$/);
    const s = slugsOf(['Row A', 'row-a', 'Row B']);
    expect(s.get('Row B')).toBe('row_b');
    expect(s.get('Row A')).toMatch(/^row_a_[0-9a-f]{6}$/);
    expect(s.get('Row A')).not.toBe(s.get('row-a'));
  });

  it('per-slot states (with --mqtt-slots): ON, OFF, and None for a closed slot', () => {
    const msgs = stateMessages(cfg, 'default', m);
    expect(msgs.filter((x) => x.topic.includes('/slot/')).map((x) => [x.topic, x.payload])).toEqual([
      ['lotwatch/default/slot/north_1/state', 'ON'],
      ['lotwatch/default/slot/north_2/state', 'None'],
    ]);
    expect(msgs.find((x) => x.topic === 'lotwatch/default/zone/etage_1/available')?.payload).toBe('0');
    const slot = discoveryConfigs(cfg, 'default', m, '1.0').find((d) => d.topic === 'homeassistant/binary_sensor/lotwatch_default/slot_north_1/config');
    expect(slot?.config).toMatchObject({ device_class: 'occupancy', unique_id: 'lotwatch_default_slot_north_1', state_topic: 'lotwatch/default/slot/north_1/state' });
    expect(discoveryConfigs({ ...cfg, slots: false }, 'default', m, '1.0').some((d) => d.topic.includes('binary_sensor'))).toBe(false);
  });
});
