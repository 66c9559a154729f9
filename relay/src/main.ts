// `npm run relay`: parse flags and environment, start the relay, stop cleanly on Ctrl-C / SIGTERM.
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { lotPaths } from '../../src/share/protocol.ts';
import { parseConfig, USAGE } from './config.ts';
import { consoleLogger as log } from './log.ts';
import { startRelay } from './relay.ts';

const parsed = parseConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  console.error(`lotwatch relay: ${parsed.error}\n\n${USAGE}`);
  process.exit(2);
}
if ('help' in parsed) {
  console.log(USAGE);
  process.exit(0);
}
const config = parsed.value;

try {
  const relay = await startRelay(config, { log });
  const scheme = config.tls ? 'https' : 'http';
  log.info(`listening on ${relay.url} (data in ${relay.where})`);
  if (!existsSync(join(resolve(config.dist), 'index.html'))) {
    log.warn(`no built app in ${resolve(config.dist)}: run \`npm run build\` (or \`npm start\`) to serve it`);
  }
  if (config.host === '0.0.0.0' || config.host === '::') {
    const lan = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => `${scheme}://${i?.address}:${relay.port}`);
    for (const u of lan) log.info(`on the LAN: ${u}`);
  }
  log.info(`default lot "${config.lot}": ${relay.url}/metadata, ${relay.url}${lotPaths(config.lot).viewer}`);
  if (!config.tls && config.host !== '127.0.0.1' && config.host !== 'localhost') {
    log.info('phones grant the camera only over HTTPS (or on localhost): add --cert FILE --key FILE for the counting device');
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: closing connections`);
    relay.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error(String(e));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'EADDRINUSE' ? ` (port ${config.port} is taken; use --port or PORT)` : '';
  log.error(`could not start: ${err.message}${hint}`);
  process.exit(1);
}
