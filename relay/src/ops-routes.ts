// The operators' API: a lot's cameras and their tokens, its alert rules, webhooks and delivery log. Everything but
// the camera list needs the lot's token (a camera's own token only publishes). `opsRouteOf` decides, `createOpsHandler` acts.
//
//   GET    /lots/<lot>/cameras                  cameras, presence and counts (public, like the metadata)
//   POST   /lots/<lot>/cameras/<camera>/token   issue the camera a token of its own (replaces the old one)
//   DELETE /lots/<lot>/cameras/<camera>/token   revoke it
//   DELETE /lots/<lot>/cameras/<camera>         take the camera and its slots out of the lot
//   GET    /lots/<lot>/alerts                   alert rules; PUT sets them
//   GET    /lots/<lot>/webhooks                 webhooks (without secrets); POST adds one (answers its secret once)
//   DELETE /lots/<lot>/webhooks/<id>
//   GET    /lots/<lot>/deliveries[?limit=N]     the delivery log, newest first
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CAMERA_ID_PATTERN, parseJson, parseLotId, type ErrorCode } from '../../src/share/protocol.ts';
import type { AlertService } from './alert-service.ts';
import { ALERT_EVENTS, parseAlertRules, type AlertEventType } from './alerts.ts';
import { bearerToken } from './auth.ts';
import type { CameraService } from './cameras.ts';
import { clientKey, readBody, sendError, sendJson, type ClientKey } from './http-util.ts';
import type { LotService } from './lot-service.ts';
import type { OpsStore, WebhookRecord } from './ops-store.ts';
import type { RateLimiter } from './rate-limit.ts';
import { checkWebhookUrl, newId, newSecret, resolveTarget } from './webhooks.ts';

export type OpsRoute =
  | { name: 'cameras'; lot: string }
  | { name: 'camera-token'; lot: string; camera: string; revoke: boolean }
  | { name: 'camera-remove'; lot: string; camera: string }
  | { name: 'alerts-get' | 'alerts-put' | 'webhooks-list' | 'webhooks-add' | 'deliveries'; lot: string }
  | { name: 'webhook-remove'; lot: string; id: string }
  | { name: 'bad-request'; code: ErrorCode; message: string }
  | { name: 'method-not-allowed'; allow: string };

const PATH = /^\/lots\/([^/]+)\/(cameras|alerts|webhooks|deliveries)(?:\/([^/]+))?(?:\/(token))?$/;

/** The operators' route for a request, or null when it is not one of theirs (preflights included). */
export function opsRouteOf(method: string, path: string): OpsRoute | null {
  const m = PATH.exec(path);
  if (!m || method === 'OPTIONS') return null;
  const [, rawLot = '', what, sub, token] = m;
  const lot = parseLotId(rawLot);
  if (!lot.ok) return { name: 'bad-request', code: 'invalid_lot', message: 'a lot id is 1 to 64 characters a-z 0-9 - _' };
  const l = lot.value;
  const read = method === 'GET' || method === 'HEAD';
  const allow = (a: string): OpsRoute => ({ name: 'method-not-allowed', allow: a });
  if (what === 'cameras') {
    if (sub === undefined) return token ? null : read ? { name: 'cameras', lot: l } : allow('GET, HEAD');
    if (!CAMERA_ID_PATTERN.test(sub)) return { name: 'bad-request', code: 'invalid_message', message: 'a camera id is 1 to 32 characters a-z 0-9 - _' };
    if (token) return method === 'POST' || method === 'DELETE' ? { name: 'camera-token', lot: l, camera: sub, revoke: method === 'DELETE' } : allow('POST, DELETE');
    return method === 'DELETE' ? { name: 'camera-remove', lot: l, camera: sub } : allow('DELETE');
  }
  if (token) return null;
  if (what === 'webhooks' && sub !== undefined) return method === 'DELETE' ? { name: 'webhook-remove', lot: l, id: sub } : allow('DELETE');
  if (sub !== undefined) return null;
  if (what === 'alerts') return read ? { name: 'alerts-get', lot: l } : method === 'PUT' ? { name: 'alerts-put', lot: l } : allow('GET, HEAD, PUT');
  if (what === 'webhooks') return read ? { name: 'webhooks-list', lot: l } : method === 'POST' ? { name: 'webhooks-add', lot: l } : allow('GET, HEAD, POST');
  return read ? { name: 'deliveries', lot: l } : allow('GET, HEAD');
}

export interface OpsDeps {
  lots: LotService;
  cameras: CameraService;
  alerts: AlertService;
  store: OpsStore;
  postLimiter: RateLimiter;
  /** The client's address for the rate limit (behind trusted proxies); the peer's by default. */
  clientKey?: ClientKey;
  /** Webhooks may target loopback and private addresses. */
  allowPrivateWebhooks: boolean;
  now: () => number;
}

/** Webhooks per lot: each event goes to all of them. */
export const MAX_WEBHOOKS = 10;
const MAX_BODY = 16 * 1024;

/** A webhook as the API shows it: never its secret. */
const publicWebhook = (w: WebhookRecord) => ({ id: w.id, url: w.url, events: w.events, created_at: w.createdAt });

export function createOpsHandler(d: OpsDeps): (req: IncomingMessage, res: ServerResponse, route: OpsRoute, query: URLSearchParams) => Promise<void> {
  return async (req, res, route, query) => {
    if (route.name === 'bad-request') return sendError(res, 400, route.code, route.message);
    if (route.name === 'method-not-allowed') return sendError(res, 405, 'method_not_allowed', `use ${route.allow}`, { Allow: route.allow });
    if (route.name === 'cameras') {
      if (!(await d.lots.get(route.lot))) return sendError(res, 404, 'unknown_lot', `no lot "${route.lot}" on this relay`);
      const cameras = await d.cameras.list(route.lot);
      return sendJson(res, 200, { lot: route.lot, online: cameras.filter((c) => c.online).length, cameras });
    }
    const writes = req.method !== 'GET' && req.method !== 'HEAD';
    if (writes) {
      const r = await d.postLimiter.take((d.clientKey ?? clientKey)(req), d.now());
      if (!r.allowed) return sendError(res, 429, 'rate_limited', 'too many requests; slow down', { 'Retry-After': String(r.retryAfter), Connection: 'close' });
    }
    // The lot's own token: a camera's token publishes and nothing else.
    const auth = await d.lots.authorize(route.lot, bearerToken(req.headers.authorization));
    if (!auth.ok) {
      if (auth.code === 'unknown_lot') return sendError(res, 404, 'unknown_lot', auth.message, { Connection: 'close' });
      return sendError(res, 401, 'unauthorized', `${auth.message} (the lot's token is needed here)`, { 'WWW-Authenticate': 'Bearer realm="lotwatch"', Connection: 'close' });
    }
    const lot = route.lot;
    switch (route.name) {
      case 'camera-token': {
        if (route.revoke) {
          return (await d.cameras.revokeToken(lot, route.camera))
            ? sendJson(res, 200, { lot, camera: route.camera, revoked: true })
            : sendError(res, 404, 'unknown_camera', `lot "${lot}" has no camera "${route.camera}"`);
        }
        const r = await d.cameras.issueToken(lot, route.camera);
        if (!r.ok) return sendError(res, 409, r.code, r.message);
        return sendJson(res, 201, { lot, camera: route.camera, token: r.token, publish_path: `/lots/${lot}/publish?camera=${route.camera}` });
      }
      case 'camera-remove':
        return (await d.cameras.remove(lot, route.camera))
          ? sendJson(res, 200, { lot, camera: route.camera, removed: true })
          : sendError(res, 404, 'unknown_camera', `lot "${lot}" has no camera "${route.camera}"`);
      case 'alerts-get':
        return sendJson(res, 200, { lot, rules: await d.alerts.rules(lot), events: ALERT_EVENTS });
      case 'alerts-put': {
        const body = await json(req, res);
        if (!body) return;
        const rules = parseAlertRules(body.value);
        if (!rules.ok) return sendError(res, 400, 'invalid_config', rules.error);
        await d.store.setAlertRules(lot, rules.value);
        return sendJson(res, 200, { lot, rules: rules.value });
      }
      case 'webhooks-list':
        return sendJson(res, 200, { lot, webhooks: (await d.store.webhooks(lot)).map(publicWebhook) });
      case 'webhooks-add':
        return addWebhook(req, res, lot);
      case 'webhook-remove':
        return (await d.store.removeWebhook(lot, route.id))
          ? sendJson(res, 200, { lot, id: route.id, removed: true })
          : sendError(res, 404, 'not_found', `lot "${lot}" has no webhook "${route.id.slice(0, 40)}"`);
      case 'deliveries': {
        const raw = query.get('limit');
        const limit = raw === null ? 100 : Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) return sendError(res, 400, 'invalid_query', 'limit: expected an integer from 1 to 500');
        return sendJson(res, 200, { lot, deliveries: await d.store.deliveries(lot, limit) });
      }
    }
  };

  async function json(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | null> {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendError(res, 415, 'invalid_message', 'send the body as application/json', { Connection: 'close' });
      return null;
    }
    const body = await readBody(req, MAX_BODY);
    if (!body.ok) {
      if (body.reason === 'too_large') sendError(res, 413, 'too_large', `the body is larger than ${MAX_BODY} bytes`, { Connection: 'close' });
      else res.destroy();
      return null;
    }
    const v = parseJson(body.text);
    if (!v.ok) {
      sendError(res, 400, 'bad_json', `the body is ${v.error}`);
      return null;
    }
    return { value: v.value };
  }

  async function addWebhook(req: IncomingMessage, res: ServerResponse, lot: string): Promise<void> {
    const body = await json(req, res);
    if (!body) return;
    const o = body.value;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      return sendError(res, 400, 'invalid_config', 'the body must be a JSON object such as {"url": "https://example.org/hook", "events": ["lot_full"]}');
    }
    const raw = o as Record<string, unknown>;
    const url = checkWebhookUrl(raw.url);
    if (!url.ok) return sendError(res, 400, 'invalid_config', url.error);
    let events: AlertEventType[] = [...ALERT_EVENTS];
    if (raw.events !== undefined) {
      const list = raw.events;
      if (!Array.isArray(list) || list.length === 0 || !list.every((e) => (ALERT_EVENTS as readonly unknown[]).includes(e))) {
        return sendError(res, 400, 'invalid_config', `events: expected a non-empty list of ${ALERT_EVENTS.join(', ')}`);
      }
      events = [...new Set(list as AlertEventType[])];
    }
    try {
      await resolveTarget(url.url, d.allowPrivateWebhooks);
    } catch (e) {
      return sendError(res, 400, 'refused_target', `url: ${e instanceof Error ? e.message : String(e)}`);
    }
    if ((await d.store.webhooks(lot)).length >= MAX_WEBHOOKS) {
      return sendError(res, 409, 'invalid_config', `lot "${lot}" has the most webhooks a lot may have (${MAX_WEBHOOKS}); delete one first`);
    }
    const hook: WebhookRecord = { id: newId('wh'), url: url.url.href, events, secret: newSecret(), createdAt: new Date(d.now()).toISOString() };
    await d.store.addWebhook(lot, hook);
    return sendJson(res, 201, { lot, ...publicWebhook(hook), secret: hook.secret });
  }
}
