// What a process costs, from /proc (Linux); null elsewhere. For benchmarks that run servers as processes of their own.
import { readdirSync, readFileSync } from 'node:fs';

/** Resident and peak memory of a process, in kB. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

export const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/**
 * CPU seconds of a server: every process in its process group (nginx's workers) or started by it (PostgreSQL's
 * backends, which each become a group of their own).
 */
export function groupCpuSeconds(pgid: number): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[2]) !== pgid && Number(fields[1]) !== pgid) continue; // pgrp, ppid
      total += (Number(fields[11]) + Number(fields[12])) / 100;
      found = true;
    } catch {
      // Exited meanwhile.
    }
  }
  return found ? total : null;
}
