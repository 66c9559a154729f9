// Helpers for relay tests: a real relay in-process on 127.0.0.1, real ws clients, bounded waits only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { PublishedState } from '../../src/share/protocol.ts';
import { DEFAULT_CONFIG, type RelayConfig } from '../../relay/src/config.ts';
import { silentLogger } from '../../relay/src/log.ts';
import { startRelay, type RelayDeps, type RunningRelay } from '../../relay/src/relay.ts';

export const TOKEN = 'test-token-0123456789abcdef';

const dirs: string[] = [];
export function tempDir(prefix = 'lotwatch-relay-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface TestRelay extends RunningRelay {
  ws: string;
  dataDir: string;
}

export async function startTestRelay(config: Partial<RelayConfig> = {}, deps: RelayDeps = {}): Promise<TestRelay> {
  const dataDir = config.dataDir ?? tempDir();
  const relay = await startRelay(
    { ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dist: tempDir('lotwatch-nodist-'), token: TOKEN, ...config, dataDir },
    { log: silentLogger, ...deps },
  );
  return Object.assign(relay, { ws: relay.url.replace(/^http/, 'ws'), dataDir });
}

/**
 * The relays and clients a test file opens, closed after each test: push what a test starts into them (a test that
 * closes one itself takes it out first).
 */
export function closedAfterEach(): { running: TestRelay[]; clients: Client[] } {
  const running: TestRelay[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(running.splice(0).map((r) => r.close()));
  });
  return { running, clients };
}

let clock = Date.parse('2025-08-07T14:20:30Z');
/** A valid published state; each call gets a later, distinct `last_updated`. */
export function lotState(occupied: number, total: number, extra: Partial<PublishedState> = {}): PublishedState {
  clock += 1000;
  return {
    total_slots: total,
    occupied_slots: occupied,
    available_slots: total - occupied,
    last_updated: new Date(clock).toISOString(),
    slots: [],
    ...extra,
  };
}

export function postState(base: string, lot: string, token: string | null, body: unknown): Promise<Response> {
  return fetch(`${base}/lots/${lot}/state`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A ws client that records every text message from the moment it is created. */
export class Client {
  readonly ws: WebSocket;
  readonly messages: unknown[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters = new Set<() => void>();

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data, isBinary) => {
      this.messages.push(isBinary ? data : JSON.parse(data.toString()));
      for (const w of this.#waiters) w();
    });
    this.ws.on('error', () => {});
    this.opened = withTimeout(
      new Promise((ok, fail) => {
        this.ws.once('open', () => ok());
        this.ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
        this.ws.once('close', () => fail(new Error('closed before open')));
      }),
      5000,
      'socket to open',
    );
    this.opened.catch(() => {});
    this.closed = new Promise((ok) => this.ws.once('close', (code, reason) => ok({ code, reason: reason.toString() })));
  }

  /** The close code and reason, waiting at most `timeoutMs`. */
  waitClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    return withTimeout(this.closed, timeoutMs, 'socket to close');
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits (at most `timeoutMs`) until `count` messages match, and returns them. */
  async waitFor(match: (m: unknown) => boolean, count = 1, timeoutMs = 3000): Promise<unknown[]> {
    const found = () => this.messages.filter(match);
    if (found().length >= count) return found().slice(0, count);
    return new Promise((ok, fail) => {
      const check = () => {
        if (found().length < count) return;
        done();
        ok(found().slice(0, count));
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`timed out waiting for ${count} matching message(s); got ${JSON.stringify(this.messages).slice(0, 500)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<T>((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Polls `check` every `stepMs` until it returns a value other than undefined, at most `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 3000, stepMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const isType = (type: string) => (m: unknown) => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
export const isUpdate = (m: unknown) => typeof m === 'object' && m !== null && (m as { event?: unknown }).event === 'update';

/** Opens an authenticated publisher socket on a lot. */
export async function publisher(base: TestRelay, lot = 'default', token = TOKEN): Promise<Client> {
  const c = new Client(`${base.ws}/lots/${lot}/publish`);
  await c.opened;
  c.send({ type: 'auth', token });
  await c.waitFor(isType('ready'));
  return c;
}
