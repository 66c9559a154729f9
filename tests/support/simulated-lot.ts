// A simulated parking lot for tests and benchmarks: deterministic (seeded), busy by day and quiet at night, with
// optional offline periods. It produces what a counter would see: the lot's state at every change and at a steady
// frame rate in between.
import type { LotState, SlotState } from '../../src/occupancy/types.ts';
import type { PublishedState } from '../../src/share/protocol.ts';
import { seededRandom } from './seeded-random.ts';

export interface SimOptions {
  slots: number;
  from: number;
  to: number;
  seed?: number;
  /** A frame at least this often while counting (the counter's cadence). */
  frameEveryMs?: number;
  /** Periods with no frames (counter off). */
  offline?: readonly { start: number; end: number }[];
  /** Mean minutes a car stays; mean minutes a slot stays free by day (06–20 UTC) and by night. */
  stayMinutes?: number;
  freeDayMinutes?: number;
  freeNightMinutes?: number;
}

export interface SimFrame {
  at: number;
  slots: { id: string; occupied: boolean }[];
}

export const slotIds = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i + 1));

/** Frames of a simulated lot, in time order. */
export function simulateLot(o: SimOptions): SimFrame[] {
  return [...lotFrames(o)];
}

/** The same frames one at a time, for long simulations (a month of a 100-slot lot) that would not fit in memory at once. */
export function* lotFrames(o: SimOptions): Generator<SimFrame> {
  const random = seededRandom(o.seed ?? 1);
  const exp = (meanMs: number) => -Math.log(1 - random()) * meanMs;
  const ids = slotIds(o.slots);
  const stay = (o.stayMinutes ?? 120) * 60_000;
  const freeDay = (o.freeDayMinutes ?? 45) * 60_000;
  const freeNight = (o.freeNightMinutes ?? 600) * 60_000;
  const day = (t: number) => {
    const h = new Date(t).getUTCHours();
    return h >= 6 && h < 20;
  };
  // Each slot's change times, from a random start.
  const changes: { at: number; slot: number; occupied: boolean }[] = [];
  const state = ids.map(() => random() < 0.3);
  ids.forEach((_, i) => {
    let occupied = state[i]!;
    let t = o.from;
    for (;;) {
      t += Math.max(60_000, exp(occupied ? stay : day(t) ? freeDay : freeNight));
      if (t >= o.to) break;
      occupied = !occupied;
      changes.push({ at: Math.round(t / 1000) * 1000, slot: i, occupied });
    }
  });
  changes.sort((a, b) => a.at - b.at || a.slot - b.slot);
  const offline = o.offline ?? [];
  const counting = (t: number) => !offline.some((g) => t >= g.start && t < g.end);
  const every = o.frameEveryMs ?? 60_000;
  const current = [...state];
  const frame = (at: number): SimFrame => ({ at, slots: ids.map((id, i) => ({ id, occupied: current[i]! })) });
  let next = o.from;
  for (let i = 0; i < changes.length; ) {
    const at = changes[i]!.at;
    for (; next < at; next += every) if (counting(next)) yield frame(next);
    for (; i < changes.length && changes[i]!.at === at; i++) current[changes[i]!.slot] = changes[i]!.occupied;
    if (next !== at && counting(at)) yield frame(at);
  }
  for (; next < o.to; next += every) if (counting(next)) yield frame(next);
}

/** A frame as the app's occupancy engine would have it (`since` and probabilities are not what history uses). */
export function toLotState(frame: SimFrame): LotState {
  const slots: SlotState[] = frame.slots.map((s) => ({ id: s.id, occupied: s.occupied, since: frame.at, probability: s.occupied ? 0.9 : 0.1, pending: null }));
  const occupied = slots.filter((s) => s.occupied).length;
  return { slots, counts: { total: slots.length, occupied, available: slots.length - occupied }, lastChanged: frame.at, observedAt: frame.at };
}

/** A frame as a publisher sends it to a relay; `lastChanged` is the device's time of the last change. */
export function toPublished(frame: SimFrame, lastChanged: number): PublishedState {
  const occupied = frame.slots.filter((s) => s.occupied).length;
  return {
    total_slots: frame.slots.length,
    occupied_slots: occupied,
    available_slots: frame.slots.length - occupied,
    last_updated: new Date(lastChanged).toISOString(),
    slots: frame.slots.map((s) => ({ id: s.id, name: `S${s.id}`, occupied: s.occupied, probability: s.occupied ? 0.9 : 0.1, since: new Date(lastChanged).toISOString() })),
  };
}

/**
 * What a dashboard should show for simulated frames, worked out directly from them (not through the history code):
 * the time-weighted mean number of occupied slots in each bucket, over the time the frames cover. A frame's state
 * holds until the next frame if that comes within `gapMs`; otherwise only at the frame itself (a gap follows).
 */
export function expectedOccupied(frames: readonly SimFrame[], edges: readonly number[], gapMs: number): (number | null)[] {
  const known = new Array<number>(edges.length - 1).fill(0);
  const occ = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i + 1 < frames.length; i++) {
    const a = frames[i]!;
    const b = frames[i + 1]!;
    if (b.at - a.at > gapMs) continue;
    const k = a.slots.filter((s) => s.occupied).length;
    for (let j = 0; j + 1 < edges.length; j++) {
      const d = Math.min(b.at, edges[j + 1]!) - Math.max(a.at, edges[j]!);
      if (d > 0) (known[j]! += d), (occ[j]! += k * d);
    }
  }
  return known.map((k, j) => (k > 0 ? occ[j]! / k : null));
}

/** How many slot changes a recorder should write for the frames: flips between frames of one counting span. */
export function expectedChanges(frames: readonly SimFrame[], gapMs: number): number {
  let n = 0;
  for (let i = 0; i + 1 < frames.length; i++) {
    const a = frames[i]!;
    const b = frames[i + 1]!;
    if (b.at - a.at > gapMs) continue;
    n += b.slots.filter((s, j) => s.occupied !== a.slots[j]!.occupied).length;
  }
  return n;
}
