// A relay cluster on 127.0.0.1 as deploy/ describes it: PostgreSQL, Redis, N relays started with the command line and
// environment of deploy/systemd (so the unit is what runs), and nginx with deploy/nginx/lotwatch.conf.template
// rendered as its header says. Used by the cluster tests and `npm run bench -- cluster`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startNginx,
  startPostgres,
  startProcess,
  startRedis,
  stopProcess,
  waitReady,
  type EngineProcess,
  type Nginx,
  type Postgres,
  type Redis,
} from './engines.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UNIT_FILE = join(ROOT, 'deploy', 'systemd', 'lotwatch-relay@.service');
export const ENV_EXAMPLE = join(ROOT, 'deploy', 'systemd', 'relay.env.example');
export const NGINX_TEMPLATE = join(ROOT, 'deploy', 'nginx', 'lotwatch.conf.template');
/** The operator token the cluster's relays get (creating lots behind a proxy needs it). */
export const OPERATOR_TOKEN = 'cluster-operator-token-0123456789';

/** The unit's ExecStart for one instance (`%i` is the port), as the argv systemd runs; and its WorkingDirectory. */
export function relayCommandFromUnit(port: number, unit = readFileSync(UNIT_FILE, 'utf8')): { argv: string[]; workingDirectory: string } {
  const value = (key: string) => {
    const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`${UNIT_FILE} has no ${key}=`);
    return line.slice(key.length + 1).trim();
  };
  const argv = value('ExecStart').replaceAll('%i', String(port)).split(/\s+/);
  return { argv, workingDirectory: value('WorkingDirectory') };
}

/** KEY=VALUE lines of an environment file (what systemd's EnvironmentFile= reads; comments and blanks skipped). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) env[m[1]] = (m[2] ?? '').trim();
  }
  return env;
}

/** What `envsubst '${A} ${B}'` does: replaces exactly these `${NAME}`s, nothing else (nginx's own `$vars` stay). */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  let out = template;
  for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`\${${k}}`, v);
  const left = /\$\{LOTWATCH_[A-Z_]+\}/.exec(out);
  if (left) throw new Error(`${left[0]} is not set`);
  return out;
}

/** The nginx config for these relay ports, from the deploy template. */
export function nginxConfig(listenPort: number, relayPorts: number[]): string {
  return renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
    LOTWATCH_LISTEN: `127.0.0.1:${listenPort}`,
    LOTWATCH_SERVER_NAME: 'localhost',
    LOTWATCH_UPSTREAMS: relayPorts.map((p) => `server 127.0.0.1:${p} max_fails=3 fail_timeout=5s;`).join(' '),
  });
}

export interface ClusterRelay {
  port: number;
  url: string;
  ws: string;
  pid: number;
  /** What it printed so far. */
  log(): string;
  /** `kill -9`. */
  kill(): Promise<void>;
  /** SIGTERM, as systemd stops it. */
  stop(): Promise<void>;
  exited: Promise<void>;
}

/** One relay as the systemd unit starts it, with the example environment plus `env`. */
export async function startUnitRelay(port: number, env: Record<string, string>, extraArgs: string[] = []): Promise<ClusterRelay> {
  const { argv } = relayCommandFromUnit(port);
  const [cmd, ...args] = argv;
  const environment = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...parseEnvironmentFile(readFileSync(ENV_EXAMPLE, 'utf8')), ...env };
  const dir = mkdtempSync(join(tmpdir(), 'lotwatch-relay-'));
  // The unit's WorkingDirectory is where the app is installed: here, this checkout.
  const proc: EngineProcess = startProcess(cmd!, [...args, ...extraArgs], { dir, cwd: ROOT, env: environment });
  void proc.exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `relay on ${port}`, async () => {
    if (!proc.log().includes(`listening on ${url}`)) return false;
    return (await fetch(`${url}/healthz`)).status === 200;
  }, 60_000);
  return {
    port,
    url,
    ws: `ws://127.0.0.1:${port}`,
    pid: proc.child.pid!,
    log: proc.log,
    kill: async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    stop: () => stopProcess(proc, 'SIGTERM', 15_000),
    exited: proc.exited,
  };
}

export interface Cluster {
  pg: Postgres;
  redis: Redis;
  relays: ClusterRelay[];
  nginx: Nginx;
  /** The environment every relay gets (URLs, tokens). */
  env: Record<string, string>;
  /** Starts relay `i` again on its port (after a kill or stop). */
  restartRelay(i: number): Promise<ClusterRelay>;
  /** Stops everything (relays, nginx, Redis, PostgreSQL) and starts it again on the same ports and data. */
  restartAll(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  relays?: number;
  /** More flags for every relay. */
  relayArgs?: string[];
  /** More environment for every relay. */
  env?: Record<string, string>;
  /** nginx worker connections (each proxied socket takes two) and processes. */
  nginxConnections?: number;
  nginxWorkers?: number;
}

export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const started: { relays: ClusterRelay[]; nginx: Nginx | null } = { relays: [], nginx: null };
  try {
    await pg.createDatabase('lotwatch');
    const env = {
      LOTWATCH_DATABASE_URL: pg.url('lotwatch'),
      LOTWATCH_REDIS_URL: redis.url,
      LOTWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN,
      ...o.env,
    };
    const ports = await Promise.all(Array.from({ length: o.relays ?? 3 }, () => freePort()));
    // One first, so the schema is created once before the others start (they would wait on its lock anyway).
    started.relays.push(await startUnitRelay(ports[0]!, env, o.relayArgs));
    started.relays.push(...(await Promise.all(ports.slice(1).map((p) => startUnitRelay(p, env, o.relayArgs)))));
    const nginxOpts = { ...(o.nginxConnections ? { workerConnections: o.nginxConnections } : {}), ...(o.nginxWorkers ? { workers: o.nginxWorkers } : {}) };
    started.nginx = await startNginx((port) => nginxConfig(port, ports), nginxOpts);
    let nginx = started.nginx;
    const cluster: Cluster = {
      pg,
      redis,
      relays: started.relays,
      get nginx() {
        return nginx;
      },
      env,
      restartRelay: async (i) => {
        const r = await startUnitRelay(ports[i]!, env, o.relayArgs);
        cluster.relays[i] = r;
        return r;
      },
      restartAll: async () => {
        await Promise.all(cluster.relays.map((r) => r.stop()));
        await nginx.stop();
        await Promise.all([pg.restart(), redis.restart()]);
        for (let i = 0; i < ports.length; i++) cluster.relays[i] = await startUnitRelay(ports[i]!, env, o.relayArgs);
        nginx = await startNginx((port) => nginxConfig(port, ports), { ...nginxOpts, port: nginx.port });
      },
      stop: async () => {
        await Promise.all(cluster.relays.map((r) => r.stop()));
        await nginx.stop();
        await Promise.all([pg.stop(), redis.stop()]);
      },
    };
    return cluster;
  } catch (e) {
    await Promise.all(started.relays.map((r) => r.stop()));
    await started.nginx?.stop();
    await Promise.all([pg.stop(), redis.stop()]);
    throw e;
  }
}
