// The relay's features for lot operators, put together: a lot's cameras, alerts with webhooks, and MQTT. They hang
// on the lot service through small seams: publish targets (cameras), its observer (alerts: only what this relay
// stored itself, so a cluster sends each webhook once) and the fan-out (MQTT: every lot, whichever relay stored it).
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
import { SqliteOpsStore, type OpsStore } from './ops-store.ts';
import type { ClientKey } from './http-util.ts';
import type { RateLimiter } from './rate-limit.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './webhooks.ts';

export interface OperationsDeps {
  store?: OpsStore;
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
  relay: { service: LotService; broadcaster: Broadcaster; postLimiter: RateLimiter; clientKey?: ClientKey; log: Logger; now: () => number },
  deps: OperationsDeps = {},
): Operations {
  const { service, log, now } = relay;
  const store = deps.store ?? new SqliteOpsStore(config.dataDir, (m) => log.warn(m));
  const cameras = new CameraService({ store, lots: service, offlineAfterMs: config.offlineAfterMs, log, now });
  const alerts = new AlertService({
    store,
    log,
    now,
    allowPrivate: config.allowPrivateWebhooks,
    retry: deps.retry ?? DEFAULT_RETRY,
    timeoutMs: deps.webhookTimeoutMs ?? 10_000,
  });
  const stopObserving = service.observe((e) => {
    if (e.kind === 'state') void alerts.stateStored(e.lot, e.metadata, Date.parse(e.receivedAt));
    else if (e.kind === 'presence') void alerts.presenceChanged(e.lot, e.publisher);
  });
  const stopCameras = cameras.onPresence((lot, camera, p) => void alerts.presenceChanged(lot, p, camera));

  let mqtt: MqttBridge | null = null;
  const unsubscribe: (() => void)[] = [];
  if (config.mqtt) {
    const bridge = (mqtt = new MqttBridge({ ...config.mqtt, version: VERSION, log, reconnectMs: deps.mqttReconnectMs }));
    unsubscribe.push(
      relay.broadcaster.subscribe((e) => {
        if (e.kind === 'state') bridge.state(e.lot, e.metadata);
        else if (e.kind === 'presence') bridge.presence(e.lot, e.publisher);
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
      cameras.close();
      alerts.close();
      await mqtt?.close();
      await store.close();
    },
  };
}
