// The relay's HTTP API and the static app. `routeOf` decides, `createHttpHandler` acts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseHistoryRequest } from '../../src/history/query.ts';
import {
  CAMERA_ID_PATTERN,
  LIMITS,
  parseJson,
  parseLotId,
  parsePublishedState,
  toLotMetadata,
  publisherHeader,
  toOriginalMetadata,
  type RichMetadata,
} from '../../src/share/protocol.ts';
import { bearerToken } from './auth.ts';
import type { PublishTarget } from './cameras.ts';
import { HistoryBusy } from './history-runner.ts';
import {
  API_HEADERS,
  COMMON_HEADERS,
  READ_CORS,
  clientKey,
  isJsonContentType,
  originAllowed,
  readBody,
  sendCsv,
  sendError,
  sendJson,
  sendText,
  splitTarget,
  type ClientKey,
} from './http-util.ts';
import type { Logger } from './log.ts';
import type { LotService } from './lot-service.ts';
import { opsRouteOf, type OpsRoute } from './ops-routes.ts';
import type { RateLimiter } from './rate-limit.ts';
import { HSTS } from './security-headers.ts';
import { serveStatic } from './static-files.ts';

export type Route =
  | { name: 'original-metadata' }
  | { name: 'lot-metadata'; lot: string }
  | { name: 'lot-history'; lot: string }
  | { name: 'create-lot' }
  | { name: 'delete-lot'; lot: string }
  | { name: 'publish-state'; lot: string }
  | { name: 'health' }
  | { name: 'preflight' }
  | { name: 'websocket-only' }
  | { name: 'invalid-lot'; raw: string }
  | { name: 'api-not-found' }
  | { name: 'method-not-allowed'; allow: string }
  | { name: 'static' };

/** A history query costs one token, plus one for every this many slot records it replayed. */
export const HISTORY_RECORDS_PER_TOKEN = 100_000;

const LOT_PATH = /^\/lots\/([^/]+)$/;
const LOT_ROUTE = /^\/lots\/([^/]*)\/(metadata|history|state|live|publish)$/;

export function routeOf(method: string, path: string): Route {
  const isApi = path === '/metadata' || path === '/healthz' || path === '/ws' || path === '/lots' || path.startsWith('/lots/');
  if (isApi && method === 'OPTIONS') return { name: 'preflight' };
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/metadata' || path === '/healthz') {
    return read ? { name: path === '/metadata' ? 'original-metadata' : 'health' } : { name: 'method-not-allowed', allow: 'GET, HEAD' };
  }
  if (path === '/ws') return { name: 'websocket-only' };
  if (path === '/lots') return method === 'POST' ? { name: 'create-lot' } : { name: 'method-not-allowed', allow: 'POST' };
  const whole = LOT_PATH.exec(path);
  if (whole) {
    const lot = parseLotId(whole[1] ?? '');
    if (!lot.ok) return { name: 'invalid-lot', raw: whole[1] ?? '' };
    return method === 'DELETE' ? { name: 'delete-lot', lot: lot.value } : { name: 'method-not-allowed', allow: 'DELETE' };
  }
  const m = LOT_ROUTE.exec(path);
  if (m) {
    const raw = m[1] ?? '';
    const what = m[2];
    const lot = parseLotId(raw);
    if (!lot.ok) return { name: 'invalid-lot', raw };
    if (what === 'metadata') return read ? { name: 'lot-metadata', lot: lot.value } : { name: 'method-not-allowed', allow: 'GET, HEAD' };
    if (what === 'history') return read ? { name: 'lot-history', lot: lot.value } : { name: 'method-not-allowed', allow: 'GET, HEAD' };
    if (what === 'state') return method === 'POST' ? { name: 'publish-state', lot: lot.value } : { name: 'method-not-allowed', allow: 'POST' };
    return { name: 'websocket-only' };
  }
  if (path.startsWith('/lots/')) return { name: 'api-not-found' };
  return read ? { name: 'static' } : { name: 'method-not-allowed', allow: 'GET, HEAD' };
}

export interface HttpDeps {
  service: LotService;
  defaultLot: string;
  distAbs: string;
  /** Limits POSTs per client address. */
  postLimiter: RateLimiter;
  /** Limits history queries per client address, by what they cost. */
  historyLimiter: RateLimiter;
  /** History queries one client may have waiting for answers at once. */
  historyInFlightPerClient: number;
  /** Who may create lots: anyone (within `createLimiter`'s quota per address), or only the operator. */
  lotCreation: 'open' | 'operator';
  /** Lots one client address may create (operators are not counted). */
  createLimiter: RateLimiter;
  /** Origins (besides the relay's own) whose pages may create, publish and delete. */
  allowedOrigins: ReadonlySet<string>;
  /** Served over TLS: every answer carries HSTS. */
  tls?: boolean;
  /** What keeps this relay from serving (its database, its fan-out), or null; `/healthz` answers 503 then. */
  check?: () => Promise<string | null>;
  log: Logger;
  now?: () => number;
  /** Where a state is published: the lot, or (`?camera=`) one of its cameras. Absent: the lot service itself. */
  publishTarget?: (camera: string | null) => PublishTarget;
  /** The operators' API (ops-routes.ts): cameras, alerts, webhooks. */
  ops?: (req: IncomingMessage, res: ServerResponse, route: OpsRoute, query: URLSearchParams) => Promise<void>;
  /** The client's address (behind trusted proxies, from X-Forwarded-For); the peer's address by default. */
  clientKey?: ClientKey;
}

export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? Date.now;
  const keyOf = deps.clientKey ?? clientKey;
  /** History queries being answered, per client. */
  const historyInFlight = new Map<string, number>();
  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      deps.log.error(`${req.method ?? '?'} ${splitTarget(req.url)?.path ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendError(res, 500, 'internal', 'the relay failed to answer this request');
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (deps.tls) for (const [k, v] of Object.entries(HSTS)) res.setHeader(k, v);
    const target = splitTarget(req.url);
    if (!target) return sendError(res, 400, 'not_found', 'request target must be a path starting with /');
    const method = req.method ?? 'GET';
    const ops = deps.ops ? opsRouteOf(method, target.path) : null;
    const route = routeOf(method, target.path);
    if (ops || (route.name !== 'static' && route.name !== 'preflight')) {
      if (method === 'GET' || method === 'HEAD') {
        for (const [k, v] of Object.entries(READ_CORS)) res.setHeader(k, v);
      } else {
        // Changes (lots, states, cameras, alerts): only from the relay's own pages, pages the operator allowed, or no
        // page at all.
        const origin = req.headers.origin;
        if (!originAllowed(origin, req.headers.host, deps.allowedOrigins)) {
          return refuse(res, 403, 'forbidden_origin', `pages on ${String(origin).slice(0, 100)} may not change lots here; the relay's operator can allow them with --allow-origin`);
        }
        if (origin !== undefined) {
          res.setHeader('Access-Control-Allow-Origin', origin);
          res.setHeader('Vary', 'Origin');
        }
      }
    }
    if (ops && deps.ops) return deps.ops(req, res, ops, target.query);
    // Without a token, creating a lot would be a "simple" request a page on any site could send unasked; a JSON body
    // makes the browser ask first (the preflight below).
    if ((route.name === 'create-lot' || route.name === 'publish-state') && !isJsonContentType(req.headers['content-type'])) {
      return refuse(res, 415, 'unsupported_media_type', 'send the body as application/json (Content-Type: application/json)');
    }
    switch (route.name) {
      case 'static':
        return serveStatic(req, res, deps.distAbs, target.path);
      case 'preflight':
        return preflight(req, res);
      case 'health': {
        // A load balancer takes a relay that cannot reach its database or fan-out out of rotation.
        const problem = deps.check ? await deps.check() : null;
        return problem === null ? sendJson(res, 200, { ok: true }) : sendError(res, 503, 'unavailable', problem);
      }
      case 'websocket-only':
        return sendError(res, 426, 'invalid_message', 'this is a WebSocket endpoint; connect with a WebSocket client', { Upgrade: 'websocket' });
      case 'invalid-lot':
        return sendError(res, 400, 'invalid_lot', 'a lot id is 1 to 64 characters a-z 0-9 - _');
      case 'api-not-found':
        return sendError(res, 404, 'not_found', `no such endpoint: ${target.path.slice(0, 100)}`);
      case 'method-not-allowed':
        return sendError(res, 405, 'method_not_allowed', `use ${route.allow}`, { Allow: route.allow });
      case 'original-metadata':
        return originalMetadata(res);
      case 'lot-metadata':
        return lotMetadata(res, route.lot);
      case 'lot-history':
        return lotHistory(req, res, route.lot, target.query);
      case 'create-lot':
        return createLot(req, res);
      case 'delete-lot':
        return deleteLot(req, res, route.lot);
      case 'publish-state':
        return publishState(req, res, route.lot, target.query.get('camera'));
    }
  }

  /** Pages the relay lets change things get to; any other page may still read with non-simple headers. */
  function preflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const writer = origin !== undefined && originAllowed(origin, req.headers.host, deps.allowedOrigins);
    res.writeHead(204, {
      ...COMMON_HEADERS,
      ...API_HEADERS,
      'Access-Control-Allow-Origin': writer ? origin : '*',
      'Access-Control-Allow-Methods': writer ? 'GET, HEAD, POST, PUT, DELETE, OPTIONS' : 'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers': writer ? 'Authorization, Content-Type, Accept' : 'Accept',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
    res.end();
  }

  async function originalMetadata(res: ServerResponse): Promise<void> {
    const rec = await deps.service.get(deps.defaultLot);
    if (!rec) return sendError(res, 404, 'unknown_lot', `no lot "${deps.defaultLot}" on this relay`);
    if (!rec.state) return sendError(res, 404, 'no_state', `nothing has been published to lot "${rec.lot}" yet`);
    const p = await deps.service.presenceOf(rec);
    // The body keeps the original four keys exactly; whether the counter is live rides in a header.
    return sendJson(res, 200, toOriginalMetadata(rec.state.metadata), {
      'X-Lotwatch-Publisher': publisherHeader(p),
    });
  }

  async function lotMetadata(res: ServerResponse, lot: string): Promise<void> {
    const rec = await deps.service.get(lot);
    if (!rec) return sendError(res, 404, 'unknown_lot', `no lot "${lot}" on this relay`);
    if (!rec.state) return sendError(res, 404, 'no_state', `nothing has been published to lot "${lot}" yet`);
    const body: RichMetadata = {
      ...toLotMetadata(rec.state.metadata),
      lot,
      layout: rec.state.layout,
      received_at: rec.state.receivedAt,
      publisher: await deps.service.presenceOf(rec),
    };
    return sendJson(res, 200, body);
  }

  /** `?from&to&step&tz[&format=csv&table=slots]`: the history report as JSON, or one of its tables as CSV. */
  async function lotHistory(req: IncomingMessage, res: ServerResponse, lot: string, query: URLSearchParams): Promise<void> {
    const key = keyOf(req);
    // What a query costs is charged when it is known, so a burst is also held to a few queries at a time.
    if ((historyInFlight.get(key) ?? 0) >= deps.historyInFlightPerClient) {
      return sendError(res, 429, 'rate_limited', 'wait for your history queries to be answered', { 'Retry-After': '1' });
    }
    const limit = await deps.historyLimiter.take(key, now());
    if (!limit.allowed) return sendError(res, 429, 'rate_limited', 'too many history queries; slow down', { 'Retry-After': String(limit.retryAfter) });
    const q = parseHistoryRequest((k) => query.get(k), req.headers.accept, now());
    if (!q.ok) return sendError(res, 400, 'invalid_query', q.error);
    let r: Awaited<ReturnType<LotService['history']>>;
    historyInFlight.set(key, (historyInFlight.get(key) ?? 0) + 1);
    try {
      r = await deps.service.history(lot, q.value);
    } catch (e) {
      if (e instanceof HistoryBusy) return sendError(res, 503, 'unavailable', `${e.message}; try again shortly`, { 'Retry-After': '5' });
      throw e;
    } finally {
      const n = (historyInFlight.get(key) ?? 1) - 1;
      if (n > 0) historyInFlight.set(key, n);
      else historyInFlight.delete(key);
    }
    if (!r.ok) return sendError(res, 404, r.code, r.message);
    // A query that replayed a big lot costs its asker more than one token: the next one waits longer.
    await deps.historyLimiter.charge(key, now(), Math.floor(r.answer.cost / HISTORY_RECORDS_PER_TOKEN));
    const { body, filename } = r.answer;
    if (filename === null) return sendText(res, 200, 'application/json; charset=utf-8', body, { Vary: 'Accept' });
    return sendCsv(res, body, filename);
  }

  /** POST answers that did not read the body close the connection, so an unread upload is not drained. */
  function refuse(res: ServerResponse, status: number, code: Parameters<typeof sendError>[2], message: string, extra = {}) {
    sendError(res, status, code, message, { Connection: 'close', ...extra });
  }

  async function rateLimited(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const r = await deps.postLimiter.take(keyOf(req), now());
    if (!r.allowed) refuse(res, 429, 'rate_limited', 'too many requests; slow down', { 'Retry-After': String(r.retryAfter) });
    return !r.allowed;
  }

  async function readJson(req: IncomingMessage, res: ServerResponse, allowEmpty: boolean): Promise<{ value: unknown } | null> {
    const body = await readBody(req, LIMITS.maxPublisherMessageBytes);
    if (!body.ok) {
      if (body.reason === 'too_large') refuse(res, 413, 'too_large', `the body is larger than ${LIMITS.maxPublisherMessageBytes} bytes`);
      else res.destroy();
      return null;
    }
    if (allowEmpty && body.text.trim() === '') return { value: {} };
    const json = parseJson(body.text);
    if (!json.ok) {
      sendError(res, 400, 'bad_json', `the body is ${json.error}`);
      return null;
    }
    return { value: json.value };
  }

  async function createLot(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await rateLimited(req, res)) return;
    if (!deps.service.isOperator(bearerToken(req.headers.authorization))) {
      if (deps.lotCreation === 'operator') {
        const message = deps.service.hasOperator
          ? 'creating lots on this relay needs the operator token (Authorization: Bearer <token>)'
          : 'this relay does not let its clients create lots; its operator can, with LOTWATCH_OPERATOR_TOKEN';
        return refuse(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="lotwatch"' });
      }
      const quota = await deps.createLimiter.take(keyOf(req), now());
      if (!quota.allowed) {
        return refuse(res, 429, 'rate_limited', 'this address has created its share of lots for now; try again later', {
          'Retry-After': String(quota.retryAfter),
        });
      }
    }
    const body = await readJson(req, res, true);
    if (!body) return;
    const o = body.value;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      return sendError(res, 400, 'invalid_message', 'the body must be a JSON object such as {"lot": "north-gate"} or empty');
    }
    const requested = 'lot' in o && o.lot !== undefined && o.lot !== null ? parseLotId(o.lot) : null;
    if (requested && !requested.ok) return sendError(res, 400, 'invalid_lot', requested.error);
    const created = await deps.service.createLot(requested?.value ?? null);
    if (!created.ok) return sendError(res, created.code === 'lot_exists' ? 409 : 503, created.code, created.message);
    return sendJson(res, 201, created.value, { Location: created.value.metadata_path });
  }

  async function deleteLot(req: IncomingMessage, res: ServerResponse, lot: string): Promise<void> {
    if (await rateLimited(req, res)) return;
    const r = await deps.service.deleteLot(lot, bearerToken(req.headers.authorization));
    if (r.ok) {
      res.writeHead(204, { ...COMMON_HEADERS, ...API_HEADERS });
      res.end();
      return;
    }
    if (r.code === 'unknown_lot') return sendError(res, 404, r.code, r.message);
    return sendError(res, 401, 'unauthorized', r.message, { 'WWW-Authenticate': 'Bearer realm="lotwatch"' });
  }

  async function publishState(req: IncomingMessage, res: ServerResponse, lot: string, camera: string | null): Promise<void> {
    if (await rateLimited(req, res)) return;
    if (camera !== null && (!CAMERA_ID_PATTERN.test(camera) || !deps.publishTarget)) {
      return refuse(res, 400, 'invalid_message', 'a camera id is 1 to 32 characters a-z 0-9 - _');
    }
    const publisher: PublishTarget = deps.publishTarget?.(camera) ?? deps.service;
    // Authorise before reading the body: strangers do not get to upload.
    const auth = await publisher.authorize(lot, bearerToken(req.headers.authorization));
    if (!auth.ok) {
      if (auth.code === 'unknown_lot') return refuse(res, 404, 'unknown_lot', auth.message);
      return refuse(res, 401, 'unauthorized', auth.message, { 'WWW-Authenticate': 'Bearer realm="lotwatch"' });
    }
    const body = await readJson(req, res, false);
    if (!body) return;
    const state = parsePublishedState(body.value);
    if (!state.ok) return sendError(res, 400, 'invalid_state', state.error);
    const r = await publisher.publish(lot, state.value, 'http');
    if (!r.ok) return sendError(res, r.code === 'unknown_lot' ? 404 : 409, r.code, r.message);
    return sendJson(res, 200, { lot, revision: r.revision, received_at: r.receivedAt });
  }
}
