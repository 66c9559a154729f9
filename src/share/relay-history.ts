// A relay's lot history, for its read-only viewers: `GET /lots/<lot>/history`, checked before it is shown.
import { formatStep } from '../history/buckets.ts';
import type { HistoryQuery } from '../history/query.ts';
import { parseHistoryReport } from '../history/report-parse.ts';
import type { HistoryReport } from '../history/report.ts';
import type { HistorySource } from '../history/source.ts';
import { lotPaths, parseErrorBody } from './protocol.ts';

export type FetchJson = (url: string) => Promise<{ status: number; json(): Promise<unknown> }>;

export class RelayHistory implements HistorySource {
  constructor(
    private readonly base: string,
    readonly lot: string,
    private readonly fetchFn: FetchJson = (u) => fetch(u, { headers: { Accept: 'application/json' } }),
  ) {}

  /** The endpoint's URL for a query (also what the dashboard could link to). */
  url(q: HistoryQuery): string {
    const u = new URL(lotPaths(this.lot).history, this.base);
    u.search = new URLSearchParams({
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      step: formatStep(q.step),
      tz: q.timeZone,
    }).toString();
    return u.href;
  }

  async report(q: HistoryQuery): Promise<HistoryReport> {
    const res = await this.fetchFn(this.url(q));
    const body = await res.json().catch(() => null);
    if (res.status !== 200) {
      const err = parseErrorBody(body);
      throw new Error(err.ok ? err.value.message : `the relay answered ${res.status}`);
    }
    const r = parseHistoryReport(body);
    if (!r.ok) throw new Error(`the relay's answer is not a history report (${r.error})`);
    return r.value;
  }
}
