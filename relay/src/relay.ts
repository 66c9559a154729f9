// Puts the relay together: store, fan-out, lot service, HTTP routes, WebSocket hub, one HTTP(S) server.
// Tests start it in-process on port 0; main.ts starts it from the command line.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { openBackends, type BackendOptions } from './backends.ts';
import type { Broadcaster } from './broadcaster.ts';
import type { RelayConfig } from './config.ts';
import { hashToken } from './auth.ts';
import { createHttpHandler } from './http-routes.ts';
import { clientAddress, type ClientKey } from './http-util.ts';
import { consoleLogger, type Logger } from './log.ts';
import { LotService } from './lot-service.ts';
import type { LotStore } from './lot-store.ts';
import { WorkerHistoryRunner, type HistorySource } from './history-runner.ts';
import { startOperations, type Operations, type OperationsDeps } from './operations.ts';
import type { RateLimiterFactory, RateRule } from './rate-limit.ts';
import { PgLotStore } from './pg-lot-store.ts';
import { SqliteLotStore } from './sqlite-lot-store.ts';
import { WsHub, type WsLimits } from './ws-hub.ts';

export interface RelayLimits extends Omit<WsLimits, 'pingIntervalMs' | 'maxConnections' | 'maxConnectionsPerAddress'> {
  /** POSTs per client address. */
  httpPostRate: RateRule;
  /** History queries per client address (each reads and sums up to months of a lot). */
  historyRate: RateRule;
  /** A request must arrive whole within this time. */
  requestTimeoutMs: number;
  /** Lots one client address may create where creation is open (the operator is not counted). */
  lotCreationRate: RateRule;
  /** History queries one client address may have waiting for answers at once. */
  historyInFlightPerClient: number;
  /** History queries waiting for the history worker beyond the one it runs; more get 503. */
  historyQueue: number;
  /** A history query running longer is abandoned (503). */
  historyTimeoutMs: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  authTimeoutMs: 5_000,
  // A counting app sends at most a few states a second; twice the benchmark's 10/s with room for a burst.
  publisherRate: { perSecond: 20, burst: 40 },
  // Viewers have nothing to say; a handful of stray frames is tolerated, a stream is not.
  viewerRate: { perSecond: 2, burst: 10 },
  maxBufferedBytes: 1024 * 1024,
  httpPostRate: { perSecond: 20, burst: 40 },
  historyRate: { perSecond: 2, burst: 10 },
  requestTimeoutMs: 30_000,
  historyInFlightPerClient: 2,
  // Ten lots, then one every six minutes: plenty for people, nothing for a script filling --max-lots.
  lotCreationRate: { perSecond: 10 / 3600, burst: 10 },
  historyQueue: 16,
  historyTimeoutMs: 20_000,
};

export interface RelayDeps extends Pick<BackendOptions, 'redisPrefix' | 'presenceTiming'> {
  store?: LotStore;
  broadcaster?: Broadcaster;
  log?: Logger;
  limits?: Partial<RelayLimits>;
  now?: () => number;
  /** Cameras, alerts and MQTT (operations.ts): their store, retry timing. */
  operations?: OperationsDeps;
  /** Makes the per-client limiters; shared counters (Redis) for several relays, in-process by default. */
  limiter?: RateLimiterFactory;
}

export interface RunningRelay {
  /** `http://host:port` (or https), with the real port when started on port 0. */
  url: string;
  /** Where its state lives (a folder, or PostgreSQL and Redis), without secrets. */
  where: string;
  port: number;
  server: Server;
  hub: WsHub;
  /** Cameras, alerts and MQTT. */
  ops: Operations;
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig, deps: RelayDeps = {}): Promise<RunningRelay> {
  const log = deps.log ?? consoleLogger;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  const b = await openBackends(config, { log, now, ...deps });
  const integrity = await b.store.integrity?.();
  if (integrity?.ok) log.info(`database check: ${integrity.detail}`);
  else if (integrity) log.error(`database check FAILED: ${integrity.detail}; restore a backup (see docs/relay.md) before trusting this data`);
  let closing: Promise<void> | null = null;
  const trusted = new Set(config.trustedProxies);
  const keyOf: ClientKey = (req) => clientAddress(req, trusted);
  const limiter = deps.limiter ?? b.limiter;
  // History is read and replayed in a worker thread on its own connection (SQLite in a file, or PostgreSQL).
  const source: HistorySource | null =
    b.store instanceof SqliteLotStore && b.store.file !== null
      ? { sqlite: b.store.file }
      : b.store instanceof PgLotStore && config.databaseUrl
        ? { postgres: config.databaseUrl }
        : null;
  const history = source
    ? new WorkerHistoryRunner({ source, maxQueued: limits.historyQueue, timeoutMs: limits.historyTimeoutMs, warn: (m) => log.warn(m) })
    : undefined;
  const service = new LotService({
    store: b.store,
    broadcaster: b.broadcaster,
    ...(b.presence ? { presence: b.presence } : {}),
    offlineAfterMs: config.offlineAfterMs,
    maxLots: config.maxLots,
    log,
    now,
    history,
    operatorTokenHash: config.operatorToken === null ? null : hashToken(config.operatorToken),
    restartIsGap: !b.shared,
  });
  try {
    await service.init(config.lot, config.token);
  } catch (e) {
    await service.close();
    await b.close();
    throw e;
  }
  if (config.lotCreation === 'operator' && config.operatorToken === null) {
    log.warn('nobody can create lots with POST /lots: set LOTWATCH_OPERATOR_TOKEN (or --lot-creation open on a trusted network)');
  }
  // Lots nobody ever published to do not hold --max-lots for good: checked now and every hour.
  const expire = () => service.expireUnpublished(config.unpublishedTtlMs).catch((e: unknown) => log.error(`expiring lots: ${String(e)}`));
  await expire();
  const expiry = setInterval(() => void expire(), Math.min(3_600_000, config.unpublishedTtlMs));
  expiry.unref();
  const postLimiter = limiter('post', limits.httpPostRate);
  const ops = startOperations(
    config,
    {
      service,
      broadcaster: b.broadcaster,
      store: b.opsStore,
      ...(b.cameraPresence ? { cameraPresence: b.cameraPresence } : {}),
      postLimiter,
      clientKey: keyOf,
      log,
      now,
    },
    deps.operations,
  );

  const handler = createHttpHandler({
    service,
    defaultLot: config.lot,
    distAbs: resolve(config.dist),
    postLimiter,
    historyLimiter: limiter('history', limits.historyRate),
    historyInFlightPerClient: limits.historyInFlightPerClient,
    clientKey: keyOf,
    lotCreation: config.lotCreation,
    createLimiter: limiter('create', limits.lotCreationRate),
    allowedOrigins: new Set(config.allowedOrigins),
    tls: config.tls !== null,
    check: () => (closing ? Promise.resolve('the relay is shutting down') : b.check()),
    log,
    now,
    publishTarget: ops.publishTarget,
    ops: ops.handle,
  });
  const server: Server = config.tls
    ? createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handler)
    : createHttpServer(handler);
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.requestTimeoutMs, 20_000);
  // Malformed HTTP gets a plain 400 instead of an exception.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  const hub = new WsHub({
    service,
    broadcaster: b.broadcaster,
    cameras: ops.cameras,
    defaultLot: config.lot,
    limits: {
      ...limits,
      pingIntervalMs: config.pingIntervalMs,
      maxConnections: config.maxConnections,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    },
    log,
    now,
    clientKey: keyOf,
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));

  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      // A relay that dies sends thousands of viewers to the others at once: a deep accept queue takes them all.
      server.listen({ port: config.port, host: config.host, backlog: 4096 }, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (e) {
    await hub.close();
    await ops.close();
    await service.close();
    await b.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    server,
    hub,
    ops,
    where: b.where,
    close: () =>
      (closing ??= (async () => {
        clearInterval(expiry);
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await hub.close();
        server.closeAllConnections();
        await stopped;
        await ops.close();
        await service.close();
        await b.close();
      })()),
  };
}
