// Where history answers are computed. A query on a big lot reads and replays megabytes; on the event loop it held up
// every live state and `/healthz` for as long (issue 15). With SQLite or PostgreSQL the work runs in a worker thread on
// its own connection; any other store (tests' own) is read asynchronously and replayed in-process.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { answerHistory, storedRange, type HistoryAnswer, type HistoryJob } from './history-answer.ts';
import type { LotStore } from './lot-store.ts';

export interface HistoryRunner {
  /** Rejects with `HistoryBusy` when too much is waiting already. */
  run(job: HistoryJob): Promise<HistoryAnswer>;
  close(): Promise<void>;
}

/** Too many history queries waiting, or one took too long: answer 503 and let the client come back. */
export class HistoryBusy extends Error {}

export class InProcessHistoryRunner implements HistoryRunner {
  constructor(private readonly store: LotStore) {}

  async run(job: HistoryJob): Promise<HistoryAnswer> {
    const { from, to } = storedRange(job);
    return answerHistory(await this.store.history(job.lot, from, to), job);
  }

  async close(): Promise<void> {}
}

export interface WorkerRequest {
  id: number;
  job: HistoryJob;
}
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'warn'; message: string }
  | { type: 'answer'; id: number; answer: HistoryAnswer }
  | { type: 'failed'; id: number; error: string };

/** Where the worker reads: the relay's SQLite file, or its PostgreSQL database (the URL holds a password: never logged). */
export type HistorySource = { sqlite: string } | { postgres: string };

export interface WorkerRunnerOptions {
  source: HistorySource;
  /** Queries waiting beyond the one running; more are refused. */
  maxQueued: number;
  /** A query running longer is abandoned (its worker is replaced). */
  timeoutMs: number;
  warn: (message: string) => void;
}

interface Pending {
  id: number;
  job: HistoryJob;
  resolve: (a: HistoryAnswer) => void;
  reject: (e: Error) => void;
}

const BOOT = fileURLToPath(new URL('./worker-boot.mjs', import.meta.url));
const WORKER = fileURLToPath(new URL('./history-worker.ts', import.meta.url));

/** One worker thread, one query at a time (the relay has other work for the other core), a bounded queue. */
export class WorkerHistoryRunner implements HistoryRunner {
  readonly #o: WorkerRunnerOptions;
  readonly #queue: Pending[] = [];
  #worker: Worker | null = null;
  #running: (Pending & { timer: ReturnType<typeof setTimeout> }) | null = null;
  #nextId = 1;
  #closed = false;

  constructor(o: WorkerRunnerOptions) {
    this.#o = o;
    // Started now, so the first query does not wait for the thread to load.
    this.#ensureWorker();
  }

  run(job: HistoryJob): Promise<HistoryAnswer> {
    if (this.#closed) return Promise.reject(new HistoryBusy('the relay is shutting down'));
    if (this.#queue.length >= this.#o.maxQueued) return Promise.reject(new HistoryBusy('too many history queries are waiting'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new HistoryBusy('the relay is shutting down'));
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
    this.#finish(null, new HistoryBusy('the relay is shutting down'));
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(BOOT, { workerData: { module: WORKER, source: this.#o.source } });
    w.unref();
    w.on('message', (m: WorkerReply) => {
      if (m.type === 'warn') this.#o.warn(m.message);
      else if (m.type === 'answer' && m.id === this.#running?.id) this.#finish(m.answer, null);
      else if (m.type === 'failed' && m.id === this.#running?.id) this.#finish(null, new Error(m.error));
    });
    w.on('error', (e) => this.#o.warn(`history worker: ${e.message}`));
    w.on('exit', () => {
      if (this.#worker !== w) return;
      this.#worker = null;
      this.#finish(null, new Error('the history worker stopped'));
    });
    this.#worker = w;
    return w;
  }

  #pump(): void {
    if (this.#running || this.#closed) return;
    const next = this.#queue.shift();
    if (!next) return;
    const timer = setTimeout(() => {
      // Abandoned: the thread is replaced rather than left computing an answer nobody waits for.
      const w = this.#worker;
      this.#worker = null;
      this.#finish(null, new HistoryBusy('the history query took too long'));
      void w?.terminate();
    }, this.#o.timeoutMs);
    timer.unref();
    this.#running = { ...next, timer };
    this.#ensureWorker().postMessage({ id: next.id, job: next.job } satisfies WorkerRequest);
  }

  #finish(answer: HistoryAnswer | null, error: Error | null): void {
    const r = this.#running;
    if (!r) return;
    this.#running = null;
    clearTimeout(r.timer);
    if (answer) r.resolve(answer);
    else r.reject(error ?? new Error('no answer'));
    this.#pump();
  }
}
