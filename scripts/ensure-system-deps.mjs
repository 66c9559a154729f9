#!/usr/bin/env node
// The browser tests need a Chromium and ffmpeg (to turn the fixture video into a fake camera), the MQTT tests a
// mosquitto broker (they start their own). On Debian they come from apt; this installs them when they are missing and
// we may (root, or passwordless sudo), else says what to do (the MQTT tests skip without a broker outside CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const chromium = process.env.LOTWATCH_CHROMIUM;
const missing = [];
if (chromium ? !existsSync(chromium) : !existsSync('/usr/bin/chromium')) missing.push('chromium');
if (!has('ffmpeg')) missing.push('ffmpeg');
if (!existsSync('/usr/sbin/mosquitto') && !has('mosquitto')) missing.push('mosquitto');

if (missing.length === 0) process.exit(0);
if (chromium && missing.includes('chromium')) {
  console.error(`lotwatch: LOTWATCH_CHROMIUM=${chromium} does not exist.`);
  process.exit(1);
}
const root = process.getuid?.() === 0;
const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!has('apt-get') || (!root && !sudo)) {
  // Without a broker the MQTT tests skip with a notice (outside CI): no reason to stop everything else.
  if (missing.every((m) => m === 'mosquitto') && process.env.CI !== 'true') {
    console.warn('lotwatch: mosquitto is not installed (sudo apt-get install -y mosquitto): the MQTT tests will be skipped.');
    process.exit(0);
  }
  console.error(`lotwatch: the tests need ${missing.join(' and ')}. On Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}`);
  console.error('lotwatch: or point LOTWATCH_CHROMIUM at another Chromium build (for example one from `npx playwright install chromium`).');
  process.exit(1);
}
console.log(`lotwatch: installing ${missing.join(', ')} from Debian packages for the browser tests…`);
const run = (args) => execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', ...missing]);
