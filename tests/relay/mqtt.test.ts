// MQTT against a real broker (Debian's mosquitto on a loopback port) with a real mqtt.js subscriber: retained states,
// Home Assistant discovery that meets the schema's required keys, availability of the counter and of the relay (its
// last will, when the relay process is killed), and alert events.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakdown, type SlotMetadata } from '../../src/share/metadata.ts';
import type { PublishedState } from '../../src/share/protocol.ts';
import { mosquittoAvailable, startMosquitto, type Broker } from './mosquitto.ts';
import type { LotCreated } from '../../src/share/protocol.ts';
import { postState, publisher, removeTempDirs, startTestRelay, tempDir, TOKEN, withTimeout, type TestRelay } from './support.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const available = mosquittoAvailable();

/** Every message a subscriber saw, retained flag included, and a bounded wait for one. */
class Subscriber {
  readonly seen: { topic: string; payload: string; retain: boolean }[] = [];
  #waiters = new Set<() => void>();
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.seen.push({ topic, payload: payload.toString(), retain: packet.retain });
      for (const w of this.#waiters) w();
    });
  }
  static async open(url: string, topics: string[]): Promise<Subscriber> {
    const client = await connectAsync(url, { reconnectPeriod: 0 });
    const s = new Subscriber(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return s;
  }
  last(topic: string) {
    return [...this.seen].reverse().find((m) => m.topic === topic);
  }
  waitFor(topic: string, payload: (p: string) => boolean = () => true, timeoutMs = 5000): Promise<{ payload: string; retain: boolean }> {
    const find = () => [...this.seen].reverse().find((m) => m.topic === topic && payload(m.payload));
    const now = find();
    if (now) return Promise.resolve(now);
    return withTimeout(
      new Promise((ok) => {
        const check = () => {
          const m = find();
          if (m) (this.#waiters.delete(check), ok(m));
        };
        this.#waiters.add(check);
      }),
      timeoutMs,
      `MQTT ${topic}; saw ${[...new Set(this.seen.map((m) => m.topic))].join(', ').slice(0, 400)}`,
    );
  }
  close(): Promise<void> {
    return this.client.endAsync();
  }
}

function zonedState(occupied: number): PublishedState {
  const slots: SlotMetadata[] = ['Level 1', 'Level 1', 'Level 2'].map((zone, i) => ({
    id: String(i + 1), name: `P${i + 1}`, occupied: i < occupied, probability: 0.5, since: '2026-05-04T08:00:00.000Z', zone,
  }));
  const b = breakdown(slots);
  return {
    total_slots: b.counts.total, occupied_slots: b.counts.occupied, available_slots: b.counts.available,
    last_updated: new Date().toISOString(), slots, zones: b.zones, kinds: b.kinds,
  };
}

/** The keys Home Assistant's MQTT sensor schema requires or constrains, checked as its validator would. */
function checkDiscovery(topic: string, c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const component = topic.split('/')[1];
  if (!/^homeassistant\/(sensor|binary_sensor)\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/.test(topic)) problems.push('topic shape');
  if (typeof c.state_topic !== 'string' || /[+#]/.test(c.state_topic)) problems.push('state_topic');
  if (typeof c.unique_id !== 'string') problems.push('unique_id (needed for the device registry)');
  if (typeof c.name !== 'string') problems.push('name');
  const d = c.device as { identifiers?: unknown } | undefined;
  if (!d || !Array.isArray(d.identifiers) || d.identifiers.length === 0) problems.push('device.identifiers');
  if ('availability' in c && 'availability_topic' in c) problems.push('availability and availability_topic are exclusive');
  const av = c.availability as { topic?: unknown }[] | undefined;
  if (!Array.isArray(av) || av.some((a) => typeof a.topic !== 'string')) problems.push('availability[].topic');
  if (!['all', 'any', 'latest'].includes(c.availability_mode as string)) problems.push('availability_mode');
  if (component === 'sensor') {
    if (c.state_class !== 'measurement') problems.push('state_class: measurement');
    if (typeof c.unit_of_measurement !== 'string' || c.unit_of_measurement === '') problems.push('unit_of_measurement');
  }
  return problems;
}

describe.skipIf(!available)('MQTT with Home Assistant discovery (mosquitto)', () => {
  let broker: Broker;
  let relay: TestRelay;
  beforeAll(async () => {
    broker = await startMosquitto();
    relay = await startTestRelay(
      { mqtt: { url: broker.url, username: null, password: null, prefix: 'lotwatch', discoveryPrefix: 'homeassistant', slots: false } },
      { operations: { mqttReconnectMs: 200 } },
    );
  });
  afterAll(async () => {
    await relay?.close();
    await broker?.stop();
    removeTempDirs();
  });

  it('publishes retained states, numbers per lot and zone, and discovery configs that meet the schema', async () => {
    expect((await postState(relay.url, 'default', TOKEN, zonedState(2))).status).toBe(200);
    // A subscriber that comes later still gets everything: it is retained.
    const sub = await Subscriber.open(broker.url, ['lotwatch/#', 'homeassistant/#']);
    try {
      const state = await sub.waitFor('lotwatch/default/state');
      expect(state.retain).toBe(true);
      expect(JSON.parse(state.payload)).toMatchObject({
        total_slots: 3, occupied_slots: 2, available_slots: 1,
        zones: { 'Level 1': { total: 2, occupied: 2, available: 0 }, 'Level 2': { total: 1, occupied: 0, available: 1 } },
        kinds: { standard: { total: 3, occupied: 2, available: 1 } },
        cameras: {},
      });
      expect(await sub.waitFor('lotwatch/default/available')).toEqual(expect.objectContaining({ payload: '1', retain: true }));
      expect((await sub.waitFor('lotwatch/default/occupied')).payload).toBe('2');
      expect((await sub.waitFor('lotwatch/default/zone/level_1/available')).payload).toBe('0');
      expect((await sub.waitFor('lotwatch/default/zone/level_2/available')).payload).toBe('1');
      expect((await sub.waitFor('lotwatch/status')).payload).toBe('online');
      expect((await sub.waitFor('lotwatch/default/status')).payload).toBe('online');

      const configs = ['available', 'occupied', 'zone_level_1_available', 'zone_level_1_occupied', 'zone_level_2_available', 'zone_level_2_occupied'];
      for (const object of configs) {
        const topic = `homeassistant/sensor/lotwatch_default/${object}/config`;
        const m = await sub.waitFor(topic);
        expect(m.retain, topic).toBe(true);
        const c = JSON.parse(m.payload) as Record<string, unknown>;
        expect(checkDiscovery(topic, c), topic).toEqual([]);
        expect(c.unique_id).toBe(`lotwatch_default_${object}`);
        expect(c.availability).toEqual([{ topic: 'lotwatch/status' }, { topic: 'lotwatch/default/status' }]);
      }
      expect(JSON.parse((await sub.waitFor('homeassistant/sensor/lotwatch_default/available/config')).payload)).toMatchObject({
        name: 'Free spaces', state_topic: 'lotwatch/default/available', json_attributes_topic: 'lotwatch/default/state', unit_of_measurement: 'spaces',
      });

      // A new state replaces the retained values; a full lot raises an event on lotwatch/<lot>/event.
      expect((await postState(relay.url, 'default', TOKEN, zonedState(3))).status).toBe(200);
      expect((await sub.waitFor('lotwatch/default/available', (p) => p === '0')).retain).toBe(false);
      const event = await sub.waitFor('lotwatch/default/event', (p) => p.includes('lot_full'));
      expect(JSON.parse(event.payload)).toMatchObject({ type: 'lot_full', lot: 'default', available: 0, total: 3 });
    } finally {
      await sub.close();
    }
  });

  it('flips the counter to offline when its publisher leaves, and back', async () => {
    const sub = await Subscriber.open(broker.url, ['lotwatch/+/status']);
    try {
      // A lot of its own: the default lot's HTTP publisher above counts as online for a while yet.
      const created = (await (await fetch(`${relay.url}/lots`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"lot":"gate"}' })).json()) as LotCreated;
      const p = await publisher(relay, 'gate', created.token);
      await sub.waitFor('lotwatch/gate/status', (x) => x === 'online');
      p.close();
      await sub.waitFor('lotwatch/gate/status', (x) => x === 'offline');
      const again = await publisher(relay, 'gate', created.token);
      const flips = () => sub.seen.filter((m) => m.topic === 'lotwatch/gate/status').map((m) => m.payload);
      await sub.waitFor('lotwatch/gate/status', () => flips().length >= 3);
      again.close();
      expect(flips()).toEqual(['online', 'offline', 'online']);
    } finally {
      await sub.close();
    }
  });

  it("says the relay is offline through its last will when the relay process is killed", async () => {
    const sub = await Subscriber.open(broker.url, ['lotwatch/+/status', 'lotwatch/status', 'other/status']);
    const dataDir = tempDir();
    // `node --import tsx`, not the tsx command: that one runs the relay in a child process a SIGKILL would not reach.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'relay/src/main.ts'), '--port', '0', '--data-dir', dataDir, '--mqtt', broker.url, '--mqtt-prefix', 'other'],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOTWATCH_PUBLISH_TOKEN: TOKEN } },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      await sub.waitFor('other/status', (x) => x === 'online', 30_000).catch((e: unknown) => {
        throw new Error(`${String(e)}; relay said: ${stderr.slice(0, 400)}`);
      });
      child.kill('SIGKILL');
      const will = await sub.waitFor('other/status', (x) => x === 'offline', 10_000);
      expect(will.payload).toBe('offline');
      // The in-process relay, still alive, is not affected.
      expect(sub.last('lotwatch/status')?.payload ?? 'online').toBe('online');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await sub.close();
    }
  }, 60_000);
});
