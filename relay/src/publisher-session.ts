// One publisher connection on `/lots/<lot>/publish`: authenticate with the first message, then send states.
// The decision for each incoming frame is the pure `decidePublisherInput`; the session applies it in order.
import {
  CLOSE,
  parseJson,
  parsePublisherMessage,
  type ErrorCode,
  type ErrorMessage,
  type PublishedState,
  type RelayToPublisherMessage,
} from '../../src/share/protocol.ts';
import type { Logger } from './log.ts';
import type { PublishTarget } from './cameras.ts';
import { fullBucket, take, type Bucket, type RateRule } from './rate-limit.ts';

export type PublisherStep =
  | { do: 'auth'; token: string }
  | { do: 'publish'; seq: number | null; state: PublishedState }
  | { do: 'refuse'; code: ErrorCode; message: string; seq?: number; close?: number };

const seqOf = (v: unknown): number | undefined => {
  const s = typeof v === 'object' && v !== null && 'seq' in v ? v.seq : undefined;
  return typeof s === 'number' && Number.isSafeInteger(s) && s >= 0 ? s : undefined;
};

/** What to do with one frame, given whether the connection has authenticated. `text` is null for binary frames. */
export function decidePublisherInput(authed: boolean, text: string | null): PublisherStep {
  // Before authentication every mistake ends the connection: there is nobody to have a conversation with yet.
  const closeIfNew = authed ? {} : { close: CLOSE.badMessage };
  if (text === null) return { do: 'refuse', code: 'invalid_message', message: 'send JSON in text frames', ...closeIfNew };
  const json = parseJson(text);
  if (!json.ok) return { do: 'refuse', code: 'bad_json', message: `the message is ${json.error}`, ...closeIfNew };
  const raw = json.value;
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? raw.type : undefined;
  if (!authed && type !== 'auth') {
    return {
      do: 'refuse',
      code: 'unauthorized',
      message: 'authenticate first with {"type":"auth","token":"<publish token>"}',
      close: CLOSE.unauthorized,
    };
  }
  const msg = parsePublisherMessage(raw);
  const seq = seqOf(raw);
  if (!msg.ok) {
    return {
      do: 'refuse',
      code: type === 'state' ? 'invalid_state' : 'invalid_message',
      message: msg.error,
      ...(seq === undefined ? {} : { seq }),
      ...closeIfNew,
    };
  }
  if (msg.value.type === 'auth') {
    return authed ? { do: 'refuse', code: 'invalid_message', message: 'already authenticated' } : { do: 'auth', token: msg.value.token };
  }
  return { do: 'publish', seq: msg.value.seq ?? null, state: msg.value.state };
}

export interface PublisherSessionDeps {
  /** The lot, or one of its cameras. */
  service: PublishTarget;
  log: Logger;
  send: (message: RelayToPublisherMessage) => void;
  close: (code: number, reason: string) => void;
  rate: RateRule;
  authTimeoutMs: number;
  now: () => number;
}

export class PublisherSession {
  readonly lot: string;
  readonly #d: PublisherSessionDeps;
  #authed = false;
  #closed = false;
  #bucket: Bucket;
  // Frames are handled one after another, so a state sent right behind the auth message waits for the auth check.
  #queue: Promise<void> = Promise.resolve();
  #authTimer: ReturnType<typeof setTimeout> | null;

  constructor(lot: string, deps: PublisherSessionDeps) {
    this.lot = lot;
    this.#d = deps;
    this.#bucket = fullBucket(deps.rate, deps.now());
    this.#authTimer = setTimeout(() => {
      if (!this.#authed) this.#refuse({ do: 'refuse', code: 'unauthorized', message: 'no auth message in time', close: CLOSE.authTimeout });
    }, deps.authTimeoutMs);
    this.#authTimer.unref();
  }

  get authenticated(): boolean {
    return this.#authed;
  }

  /** Resolves when every frame received so far (and the goodbye, once ended) has been handled. */
  get settled(): Promise<void> {
    return this.#queue;
  }

  receive(text: string | null): void {
    if (this.#closed) return;
    const r = take(this.#bucket, this.#d.rate, this.#d.now());
    this.#bucket = r.bucket;
    if (!r.allowed) {
      this.#refuse({ do: 'refuse', code: 'rate_limited', message: 'too many messages; the connection is closed', close: CLOSE.rateLimited });
      return;
    }
    this.#enqueue(() => this.#apply(decidePublisherInput(this.#authed, text)));
  }

  /** The socket closed (either side). */
  ended(): void {
    if (this.#authTimer) clearTimeout(this.#authTimer);
    this.#closed = true;
    this.#enqueue(async () => {
      if (this.#authed) await this.#d.service.publisherDisconnected(this.lot);
    });
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((e: unknown) => {
      this.#d.log.error(`publisher on lot "${this.lot}": ${e instanceof Error ? e.message : String(e)}`);
      if (!this.#closed) this.#d.send({ type: 'error', code: 'internal', message: 'the relay failed to handle this message' });
    });
  }

  async #apply(step: PublisherStep): Promise<void> {
    if (this.#closed) return;
    switch (step.do) {
      case 'refuse':
        return this.#refuse(step);
      case 'auth': {
        const auth = await this.#d.service.authorize(this.lot, step.token);
        if (this.#closed) return;
        if (!auth.ok) {
          const close = auth.code === 'unknown_lot' ? CLOSE.unknownLot : CLOSE.unauthorized;
          return this.#refuse({ do: 'refuse', code: auth.code, message: auth.message, close });
        }
        this.#authed = true;
        if (this.#authTimer) clearTimeout(this.#authTimer);
        this.#d.send({ type: 'ready', lot: this.lot });
        await this.#d.service.publisherConnected(this.lot);
        return;
      }
      case 'publish': {
        const r = await this.#d.service.publish(this.lot, step.state, 'socket');
        if (this.#closed) return;
        if (!r.ok) return this.#refuse({ do: 'refuse', code: r.code, message: r.message, close: CLOSE.unknownLot });
        this.#d.send({ type: 'ack', seq: step.seq, revision: r.revision });
        return;
      }
    }
  }

  #refuse(step: Extract<PublisherStep, { do: 'refuse' }>): void {
    if (this.#closed) return;
    const msg: ErrorMessage = { type: 'error', code: step.code, message: step.message };
    if (step.seq !== undefined) msg.seq = step.seq;
    this.#d.send(msg);
    if (step.close !== undefined) {
      this.#closed = true;
      this.#d.close(step.close, step.code);
    }
  }
}
