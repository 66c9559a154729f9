// Every WebSocket on the relay: routes upgrades, keeps viewers per lot, fans lot events out to them, runs publisher
// sessions, and drops dead or runaway connections.
//
//   /ws?lot=<lot>        the original system's viewer: `{"event":"update","data":{...}}` only
//   /lots/<lot>/live     the app's viewer: snapshot, states, publisher presence
//   /lots/<lot>/publish  a counting device: auth, then states
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CAMERA_ID_PATTERN,
  CLOSE,
  LIMITS,
  parseLotId,
  toUpdateEvent,
  type ErrorBody,
  type ErrorCode,
  type SnapshotMessage,
  type ViewerMessage,
} from '../../src/share/protocol.ts';
import type { Broadcaster, LotEvent } from './broadcaster.ts';
import type { CameraService } from './cameras.ts';
import { COMMON_HEADERS, clientKey, splitTarget, type ClientKey } from './http-util.ts';
import type { Logger } from './log.ts';
import type { LotService } from './lot-service.ts';
import { PublisherSession } from './publisher-session.ts';
import { fullBucket, take, type Bucket, type RateRule } from './rate-limit.ts';

export type WsRoute =
  | { kind: 'original' | 'live' | 'publish'; lot: string }
  | { kind: 'invalid-lot' }
  | { kind: 'not-found' };

export function wsRouteOf(path: string, query: URLSearchParams, defaultLot: string): WsRoute {
  const lotOf = (raw: string): WsRoute | string => {
    const p = parseLotId(raw);
    return p.ok ? p.value : { kind: 'invalid-lot' };
  };
  let lot: WsRoute | string;
  if (path === '/ws') {
    lot = lotOf(query.get('lot') ?? defaultLot);
    return typeof lot === 'string' ? { kind: 'original', lot } : lot;
  }
  const m = /^\/lots\/([^/]*)\/(live|publish)$/.exec(path);
  if (!m) return { kind: 'not-found' };
  lot = lotOf(m[1] ?? '');
  return typeof lot === 'string' ? { kind: m[2] === 'live' ? 'live' : 'publish', lot } : lot;
}

export interface WsLimits {
  pingIntervalMs: number;
  authTimeoutMs: number;
  /** Open WebSockets in all. A tenth of them is kept for publishers: viewers can never lock a counting device out. */
  maxConnections: number;
  /** Open WebSockets from one client address (publishers and viewers). */
  maxConnectionsPerAddress: number;
  publisherRate: RateRule;
  viewerRate: RateRule;
  /** A viewer with more than this queued and unsent is too slow to follow; it is dropped. */
  maxBufferedBytes: number;
}

export interface WsHubOptions {
  service: LotService;
  /** Publishing as one camera of a lot (`/lots/<lot>/publish?camera=<camera>`); absent: lots only. */
  cameras?: CameraService;
  broadcaster: Broadcaster;
  defaultLot: string;
  limits: WsLimits;
  log: Logger;
  now?: () => number;
  /** The client's address, for the per-address cap. */
  clientKey?: ClientKey;
}

/** Connections kept for publishers out of `maxConnections`. */
export const publisherReserve = (maxConnections: number): number => Math.floor(maxConnections / 10);

export type Admission = { ok: true } | { ok: false; status: 429 | 503; message: string };

/**
 * May one more connection open? Publishers may use every connection; viewers all but the publishers' reserve; one
 * address at most its own share, whatever it opens.
 */
export function admit(
  kind: 'viewer' | 'publisher',
  open: { viewers: number; publishers: number; fromAddress: number },
  limits: Pick<WsLimits, 'maxConnections' | 'maxConnectionsPerAddress'>,
): Admission {
  if (open.fromAddress >= limits.maxConnectionsPerAddress) {
    return { ok: false, status: 429, message: 'too many connections from your address' };
  }
  const total = open.viewers + open.publishers;
  const cap = kind === 'publisher' ? limits.maxConnections : limits.maxConnections - publisherReserve(limits.maxConnections);
  if (total >= limits.maxConnections || (kind === 'viewer' && open.viewers >= cap)) {
    return { ok: false, status: 503, message: 'too many connections; try again later' };
  }
  return { ok: true };
}

interface Conn {
  ws: WebSocket;
  alive: boolean;
}

interface Viewer extends Conn {
  lot: string;
  kind: 'original' | 'live';
  bucket: Bucket;
  /** Events that arrive while the snapshot is being read; null once it has been sent. */
  pending: ViewerEvent[] | null;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function rejectUpgrade(socket: Duplex, status: number, error: ErrorCode, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error, message } satisfies ErrorBody);
  const headers = { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
}

function textOf(data: RawData, isBinary: boolean): string | null {
  if (isBinary) return null;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}

type ViewerEvent = Exclude<LotEvent, { kind: 'deleted' }>;

export function toViewerMessage(e: ViewerEvent): ViewerMessage {
  if (e.kind === 'presence') return { type: 'presence', lot: e.lot, publisher: e.publisher };
  return {
    type: 'state',
    lot: e.lot,
    state: e.metadata,
    ...(e.layout ? { layout: e.layout } : {}),
    received_at: e.receivedAt,
  };
}

/** Adds a socket to its lot's set until it closes; an emptied set is dropped. */
function joinLot<C extends Conn>(byLot: Map<string, Set<C>>, lot: string, c: C): void {
  let set = byLot.get(lot);
  if (!set) byLot.set(lot, (set = new Set()));
  set.add(c);
  c.ws.on('close', () => {
    set.delete(c);
    if (set.size === 0 && byLot.get(lot) === set) byLot.delete(lot);
  });
}

export class WsHub {
  readonly #o: WsHubOptions;
  readonly #now: () => number;
  readonly #viewerWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxViewerMessageBytes, perMessageDeflate: false });
  readonly #publisherWss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxPublisherMessageBytes, perMessageDeflate: false });
  readonly #conns = new Set<Conn>();
  readonly #sessions = new Set<PublisherSession>();
  readonly #viewers = new Map<string, Set<Viewer>>();
  readonly #publishers = new Map<string, Set<Conn>>();
  /** Sockets admitted and not yet closed (opening or open), for the caps. */
  readonly #open = { viewers: 0, publishers: 0, byAddress: new Map<string, number>() };
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #unsubscribe: () => void;
  #closing = false;

  constructor(o: WsHubOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#unsubscribe = o.broadcaster.subscribe((e) => this.#fanOut(e));
    this.#heartbeat = setInterval(() => this.#beat(), o.limits.pingIntervalMs);
    this.#heartbeat.unref();
  }

  get connections(): number {
    return this.#conns.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Errors on a socket that never became a WebSocket (resets, garbage) must not reach the process.
    socket.on('error', () => socket.destroy());
    if (this.#closing) return rejectUpgrade(socket, 503, 'unavailable', 'the relay is shutting down');
    const target = splitTarget(req.url);
    const route = target ? wsRouteOf(target.path, target.query, this.#o.defaultLot) : ({ kind: 'not-found' } as const);
    if (route.kind === 'not-found') return rejectUpgrade(socket, 404, 'not_found', 'WebSocket endpoints: /ws, /lots/<lot>/live, /lots/<lot>/publish');
    if (route.kind === 'invalid-lot') return rejectUpgrade(socket, 400, 'invalid_lot', 'a lot id is 1 to 64 characters a-z 0-9 - _');
    const camera = route.kind === 'publish' ? (target?.query.get('camera') ?? null) : null;
    if (camera !== null && (!CAMERA_ID_PATTERN.test(camera) || !this.#o.cameras)) {
      return rejectUpgrade(socket, 400, 'invalid_message', 'a camera id is 1 to 32 characters a-z 0-9 - _');
    }
    const kind = route.kind === 'publish' ? 'publisher' : 'viewer';
    const address = (this.#o.clientKey ?? clientKey)(req);
    const fromAddress = this.#open.byAddress.get(address) ?? 0;
    const admission = admit(kind, { viewers: this.#open.viewers, publishers: this.#open.publishers, fromAddress }, this.#o.limits);
    if (!admission.ok) {
      return rejectUpgrade(socket, admission.status, admission.status === 429 ? 'rate_limited' : 'unavailable', admission.message);
    }
    // Counted from now until the socket closes, whichever way it goes: a slow lot lookup cannot let a flood past the caps.
    this.#count(kind, address, +1);
    socket.once('close', () => this.#count(kind, address, -1));
    this.#o.service
      .get(route.lot)
      .then((rec) => {
        if (socket.destroyed) return;
        const message = `no lot "${route.lot}" on this relay`;
        // Raw clients of the original /ws see an HTTP 404. Browsers cannot see upgrade statuses, so the app's routes
        // accept and close with 4404, which the relay client reads as "stop retrying".
        if (!rec && route.kind === 'original') return rejectUpgrade(socket, 404, 'unknown_lot', message);
        const wss = route.kind === 'publish' ? this.#publisherWss : this.#viewerWss;
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (!rec) {
            ws.on('error', () => {});
            ws.send(JSON.stringify({ type: 'error', code: 'unknown_lot', message }));
            ws.close(CLOSE.unknownLot, 'unknown_lot');
          } else if (route.kind === 'publish') this.#acceptPublisher(ws, route.lot, camera);
          else this.#acceptViewer(ws, route.kind, route.lot);
        });
      })
      .catch((e: unknown) => {
        this.#o.log.error(`upgrade: ${e instanceof Error ? e.message : String(e)}`);
        rejectUpgrade(socket, 500, 'internal', 'the relay failed to open this connection');
      });
  }

  /** Says goodbye to every connection (1001), then cuts whatever has not closed within `graceMs`. */
  async close(graceMs = 500): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    const closed = [...this.#conns].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === WebSocket.CLOSED) return resolve();
          c.ws.once('close', () => resolve());
          c.ws.close(CLOSE.goingAway, 'relay shutting down');
        }),
    );
    const within = async (p: Promise<unknown>, ms: number) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    };
    await within(Promise.all(closed), graceMs);
    for (const c of this.#conns) c.ws.terminate();
    // Publishers' goodbyes (presence, "last seen") are written before the store and fan-out close behind us.
    await within(Promise.all(closed), graceMs);
    await within(Promise.all([...this.#sessions].map((s) => s.settled)), 5_000);
    this.#viewerWss.close();
    this.#publisherWss.close();
  }

  #count(kind: 'viewer' | 'publisher', address: string, delta: 1 | -1): void {
    if (kind === 'viewer') this.#open.viewers += delta;
    else this.#open.publishers += delta;
    const n = (this.#open.byAddress.get(address) ?? 0) + delta;
    if (n > 0) this.#open.byAddress.set(address, n);
    else this.#open.byAddress.delete(address);
  }

  #track(c: Conn): void {
    this.#conns.add(c);
    c.ws.on('pong', () => (c.alive = true));
    // ws reports protocol violations (oversized or malformed frames) here and then closes the socket itself.
    c.ws.on('error', () => {});
    c.ws.on('close', () => this.#conns.delete(c));
  }

  #beat(): void {
    for (const c of this.#conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  #send(c: Conn, text: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > this.#o.limits.maxBufferedBytes) {
      this.#o.log.warn('dropping a viewer that cannot keep up');
      c.ws.terminate();
      return;
    }
    c.ws.send(text);
  }

  #acceptPublisher(ws: WebSocket, lot: string, camera: string | null): void {
    const c: Conn = { ws, alive: true };
    this.#track(c);
    joinLot(this.#publishers, lot, c);
    const cams = this.#o.cameras;
    const session = new PublisherSession(lot, {
      service: cams ? (camera === null ? cams.lotTarget : cams.target(camera)) : this.#o.service,
      log: this.#o.log,
      send: (m) => this.#send(c, JSON.stringify(m)),
      close: (code, reason) => ws.close(code, reason),
      rate: this.#o.limits.publisherRate,
      authTimeoutMs: this.#o.limits.authTimeoutMs,
      now: this.#now,
    });
    this.#sessions.add(session);
    ws.on('message', (data, isBinary) => session.receive(textOf(data, isBinary)));
    ws.on('close', () => {
      session.ended();
      void session.settled.then(() => this.#sessions.delete(session));
    });
  }

  #acceptViewer(ws: WebSocket, kind: 'original' | 'live', lot: string): void {
    const v: Viewer = { ws, alive: true, lot, kind, bucket: fullBucket(this.#o.limits.viewerRate, this.#now()), pending: [] };
    this.#track(v);
    joinLot(this.#viewers, lot, v);
    ws.on('message', (data, isBinary) => this.#viewerSaid(v, data, isBinary));
    this.#sendSnapshot(v).catch((e: unknown) => {
      this.#o.log.error(`snapshot for lot "${lot}": ${e instanceof Error ? e.message : String(e)}`);
      ws.close(1011, 'internal error');
    });
  }

  /** Viewers are read-only. The original `/ws` ignored what clients sent, so it still does (within the rate limit). */
  #viewerSaid(v: Viewer, _data: RawData, _isBinary: boolean): void {
    const r = take(v.bucket, this.#o.limits.viewerRate, this.#now());
    v.bucket = r.bucket;
    if (!r.allowed) {
      v.ws.close(CLOSE.rateLimited, 'rate_limited');
      return;
    }
    if (v.kind === 'live') {
      this.#send(v, JSON.stringify({ type: 'error', code: 'read_only', message: 'viewers are read-only; publish on /lots/<lot>/publish' }));
    }
  }

  async #sendSnapshot(v: Viewer): Promise<void> {
    // Registered before reading, so nothing published meanwhile is lost; anything older than what was read is dropped.
    const rec = await this.#o.service.get(v.lot);
    const publisher = rec ? await this.#o.service.presenceOf(rec) : { online: false, since: null };
    const pending = v.pending ?? [];
    v.pending = null;
    const revision = rec?.state?.revision ?? 0;
    if (v.kind === 'original') {
      if (rec?.state) this.#send(v, JSON.stringify(toUpdateEvent(rec.state.metadata)));
    } else {
      const snapshot: SnapshotMessage = {
        type: 'snapshot',
        lot: v.lot,
        state: rec?.state?.metadata ?? null,
        layout: rec?.state?.layout ?? null,
        received_at: rec?.state?.receivedAt ?? null,
        publisher,
      };
      this.#send(v, JSON.stringify(snapshot));
    }
    // Newer states are replayed. Presence is replayed in order: an event the snapshot already reflects changes
    // nothing, and the last one is the newest.
    for (const e of pending) if (e.kind === 'presence' || e.revision > revision) this.#deliver(v, e, new Map());
  }

  #fanOut(e: LotEvent): void {
    if (e.kind === 'deleted') return this.#closeLot(e.lot);
    const set = this.#viewers.get(e.lot);
    if (!set) return;
    // Serialised once per event and route, however many viewers there are.
    const cache = new Map<Viewer['kind'], string | null>();
    for (const v of set) {
      if (v.pending) v.pending.push(e);
      else this.#deliver(v, e, cache);
    }
  }

  /** A deleted lot's sockets are told so (except the original /ws, whose shape has no errors) and closed with 4404. */
  #closeLot(lot: string): void {
    const text = JSON.stringify({ type: 'error', code: 'unknown_lot', message: `lot "${lot}" was deleted` });
    const viewers = [...(this.#viewers.get(lot) ?? [])];
    for (const c of [...viewers.filter((v) => v.kind === 'live'), ...(this.#publishers.get(lot) ?? [])]) this.#send(c, text);
    for (const c of [...viewers, ...(this.#publishers.get(lot) ?? [])]) c.ws.close(CLOSE.unknownLot, 'unknown_lot');
  }

  #deliver(v: Viewer, e: ViewerEvent, cache: Map<Viewer['kind'], string | null>): void {
    let text = cache.get(v.kind);
    if (text === undefined) {
      if (v.kind === 'live') text = JSON.stringify(toViewerMessage(e));
      else text = e.kind === 'state' ? JSON.stringify(toUpdateEvent(e.metadata)) : null;
      cache.set(v.kind, text);
    }
    if (text !== null) this.#send(v, text);
  }
}
