// The history worker thread: its own read-only connection to the relay's SQLite file, one job at a time. Reading and
// replaying a big lot's history takes a CPU for a while; here it does not hold up live states or `/healthz`.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { answerHistory, storedRange, type HistoryJob } from './history-answer.ts';
import type { WorkerReply, WorkerRequest } from './history-runner.ts';
import { SqliteHistoryReader } from './sqlite-lot-store.ts';

const { file } = workerData as { file: string };
const port = parentPort;
if (!port) throw new Error('history-worker.ts runs only as a worker thread');
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const reader = new SqliteHistoryReader(db, (message) => port.postMessage({ type: 'warn', message } satisfies WorkerReply));

port.on('message', ({ id, job }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const { from, to } = storedRange(job as HistoryJob);
    reply = { type: 'answer', id, answer: answerHistory(reader.read(job.lot, from, to), job) };
  } catch (e) {
    reply = { type: 'failed', id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
