// deploy/ as an operator uses it: the systemd unit passes systemd's own check, the environment file is what the relay
// reads, and the nginx template renders with the documented envsubst command into what the tests run.
// (The cluster e2e test runs relays with the unit's command line and environment behind the rendered nginx.)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../relay/src/config.ts';
import { ENV_EXAMPLE, NGINX_TEMPLATE, UNIT_FILE, nginxConfig, parseEnvironmentFile, relayCommandFromUnit, renderTemplate } from '../support/cluster.ts';
import { removeTempDirs, tempDir } from './support.ts';

afterAll(removeTempDirs);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('deploy/', () => {
  it.skipIf(!has('systemd-analyze'))('has a relay unit that systemd-analyze verifies, one instance per port', () => {
    const dir = tempDir();
    const instance = join(dir, 'lotwatch-relay@8081.service');
    copyFileSync(UNIT_FILE, instance);
    const r = spawnSync('systemd-analyze', ['verify', instance], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
    expect(relayCommandFromUnit(8081).argv).toEqual(
      expect.arrayContaining(['relay/src/main.ts', '--host', '127.0.0.1', '--port', '8081']),
    );
  });

  it('has an environment file the relay accepts, naming PostgreSQL and Redis', () => {
    const env = parseEnvironmentFile(readFileSync(ENV_EXAMPLE, 'utf8'));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['LOTWATCH_DATABASE_URL', 'LOTWATCH_REDIS_URL']));
    const parsed = parseConfig(relayCommandFromUnit(8081).argv.slice(relayCommandFromUnit(8081).argv.indexOf('relay/src/main.ts') + 1), env);
    expect(parsed).toMatchObject({ ok: true, value: { port: 8081, host: '127.0.0.1', databaseUrl: env.LOTWATCH_DATABASE_URL, redisUrl: env.LOTWATCH_REDIS_URL } });
  });

  it('renders the nginx template as its header says, leaving nginx\'s own variables alone', () => {
    const vars = { LOTWATCH_LISTEN: '127.0.0.1:8080', LOTWATCH_SERVER_NAME: 'localhost', LOTWATCH_UPSTREAMS: 'server 127.0.0.1:8081 max_fails=3 fail_timeout=5s; server 127.0.0.1:8082 max_fails=3 fail_timeout=5s;' };
    const ours = renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), vars);
    expect(ours).toBe(nginxConfig(8080, [8081, 8082]));
    expect(ours).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(() => renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), { LOTWATCH_LISTEN: '80' })).toThrow(/is not set/);
    if (has('envsubst')) {
      const documented = execFileSync('envsubst', ['${LOTWATCH_LISTEN} ${LOTWATCH_SERVER_NAME} ${LOTWATCH_UPSTREAMS}'], {
        input: readFileSync(NGINX_TEMPLATE, 'utf8'),
        env: { ...process.env, ...vars },
        encoding: 'utf8',
      });
      expect(documented).toBe(ours);
    }
  });
});
