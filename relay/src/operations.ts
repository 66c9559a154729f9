// The relay's features for lot operators, put together: a lot's cameras, alerts with webhooks, and MQTT. They hang
// on the lot service through small seams: publish targets (cameras), its observer (alerts: only what this relay
// stored or noticed itself) and the fan-out (MQTT: sends this relay's events, notes the other relays'). In a cluster
// each state and presence change is stored or noticed by one relay, so each webhook and MQTT message goes out once.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AlertService } from './alert-service.ts';
import type { Broadcaster } from './broadcaster.ts';
import { CameraService, type PublishTarget } from './cameras.ts';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { LotService } from './lot-service.ts';
import { MqttBridge } from './mqtt-bridge.ts';
import { createOpsHandler, type OpsRoute } from './ops-routes.ts';
import type { OpsStore } from './ops-store.ts';
import type { PresenceTracker } from './presence.ts';
import type { ClientKey } from './http-util.ts';
import type { RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './webhooks.ts';

export interface OperationsDeps {
  retry?: RetryPolicy;
  /** One webhook attempt gives up after this long. */
  webhookTimeoutMs?: number;
  mqttReconnectMs?: number;
}

export interface Operations {
  cameras: CameraService;
  alerts: AlertService;
  mqtt: MqttBridge | null;
  store: OpsStore;
  publishTarget: (camera: string | null) => PublishTarget;
  handle: (req: IncomingMessage, res: ServerResponse, route: OpsRoute, query: URLSearchParams) => Promise<void>;
  close(): Promise<void>;
}

const VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'dev';
  } catch {
    return 'dev';
  }
})();

export function startOperations(
  config: RelayConfig,
  relay: {
    service: LotService;
    broadcaster: Broadcaster;
    /** The operators' store (closed by whoever opened it). */
    store: OpsStore;
    /** Camera presence; in this process unless given. */
    cameraPresence?: PresenceTracker;
    postLimiter: RateLimiter;
    clientKey?: ClientKey;
    log: Logger;
    now: () => number;
  },
  deps: OperationsDeps = {},
): Operations {
  const { service, store, log, now } = relay;
  const cameras = new CameraService({
    store,
    lots: service,
    ...(relay.cameraPresence ? { presence: relay.cameraPresence } : {}),
    offlineAfterMs: config.offlineAfterMs,
    log,
    now,
  });
  const alerts = new AlertService({
    store,
    log,
    now,
    allowPrivate: config.allowPrivateWebhooks,
    retry: deps.retry ?? DEFAULT_RETRY,
    timeoutMs: deps.webhookTimeoutMs ?? 10_000,
    latest: async (lot) => {
      const s = (await service.get(lot))?.state;
      return s ? { metadata: s.metadata, receivedAt: Date.parse(s.receivedAt) } : null;
    },
    online: async (lot, camera) => {
      if (camera !== undefined) return cameras.online(lot, camera);
      const rec = await service.get(lot);
      return rec !== null && (await service.presenceOf(rec)).online;
    },
  });
  const stopObserving = service.observe((e) => {
    if (e.kind === 'state') void alerts.stateStored(e.lot, e.metadata, Date.parse(e.receivedAt));
    else if (e.kind === 'presence') void alerts.presenceChanged(e.lot, e.publisher);
    else void forget(e.lot);
  });
  // A deleted lot's name may be claimed again: nothing of its cameras, alerts or webhooks may carry over.
  const forget = async (lot: string) => {
    try {
      alerts.forgetLot(lot);
      await cameras.forgetLot(lot);
      await store.deleteLot(lot);
    } catch (e) {
      log.error(`forgetting lot "${lot}": ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const stopCameras = cameras.onPresence((lot, camera, p) => void alerts.presenceChanged(lot, p, camera));

  let mqtt: MqttBridge | null = null;
  const unsubscribe: (() => void)[] = [];
  if (config.mqtt) {
    const bridge = (mqtt = new MqttBridge({ ...config.mqtt, version: VERSION, log, reconnectMs: deps.mqttReconnectMs }));
    unsubscribe.push(
      // This relay's own events are sent; the other relays' are only noted (they send them).
      relay.broadcaster.subscribe((e, local) => {
        if (e.kind === 'state') bridge.state(e.lot, e.metadata, local);
        else if (e.kind === 'presence') bridge.presence(e.lot, e.publisher, local);
      }),
      alerts.onEvent((e) => bridge.event(e)),
      cameras.onPresence((lot, camera, p) => bridge.cameraPresence(lot, camera, p)),
    );
  }

  return {
    cameras,
    alerts,
    mqtt,
    store,
    publishTarget: (camera) => (camera === null ? cameras.lotTarget : cameras.target(camera)),
    handle: createOpsHandler({ lots: service, cameras, alerts, store, postLimiter: relay.postLimiter, clientKey: relay.clientKey, allowPrivateWebhooks: config.allowPrivateWebhooks, now }),
    async close() {
      stopObserving();
      stopCameras();
      for (const u of unsubscribe) u();
      await cameras.close();
      alerts.close();
      await mqtt?.close();
    },
  };
}
