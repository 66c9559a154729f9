// The app's side of the relay: a publisher for the counting device, a live subscription for viewers, and lot
// creation. No UI and no globals: the WebSocket constructor (and fetch) are passed in, so the same code runs in the
// browser and, in tests, in Node against the real relay with the `ws` package.
import {
  CLOSE,
  FINAL_CLOSE_CODES,
  lotPaths,
  parseErrorBody,
  parseJson,
  parseLotCreated,
  parsePublishedState,
  parseRelayToPublisherMessage,
  parseViewerMessage,
  type CounterStatus,
  type ErrorCode,
  type ErrorMessage,
  type Layout,
  type LotCreated,
  type LotMetadata,
  type Parsed,
  type PublishedState,
} from './protocol.ts';

// Handlers are declared method-style so that both the DOM's WebSocket (whose handlers take full DOM events) and the
// `ws` package's fit this shape: TypeScript checks method parameters bivariantly.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** What the client needs of a WebSocket: the browser's and the `ws` package's both qualify. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

// ---------------------------------------------------------------------------------------------------------------
// Backoff

export interface BackoffOptions {
  baseMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
  /** Failed attempts in a row before giving up; Infinity keeps trying (at most every maxMs). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, maxAttempts: Infinity };

/**
 * Wait before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter" (between half and all
 * of the exponential step), so a relay restart is not met by every client at the same instant.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

/** `http://host:8080` + `/lots/x/live` → `ws://host:8080/lots/x/live` (https → wss). */
export function toWebSocketUrl(base: string, path: string): string {
  const u = new URL(path, base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
  return u.href;
}

/** The read-only viewer page for a lot, to show as a link and a QR code. */
export const viewerUrl = (base: string, lot: string): string => new URL(lotPaths(lot).viewer, base).href;

// ---------------------------------------------------------------------------------------------------------------
// A socket that comes back

interface ReconnectingOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  backoff: BackoffOptions;
  random: () => number;
  /** A socket that has not opened after this long is abandoned and retried. */
  openTimeoutMs: number;
  onOpen(ws: WebSocketLike): void;
  onMessage(data: unknown): void;
  /** The connection is gone; `retryInMs` is null when no retry will follow. */
  onDown(code: number, reason: string, retryInMs: number | null): void;
}

/** Detaches from a socket and closes it. An error handler stays: closing a socket that is still connecting makes
 *  the `ws` package emit an error, which would be thrown if nobody listened. */
function abandon(ws: WebSocketLike, code: number, reason: string): void {
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => {};
  try {
    ws.close(code, reason);
  } catch {
    // Some implementations throw when closing a socket that never opened; it is gone either way.
  }
}

class ReconnectingSocket {
  readonly #o: ReconnectingOptions;
  #ws: WebSocketLike | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(o: ReconnectingOptions) {
    this.#o = o;
    this.#connect();
  }

  get socket(): WebSocketLike | null {
    return this.#ws?.readyState === OPEN ? this.#ws : null;
  }

  /** The far side accepted us: the next loss starts the backoff from the beginning. */
  succeeded(): void {
    this.#attempt = 0;
  }

  /** Stops for good, e.g. after a refusal that retrying cannot fix. */
  stop(code: number = CLOSE.normal, reason = 'closed by client'): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) abandon(ws, code, reason);
  }

  #connect(): void {
    if (this.#stopped) return;
    let ws: WebSocketLike;
    try {
      ws = new this.#o.WebSocket(this.#o.url);
    } catch {
      this.#lost(1006, 'could not open a connection');
      return;
    }
    this.#ws = ws;
    const openTimer = setTimeout(() => {
      if (ws.readyState !== OPEN) {
        abandon(ws, CLOSE.normal, 'timed out');
        if (this.#ws === ws) this.#lost(1006, 'connection timed out');
      }
    }, this.#o.openTimeoutMs);
    ws.onopen = () => {
      clearTimeout(openTimer);
      this.#o.onOpen(ws);
    };
    ws.onmessage = (ev) => this.#o.onMessage(ev.data);
    ws.onerror = () => {
      // Always followed by `close`, which decides what happens next.
    };
    ws.onclose = (ev) => {
      clearTimeout(openTimer);
      if (this.#ws === ws) this.#lost(ev.code, ev.reason);
    };
  }

  #lost(code: number, reason: string): void {
    this.#ws = null;
    if (this.#stopped) return;
    if (FINAL_CLOSE_CODES.includes(code) || this.#attempt >= this.#o.backoff.maxAttempts) {
      this.#stopped = true;
      this.#o.onDown(code, reason, null);
      return;
    }
    const wait = backoffDelay(this.#attempt++, this.#o.backoff, this.#o.random);
    this.#o.onDown(code, reason, wait);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, wait);
  }
}

const textOf = (data: unknown): string | null => (typeof data === 'string' ? data : null);

// ---------------------------------------------------------------------------------------------------------------
// Viewer

export type ViewerStatus = 'connecting' | 'live' | 'offline' | 'unreachable';

export interface ViewerView {
  /** connecting: first attempt; live: numbers are current; offline: the counter is not publishing (see offlineSince);
   *  unreachable: the relay cannot be reached (retrying unless `error` says it gave up). */
  status: ViewerStatus;
  /** The last state known, kept while offline or unreachable so the UI can show it as stale. */
  state: LotMetadata | null;
  layout: Layout | null;
  receivedAt: string | null;
  publisherOnline: boolean;
  offlineSince: string | null;
  /** What the counter said of itself with its last state (counting, paused, stopped), if it did. */
  counter: CounterStatus | null;
  /** Why the viewer stopped for good (unknown lot, gave up), else null. */
  error: string | null;
}

export interface ViewerOptions {
  /** The relay's http(s) base URL, e.g. `location.origin`. */
  url: string;
  lot: string;
  WebSocket: WebSocketConstructor;
  onChange: (view: ViewerView) => void;
  backoff?: Partial<BackoffOptions>;
  openTimeoutMs?: number;
  random?: () => number;
}

export interface ViewerSubscription {
  readonly view: ViewerView;
  close(): void;
}

/** Follows one lot on `/lots/<lot>/live`, reconnecting with backoff; every change is reported through `onChange`. */
export function watchLot(o: ViewerOptions): ViewerSubscription {
  let view: ViewerView = {
    status: 'connecting',
    state: null,
    layout: null,
    receivedAt: null,
    publisherOnline: false,
    offlineSince: null,
    counter: null,
    error: null,
  };
  const set = (patch: Partial<ViewerView>) => {
    view = { ...view, ...patch };
    o.onChange(view);
  };
  const presence = (online: boolean, since: string | null): Partial<ViewerView> => ({
    status: online ? 'live' : 'offline',
    publisherOnline: online,
    offlineSince: online ? null : since,
  });

  const conn = new ReconnectingSocket({
    url: toWebSocketUrl(o.url, lotPaths(o.lot).live),
    WebSocket: o.WebSocket,
    backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
    random: o.random ?? Math.random,
    openTimeoutMs: o.openTimeoutMs ?? 10_000,
    onOpen: () => {},
    onMessage: (data) => {
      const text = textOf(data);
      const json = text === null ? null : parseJson(text);
      const msg = json?.ok ? parseViewerMessage(json.value) : null;
      // Anything the protocol does not recognise is ignored rather than shown.
      if (!msg?.ok) return;
      const m = msg.value;
      switch (m.type) {
        case 'snapshot':
          conn.succeeded();
          set({
            state: m.state,
            layout: m.layout,
            receivedAt: m.received_at,
            counter: m.publisher.status ?? m.state?.status ?? null,
            error: null,
            ...presence(m.publisher.online, m.publisher.since),
          });
          return;
        case 'state':
          set({ state: m.state, receivedAt: m.received_at, counter: m.state.status ?? null, ...(m.layout ? { layout: m.layout } : {}) });
          return;
        case 'presence':
          set(presence(m.publisher.online, m.publisher.since));
          return;
        case 'error':
          return;
      }
    },
    onDown: (code, reason, retryInMs) => {
      const error =
        retryInMs !== null ? null : code === CLOSE.unknownLot ? `no lot "${o.lot}" on this relay` : `gave up: ${reason || `closed (${code})`}`;
      set({ status: 'unreachable', error });
    },
  });

  return {
    get view() {
      return view;
    },
    close: () => conn.stop(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Publisher

export type PublisherStatus = 'connecting' | 'live' | 'unreachable' | 'refused';

export interface PublisherOptions {
  url: string;
  lot: string;
  token: string;
  /** Publish as this camera of a lot seen by several (`?camera=`); the lot's token or the camera's own. */
  camera?: string | null;
  WebSocket: WebSocketConstructor;
  onStatus?: (status: PublisherStatus, detail: string | null) => void;
  /** Errors the relay reported for a message (e.g. an invalid state). */
  onError?: (error: ErrorMessage) => void;
  /** Called with the relay's revision each time a state is stored. */
  onAck?: (revision: number, seq: number | null) => void;
  /** States closer together than this are coalesced: only the latest is sent (default 100 ms, i.e. ≤ 10/s). */
  minIntervalMs?: number;
  backoff?: Partial<BackoffOptions>;
  openTimeoutMs?: number;
  random?: () => number;
}

export interface Publisher {
  readonly status: PublisherStatus;
  /** Sets the lot's current state; sent now if connected, or as soon as the relay is back. */
  publish(state: PublishedState): Parsed<PublishedState>;
  close(): void;
}

/** Publishes a lot's state on `/lots/<lot>/publish`; after every reconnect it sends its current state again. */
export function createPublisher(o: PublisherOptions): Publisher {
  const minInterval = o.minIntervalMs ?? 100;
  let status: PublisherStatus = 'connecting';
  let current: PublishedState | null = null;
  let sentCurrent = false;
  let lastSentAt = -Infinity;
  let seq = 0;
  let ready = false;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const setStatus = (s: PublisherStatus, detail: string | null = null) => {
    status = s;
    o.onStatus?.(s, detail);
  };

  const flush = () => {
    flushTimer = null;
    const ws = conn.socket;
    if (!ready || !ws || current === null || sentCurrent) return;
    const wait = lastSentAt + minInterval - Date.now();
    if (wait > 0) {
      flushTimer = setTimeout(flush, wait);
      return;
    }
    ws.send(JSON.stringify({ type: 'state', seq: ++seq, state: current }));
    sentCurrent = true;
    lastSentAt = Date.now();
  };

  const conn = new ReconnectingSocket({
    url: toWebSocketUrl(o.url, lotPaths(o.lot).publish + (o.camera ? `?camera=${encodeURIComponent(o.camera)}` : '')),
    WebSocket: o.WebSocket,
    backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
    random: o.random ?? Math.random,
    openTimeoutMs: o.openTimeoutMs ?? 10_000,
    onOpen: (ws) => ws.send(JSON.stringify({ type: 'auth', token: o.token })),
    onMessage: (data) => {
      const text = textOf(data);
      const json = text === null ? null : parseJson(text);
      const msg = json?.ok ? parseRelayToPublisherMessage(json.value) : null;
      if (!msg?.ok) return;
      const m = msg.value;
      if (m.type === 'ready') {
        conn.succeeded();
        ready = true;
        // Whatever the relay had from us before may be lost or stale: resume with the current state.
        sentCurrent = false;
        setStatus('live');
        if (flushTimer === null) flush();
      } else if (m.type === 'ack') {
        o.onAck?.(m.revision, m.seq);
      } else {
        o.onError?.(m);
      }
    },
    onDown: (code, reason, retryInMs) => {
      ready = false;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (retryInMs !== null) setStatus('unreachable', reason || null);
      else setStatus(FINAL_CLOSE_CODES.includes(code) ? 'refused' : 'unreachable', reason || `closed (${code})`);
    },
  });

  return {
    get status() {
      return status;
    },
    publish(state) {
      const checked = parsePublishedState(state);
      if (!checked.ok) return checked;
      current = checked.value;
      sentCurrent = false;
      if (flushTimer === null) flush();
      return checked;
    },
    close() {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      conn.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lot creation, and what went wrong when a relay cannot be used

export type FetchLike = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

/** Which of the usual cases stopped a relay from being used; each has its own advice. */
export type RelayProblemKind =
  | 'bad-address'
  | 'mixed-content'
  | 'unreachable'
  | 'cors'
  | 'not-found'
  | 'not-a-relay'
  | 'server-error'
  | 'refused';

export interface RelayProblem {
  readonly kind: RelayProblemKind;
  /** What happened, in a line. */
  readonly message: string;
  /** What to try. */
  readonly advice: string;
}

export interface RelayCheck {
  /** The address of the page making the request: an https page may not call an http relay. */
  readonly pageUrl?: string;
  /**
   * Whether anything answers at `url` at all, without reading the answer (a browser's `fetch` with `mode: 'no-cors'`):
   * a server that answers a request it would not let this page read is a CORS refusal, not an absent relay. (The app
   * is cross-origin isolated, so only answers that carry Cross-Origin-Resource-Policy, as a lotwatch relay's do, count.)
   */
  readonly probe?: (url: string) => Promise<boolean>;
}

export type RelayResult<T> = { ok: true; value: T } | { ok: false; error: string; problem: RelayProblem };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const fail = <T>(kind: RelayProblemKind, message: string, advice: string): RelayResult<T> => ({
  ok: false,
  error: message,
  problem: { kind, message, advice },
});

/** The relay's address, checked: an http(s) URL this page is allowed to call. */
function checkAddress<T>(base: string, check: RelayCheck): { url: URL } | { failed: RelayResult<T> } {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return { failed: fail('bad-address', `“${base}” is not a web address`, 'Type the relay’s address as it starts, for example https://relay.example.org or http://192.168.1.20:8080.') };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { failed: fail('bad-address', `“${base}” is not an http or https address`, 'A relay’s address starts with https:// (or http:// on a local network).') };
  }
  const page = check.pageUrl ? new URL(check.pageUrl) : null;
  if (page?.protocol === 'https:' && url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    return {
      failed: fail(
        'mixed-content',
        'This page was opened over https://, and browsers block its calls to an http:// relay',
        'Give the relay HTTPS (npm run relay -- --tls-cert … --tls-key …) and use its https:// address, or open lotwatch from the relay itself.',
      ),
    };
  }
  return { url };
}

/** Nothing could be read from the relay: a CORS refusal when something answers, else nothing is there (or no TLS). */
async function unreachable<T>(url: URL, check: RelayCheck): Promise<RelayResult<T>> {
  const answers = await (check.probe?.(new URL('/healthz', url).href) ?? Promise.resolve(false)).catch(() => false);
  if (answers) {
    const origin = check.pageUrl ? new URL(check.pageUrl).origin : 'this page’s origin';
    return fail(
      'cors',
      `${url.origin} answers, but does not let this page (${origin}) read its answers (CORS)`,
      `Allow ${origin} in the relay’s allowed origins, or open lotwatch from the relay itself (${url.origin}).`,
    );
  }
  const secure = url.protocol === 'https:';
  return fail(
    'unreachable',
    `Nothing answered at ${url.origin}`,
    `Check that the relay is running and that the address and port are those of a lotwatch relay${secure ? '; for https, that this device trusts its certificate (open the address in a tab to see)' : ''}. From a phone, use the computer’s network address, not localhost.`,
  );
}

/** What the relay answered when it did not do what was asked (`advise`: advice of the caller's own, by code). */
async function answerProblem<T>(
  res: { status: number; json(): Promise<unknown> },
  what: string,
  advise: Partial<Record<ErrorCode, string>> = {},
): Promise<RelayResult<T>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    if (res.status === 404) return fail('not-found', `No lotwatch relay at this address: ${what} was not found (404)`, 'Check the address: it is the relay’s own address, without a path.');
    return fail('not-a-relay', `This address answered ${res.status}, but not as a lotwatch relay does`, 'Check the address and port: something else runs there.');
  }
  const err = parseErrorBody(body);
  if (!err.ok) return fail('not-a-relay', `This address answered ${res.status}, but not as a lotwatch relay does`, 'Check the address and port: something else runs there.');
  const { error, message } = err.value;
  const advice: Partial<Record<ErrorCode, string>> = {
    lot_exists: 'Someone has this lot’s publish token already: tick “I have this lot’s publish token” and enter it, or choose another lot name.',
    too_many_lots: 'The relay holds all the lots it may: ask its operator, or use another relay.',
    rate_limited: 'Wait a minute, then try again.',
    unauthorized: 'Check the publish token (it was shown once, when the lot was created).',
    invalid_lot: 'Lot names use a-z, 0-9, - and _ only, up to 64 characters.',
    ...advise,
  };
  if (res.status >= 500 && !advice[error]) return fail('server-error', `The relay had a problem (${res.status}: ${message})`, 'Try again later; if it persists, its operator finds the reason in its log.');
  return fail('refused', `The relay said no: ${message}`, advice[error] ?? 'Check the address, the lot and the token.');
}

/** `GET /healthz`: is a lotwatch relay there, and may this page use it? */
export async function checkRelay(base: string, fetchFn: FetchLike, check: RelayCheck = {}): Promise<RelayResult<true>> {
  const address = checkAddress<true>(base, check);
  if ('failed' in address) return address.failed;
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(new URL('/healthz', address.url).href, { method: 'GET' });
  } catch {
    return unreachable(address.url, check);
  }
  if (res.status !== 200) return answerProblem(res, 'its health check');
  const body = await res.json().catch(() => null);
  return typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true
    ? { ok: true, value: true }
    : fail('not-a-relay', 'This address answered, but not as a lotwatch relay does', 'Check the address and port: something else runs there.');
}

/**
 * `POST /lots`: creates a lot (named, or named by the relay) and returns its publish token, shown only this once. A
 * relay that faces the internet lets only its operator create lots: pass the operator's token then.
 */
export async function createLot(
  base: string,
  lot: string | null,
  fetchFn: FetchLike,
  operatorToken: string | null = null,
  check: RelayCheck = {},
): Promise<RelayResult<LotCreated>> {
  const address = checkAddress<LotCreated>(base, check);
  if ('failed' in address) return address.failed;
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(new URL('/lots', address.url).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(operatorToken ? { Authorization: `Bearer ${operatorToken}` } : {}) },
      body: JSON.stringify(lot === null ? {} : { lot }),
    });
  } catch {
    return unreachable(address.url, check);
  }
  if (res.status !== 201) {
    return answerProblem(res, 'creating a lot', {
      unauthorized: operatorToken
        ? 'Check the operator token with the relay’s operator.'
        : 'This relay lets only its operator create lots: enter the operator token, or ask the operator for a lot and its publish token.',
    });
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return fail('not-a-relay', 'This address answered, but not as a lotwatch relay does', 'Check the address and port: something else runs there.');
  }
  const created = parseLotCreated(body);
  return created.ok ? created : fail('not-a-relay', `This address answered, but not as a lotwatch relay does (${created.error})`, 'Check the address and port.');
}
