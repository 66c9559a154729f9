// A lot's history answer from its stored timeline: the report, serialised as the query asked. Pure, so that it can run
// in a worker thread (history-worker.ts) as well as in-process, and what a query cost can be charged to its asker.
import { exportFileName, seriesCsv, slotsCsv } from '../../src/history/exports.ts';
import type { HistoryRequest } from '../../src/history/query.ts';
import { historyReport } from '../../src/history/report.ts';
import type { Timeline } from '../../src/history/types.ts';

/** Everything a history answer needs besides the stored timeline; structured-clone safe. */
export interface HistoryJob {
  lot: string;
  request: HistoryRequest;
  /** Relay time of the query. */
  now: number;
  /** Slot id → the name the lot's layout gives it. */
  names: [string, string][];
  /** Slot id → its zone, for the per-zone series. */
  zones: [string, string][];
  /** Relay time of the lot's last state while its publisher is being heard from (its last span reaches now), or null. */
  liveSince: number | null;
}

export interface HistoryAnswer {
  /** JSON text, or CSV. */
  body: string;
  contentType: 'json' | 'csv';
  /** For a CSV answer, the file name a browser saves it as. */
  filename: string | null;
  /** Slot records replayed: what the query cost. */
  cost: number;
}

/** The range a store is asked for: nothing after now. */
export const storedRange = (job: HistoryJob): { from: number; to: number } => ({
  from: job.request.from,
  to: Math.min(job.request.to, job.now),
});

/** Slot records in a timeline: a whole-lot record counts each of its slots. */
export function timelineCost(t: Timeline): number {
  let n = 0;
  for (const r of t.records) n += r.kind === 'state' ? Math.max(1, r.slots.length) : 1;
  return n;
}

/**
 * While the lot's counter is being heard from, its current span reaches now, so the longest-occupied slots are the
 * lot as it is.
 */
export function answerHistory(timeline: Timeline, job: HistoryJob): HistoryAnswer {
  const { lot, request: q, now, liveSince } = job;
  const spans = [...timeline.spans];
  const open = spans[spans.length - 1];
  if (open && liveSince !== null && open.end >= liveSince) spans[spans.length - 1] = { start: open.start, end: now };
  const report = historyReport(
    { lot, from: q.from, to: q.to, step: q.step, timeZone: q.timeZone, now, names: new Map(job.names), zones: new Map(job.zones) },
    { timeline: { spans, records: timeline.records }, rawFrom: q.from },
  );
  const cost = timelineCost(timeline);
  if (q.format === 'json') return { body: JSON.stringify(report), contentType: 'json', filename: null, cost };
  const body = q.table === 'slots' ? slotsCsv(report) : seriesCsv(report);
  return { body, contentType: 'csv', filename: exportFileName(lot, q.table, q.from, q.timeZone, 'csv'), cost };
}
