// The history worker thread: its own read-only connection to the relay's database (the SQLite file, or a PostgreSQL
// pool of one), one job at a time. Reading and replaying a big lot's history takes a CPU for a while; here it does not
// hold up live states or `/healthz`.
import { parentPort, workerData } from 'node:worker_threads';
import type { Timeline } from '../../src/history/types.ts';
import { answerHistory, storedRange, type HistoryJob } from './history-answer.ts';
import type { HistorySource, WorkerReply, WorkerRequest } from './history-runner.ts';

const { source } = workerData as { source: HistorySource };
const port = parentPort;
if (!port) throw new Error('history-worker.ts runs only as a worker thread');
const warn = (message: string) => port.postMessage({ type: 'warn', message } satisfies WorkerReply);

/** Reads a lot's stored timeline; only the driver the relay uses is loaded. */
async function openReader(): Promise<(lot: string, from: number, to: number) => Timeline | Promise<Timeline>> {
  if ('postgres' in source) {
    const [{ openPool }, { readPgHistory }] = await Promise.all([import('./pg-common.ts'), import('./pg-lot-store.ts')]);
    const pool = openPool(source.postgres, 1, warn);
    return (lot, from, to) => readPgHistory(pool, lot, from, to, warn);
  }
  const [{ default: Database }, { SqliteHistoryReader }] = await Promise.all([import('better-sqlite3'), import('./sqlite-lot-store.ts')]);
  const db = new Database(source.sqlite, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const reader = new SqliteHistoryReader(db, warn);
  return (lot, from, to) => reader.read(lot, from, to);
}

const read = await openReader();
port.on('message', ({ id, job }: WorkerRequest) => {
  void (async (): Promise<WorkerReply> => {
    try {
      const { from, to } = storedRange(job as HistoryJob);
      return { type: 'answer', id, answer: answerHistory(await read(job.lot, from, to), job) };
    } catch (e) {
      return { type: 'failed', id, error: e instanceof Error ? e.message : String(e) };
    }
  })().then((reply) => port.postMessage(reply));
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
