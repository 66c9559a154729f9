// Sends lots to an MQTT broker (mqtt.js): retained states and numbers, the counter's and the relay's availability
// (the relay's as its last will), Home Assistant discovery, and alert events. A broker that is down does not stop the
// relay: mqtt.js reconnects, and the latest retained values are sent again on every (re)connection.
//
// Several relays, each with `--mqtt`: each sends what it stored or noticed itself (so every state, presence change and
// event goes to the broker once) and only notes the other relays' states (`send` false), so that a reconnection
// restores every lot and a zone that is gone loses its entities whoever stored the last state. The relay status topic
// is shared: a relay that dies leaves its last will, "offline", there, and the relays still alive answer "online".
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
  #closing = false;

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
      this.#client.subscribe(status, { qos: 1 }, (e) => e && o.log.warn(`MQTT: subscribing to ${status} failed: ${e.message}`));
    });
    // Another relay's last will (or its clean stop) says the relays are offline; while this one runs, they are not.
    this.#client.on('message', (topic, payload) => {
      if (topic === status && payload.toString() === 'offline' && !this.#closing) this.#send({ topic: status, payload: 'online', retain: true });
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

  /** A lot's state; `send` false: another relay sends it, this one only keeps it for reconnections. */
  state(lot: string, m: LotMetadata, send = true): void {
    for (const msg of stateMessages(this.#o, lot, m)) this.#send(msg, send);
    this.#discover(lot, m, send);
  }

  presence(lot: string, p: Presence, send = true): void {
    this.#send({ topic: lotStatusTopic(this.#o, lot), payload: p.online ? 'online' : 'offline', retain: true }, send);
  }

  cameraPresence(lot: string, camera: string, p: { online: boolean }): void {
    this.#send({ topic: cameraStatusTopic(this.#o, lot, camera), payload: p.online ? 'online' : 'offline', retain: true });
  }

  event(e: AlertEvent): void {
    this.#send({ topic: eventTopic(this.#o, e.lot), payload: JSON.stringify(e), retain: false });
  }

  /** Says "offline" on the relay's status topic itself (a clean stop is not a death), then disconnects. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#client.connected) {
      await new Promise<void>((r) => this.#client.publish(relayStatusTopic(this.#o), 'offline', { qos: 1, retain: true }, () => r()));
    }
    await this.#client.endAsync();
  }

  #discover(lot: string, m: LotMetadata, send: boolean): void {
    const before = this.#discovered.get(lot) ?? new Map<string, string>();
    const now = new Map(discoveryConfigs(this.#o, lot, m, this.#o.version).map((d) => [d.topic, JSON.stringify(d.config)]));
    for (const [topic, payload] of now) if (before.get(topic) !== payload) this.#send({ topic, payload, retain: true }, send);
    // An empty retained config removes the entity (a zone or slot that is gone).
    for (const topic of before.keys()) if (!now.has(topic)) this.#send({ topic, payload: '', retain: true }, send);
    this.#discovered.set(lot, now);
  }

  /** Keeps a retained message for reconnections, and sends it unless `send` is false. */
  #send(msg: MqttMessage, send = true): void {
    if (msg.retain) {
      if (msg.payload === '') this.#retained.delete(msg.topic);
      else this.#retained.set(msg.topic, msg.payload);
    }
    if (!send) return;
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
