// Alerts: which events a lot's states and presence raise, with hysteresis so a lot hovering at 0/1 free sends one
// event, not a storm. Pure: the alert service feeds it states, presence and the time, and delivers what comes out.
import type { LotMetadata } from '../../src/share/metadata.ts';
import { SLOT_KINDS, type SlotKind } from '../../src/occupancy/types.ts';
import type { Parsed } from '../../src/share/protocol.ts';

export const ALERT_EVENTS = [
  'lot_full',
  'available_below',
  'available_again',
  'counter_offline',
  'counter_online',
  'camera_moved',
  'slot_overstay',
] as const;
export type AlertEventType = (typeof ALERT_EVENTS)[number];

/** What a lot's owner sets with `PUT /lots/<lot>/alerts`. */
export interface AlertRules {
  /** `available_below` fires when fewer than this many slots are free; null: off. */
  available_below: number | null;
  /** `slot_overstay` limits in minutes per kind; `default` covers the kinds not listed. Empty: off. */
  overstay_minutes: Partial<Record<SlotKind | 'default', number>>;
  /**
   * Hysteresis in slots: after `lot_full`, `available_again` (and the next `lot_full`) waits until this many are free;
   * after `available_below` N, the next one waits until N - 1 + margin are free.
   */
  margin: number;
  /** `counter_offline` waits this long (seconds), so a reconnecting counter does not raise it. */
  offline_grace_s: number;
}

export const DEFAULT_RULES: AlertRules = { available_below: null, overstay_minutes: {}, margin: 2, offline_grace_s: 60 };

/** One event, as POSTed to webhooks and published on `lotwatch/<lot>/event`. */
export interface AlertEvent {
  /** Unique, and the same on every retry: receivers drop repeats by it. */
  id: string;
  type: AlertEventType;
  lot: string;
  /** ISO-8601 time the relay raised it. */
  at: string;
  available: number | null;
  occupied: number | null;
  total: number | null;
  /** The counts leave out an offline camera's slots. */
  partial: boolean;
  /** `available_below`: the threshold. */
  threshold?: number;
  /** Presence and `camera_moved` of one camera of the lot. */
  camera?: string;
  /** `counter_offline`: last time the counter was heard from. */
  since?: string | null;
  /** `slot_overstay`. */
  slot?: { id: string; name: string; kind: SlotKind; zone: string | null; since: string; minutes: number; limit_minutes: number };
}

/** What the machine remembers per lot; JSON, stored so a restart does not repeat events. */
export interface AlertState {
  /** `lot_full` was sent and `available_again` not yet. */
  full: boolean;
  /** `available_below` was sent for this threshold and has not re-armed. */
  below: number | null;
  /** Cameras (or `""` for the lot) reported moved, already alerted. */
  moved: string[];
  /** `<slot id>@<since>` of stays already alerted. */
  overstays: string[];
  /** Relay time of the state these were decided from: an older state (stored meanwhile by another relay) is not used. */
  decidedAt?: number;
  /** The lot's counter (`""`) and cameras announced offline and not back yet (kept by the relay service). */
  offline?: string[];
}

export const INITIAL_ALERT_STATE: AlertState = { full: false, below: null, moved: [], overstays: [] };

/** An event before it gets its id and time. */
export type RaisedEvent = Omit<AlertEvent, 'id' | 'at' | 'lot' | 'available' | 'occupied' | 'total' | 'partial'>;

const MINUTE = 60_000;

/** The events a new state raises: thresholds with hysteresis, camera moved, overstays. */
export function stepAlerts(
  prev: AlertState,
  rules: AlertRules,
  m: LotMetadata,
  /** Relay time the state arrived and now (overstays are measured on the device's clock, offset to the relay's). */
  receivedAt: number,
  now: number,
): { state: AlertState; raised: RaisedEvent[] } {
  const raised: RaisedEvent[] = [];
  let { full, below } = prev;
  const free = m.available_slots;
  if (m.total_slots > 0) {
    if (!full && free === 0) {
      full = true;
      raised.push({ type: 'lot_full' });
    } else if (full && free >= rules.margin) {
      full = false;
      raised.push({ type: 'available_again' });
    }
  }
  const n = rules.available_below;
  if (n === null) below = null;
  else if (below !== n && m.total_slots > 0 && free < n) {
    below = n;
    raised.push({ type: 'available_below', threshold: n });
  } else if (below === n && free >= n - 1 + rules.margin) below = null;

  // Camera moved: once per report; again only after it reported not moved.
  const movedNow = Object.entries(m.cameras ?? {})
    .filter(([, c]) => c.camera_moved)
    .map(([id]) => id);
  if (m.camera_moved && movedNow.length === 0) movedNow.push('');
  for (const cam of movedNow) if (!prev.moved.includes(cam)) raised.push({ type: 'camera_moved', ...(cam ? { camera: cam } : {}) });

  const over = overstays(rules, m, receivedAt, now);
  const alerted = new Set(prev.overstays);
  for (const o of over) if (!alerted.has(o.key)) raised.push({ type: 'slot_overstay', slot: o.slot });
  return { state: { full, below, moved: movedNow, overstays: over.map((o) => o.key) }, raised };
}

/** Occupied slots past their kind's limit now: the stays in `m`, measured from each slot's `since`. */
export function overstays(rules: AlertRules, m: LotMetadata, receivedAt: number, now: number): { key: string; slot: NonNullable<AlertEvent['slot']> }[] {
  const limits = rules.overstay_minutes;
  if (Object.keys(limits).length === 0) return [];
  // The device's clock may be off: how long a slot has been occupied is measured against the state's own time.
  const deviceNow = Date.parse(m.last_updated) + (now - receivedAt);
  const out: { key: string; slot: NonNullable<AlertEvent['slot']> }[] = [];
  for (const s of m.slots) {
    if (!s.occupied || s.closed || s.unknown) continue;
    const kind = s.kind ?? 'standard';
    const limit = limits[kind] ?? limits.default;
    if (limit === undefined) continue;
    const minutes = (deviceNow - Date.parse(s.since)) / MINUTE;
    if (minutes < limit) continue;
    out.push({
      key: `${s.id}@${s.since}`,
      slot: { id: s.id, name: s.name, kind, zone: s.zone ?? null, since: s.since, minutes: Math.floor(minutes), limit_minutes: limit },
    });
  }
  return out;
}

/** When the next overstay could start (epoch ms, relay time), so the service can look again then; null: none pending. */
export function nextOverstayAt(rules: AlertRules, m: LotMetadata, receivedAt: number, alerted: readonly string[]): number | null {
  const limits = rules.overstay_minutes;
  if (Object.keys(limits).length === 0) return null;
  const offset = receivedAt - Date.parse(m.last_updated);
  let next: number | null = null;
  for (const s of m.slots) {
    if (!s.occupied || s.closed || s.unknown || alerted.includes(`${s.id}@${s.since}`)) continue;
    const limit = limits[s.kind ?? 'standard'] ?? limits.default;
    if (limit === undefined) continue;
    const due = Date.parse(s.since) + limit * MINUTE + offset;
    next = next === null ? due : Math.min(next, due);
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// Checking what owners send

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** `PUT /lots/<lot>/alerts`: every key optional (missing keys keep the defaults). */
export function parseAlertRules(v: unknown): Parsed<AlertRules> {
  if (!isRecord(v)) return { ok: false, error: 'the body must be a JSON object such as {"available_below": 5, "overstay_minutes": {"disabled": 240}}' };
  const known = new Set(['available_below', 'overstay_minutes', 'margin', 'offline_grace_s']);
  const extra = Object.keys(v).find((k) => !known.has(k));
  if (extra) return { ok: false, error: `unknown key "${extra.slice(0, 40)}"; use ${[...known].join(', ')}` };
  const r: AlertRules = { ...DEFAULT_RULES, overstay_minutes: {} };
  if (v.available_below !== undefined && v.available_below !== null) {
    if (!intIn(v.available_below, 1, 100_000)) return { ok: false, error: 'available_below: expected an integer from 1 to 100000, or null' };
    r.available_below = v.available_below;
  }
  if (v.margin !== undefined) {
    if (!intIn(v.margin, 1, 1000)) return { ok: false, error: 'margin: expected an integer from 1 to 1000' };
    r.margin = v.margin;
  }
  if (v.offline_grace_s !== undefined) {
    if (!intIn(v.offline_grace_s, 0, 86_400)) return { ok: false, error: 'offline_grace_s: expected an integer from 0 to 86400' };
    r.offline_grace_s = v.offline_grace_s;
  }
  if (v.overstay_minutes !== undefined) {
    if (!isRecord(v.overstay_minutes)) return { ok: false, error: 'overstay_minutes: expected an object of minutes per kind, such as {"default": 180, "disabled": 240}' };
    for (const [k, min] of Object.entries(v.overstay_minutes)) {
      if (k !== 'default' && !(SLOT_KINDS as readonly string[]).includes(k)) {
        return { ok: false, error: `overstay_minutes: "${k.slice(0, 40)}" is not default or one of ${SLOT_KINDS.join(', ')}` };
      }
      if (!intIn(min, 1, 525_600)) return { ok: false, error: `overstay_minutes.${k}: expected whole minutes from 1 to 525600` };
      r.overstay_minutes[k as SlotKind | 'default'] = min;
    }
  }
  return { ok: true, value: r };
}
