// A throwaway Mosquitto broker on a free loopback port, for the MQTT tests. Without the binary the tests skip with a
// notice; under CI=true (where .ci/run installs it) its absence is an error.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = ['/usr/sbin/mosquitto', 'mosquitto'].find((b) => spawnSync(b, ['-h'], { stdio: 'ignore' }).error === undefined) ?? null;

export function mosquittoAvailable(): boolean {
  if (BINARY) return true;
  if (process.env.CI === 'true') throw new Error('mosquitto not found and CI=true: apt-get install mosquitto (.ci/run does).');
  console.warn('[lotwatch] mosquitto not found: the MQTT tests are skipped (apt-get install mosquitto).');
  return false;
}

export interface Broker {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

const accepts = (port: number) =>
  new Promise<boolean>((ok) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), ok(true)));
    c.once('error', () => ok(false));
  });

export async function startMosquitto(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'lotwatch-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', ''].join('\n'));
  const proc = spawn(BINARY!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Bounded: the broker listens within a second or two, or it failed.
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (await accepts(port)) return { url: `mqtt://127.0.0.1:${port}`, port, process: proc, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`mosquitto did not start on port ${port}: ${stderr.slice(0, 500)}`);
}
