// Bench sections that are commands of their own (the relay bench runs the relay as a separate process; the evidence
// bench is the eval pipeline's timing): run them, show their output, keep the JSON line they end with.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/node-tf.ts';

/** Runs `scripts/<script>` with tsx and `--json`, printing its report; returns its last line as JSON. */
export function runBenchScript(script: string, args: readonly string[]): unknown {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', script), ...args, '--json'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = (r.stdout ?? '').trimEnd().split('\n');
  const last = lines.pop() ?? '';
  process.stdout.write(`${lines.join('\n')}\n`);
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}`);
  return JSON.parse(last) as unknown;
}

/** The value of `--flag value` among the bench's arguments, or undefined. */
export function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The number given as `--flag N`, or `dflt`. */
export function numFlag(args: readonly string[], name: string, dflt: number): number {
  const v = flag(args, name);
  return v === undefined ? dflt : Number(v);
}
