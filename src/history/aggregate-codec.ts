// How an hourly aggregate is stored: its per-slot figures, stays and quarter hours packed into typed arrays and one
// string, so a month of a 100-slot lot (720 records) is read back as bytes rather than as 100,000 small objects.
import type { HistoryAggregate, LotInterval, Stay } from './types.ts';

/** Between slot ids; a slot id never holds this control character. */
const SEP = '\u001f';

export interface StoredAggregate extends LotInterval {
  readonly lotId: string;
  /** The slot ids the arrays refer to, joined by U+001F. */
  readonly slotIds: string;
  /** Per slot: occupied ms, known ms. */
  readonly slotTimes: Float64Array;
  /** Per stay: slot index, start, end, flags (1: start observed, 2: end observed). */
  readonly stays: Float64Array;
  /** Per quarter hour: the LotInterval's fields in QUARTER_FIELDS order, NaN for a null. */
  readonly quarters?: Float64Array;
}

const QUARTER_FIELDS = ['start', 'end', 'knownMs', 'slotMs', 'occupiedMs', 'fullMs', 'peak', 'low', 'arrivals', 'departures'] as const;

function packQuarters(quarters: readonly LotInterval[]): Float64Array {
  const out = new Float64Array(quarters.length * QUARTER_FIELDS.length);
  quarters.forEach((q, i) => out.set(QUARTER_FIELDS.map((k) => q[k] ?? NaN), i * QUARTER_FIELDS.length));
  return out;
}

function unpackQuarters(packed: Float64Array): LotInterval[] {
  const out: LotInterval[] = [];
  for (let i = 0; i < packed.length; i += QUARTER_FIELDS.length) {
    const v = (k: number) => packed[i + k]!;
    const orNull = (k: number) => (Number.isNaN(v(k)) ? null : v(k));
    out.push({ start: v(0), end: v(1), knownMs: v(2), slotMs: v(3), occupiedMs: v(4), fullMs: v(5), peak: orNull(6), low: orNull(7), arrivals: v(8), departures: v(9) });
  }
  return out;
}

export function encodeAggregate(a: HistoryAggregate): StoredAggregate {
  const ids = [...new Set([...Object.keys(a.slots), ...a.stays.map((s) => s.slotId)])];
  const index = new Map(ids.map((id, i) => [id, i]));
  const slotTimes = new Float64Array(ids.length * 2);
  ids.forEach((id, i) => {
    const t = a.slots[id];
    if (t) (slotTimes[2 * i] = t[0]), (slotTimes[2 * i + 1] = t[1]);
  });
  const stays = new Float64Array(a.stays.length * 4);
  a.stays.forEach((s, i) => stays.set([index.get(s.slotId)!, s.start, s.end, (s.startObserved ? 1 : 0) | (s.endObserved ? 2 : 0)], 4 * i));
  const { slots: _slots, stays: _stays, quarters, ...rest } = a;
  return { ...rest, slotIds: ids.join(SEP), slotTimes, stays, ...(quarters ? { quarters: packQuarters(quarters) } : {}) };
}

export function decodeAggregate(s: StoredAggregate): HistoryAggregate {
  const ids = s.slotIds === '' ? [] : s.slotIds.split(SEP);
  const slots: Record<string, [number, number]> = {};
  ids.forEach((id, i) => {
    const known = s.slotTimes[2 * i + 1]!;
    const occupied = s.slotTimes[2 * i]!;
    if (known > 0 || occupied > 0) slots[id] = [occupied, known];
  });
  const stays: Stay[] = [];
  for (let i = 0; i < s.stays.length; i += 4) {
    const flags = s.stays[i + 3]!;
    stays.push({ slotId: ids[s.stays[i]!]!, start: s.stays[i + 1]!, end: s.stays[i + 2]!, startObserved: (flags & 1) !== 0, endObserved: (flags & 2) !== 0 });
  }
  const { slotIds: _ids, slotTimes: _times, stays: _stays, quarters, ...rest } = s;
  return { ...rest, slots, stays, ...(quarters ? { quarters: unpackQuarters(quarters) } : {}) };
}
