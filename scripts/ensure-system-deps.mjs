#!/usr/bin/env node
// The browser tests need a Chromium and ffmpeg (to turn the fixture video into a fake camera); the MQTT tests a
// mosquitto broker and the relay cluster tests PostgreSQL, Redis and nginx (the tests start their own, on loopback).
// On Debian they come from apt; this installs what is missing when it may (root, or passwordless sudo), else says
// what to do. Without the servers their tests skip with a notice, except under CI=true.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasSbin = (cmd) => existsSync(`/usr/sbin/${cmd}`) || has(cmd);
const hasPostgres = () =>
  (process.env.LOTWATCH_PG_BIN !== undefined && existsSync(`${process.env.LOTWATCH_PG_BIN}/postgres`)) ||
  (existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))) ||
  has('initdb');

const chromium = process.env.LOTWATCH_CHROMIUM;
const missing = [];
if (chromium ? !existsSync(chromium) : !existsSync('/usr/bin/chromium')) missing.push('chromium');
if (!has('ffmpeg')) missing.push('ffmpeg');
// Servers the tests start themselves; their tests skip without them outside CI.
const servers = [];
if (!hasSbin('mosquitto')) servers.push('mosquitto');
if (!hasPostgres()) servers.push('postgresql');
if (!has('redis-server')) servers.push('redis-server');
if (!hasSbin('nginx')) servers.push('nginx');

const all = [...missing, ...servers];
if (all.length === 0) process.exit(0);
if (chromium && missing.includes('chromium')) {
  console.error(`lotwatch: LOTWATCH_CHROMIUM=${chromium} does not exist.`);
  process.exit(1);
}
const root = process.getuid?.() === 0;
const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!has('apt-get') || (!root && !sudo)) {
  // Without the servers their tests skip with a notice (outside CI): no reason to stop everything else.
  if (missing.length === 0 && process.env.CI !== 'true') {
    console.warn(`lotwatch: ${servers.join(', ')} not installed (sudo apt-get install -y ${servers.join(' ')}): their tests will be skipped.`);
    process.exit(0);
  }
  console.error(`lotwatch: the tests need ${all.join(' and ')}. On Debian/Ubuntu: sudo apt-get install -y ${all.join(' ')}`);
  console.error('lotwatch: or point LOTWATCH_CHROMIUM at another Chromium build (for example one from `npx playwright install chromium`).');
  process.exit(1);
}
console.log(`lotwatch: installing ${all.join(', ')} from Debian packages for the tests…`);
const run = (args) => execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', ...all]);
