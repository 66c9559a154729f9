// The relay as its own process for the relay benchmarks, started exactly as `npm run relay` starts it (`node --import
// tsx` runs main.ts in this one process, so its pid is the relay's), on 127.0.0.1 port 0 with a throwaway data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts the relay with the default lot's publish token and extra flags; resolves once it listens. */
export async function startRelayProcess(dataDir: string, token: string, flags: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'relay/src/main.ts', '--port', '0', '--data-dir', dataDir, '--dist', join(dataDir, 'no-app'), ...flags],
    { cwd: root, env: { ...process.env, LOTWATCH_PUBLISH_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`relay did not start in 30 s:\n${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited (${code}):\n${out}`));
    });
  });
  return { child, url };
}
