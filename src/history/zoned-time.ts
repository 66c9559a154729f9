// Wall-clock time in an explicit IANA time zone, through Intl.DateTimeFormat, so local midnight, local hours and
// daylight-saving changes come out right whatever the machine's own zone is. Pure (Intl is part of the language).

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Monday … 6 = Sunday (ISO order). */
  readonly weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
/** Days in a month of the proleptic Gregorian calendar (month 1..12). */
export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

// Keyed by the canonical zone name (Intl takes names in any case, and a relay query's `tz` is anyone's string), and
// capped, so no run of spellings or zones can grow it without limit.
const MAX_FORMATTERS = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  const hit = formatters.get(timeZone);
  if (hit) return hit;
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const canonical = f.resolvedOptions().timeZone;
  const known = formatters.get(canonical);
  if (known) return known;
  if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
  formatters.set(canonical, f);
  return f;
}

/** How many formatters are cached (for tests: the cache stays bounded). */
export const formatterCacheSize = (): number => formatters.size;

/**
 * The engine's own spelling of a time zone (`europe/berlin` → `Europe/Berlin`), or null for one it does not know.
 * Callers pass this on rather than what they were given, so the formatter cache is hit by name.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return null;
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** True for a time zone this engine knows (`Europe/Berlin`, `UTC`, …). */
export function isTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

export function zonedParts(t: number, timeZone: string): ZonedParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(t)) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type !== 'literal' && p.type !== 'era') out[p.type] = Number(p.value);
  }
  return out as unknown as ZonedParts;
}

/** Local time minus UTC at instant `t`, ms (Berlin in summer: +7,200,000). */
export function offsetAt(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  const whole = t - (((t % 1000) + 1000) % 1000);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/**
 * The instant a local wall-clock time happens in the zone: for a time that occurs twice (clocks going back), the
 * first; for one that does not exist (clocks going forward), the same distance after the gap.
 */
export function fromWallTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0, timeZone = 'UTC'): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Two rounds settle the offset, since the offset at the guess may differ from the offset at the answer.
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  const earlier = wall - offsetAt(t - 3 * HOUR_MS, timeZone);
  if (earlier < t && earlier + offsetAt(earlier, timeZone) === wall) t = earlier;
  return t;
}

/** The first instant of the local day that contains `t` (23 or 25 hours before the next one on daylight-saving days). */
export function startOfLocalDay(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  const midnight = fromWallTime(p.year, p.month, p.day, 0, 0, 0, 0, timeZone);
  if (zonedParts(midnight, timeZone).day === p.day && midnight <= t) return midnight;
  // A zone whose clocks skip midnight itself: the day starts at the first instant that carries its date.
  let lo = t - 2 * DAY_MS;
  let hi = t;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    const q = zonedParts(mid, timeZone);
    if (q.year === p.year && q.month === p.month && q.day === p.day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The start of the local day `days` days after the local day that starts at `dayStart`. */
export function addLocalDays(dayStart: number, days: number, timeZone: string): number {
  const p = zonedParts(dayStart + 12 * HOUR_MS, timeZone);
  const noon = Date.UTC(p.year, p.month - 1, p.day + days, 12);
  return startOfLocalDay(noon - offsetAt(noon, timeZone), timeZone);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2026-03-29 03:00:00` in the zone: a form spreadsheets read as a date and time. */
export function formatLocal(t: number, timeZone: string): string {
  const p = zonedParts(t, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** ISO-8601 with the zone's offset at that instant: `2026-03-29T03:00:00+02:00`. */
export function formatLocalIso(t: number, timeZone: string): string {
  const off = Math.round(offsetAt(t, timeZone) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${formatLocal(t, timeZone).replace(' ', 'T')}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
