// Sends lots to an MQTT broker (mqtt.js): retained states and numbers, the counter's and the relay's availability
// (the relay's as its last will), Home Assistant discovery, and alert events. It listens to the fan-out, so in a
// cluster one relay with `--mqtt` publishes every lot. A broker that is down does not stop the relay: mqtt.js
// reconnects, and the latest retained values are sent again on every (re)connection.
import { connect, type MqttClient } from 'mqtt';
import type { LotMetadata } from '../../src/share/metadata.ts';
import type { Presence } from '../../src/share/protocol.ts';
import type { AlertEvent } from './alerts.ts';
import type { Logger } from './log.ts';
import {
  cameraStatusTopic,
  discoveryConfigs,
  eventTopic,
  lotStatusTopic,
  relayStatusTopic,
  stateMessages,
  type MqttMessage,
  type MqttTopicsConfig,
} from './mqtt-topics.ts';

export interface MqttOptions extends MqttTopicsConfig {
  url: string;
  username: string | null;
  password: string | null;
  /** The relay's version, for Home Assistant's device registry. */
  version: string;
  log: Logger;
  /** Delay between reconnection attempts. */
  reconnectMs?: number;
}

export class MqttBridge {
  readonly #o: MqttOptions;
  readonly #client: MqttClient;
  /** The last retained message per topic, sent again after a reconnection (the broker may have restarted empty). */
  readonly #retained = new Map<string, string>();
  /** Each lot's discovery config topics, to remove the entities of a zone that is gone. */
  readonly #discovered = new Map<string, Map<string, string>>();
  #connectedOnce = false;

  constructor(o: MqttOptions) {
    this.#o = o;
    const status = relayStatusTopic(o);
    this.#client = connect(o.url, {
      ...(o.username !== null ? { username: o.username } : {}),
      ...(o.password !== null ? { password: o.password } : {}),
      clientId: `lotwatch-relay-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: o.reconnectMs ?? 5_000,
      connectTimeout: 10_000,
      will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.#client.on('connect', () => {
      if (!this.#connectedOnce) o.log.info(`MQTT: connected to ${redact(o.url)}`);
      this.#connectedOnce = true;
      this.#send({ topic: status, payload: 'online', retain: true });
      for (const [topic, payload] of this.#retained) if (topic !== status) this.#send({ topic, payload, retain: true });
    });
    let lastError = '';
    this.#client.on('error', (e) => {
      // Said once per kind of error, not on every reconnection attempt.
      if (e.message !== lastError) o.log.warn(`MQTT: ${e.message}`);
      lastError = e.message;
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  state(lot: string, m: LotMetadata): void {
    for (const msg of stateMessages(this.#o, lot, m)) this.#send(msg);
    this.#discover(lot, m);
  }

  presence(lot: string, p: Presence): void {
    this.#send({ topic: lotStatusTopic(this.#o, lot), payload: p.online ? 'online' : 'offline', retain: true });
  }

  cameraPresence(lot: string, camera: string, p: { online: boolean }): void {
    this.#send({ topic: cameraStatusTopic(this.#o, lot, camera), payload: p.online ? 'online' : 'offline', retain: true });
  }

  event(e: AlertEvent): void {
    this.#send({ topic: eventTopic(this.#o, e.lot), payload: JSON.stringify(e), retain: false });
  }

  /** Says "offline" on the relay's status topic itself (a clean stop is not a death), then disconnects. */
  async close(): Promise<void> {
    if (this.#client.connected) {
      await new Promise<void>((r) => this.#client.publish(relayStatusTopic(this.#o), 'offline', { qos: 1, retain: true }, () => r()));
    }
    await this.#client.endAsync();
  }

  #discover(lot: string, m: LotMetadata): void {
    const before = this.#discovered.get(lot) ?? new Map<string, string>();
    const now = new Map(discoveryConfigs(this.#o, lot, m, this.#o.version).map((d) => [d.topic, JSON.stringify(d.config)]));
    for (const [topic, payload] of now) if (before.get(topic) !== payload) this.#send({ topic, payload, retain: true });
    // An empty retained config removes the entity (a zone or slot that is gone).
    for (const topic of before.keys()) if (!now.has(topic)) this.#send({ topic, payload: '', retain: true });
    this.#discovered.set(lot, now);
  }

  #send(msg: MqttMessage): void {
    if (msg.retain) {
      if (msg.payload === '') this.#retained.delete(msg.topic);
      else this.#retained.set(msg.topic, msg.payload);
    }
    // QoS 1 so retained values and events survive a broker hiccup; mqtt.js queues them while disconnected.
    this.#client.publish(msg.topic, msg.payload, { qos: 1, retain: msg.retain }, (e) => {
      if (e) this.#o.log.warn(`MQTT: publish to ${msg.topic} failed: ${e.message}`);
    });
  }
}

/** The broker URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'the broker';
  }
}
