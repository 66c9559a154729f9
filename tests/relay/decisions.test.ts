// The relay's pure decisions: configuration, tokens, rate limits, presence, routing and publisher input.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerToken, generateLotId, generateToken, hashToken, tokenMatches } from '../../relay/src/auth.ts';
import { DEFAULT_CONFIG, parseConfig } from '../../relay/src/config.ts';
import { routeOf } from '../../relay/src/http-routes.ts';
import { initialPresence, nextExpiry, stepPresence } from '../../relay/src/presence.ts';
import { decidePublisherInput } from '../../relay/src/publisher-session.ts';
import { KeyedRateLimiter, charge, fullBucket, retryAfterSeconds, take } from '../../relay/src/rate-limit.ts';
import { admit, publisherReserve, wsRouteOf } from '../../relay/src/ws-hub.ts';
import { clientAddress } from '../../relay/src/http-util.ts';
import { CLOSE, LOT_ID_PATTERN } from '../../src/share/protocol.ts';

describe('parseConfig', () => {
  const ok = (argv: string[], env: Record<string, string> = {}) => {
    const r = parseConfig(argv, env);
    if (!r.ok || 'help' in r) throw new Error(`expected a config, got ${JSON.stringify(r)}`);
    return r.value;
  };

  it('has the documented defaults', () => {
    expect(ok([])).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ port: 8080, host: '127.0.0.1', lot: 'default', dataDir: './data', token: null, dist: 'dist' });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PORT: '9000', LOTWATCH_DATA_DIR: '/var/lotwatch', LOTWATCH_PUBLISH_TOKEN: 'env-token-0123456789' };
    expect(ok([], env)).toMatchObject({ port: 9000, dataDir: '/var/lotwatch', token: 'env-token-0123456789' });
    expect(ok(['--port', '7000', '--data-dir', 'd', '--token', 'flag-token-0123456789'], env)).toMatchObject({
      port: 7000,
      dataDir: 'd',
      token: 'flag-token-0123456789',
    });
  });

  it('reads every flag', () => {
    const c = ok([
      '--host', '0.0.0.0', '--lot', 'north', '--dist', 'build', '--cert', 'c.pem', '--key', 'k.pem',
      '--offline-after', '10', '--ping-interval', '5', '--max-lots', '3', '--max-connections', '50',
      '--max-connections-per-address', '7', '--trust-proxy', '127.0.0.1, ::1',
    ]);
    expect(c).toMatchObject({
      host: '0.0.0.0', lot: 'north', dist: 'build', tls: { cert: 'c.pem', key: 'k.pem' },
      offlineAfterMs: 10_000, pingIntervalMs: 5_000, maxLots: 3, maxConnections: 50,
      maxConnectionsPerAddress: 7, trustedProxies: ['127.0.0.1', '::1'],
    });
    expect(ok([], { LOTWATCH_TRUST_PROXY: '10.0.0.1' }).trustedProxies).toEqual(['10.0.0.1']);
  });

  it('opens lot creation to all only on loopback with no proxy in front', () => {
    expect(ok([])).toMatchObject({ lotCreation: 'open', operatorToken: null, unpublishedTtlMs: 86_400_000 });
    expect(ok(['--host', 'localhost']).lotCreation).toBe('open');
    expect(ok(['--host', '::1']).lotCreation).toBe('open');
    expect(ok(['--host', '0.0.0.0']).lotCreation).toBe('operator');
    expect(ok(['--host', '192.168.1.20']).lotCreation).toBe('operator');
    expect(ok(['--trust-proxy', '127.0.0.1']).lotCreation).toBe('operator');
    expect(ok(['--host', '0.0.0.0', '--lot-creation', 'open']).lotCreation).toBe('open');
    expect(ok(['--lot-creation', 'operator']).lotCreation).toBe('operator');
    expect(ok(['--unpublished-ttl', '2']).unpublishedTtlMs).toBe(7_200_000);
    expect(ok([], { LOTWATCH_OPERATOR_TOKEN: 'op-token-0123456789' }).operatorToken).toBe('op-token-0123456789');
    expect(ok(['--operator-token', 'flag-op-token-0123456789'], { LOTWATCH_OPERATOR_TOKEN: 'op-token-0123456789' }).operatorToken).toBe(
      'flag-op-token-0123456789',
    );
  });

  it('reads the origins allowed to change things, as browsers send them', () => {
    expect(ok(['--allow-origin', 'https://dash.example, http://LOCALHOST:5173/']).allowedOrigins).toEqual(['https://dash.example', 'http://localhost:5173']);
    expect(ok([], { LOTWATCH_ALLOWED_ORIGINS: 'https://a.example' }).allowedOrigins).toEqual(['https://a.example']);
  });

  it('reads the database options', () => {
    expect(ok([])).toMatchObject({ initDb: false, sqliteSynchronous: 'normal' });
    expect(ok(['--init-db', '--sqlite-synchronous', 'full'])).toMatchObject({ initDb: true, sqliteSynchronous: 'full' });
    expect(ok([], { LOTWATCH_SQLITE_SYNCHRONOUS: 'full' }).sqliteSynchronous).toBe('full');
  });

  it('answers --help', () => {
    expect(parseConfig(['--help'], {})).toEqual({ ok: true, help: true });
  });

  it.each([
    [['--port', 'http'], 'port must be an integer'],
    [['--port', '70000'], 'port must be an integer'],
    [['--port', '-1'], "Option '--port' argument is ambiguous"],
    [['--port=-1'], 'port must be an integer from 0 to 65535, got "-1"'],
    [['--lot', 'North Gate'], '--lot must be'],
    [['--token', 'short'], 'the publish token must be 16'],
    [['--cert', 'c.pem'], '--cert and --key go together'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['positional'], "Unexpected argument 'positional'"],
    [['--max-lots', '0'], '--max-lots must be'],
    [['--max-connections-per-address', '0'], '--max-connections-per-address must be'],
    [['--trust-proxy', 'proxy.local'], '--trust-proxy: "proxy.local" is not an IP address'],
    [['--operator-token', 'short'], 'the operator token must be 16'],
    [['--lot-creation', 'anyone'], '--lot-creation must be open or operator'],
    [['--allow-origin', '*'], '--allow-origin: "*" is not an origin'],
    [['--sqlite-synchronous', 'off'], '--sqlite-synchronous must be normal or full'],
    [['--allow-origin', 'https://a.example/path'], 'is not an origin'],
    [['--allow-origin', 'ftp://a.example'], 'is not an origin'],
    [['--unpublished-ttl', '0'], '--unpublished-ttl must be'],
  ])('refuses %j', (argv, error) => {
    const r = parseConfig(argv, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });

  it('never echoes a refused token', () => {
    const r = parseConfig(['--token', 'tooshort'], {});
    expect(!r.ok && r.error).not.toContain('tooshort');
  });
});

describe('tokens', () => {
  it('are long, random and URL-safe', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('match only their own hash', () => {
    const t = generateToken();
    const h = hashToken(t);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(t);
    expect(tokenMatches(t, h)).toBe(true);
    expect(tokenMatches(`${t}x`, h)).toBe(false);
    expect(tokenMatches('', h)).toBe(false);
    expect(tokenMatches(null, h)).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, 'not-a-hash')).toBe(false);
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('bearerToken(%j) = %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it('makes lot ids the protocol accepts', () => {
    expect(generateLotId()).toMatch(LOT_ID_PATTERN);
  });
});

describe('rate limits', () => {
  const rule = { perSecond: 2, burst: 3 };

  it('allow a burst, then refuse, then refill with time', () => {
    let b = fullBucket(rule, 0);
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = take(b, rule, 0);
      b = r.bucket;
      results.push(r.allowed);
    }
    expect(results).toEqual([true, true, true, false]);
    expect(retryAfterSeconds(b, rule)).toBe(1);
    expect(take(b, rule, 400).allowed).toBe(false);
    expect(take(b, rule, 500).allowed).toBe(true);
    // Refill never exceeds the burst.
    expect(take(b, rule, 60_000).bucket.tokens).toBe(rule.burst - 1);
  });

  it('keep keys apart and stay bounded', () => {
    const l = new KeyedRateLimiter(rule, 5);
    for (let i = 0; i < 3; i++) l.take('a', 0);
    expect(l.take('a', 0).allowed).toBe(false);
    expect(l.take('b', 0).allowed).toBe(true);
    for (let i = 0; i < 50; i++) l.take(`k${i}`, 10);
    expect(l.size).toBeLessThanOrEqual(5);
  });

  it('charge a cost after the fact, into debt of at most one burst', () => {
    // 3 tokens, one taken, 5 charged: 2 - 5 = -3 (the floor), so one token is 2 s away (4 tokens at 2/s).
    let b = take(fullBucket(rule, 0), rule, 0).bucket;
    b = charge(b, rule, 0, 5);
    expect(b.tokens).toBe(-3);
    expect(charge(b, rule, 0, 100).tokens).toBe(-3);
    expect(retryAfterSeconds(b, rule)).toBe(2);
    expect(take(b, rule, 1999).allowed).toBe(false);
    expect(take(b, rule, 2000).allowed).toBe(true);
    const l = new KeyedRateLimiter(rule);
    l.charge('a', 0, 3);
    expect(l.take('a', 0)).toEqual({ allowed: false, retryAfter: 1 });
    expect(l.take('b', 0).allowed).toBe(true);
  });
});

describe('WebSocket admission', () => {
  const limits = { maxConnections: 100, maxConnectionsPerAddress: 5 };
  it.each([
    ['viewer', { viewers: 0, publishers: 0, fromAddress: 0 }, true],
    ['viewer', { viewers: 0, publishers: 0, fromAddress: 5 }, 429],
    ['publisher', { viewers: 0, publishers: 0, fromAddress: 5 }, 429],
    // Viewers stop at 90: the last tenth is the publishers'.
    ['viewer', { viewers: 89, publishers: 0, fromAddress: 0 }, true],
    ['viewer', { viewers: 90, publishers: 0, fromAddress: 0 }, 503],
    ['publisher', { viewers: 90, publishers: 9, fromAddress: 0 }, true],
    ['publisher', { viewers: 90, publishers: 10, fromAddress: 0 }, 503],
    ['viewer', { viewers: 10, publishers: 90, fromAddress: 0 }, 503],
  ] as const)('a %s with %j open: %s', (kind, open, expected) => {
    const a = admit(kind, open, limits);
    expect(a.ok ? true : a.status).toBe(expected);
  });

  it('keeps a tenth for publishers, none when there are fewer than ten places', () => {
    expect([publisherReserve(10_000), publisherReserve(500), publisherReserve(10), publisherReserve(9)]).toEqual([1000, 50, 1, 0]);
  });
});

describe('clientAddress', () => {
  const req = (peer: string, xff?: string) =>
    ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
  const proxies = new Set(['127.0.0.1', '10.0.0.2']);
  it.each([
    ['the peer without proxies', req('192.0.2.7', '203.0.113.9'), new Set<string>(), '192.0.2.7'],
    ['IPv4 on a dual-stack socket', req('::ffff:192.0.2.7'), new Set<string>(), '192.0.2.7'],
    ['the peer when it is no trusted proxy', req('192.0.2.7', '203.0.113.9'), proxies, '192.0.2.7'],
    ['the forwarded client behind a trusted proxy', req('127.0.0.1', '203.0.113.9'), proxies, '203.0.113.9'],
    // A client can put anything first; only the hops the proxies added count.
    ['the last untrusted hop', req('127.0.0.1', '1.1.1.1, 203.0.113.9, 10.0.0.2'), proxies, '203.0.113.9'],
    ['the proxy itself when it forwards nothing', req('127.0.0.1'), proxies, '127.0.0.1'],
  ])('%s', (_what, r, trusted, expected) => {
    expect(clientAddress(r, trusted)).toBe(expected);
  });
});

describe('presence', () => {
  const after = 1000;

  it('is online while a socket is open, offline since it closed', () => {
    let p = initialPresence(null);
    expect(p).toMatchObject({ online: false, since: null });
    p = stepPresence(p, 'socket-opened', 100, after);
    expect(p).toMatchObject({ online: true, since: 100 });
    p = stepPresence(p, 'socket-state', 5000, after);
    expect(p).toMatchObject({ online: true, since: 100 });
    p = stepPresence(p, 'socket-closed', 6000, after);
    expect(p).toMatchObject({ online: false, since: 6000 });
  });

  it('needs every socket closed before going offline', () => {
    let p = initialPresence(null);
    p = stepPresence(p, 'socket-opened', 0, after);
    p = stepPresence(p, 'socket-opened', 10, after);
    p = stepPresence(p, 'socket-closed', 20, after);
    expect(p.online).toBe(true);
    p = stepPresence(p, 'socket-closed', 30, after);
    expect(p).toMatchObject({ online: false, since: 30 });
  });

  it('keeps an HTTP publisher online for offlineAfter, then offline since its last state', () => {
    let p = stepPresence(initialPresence(null), 'http-state', 1000, after);
    expect(p).toMatchObject({ online: true, since: 1000 });
    expect(nextExpiry(p, after)).toBe(2000);
    p = stepPresence(p, 'http-state', 1500, after);
    expect(nextExpiry(p, after)).toBe(2500);
    expect(stepPresence(p, 'tick', 2499, after).online).toBe(true);
    p = stepPresence(p, 'tick', 2500, after);
    expect(p).toMatchObject({ online: false, since: 1500 });
    expect(nextExpiry(p, after)).toBeNull();
  });

  it('starts offline since the last time it was seen (after a restart)', () => {
    expect(initialPresence(1234)).toMatchObject({ online: false, since: 1234 });
  });
});

describe('routeOf (HTTP)', () => {
  it.each([
    ['GET', '/metadata', { name: 'original-metadata' }],
    ['HEAD', '/metadata', { name: 'original-metadata' }],
    ['POST', '/metadata', { name: 'method-not-allowed', allow: 'GET, HEAD' }],
    ['GET', '/lots/north/metadata', { name: 'lot-metadata', lot: 'north' }],
    ['POST', '/lots/north/state', { name: 'publish-state', lot: 'north' }],
    ['GET', '/lots/north/state', { name: 'method-not-allowed', allow: 'POST' }],
    ['POST', '/lots', { name: 'create-lot' }],
    ['GET', '/lots', { name: 'method-not-allowed', allow: 'POST' }],
    ['DELETE', '/lots/north', { name: 'delete-lot', lot: 'north' }],
    ['GET', '/lots/north', { name: 'method-not-allowed', allow: 'DELETE' }],
    ['DELETE', '/lots/North', { name: 'invalid-lot', raw: 'North' }],
    ['GET', '/lots/North/metadata', { name: 'invalid-lot', raw: 'North' }],
    ['GET', '/lots/../metadata', { name: 'invalid-lot', raw: '..' }],
    ['GET', '/lots/north/other', { name: 'api-not-found' }],
    ['GET', '/ws', { name: 'websocket-only' }],
    ['GET', '/lots/north/live', { name: 'websocket-only' }],
    ['OPTIONS', '/lots/north/state', { name: 'preflight' }],
    ['GET', '/healthz', { name: 'health' }],
    ['GET', '/', { name: 'static' }],
    ['GET', '/v/north', { name: 'static' }],
    ['DELETE', '/index.html', { name: 'method-not-allowed', allow: 'GET, HEAD' }],
  ])('%s %s', (method, path, route) => {
    expect(routeOf(method, path)).toEqual(route);
  });
});

describe('wsRouteOf', () => {
  const q = (s = '') => new URLSearchParams(s);
  it.each([
    ['/ws', '', { kind: 'original', lot: 'default' }],
    ['/ws', 'lot=north', { kind: 'original', lot: 'north' }],
    ['/ws', 'lot=North', { kind: 'invalid-lot' }],
    ['/lots/north/live', '', { kind: 'live', lot: 'north' }],
    ['/lots/north/publish', '', { kind: 'publish', lot: 'north' }],
    ['/lots/no%20pe/live', '', { kind: 'invalid-lot' }],
    ['/lots/north/state', '', { kind: 'not-found' }],
    ['/other', '', { kind: 'not-found' }],
  ])('%s?%s', (path, query, route) => {
    expect(wsRouteOf(path, q(query), 'default')).toEqual(route);
  });
});

describe('decidePublisherInput', () => {
  const state = { total_slots: 1, occupied_slots: 0, available_slots: 1, last_updated: '2025-08-07T14:20:30Z' };
  const text = (v: unknown) => JSON.stringify(v);

  it.each([
    ['auth first', false, text({ type: 'auth', token: 't' }), { do: 'auth', token: 't' }],
    ['a state before auth', false, text({ type: 'state', state }), { do: 'refuse', code: 'unauthorized', close: CLOSE.unauthorized }],
    ['bad JSON before auth', false, '{', { do: 'refuse', code: 'bad_json', close: CLOSE.badMessage }],
    ['binary before auth', false, null, { do: 'refuse', code: 'invalid_message', close: CLOSE.badMessage }],
    ['an auth without token', false, text({ type: 'auth' }), { do: 'refuse', code: 'invalid_message', close: CLOSE.badMessage }],
    ['a state after auth', true, text({ type: 'state', seq: 4, state }), { do: 'publish', seq: 4, state: { ...state, slots: [] } }],
    ['bad JSON after auth', true, 'nope', { do: 'refuse', code: 'bad_json' }],
    ['an invalid state after auth', true, text({ type: 'state', seq: 5, state: { ...state, total_slots: 'x' } }), { do: 'refuse', code: 'invalid_state', seq: 5 }],
    ['a second auth', true, text({ type: 'auth', token: 't' }), { do: 'refuse', code: 'invalid_message' }],
    ['an unknown type after auth', true, text({ type: 'delete' }), { do: 'refuse', code: 'invalid_message' }],
  ])('%s', (_what, authed, input, expected) => {
    const step = decidePublisherInput(authed, input);
    expect(step).toMatchObject(expected);
    // After authentication a mistake is answered, not punished with a disconnect.
    if (authed && step.do === 'refuse') expect(step.close).toBeUndefined();
  });
});

describe('parseConfig for several relays', () => {
  const parse = (argv: string[], env: Record<string, string> = {}) => parseConfig(argv, env);

  it('takes PostgreSQL and Redis URLs from flags or the environment, and refuses Redis alone or other schemes', () => {
    const env = { LOTWATCH_DATABASE_URL: 'postgres://u:secret@db/lotwatch', LOTWATCH_REDIS_URL: 'redis://cache:6379' };
    expect(parse([], env)).toMatchObject({ ok: true, value: { databaseUrl: env.LOTWATCH_DATABASE_URL, redisUrl: env.LOTWATCH_REDIS_URL } });
    expect(parse(['--database-url', 'postgresql://h/d', '--redis-url', 'rediss://h'])).toMatchObject({
      ok: true, value: { databaseUrl: 'postgresql://h/d', redisUrl: 'rediss://h' },
    });
    expect(parse([])).toMatchObject({ ok: true, value: { databaseUrl: null, redisUrl: null } });
    const alone = parse(['--redis-url', 'redis://h']);
    expect(alone.ok).toBe(false);
    expect(!alone.ok && alone.error).toMatch(/needs --database-url/);
    const wrong = parse(['--database-url', 'mysql://u:secret@h/d']);
    expect(!wrong.ok && wrong.error).toMatch(/postgres:\/\//);
    // The password is never echoed.
    expect(JSON.stringify(wrong)).not.toContain('secret');
  });

});
