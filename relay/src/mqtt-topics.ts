// What the relay publishes to MQTT, as pure functions of a lot's state: topics, retained values and Home Assistant
// discovery configs. The bridge (mqtt-bridge.ts) only sends them. Topics, with the default prefixes:
//
//   lotwatch/status                              relay availability: online, or offline (its last will)   retained
//   lotwatch/<lot>/status                        the counter: online / offline                             retained
//   lotwatch/<lot>/state                         JSON: the four original keys, zones, kinds, cameras, …    retained
//   lotwatch/<lot>/available, …/occupied         numbers                                                   retained
//   lotwatch/<lot>/zone/<zone>/available         per zone (zone as a topic slug), also …/occupied          retained
//   lotwatch/<lot>/camera/<camera>/status        each camera of a lot seen by several: online / offline    retained
//   lotwatch/<lot>/slot/<slot>/state             ON / OFF per slot, only with --mqtt-slots                  retained
//   lotwatch/<lot>/event                         alert events, JSON (as POSTed to webhooks)                not retained
//   homeassistant/sensor/lotwatch_<lot>/<object>/config   Home Assistant discovery                         retained
import { createHash } from 'node:crypto';
import type { LotMetadata } from '../../src/share/metadata.ts';

export interface MqttTopicsConfig {
  prefix: string;
  discoveryPrefix: string;
  /** One binary_sensor per slot (off by default: a big lot would flood Home Assistant with entities). */
  slots: boolean;
}

export interface MqttMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A zone or slot id as one MQTT topic level and a Home Assistant object id: lower case a-z 0-9 and `_`. */
export function topicSlug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s || `x${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** Slugs for a list of names; names whose slugs collide each get a short hash of the name, so none is lost. */
export function slugsOf(names: readonly string[]): Map<string, string> {
  const bySlug = new Map<string, string[]>();
  for (const n of names) bySlug.set(topicSlug(n), [...(bySlug.get(topicSlug(n)) ?? []), n]);
  const out = new Map<string, string>();
  for (const [slug, list] of bySlug) {
    for (const n of list) out.set(n, list.length === 1 ? slug : `${slug}_${createHash('sha256').update(n).digest('hex').slice(0, 6)}`);
  }
  return out;
}

export const relayStatusTopic = (c: MqttTopicsConfig): string => `${c.prefix}/status`;
export const lotStatusTopic = (c: MqttTopicsConfig, lot: string): string => `${c.prefix}/${lot}/status`;
export const eventTopic = (c: MqttTopicsConfig, lot: string): string => `${c.prefix}/${lot}/event`;
export const cameraStatusTopic = (c: MqttTopicsConfig, lot: string, camera: string): string => `${c.prefix}/${lot}/camera/${camera}/status`;

/** The retained values of a lot's state. */
export function stateMessages(c: MqttTopicsConfig, lot: string, m: LotMetadata): MqttMessage[] {
  const base = `${c.prefix}/${lot}`;
  const state = {
    total_slots: m.total_slots,
    occupied_slots: m.occupied_slots,
    available_slots: m.available_slots,
    last_updated: m.last_updated,
    zones: m.zones ?? {},
    kinds: m.kinds ?? {},
    cameras: m.cameras ?? {},
    partial: m.partial ?? false,
    closed_slots: m.closed_slots ?? 0,
    unknown_slots: m.unknown_slots ?? 0,
  };
  const out: MqttMessage[] = [
    { topic: `${base}/state`, payload: JSON.stringify(state), retain: true },
    { topic: `${base}/available`, payload: String(m.available_slots), retain: true },
    { topic: `${base}/occupied`, payload: String(m.occupied_slots), retain: true },
  ];
  const zones = m.zones ?? {};
  const slugs = slugsOf(Object.keys(zones));
  for (const [zone, counts] of Object.entries(zones)) {
    const z = `${base}/zone/${slugs.get(zone)}`;
    out.push({ topic: `${z}/available`, payload: String(counts.available), retain: true });
    out.push({ topic: `${z}/occupied`, payload: String(counts.occupied), retain: true });
  }
  if (c.slots) {
    const ids = slugsOf(m.slots.map((s) => s.id));
    for (const s of m.slots) {
      // Closed and unknown slots are neither ON nor OFF: Home Assistant shows "unknown" for "None".
      const v = s.closed || s.unknown ? 'None' : s.occupied ? 'ON' : 'OFF';
      out.push({ topic: `${base}/slot/${ids.get(s.id)}/state`, payload: v, retain: true });
    }
  }
  return out;
}

/** A Home Assistant discovery config, keyed by its config topic. */
export interface DiscoveryConfig {
  topic: string;
  config: Record<string, unknown>;
}

/**
 * Discovery configs for a lot: free spaces (with the whole state as attributes), occupied, and free/occupied per zone;
 * per slot with `slots`. One device per lot; entities are unavailable when the relay is gone (its last will) or the
 * counter is offline (`availability` with mode `all`: HA's list form of `availability_topic`, one topic each).
 */
export function discoveryConfigs(c: MqttTopicsConfig, lot: string, m: LotMetadata, version: string): DiscoveryConfig[] {
  const node = `lotwatch_${topicSlug(lot)}`;
  const base = `${c.prefix}/${lot}`;
  const common = {
    // Named within the device: "Parking north Free spaces", entity sensor.parking_north_free_spaces.
    has_entity_name: true,
    availability: [{ topic: relayStatusTopic(c) }, { topic: lotStatusTopic(c, lot) }],
    availability_mode: 'all',
    payload_available: 'online',
    payload_not_available: 'offline',
    device: { identifiers: [node], name: `Parking ${lot}`, manufacturer: 'lotwatch', model: 'lotwatch relay', sw_version: version },
  };
  const sensor = (object: string, name: string, stateTopic: string, extra: Record<string, unknown> = {}): DiscoveryConfig => ({
    topic: `${c.discoveryPrefix}/sensor/${node}/${object}/config`,
    config: {
      name,
      unique_id: `${node}_${object}`,
      state_topic: stateTopic,
      unit_of_measurement: 'spaces',
      state_class: 'measurement',
      icon: 'mdi:parking',
      ...common,
      ...extra,
    },
  });
  const out = [
    sensor('available', 'Free spaces', `${base}/available`, { json_attributes_topic: `${base}/state` }),
    sensor('occupied', 'Occupied spaces', `${base}/occupied`, { icon: 'mdi:car' }),
  ];
  const slugs = slugsOf(Object.keys(m.zones ?? {}));
  for (const [zone, slug] of slugs) {
    out.push(sensor(`zone_${slug}_available`, `${zone} free spaces`, `${base}/zone/${slug}/available`));
    out.push(sensor(`zone_${slug}_occupied`, `${zone} occupied spaces`, `${base}/zone/${slug}/occupied`, { icon: 'mdi:car' }));
  }
  if (c.slots) {
    const ids = slugsOf(m.slots.map((s) => s.id));
    for (const s of m.slots) {
      const slug = ids.get(s.id)!;
      out.push({
        topic: `${c.discoveryPrefix}/binary_sensor/${node}/slot_${slug}/config`,
        config: {
          name: `Slot ${s.name || s.id}`,
          unique_id: `${node}_slot_${slug}`,
          state_topic: `${base}/slot/${slug}/state`,
          device_class: 'occupancy',
          payload_on: 'ON',
          payload_off: 'OFF',
          ...common,
        },
      });
    }
  }
  return out;
}
