// Real PostgreSQL, Redis and nginx for tests and benchmarks: each started on 127.0.0.1 on a free port, in a temp
// folder, in its own process group, and stopped by the caller. Without the binaries, tests skip with a notice; under
// CI=true that is an error (as for fixtures).
//
// Leaks: every process started here is registered in a file under the temp folder with the pid of the test process
// that owns it. A process killed before it could clean up (a worker cut short) leaves its entry; the next start of
// any engine kills the process groups of entries whose owner is gone (checking the command line first), and removes
// their folders. On a normal exit of the test process, whatever it still owns is killed too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type Engine = 'postgres' | 'redis' | 'nginx';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** The directory with `initdb`, `postgres`, `pg_ctl`: LOTWATCH_PG_BIN, Debian's newest, or whatever is on PATH. */
export function postgresBin(): string | null {
  const env = process.env.LOTWATCH_PG_BIN;
  if (env) return existsSync(join(env, 'postgres')) ? env : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : null;
}

function binary(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name);
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

export const engineBinary = (e: Engine): string | null =>
  e === 'postgres' ? postgresBin() : e === 'redis' ? binary('redis-server') : binary('nginx');

/**
 * Are these engines installed? When one is missing: false with a notice (tests skip), or under CI=true an error.
 * `scripts/ensure-system-deps.mjs` (run before `npm test`) installs them where it may.
 */
export function enginesAvailable(...engines: Engine[]): boolean {
  const missing = engines.filter((e) => engineBinary(e) === null);
  if (missing.length === 0) return true;
  const what = `${missing.join(', ')} not installed (Debian: apt-get install ${missing.map((m) => (m === 'postgres' ? 'postgresql' : m === 'redis' ? 'redis-server' : m)).join(' ')})`;
  if (process.env.CI === 'true') throw new Error(`[lotwatch] ${what}, and CI=true`);
  console.warn(`[lotwatch] ${what}: these tests are skipped`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Process registry (leak guard)

const REGISTRY = join(tmpdir(), 'lotwatch-engines');
const owned = new Map<number, string>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Set in each started process's environment: what proves, before a kill, that a pid is still the one recorded. */
const MARKER = 'LOTWATCH_ENGINE_MARKER';

/**
 * Is `pid` still the process started in `dir` (not a new one that got the number)? Engines run in their folder (a
 * process title rewrite may clobber their environment); others carry the marker in their environment.
 */
function stillOurs(pid: number, dir: string): boolean {
  try {
    if (realpathSync(`/proc/${pid}/cwd`).startsWith(realpathSync(dir))) return true;
  } catch {
    // Gone, or not ours to look at.
  }
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`${MARKER}=${dir}\0`);
  } catch {
    return false;
  }
}

/** Kills what crashed test processes left behind: only groups whose leader still carries the recorded marker. */
function sweepLeftovers(): void {
  if (!existsSync(REGISTRY)) return;
  for (const f of readdirSync(REGISTRY)) {
    const file = join(REGISTRY, f);
    try {
      const e = JSON.parse(readFileSync(file, 'utf8')) as { owner: number; pid: number; dir: string };
      if (alive(e.owner)) continue;
      if (stillOurs(e.pid, e.dir)) killGroup(e.pid, 'SIGKILL');
      rmSync(e.dir, { recursive: true, force: true });
      unlinkSync(file);
    } catch {
      // Another process swept it first, or the entry is damaged: leave it.
    }
  }
}

let exitHook = false;
function register(child: ChildProcess, dir: string): void {
  const pid = child.pid;
  if (pid === undefined) return;
  mkdirSync(REGISTRY, { recursive: true });
  const file = join(REGISTRY, `${pid}.json`);
  writeFileSync(file, JSON.stringify({ owner: process.pid, pid, dir }));
  owned.set(pid, file);
  child.once('exit', () => {
    owned.delete(pid);
    rmSync(file, { force: true });
  });
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const [p, f] of owned) {
        killGroup(p, 'SIGKILL');
        rmSync(f, { force: true });
      }
    });
  }
}

export interface EngineProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  log(): string;
}

/** Starts a command in its own process group (so a stop takes its children too); `dir` is its own temp folder. */
export function startProcess(cmd: string, args: string[], o: { dir: string; env?: NodeJS.ProcessEnv; cwd?: string }): EngineProcess {
  sweepLeftovers();
  const env = { ...(o.env ?? process.env), [MARKER]: o.dir };
  const child = spawn(cmd, args, { cwd: o.cwd ?? o.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  register(child, o.dir);
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  return { child, exited, log: () => out };
}

/** Asks a process group to stop with `signal`, and kills it after `graceMs`. */
export async function stopProcess(p: EngineProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p.exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  killGroup(pid, 'SIGKILL');
  await p.exited;
}

/** Polls `ready` every 50 ms until it resolves true, at most `timeoutMs`; fails early if the process exits. */
export async function waitReady(p: EngineProcess, what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${what} exited before it was ready:\n${p.log()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} not ready within ${timeoutMs} ms:\n${p.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tcpOpen = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });

function tempDirFor(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lotwatch-${name}-`));
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

export interface Postgres {
  port: number;
  /** The postmaster's pid, leader of its process group. */
  readonly pid: number;
  /** `postgres://…` for a database (default `postgres`); `schema` sets its search_path. */
  url(database?: string, schema?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Creates a schema in the `postgres` database and returns a URL that uses it. */
  schemaUrl(schema: string): Promise<string>;
  /** Runs SQL on a database. */
  sql(text: string, values?: unknown[], database?: string): Promise<pg.QueryResult>;
  /** Stops (fast shutdown) and starts again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const PG_USER = 'lotwatch';

/**
 * A throwaway cluster: `initdb` in a temp folder, `postgres` on a free port of 127.0.0.1 with its socket in that
 * folder. PostgreSQL refuses to run as root; as root, both run as `nobody` (setpriv), who owns the folder.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = tempDirFor('pg');
  const data = join(dir, 'data');
  const asUser = (cmd: string, args: string[]): [string, string[]] =>
    isRoot ? ['setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--', cmd, ...args]] : [cmd, args];
  if (isRoot) chownSync(dir, NOBODY, NOBODY);
  const [initCmd, initArgs] = asUser(join(bin, 'initdb'), ['-D', data, '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', cwd: dir });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  let proc: EngineProcess;
  const url = (database = 'postgres', schema?: string) =>
    `postgres://${PG_USER}@127.0.0.1:${port}/${database}${schema ? `?options=${encodeURIComponent(`-c search_path=${schema}`)}` : ''}`;
  const sql = async (text: string, values: unknown[] = [], database = 'postgres') => {
    const c = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 2000 });
    await c.connect();
    try {
      return await c.query(text, values);
    } finally {
      await c.end();
    }
  };
  const start = async () => {
    // fsync off: a test cluster need not survive a power cut; everything else is PostgreSQL as shipped.
    const [cmd, args] = asUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ]);
    proc = startProcess(cmd, args, { dir });
    await waitReady(proc, 'PostgreSQL', async () => (await sql('SELECT 1')).rowCount === 1);
  };
  await start();
  return {
    port,
    get pid() {
      return proc.child.pid!;
    },
    url,
    sql,
    createDatabase: async (name) => {
      await sql(`CREATE DATABASE "${name}"`);
    },
    schemaUrl: async (schema) => {
      await sql(`CREATE SCHEMA "${schema}"`);
      return url('postgres', schema);
    },
    // SIGINT: PostgreSQL's fast shutdown (rolls back open transactions, writes a checkpoint).
    restart: async () => {
      await stopProcess(proc, 'SIGINT', 15_000);
      await start();
    },
    stop: async () => {
      await stopProcess(proc, 'SIGINT', 15_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

export interface Redis {
  port: number;
  readonly pid: number;
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server on a free port of 127.0.0.1, nothing saved to disk. */
export async function startRedis(): Promise<Redis> {
  const bin = binary('redis-server');
  if (!bin) throw new Error('redis-server is not installed');
  const dir = tempDirFor('redis');
  const port = await freePort();
  let proc: EngineProcess;
  const start = async () => {
    proc = startProcess(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { dir });
    await waitReady(proc, 'Redis', async () => (await tcpOpen(port)) && /Ready to accept connections/.test(proc.log()));
  };
  await start();
  return {
    port,
    get pid() {
      return proc.child.pid!;
    },
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await stopProcess(proc, 'SIGTERM');
      await start();
    },
    stop: async () => {
      await stopProcess(proc, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// nginx

export interface Nginx {
  port: number;
  /** The master's pid, leader of its process group (benchmarks meter the group). */
  readonly pid: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * nginx in the foreground with a main config of its own around `httpConf` (the contents of an `http {}` block, such as
 * deploy/nginx/lotwatch.conf rendered). `httpConf` gets `port` to listen on.
 */
export async function startNginx(httpConf: (port: number) => string, o: { workerConnections?: number; workers?: number; port?: number } = {}): Promise<Nginx> {
  const bin = binary('nginx');
  if (!bin) throw new Error('nginx is not installed');
  const dir = tempDirFor('nginx');
  const port = o.port ?? (await freePort());
  // Workers run as nobody when started as root: their temp folders must be theirs to write.
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(dir, d));
    if (isRoot) chownSync(join(dir, d), NOBODY, NOBODY);
  }
  const connections = o.workerConnections ?? 1024;
  writeFileSync(join(dir, 'site.conf'), httpConf(port));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes ${o.workers ?? 1};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
worker_rlimit_nofile ${connections * 2 + 64};
events { worker_connections ${connections}; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'site.conf')};
}
`,
  );
  const test = spawnSync(bin, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t refused the config:\n${test.stderr}\n${httpConf(port)}`);
  const proc = startProcess(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { dir });
  await waitReady(proc, 'nginx', () => tcpOpen(port));
  return {
    port,
    pid: proc.child.pid!,
    url: `http://127.0.0.1:${port}`,
    dir,
    stop: async () => {
      await stopProcess(proc, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
