// Labels for a time axis, in a time zone and the reader's locale. Pure.

/**
 * Tick labels for ticks at `splits` (epoch seconds): times of day, with the day's name ("Mon 6") at each midnight of a
 * range longer than a day; day names and dates for steps of a day or more.
 */
export function timeLabels(splits: readonly number[], timeZone: string, locale?: string): string[] {
  const step = splits.length > 1 ? splits[1]! - splits[0]! : 0;
  const span = splits.length > 1 ? splits[splits.length - 1]! - splits[0]! : 0;
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', day: 'numeric' });
  return splits.map((s) => {
    const t = s * 1000;
    if (step >= 86_400) return day.format(t);
    const hm = time.format(t);
    return span > 86_400 && /^0?0\D00$/.test(hm) ? day.format(t) : hm;
  });
}
